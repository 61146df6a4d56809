{#- The first day on which an installment due on `due_on` is more than `threshold` days past
    due: due_on + threshold + 1 (the day of payment counts, as in the core facts). The date
    form of past_due_over(days, threshold), for day-exact readings from overdue spells;
    first_day_dpd_30_plus is the project's "30+" (more than 30 days, see is_dpd_30_plus). -#}
{% macro first_day_past_due_over(due_on, threshold) -%}
    cast({{ dbt.dateadd('day', (threshold | int) + 1, due_on) }} as date)
{%- endmacro %}

{% macro first_day_dpd_30_plus(due_on) -%}
    {{ first_day_past_due_over(due_on, 30) }}
{%- endmacro %}
