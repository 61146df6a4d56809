with

checked as (
    select * from {{ ref('base_repayments_checked') }}
),

accepted as (
    select
        -- ids
        repayment_id,
        loan_id,

        -- dates
        paid_at,
        cast(paid_at as date) as paid_on,

        -- type (NULL when the extract does not say)
        repayment_type,

        -- amounts: the penalty interest and fees the lender's record says the payment paid
        -- (0 when it does not say); the rest is paid on the loan's schedule (core)
        repayment_amount,
        coalesce(penalty_interest_paid_amount, 0) as penalty_interest_paid_amount,
        coalesce(fee_paid_amount, 0) as fee_paid_amount,

        -- lineage
        load_date

    from checked
    where quarantine_rule is null
)

select * from accepted
