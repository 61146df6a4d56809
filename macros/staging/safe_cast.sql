{#- A cast that yields NULL instead of failing, so a bad value can be quarantined rather
    than stop the run. Integers are strict: '12.5' is not an integer (DuckDB's try_cast
    would round it to 13). -#}
{% macro safe_cast(expression, data_type) -%}
    {{ return(adapter.dispatch('safe_cast', 'creditline')(expression, data_type)) }}
{%- endmacro %}

{% macro default__safe_cast(expression, data_type) -%}
    {%- if data_type | lower in ('integer', 'int', 'bigint') -%}
    case
        when try_cast({{ expression }} as double) = floor(try_cast({{ expression }} as double))
            then try_cast({{ expression }} as {{ data_type }})
    end
    {%- else -%}
    try_cast({{ expression }} as {{ data_type }})
    {%- endif -%}
{%- endmacro %}
