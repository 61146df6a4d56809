{#- Where the raw tables come from. DuckDB reads each source straight from the files (the
    source's external_location); Spark needs them in its catalog, so on Spark this
    on-run-start hook creates one view per raw table over its Parquet partition folders
    (load_date comes from the folder names, as on DuckDB). -#}
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
            {%- do run_query('create or replace view lender.' ~ source.name
                ~ ' as select * from parquet.`' ~ root ~ '/' ~ source.name ~ '`') -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
