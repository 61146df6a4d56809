{#- The data's "today" as a SQL expression, read from int_as_of_date (var as_of_date, or
    the latest activity date in the raw data). Never the wall clock. -#}
{% macro as_of_date() -%}
    (select as_of_on from {{ ref('int_as_of_date') }})
{%- endmacro %}
