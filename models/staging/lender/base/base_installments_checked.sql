-- Every raw installment row once: typed, with the first rule it breaks (see _lender__docs.md).
-- The loan is joined first: its term bounds installment_no (out_of_range).

with

source as (
    select * from {{ source('lender', 'installments') }}
),

accepted_loans as (
    select loan_id, drawn_at, term_months from {{ ref('stg_loans') }}
),

typed as (
    select
        {{ struct_of('loan_id, installment_no, due_date, principal_due, interest_due, load_date') }} as raw_row,

        -- ids
        {{ safe_cast('loan_id', 'string') }} as loan_id,
        {{ safe_cast('installment_no', 'integer') }} as installment_no,

        -- dates
        {{ safe_cast('due_date', 'date') }} as due_on,

        -- amounts
        {{ safe_cast('principal_due', 'decimal(18, 2)') }} as principal_due_amount,
        {{ safe_cast('interest_due', 'decimal(18, 2)') }} as interest_due_amount,

        -- lineage
        {{ safe_cast('load_date', 'date') }} as load_date

    from source
),

parents_joined as (
    select
        typed.*,
        accepted_loans.loan_id is not null as has_loan,
        accepted_loans.term_months as loan_term_months,
        cast(accepted_loans.drawn_at as date) as loan_drawn_on
    from typed
    left join accepted_loans
        on typed.loan_id = accepted_loans.loan_id
),

row_rules_checked as (
    select
        *,
        {{ first_broken_rule([
            ('missing_key', 'raw_row.loan_id is null or raw_row.installment_no is null'),
            ('missing_required', 'raw_row.due_date is null or raw_row.principal_due is null'
                ~ ' or raw_row.interest_due is null or raw_row.load_date is null'),
            ('wrong_type', is_wrong_type('raw_row.installment_no', 'installment_no')
                ~ ' or ' ~ is_wrong_type('raw_row.due_date', 'due_on')
                ~ ' or ' ~ is_wrong_type('raw_row.principal_due', 'principal_due_amount')
                ~ ' or ' ~ is_wrong_type('raw_row.interest_due', 'interest_due_amount')
                ~ ' or ' ~ is_wrong_type('raw_row.load_date', 'load_date')),
            ('negative_amount', 'principal_due_amount < 0 or interest_due_amount < 0'),
            ('out_of_range', 'installment_no < 1 or installment_no > loan_term_months'),
        ]) }} as row_rule
    from parents_joined
),

duplicates_ranked as (
    select
        *,
        row_number() over (
            partition by loan_id, installment_no, row_rule is null
            order by load_date, due_on, principal_due_amount, interest_due_amount
        ) as key_rank
    from row_rules_checked
),

rules_checked as (
    select
        *,
        coalesce(
            row_rule,
            {{ first_broken_rule([
                ('duplicate_key', 'key_rank > 1'),
                ('orphan', 'not has_loan'),
                ('impossible_order', 'due_on <= loan_drawn_on'),
            ]) }}
        ) as quarantine_rule
    from duplicates_ranked
),

final as (
    select
        loan_id,
        installment_no,
        due_on,
        principal_due_amount,
        interest_due_amount,
        load_date,
        quarantine_rule,
        {{ raw_record_json('raw_row') }} as raw_record
    from rules_checked
)

select * from final
