{#- The DPD bucket (M0 current ... M7+ over 180 days) of a days-past-due expression.
    Boundaries match seeds/dpd_buckets.csv; a data test keeps the two in step. -#}
{% macro dpd_bucket(days) -%}
    case
        when {{ days }} is null then null
        when {{ days }} <= 0 then 'M0'
        when {{ days }} <= 30 then 'M1'
        when {{ days }} <= 60 then 'M2'
        when {{ days }} <= 90 then 'M3'
        when {{ days }} <= 120 then 'M4'
        when {{ days }} <= 150 then 'M5'
        when {{ days }} <= 180 then 'M6'
        else 'M7+'
    end
{%- endmacro %}
