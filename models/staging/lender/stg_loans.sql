with

checked as (
    select * from {{ ref('base_loans_checked') }}
),

accepted as (
    select
        -- ids
        loan_id,
        line_id,

        -- dates
        drawn_at,
        cast(drawn_at as date) as drawn_on,

        -- amounts and terms
        principal_amount,
        term_months,
        annual_rate,
        repayment_method,
        penalty_rate,

        -- lineage
        load_date

    from checked
    where quarantine_rule is null
)

select * from accepted
