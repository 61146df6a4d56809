with

checked as (
    select * from {{ ref('base_installments_checked') }}
),

accepted as (
    select
        -- ids
        -- a re-cut's rows (docs: recut_on) carry its date: the same number in another version
        loan_id || '-' || installment_no
        || coalesce('-R' || cast(recut_on as string), '') as installment_id,
        loan_id,
        installment_no,

        -- dates
        due_on,
        recut_on,

        -- amounts
        principal_due_amount,
        interest_due_amount,

        -- lineage
        load_date

    from checked
    where quarantine_rule is null
)

select * from accepted
