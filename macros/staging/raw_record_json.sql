{#- The row's original values as JSON text, computed only for quarantined rows
    (DuckDB evaluates a CASE branch only for the rows that take it). -#}
{% macro raw_record_json(raw_row, quarantine_rule='quarantine_rule') -%}
    case when {{ quarantine_rule }} is not null then {{ json_text(raw_row) }} end
{%- endmacro %}
