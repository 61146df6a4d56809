{#- The median of a numeric expression, as an aggregate (null when there are no rows). -#}
{% macro median_of(expression) -%}
    {{ return(adapter.dispatch('median_of', 'creditline')(expression)) }}
{%- endmacro %}

{% macro default__median_of(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__median_of(expression) -%}
    median({{ expression }})
{%- endmacro %}
