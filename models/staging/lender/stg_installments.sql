with

checked as (
    select * from {{ ref('base_installments_checked') }}
),

accepted as (
    select
        -- ids
        loan_id || '-' || installment_no as installment_id,
        loan_id,
        installment_no,

        -- dates
        due_on,

        -- amounts
        principal_due_amount,
        interest_due_amount,

        -- lineage
        load_date

    from checked
    where quarantine_rule is null
)

select * from accepted
