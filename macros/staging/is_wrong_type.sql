{#- True when a raw value is present but its safe cast came out NULL. -#}
{% macro is_wrong_type(raw_value, typed_value) -%}
    ({{ raw_value }} is not null and {{ typed_value }} is null)
{%- endmacro %}
