{#- The daily run's incremental window (docs/operations.md).

    A build is "windowed" when the model already exists, is not being fully refreshed and
    the var incremental_since_load_date is set (the daily run sets it, with
    incremental_previous_as_of). Then the large core facts recompute only the loans and lines
    that rows loaded since that date touch, plus what the move of the as-of date changes.
    Otherwise an incremental model recomputes everything, so a plain `dbt build` on an
    existing warehouse still equals a full refresh. -#}

{% macro incremental_window_active() -%}
    {#- unit tests have no `this`: they always see the whole-model SQL -#}
    {%- if var('incremental_since_load_date', '') == '' or this is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- if is_incremental() and core_fact_incremental_strategy() != 'append' -%}
        {{ exceptions.raise_compiler_error(
            "the daily incremental window (incremental_since_load_date) runs on DuckDB only; "
            ~ "on " ~ target.type ~ " build in full (docs/spark.md)") }}
    {%- endif -%}
    {{ return(is_incremental()) }}
{%- endmacro %}


{#- The incremental strategy of the core facts. DuckDB: the pre_hook below deletes the rows
    to rebuild and the new rows are appended. Spark's Parquet tables cannot delete rows:
    there every build recomputes the whole model and insert_overwrite replaces the table's
    contents (no Delta or Iceberg jars are needed). -#}
{% macro core_fact_incremental_strategy() -%}
    {{ return(adapter.dispatch('core_fact_incremental_strategy', 'creditline')()) }}
{%- endmacro %}
{% macro default__core_fact_incremental_strategy() -%}
    {{ return('append') }}
{%- endmacro %}
{% macro spark__core_fact_incremental_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}


{#- The first load date whose rows count as new in a windowed build. -#}
{% macro incremental_since() -%}
    cast('{{ var("incremental_since_load_date") }}' as date)
{%- endmacro %}


{#- The as-of date of the build being extended (the daily run passes it). -#}
{% macro incremental_previous_as_of() -%}
    {%- if var('incremental_previous_as_of', '') == '' -%}
        {%- if var('incremental_since_load_date', '') == '' -%}
            {{ return('cast(null as date)') }}
        {%- endif -%}
        {{ exceptions.raise_compiler_error(
            "incremental_since_load_date is set but incremental_previous_as_of is not: "
            ~ "a windowed build needs both (the daily run passes them)") }}
    {%- endif -%}
    cast('{{ var("incremental_previous_as_of") }}' as date)
{%- endmacro %}


{#- pre_hook of an incremental core fact: remove the rows this run rebuilds. A windowed
    build deletes the rows of the affected keys (key_column in affected_model), and with
    or_where also the rows that predicate names; any other incremental build deletes
    everything (and re-inserts everything). Keys whose rows must vanish are deleted too,
    which delete+insert on the new rows alone would miss. -#}
{% macro delete_rows_to_rebuild(key_column, affected_model, or_where=none) -%}
    {%- if is_incremental() and core_fact_incremental_strategy() == 'append' -%}
        {%- if incremental_window_active() -%}
            delete from {{ this }}
            where {{ key_column }} in (select {{ key_column }} from {{ ref(affected_model) }})
            {%- if or_where %} or ({{ or_where }}){% endif %}
        {%- else -%}
            delete from {{ this }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- fct_line_months in a windowed build: every line's months from this month on are rebuilt
    (the previous as-of month, whose snapshot moves, and any new month). -#}
{% macro line_months_rebuilt_from() -%}
    cast({{ dbt.date_trunc('month', incremental_previous_as_of()) }} as date)
{%- endmacro %}
