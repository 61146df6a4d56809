{#- Where the raw tables come from. DuckDB reads each source straight from the files (the
    source's external_location); Spark needs them in its catalog, so on Spark this
    on-run-start hook creates one view per raw table over its Parquet partition folders
    (load_date comes from the folder names, as on DuckDB), with the contract's optional
    columns the files lack added as NULL. -#}
{% macro register_raw_sources() -%}
    {{ return(adapter.dispatch('register_raw_sources', 'creditline')()) }}
{%- endmacro %}

{% macro default__register_raw_sources() -%}
    select 1
{%- endmacro %}

{% macro spark__register_raw_sources() -%}
    {%- if execute -%}
        {%- set root = env_var('CREDITLINE_RAW', 'data/raw') -%}
        {%- do run_query('create database if not exists lender') -%}
        {%- for source in graph.sources.values() if source.source_name == 'lender' -%}
            {%- set files = 'parquet.`' ~ root ~ '/' ~ source.name ~ '`' -%}
            {#- an optional column the files lack is added as NULL of its contract type -#}
            {%- set present = run_query('select * from ' ~ files ~ ' limit 0').column_names -%}
            {%- set missing = [] -%}
            {%- for column in raw_contract(source.name).columns
                if column.optional and column.name not in present -%}
                {%- do missing.append(
                    'cast(null as ' ~ column.data_type ~ ') as ' ~ column.name) -%}
            {%- endfor -%}
            {%- do run_query('create or replace view lender.' ~ source.name
                ~ ' as select *' ~ (', ' ~ missing | join(', ') if missing else '')
                ~ ' from ' ~ files) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
