{#- What a repayment paid on its loan's schedule: its amount less the penalty interest and
    fees the lender's record says it paid (NULL: none). -#}
{% macro schedule_paid_amount() -%}
    (repayment_amount - coalesce(penalty_interest_paid_amount, 0) - coalesce(fee_paid_amount, 0))
{%- endmacro %}
