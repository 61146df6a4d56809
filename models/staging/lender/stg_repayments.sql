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

        -- amounts
        repayment_amount,

        -- lineage
        load_date

    from checked
    where quarantine_rule is null
)

select * from accepted
