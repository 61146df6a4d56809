{{ config(materialized='view') }}

-- One row per installment of the schedule owed (docs: early_repayment): the installments in
-- force after any re-cut, a row per prepayment and one for a settlement, which replaces the
-- installments after it. What was due, what was paid (allocated oldest-due first), when it
-- was fully paid and its days past due. A view: the allocation step
-- (int_installments_allocated, incremental) is the one stored copy of this grain.
with installments as (
    select * from {{ ref('int_installments_allocated') }}
),

final as (
    select
        -- ids
        installment_id,
        loan_id,
        line_id,
        customer_id,
        product_code,
        installment_no,
        schedule_seq,
        schedule_row_type,
        recut_on,
        -- dates
        due_on,
        fully_paid_on,
        cleared_on,
        -- amounts
        principal_due_amount,
        interest_due_amount,
        amount_due,
        paid_amount,
        principal_paid_amount,
        interest_paid_amount,
        unpaid_amount,
        interest_waived_amount,
        penalty_interest_amount,
        -- status
        due_on <= {{ as_of_date() }} as is_due,
        fully_paid_on is not null as is_fully_paid,
        days_past_due,
        {{ dpd_bucket('days_past_due') }} as dpd_bucket,
        days_past_due > 0 as was_late
    from installments
)

select * from final
