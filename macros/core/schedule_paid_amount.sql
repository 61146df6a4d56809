{#- What a repayment paid on its loan's schedule: its amount less the penalty interest and
    fees the lender's record says it paid (NULL: none). -#}
{% macro schedule_paid_amount() -%}
    (repayment_amount - coalesce(penalty_interest_paid_amount, 0) - coalesce(fee_paid_amount, 0))
{%- endmacro %}


{#- Whether a payment pays an installment's interest before its principal, from var
    allocation_order (the contract's default: fees, penalty_interest, interest, principal).
    Fees and penalty interest are what the lender's record says a payment paid of them, set
    aside before the schedule, so they must come first; the var orders interest and principal.
-#}
{% macro interest_before_principal() -%}
    {%- set order = var('allocation_order') | list -%}
    {%- if order | sort != ['fees', 'interest', 'penalty_interest', 'principal']
        or order[:2] | sort != ['fees', 'penalty_interest'] -%}
        {{ exceptions.raise_compiler_error(
            "var allocation_order must list fees and penalty_interest first, then interest and "
            ~ "principal in either order; got " ~ order) }}
    {%- endif -%}
    {{ return(order.index('interest') < order.index('principal')) }}
{%- endmacro %}
