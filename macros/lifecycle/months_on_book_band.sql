{#- The months-on-book band of a months-on-book expression: '0-5', '6-11', '12-23', '24+'.
    Used to match reopened lines with comparable never-closed lines. -#}
{% macro months_on_book_band(months_on_book) -%}
    case
        when {{ months_on_book }} is null then null
        when {{ months_on_book }} < 6 then '0-5'
        when {{ months_on_book }} < 12 then '6-11'
        when {{ months_on_book }} < 24 then '12-23'
        else '24+'
    end
{%- endmacro %}
