{#- Schemas are named by layer (staging, core, risk...), not prefixed by the target schema,
    so an ad hoc SQL user types core.fct_loans rather than main_core.fct_loans. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}
    {%- else -%}{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
