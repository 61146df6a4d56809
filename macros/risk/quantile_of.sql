{#- The q-quantile (0 <= q <= 1) of a numeric expression, as an aggregate, interpolated
    linearly between the two nearest values (the continuous quantile: R's type 7, numpy's
    default), so DuckDB and Spark agree; null when there are no rows. -#}
{% macro quantile_of(expression, q) -%}
    {{ return(adapter.dispatch('quantile_of', 'creditline')(expression, q)) }}
{%- endmacro %}

{% macro default__quantile_of(expression, q) -%}
    percentile_cont({{ q }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__quantile_of(expression, q) -%}
    quantile_cont({{ expression }}, {{ q }})
{%- endmacro %}
