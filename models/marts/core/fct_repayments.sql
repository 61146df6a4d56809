{{ config(materialized='view') }}

-- One row per repayment, split into penalty interest and fees (as recorded), interest,
-- principal and credit (overpayment). A view:
-- the allocation step (int_repayments_allocated, incremental) is the one stored copy.
with repayments as (
    select * from {{ ref('int_repayments_allocated') }}
),

charge_offs as (
    select * from {{ ref('int_loans_charged_off') }}
),

final as (
    select
        -- ids
        repayments.repayment_id,
        repayments.loan_id,
        repayments.line_id,
        repayments.customer_id,
        -- dates
        repayments.paid_at,
        repayments.paid_on,
        -- amounts
        repayments.repayment_amount,
        repayments.principal_amount,
        repayments.interest_amount,
        repayments.credit_amount,
        repayments.penalty_interest_paid_amount,
        repayments.fee_paid_amount,
        repayments.repayment_type,
        -- flags
        coalesce(repayments.paid_on > charge_offs.charged_off_on, false) as is_recovery
    from repayments
    left join charge_offs on repayments.loan_id = charge_offs.loan_id
)

select * from final
