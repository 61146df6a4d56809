-- Every raw repayment row once: typed, with the first rule it breaks (see _lender__docs.md).

with

source as (
    select * from {{ source('lender', 'repayments') }}
),

accepted_loans as (
    select loan_id, drawn_at from {{ ref('stg_loans') }}
),

typed as (
    select
        {{ struct_of('repayment_id, loan_id, paid_at, amount, load_date') }} as raw_row,

        -- ids
        {{ safe_cast('repayment_id', 'string') }} as repayment_id,
        {{ safe_cast('loan_id', 'string') }} as loan_id,

        -- dates
        {{ safe_cast('paid_at', 'timestamp') }} as paid_at,

        -- amounts
        {{ safe_cast('amount', 'decimal(18, 2)') }} as repayment_amount,

        -- lineage
        {{ safe_cast('load_date', 'date') }} as load_date

    from source
),

row_rules_checked as (
    select
        *,
        {{ first_broken_rule([
            ('missing_key', 'raw_row.repayment_id is null'),
            ('missing_required', 'raw_row.loan_id is null or raw_row.paid_at is null'
                ~ ' or raw_row.amount is null or raw_row.load_date is null'),
            ('wrong_type', is_wrong_type('raw_row.paid_at', 'paid_at')
                ~ ' or ' ~ is_wrong_type('raw_row.amount', 'repayment_amount')
                ~ ' or ' ~ is_wrong_type('raw_row.load_date', 'load_date')),
            ('negative_amount', 'repayment_amount < 0'),
            ('out_of_range', 'repayment_amount = 0'),
        ]) }} as row_rule
    from typed
),

duplicates_ranked as (
    select
        *,
        row_number() over (
            partition by repayment_id, row_rule is null
            order by load_date, paid_at, loan_id, repayment_amount
        ) as key_rank
    from row_rules_checked
),

parents_joined as (
    select
        duplicates_ranked.*,
        accepted_loans.loan_id is not null as has_loan,
        duplicates_ranked.paid_at < accepted_loans.drawn_at as is_before_drawdown
    from duplicates_ranked
    left join accepted_loans
        on duplicates_ranked.loan_id = accepted_loans.loan_id
),

rules_checked as (
    select
        *,
        coalesce(
            row_rule,
            {{ first_broken_rule([
                ('duplicate_key', 'key_rank > 1'),
                ('orphan', 'not has_loan'),
                ('impossible_order', 'is_before_drawdown'),
            ]) }}
        ) as quarantine_rule
    from parents_joined
),

final as (
    select
        repayment_id,
        loan_id,
        paid_at,
        repayment_amount,
        load_date,
        quarantine_rule,
        {{ raw_record_json('raw_row') }} as raw_record
    from rules_checked
)

select * from final
