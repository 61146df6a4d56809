{#- SQL that DuckDB and Spark spell differently, one macro each, dispatched per adapter
    (duckdb__/spark__ or default__). Models call these instead of engine-specific functions;
    dbt's own cross-database macros (dbt.dateadd, dbt.datediff, dbt.type_string...) cover
    the rest. -#}

{#- A struct of the named columns (field names = column names): `cols` is one
    comma-separated string, e.g. 'loan_id, line_id'. -#}
{% macro struct_of(cols) -%}
    {{ return(adapter.dispatch('struct_of', 'creditline')(cols)) }}
{%- endmacro %}
{% macro default__struct_of(cols) -%}
    struct_pack({{ cols }})
{%- endmacro %}
{% macro spark__struct_of(cols) -%}
    struct({{ cols }})
{%- endmacro %}

{#- A struct as JSON text. -#}
{% macro json_text(expression) -%}
    {{ return(adapter.dispatch('json_text', 'creditline')(expression)) }}
{%- endmacro %}
{% macro default__json_text(expression) -%}
    cast(to_json({{ expression }}) as string)
{%- endmacro %}
{% macro spark__json_text(expression) -%}
    to_json({{ expression }})
{%- endmacro %}

{#- 'YYYY-MM' of a date. -#}
{% macro year_month_text(expression) -%}
    {{ return(adapter.dispatch('year_month_text', 'creditline')(expression)) }}
{%- endmacro %}
{% macro default__year_month_text(expression) -%}
    strftime({{ expression }}, '%Y-%m')
{%- endmacro %}
{% macro spark__year_month_text(expression) -%}
    date_format({{ expression }}, 'yyyy-MM')
{%- endmacro %}

{#- FROM items: `table` joined laterally with one row per month start from first_month to
    last_month (expressions over `table`, month starts), in a column named `column`
    (a date on DuckDB, a timestamp on Spark: cast it). -#}
{% macro months_of(table, first_month, last_month, column) -%}
    {{ return(adapter.dispatch('months_of', 'creditline')(
        table, first_month, last_month, column)) }}
{%- endmacro %}
{% macro default__months_of(table, first_month, last_month, column) -%}
    {{ table }}, generate_series({{ first_month }}, {{ last_month }}, interval 1 month)
        as series ({{ column }})
{%- endmacro %}
{% macro spark__months_of(table, first_month, last_month, column) -%}
    {{ table }} lateral view explode(sequence({{ first_month }}, {{ last_month }}, interval 1 month))
        series as {{ column }}
{%- endmacro %}

{#- An aggregate: the values of `expression` as a list, ordered by `order_by` (a list of
    sort expressions, all ascending; none may be null). -#}
{% macro ordered_list_agg(expression, order_by) -%}
    {{ return(adapter.dispatch('ordered_list_agg', 'creditline')(expression, order_by)) }}
{%- endmacro %}
{% macro default__ordered_list_agg(expression, order_by) -%}
    list({{ expression }} order by {{ order_by | join(', ') }})
{%- endmacro %}
{% macro spark__ordered_list_agg(expression, order_by) -%}
    {#- sort structs of (keys..., value): arrays of structs sort field by field -#}
    transform(
        array_sort(collect_list(struct(
            {%- for key in order_by %}{{ key }} as k{{ loop.index }}, {% endfor -%}
            {{ expression }} as v))),
        s -> s.v)
{%- endmacro %}

{#- Fold a list from the left: `body` combines accumulator `acc` and element `elem`;
    starts from `initial`. -#}
{% macro list_fold(list, initial, acc, elem, body) -%}
    {{ return(adapter.dispatch('list_fold', 'creditline')(list, initial, acc, elem, body)) }}
{%- endmacro %}
{% macro default__list_fold(list, initial, acc, elem, body) -%}
    list_reduce({{ list }}, lambda {{ acc }}, {{ elem }}: {{ body }}, {{ initial }})
{%- endmacro %}
{% macro spark__list_fold(list, initial, acc, elem, body) -%}
    aggregate({{ list }}, {{ initial }}, ({{ acc }}, {{ elem }}) -> {{ body }})
{%- endmacro %}

{#- A window aggregate: the last non-null value of `expression` in the frame (follow it
    with `over (...)`). -#}
{% macro last_non_null(expression) -%}
    {{ return(adapter.dispatch('last_non_null', 'creditline')(expression)) }}
{%- endmacro %}
{% macro default__last_non_null(expression) -%}
    last_value({{ expression }} ignore nulls)
{%- endmacro %}
{% macro spark__last_non_null(expression) -%}
    last({{ expression }}, true)
{%- endmacro %}

{#- dbt.datediff on Spark, overriding dbt-spark's (dbt_project.yml puts this project first
    in the dbt namespace's dispatch order). DuckDB counts the period boundaries crossed;
    dbt-spark's month difference starts from months_between and corrects by day of month,
    which gives 2 where DuckDB gives 1 for 2023-01-31 to 2023-02-28 (checked on both). Same counting
    here: months as year * 12 + month, days as date differences. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- if datepart == 'day' -%}
        datediff(cast({{ second_date }} as date), cast({{ first_date }} as date))
    {%- elif datepart == 'month' -%}
        ((year({{ second_date }}) * 12 + month({{ second_date }}))
            - (year({{ first_date }}) * 12 + month({{ first_date }})))
    {%- elif datepart == 'year' -%}
        (year({{ second_date }}) - year({{ first_date }}))
    {%- else -%}
        {{ exceptions.raise_compiler_error("spark__datediff: unsupported datepart " ~ datepart) }}
    {%- endif -%}
{%- endmacro %}
