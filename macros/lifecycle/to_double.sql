{#- Casts a numeric expression to a double-precision float, so that ratios of integer
    counts are never integer or fixed-point divisions. -#}
{% macro to_double(expression) -%}
    {{ return(adapter.dispatch('to_double', 'creditline')(expression)) }}
{%- endmacro %}

{% macro default__to_double(expression) -%}
    cast({{ expression }} as double precision)
{%- endmacro %}

{% macro duckdb__to_double(expression) -%}
    cast({{ expression }} as double)
{%- endmacro %}

{% macro spark__to_double(expression) -%}
    cast({{ expression }} as double)
{%- endmacro %}

{% macro trino__to_double(expression) -%}
    cast({{ expression }} as double)
{%- endmacro %}
