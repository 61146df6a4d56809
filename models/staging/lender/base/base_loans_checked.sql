-- Every raw loan row once: typed, with the first rule it breaks (see _lender__docs.md).

with

source as (
    select * from {{ source('lender', 'loans') }}
),

accepted_lines as (
    select line_id from {{ ref('stg_credit_lines') }}
),

typed as (
    select
        {{ struct_of('loan_id, line_id, drawn_at, principal, term_months, annual_rate, repayment_method, load_date') }} as raw_row,

        -- ids
        {{ safe_cast('loan_id', 'string') }} as loan_id,
        {{ safe_cast('line_id', 'string') }} as line_id,

        -- dates
        {{ safe_cast('drawn_at', 'timestamp') }} as drawn_at,

        -- amounts and terms
        {{ safe_cast('principal', 'decimal(18, 2)') }} as principal_amount,
        {{ safe_cast('term_months', 'integer') }} as term_months,
        {{ safe_cast('annual_rate', 'double') }} as annual_rate,
        {{ safe_cast('repayment_method', 'string') }} as repayment_method,

        -- lineage
        {{ safe_cast('load_date', 'date') }} as load_date

    from source
),

row_rules_checked as (
    select
        *,
        {{ first_broken_rule([
            ('missing_key', 'raw_row.loan_id is null'),
            ('missing_required', 'raw_row.line_id is null or raw_row.drawn_at is null'
                ~ ' or raw_row.principal is null or raw_row.term_months is null'
                ~ ' or raw_row.annual_rate is null or raw_row.repayment_method is null'
                ~ ' or raw_row.load_date is null'),
            ('wrong_type', is_wrong_type('raw_row.drawn_at', 'drawn_at')
                ~ ' or ' ~ is_wrong_type('raw_row.principal', 'principal_amount')
                ~ ' or ' ~ is_wrong_type('raw_row.term_months', 'term_months')
                ~ ' or ' ~ is_wrong_type('raw_row.annual_rate', 'annual_rate')
                ~ ' or ' ~ is_wrong_type('raw_row.load_date', 'load_date')),
            ('negative_amount', 'principal_amount < 0'),
            ('out_of_range', 'principal_amount = 0 or not (annual_rate between 0 and 0.36)'),
            ('unknown_code', is_unknown_code('term_months', 'loans', 'term_months')
                ~ ' or ' ~ is_unknown_code('repayment_method', 'loans', 'repayment_method')),
        ]) }} as row_rule
    from typed
),

duplicates_ranked as (
    select
        *,
        row_number() over (
            partition by loan_id, row_rule is null
            order by
                load_date, drawn_at, line_id, principal_amount, term_months, annual_rate,
                repayment_method
        ) as key_rank
    from row_rules_checked
),

parents_joined as (
    select
        duplicates_ranked.*,
        accepted_lines.line_id is not null as has_line
    from duplicates_ranked
    left join accepted_lines
        on duplicates_ranked.line_id = accepted_lines.line_id
),

rules_checked as (
    select
        *,
        coalesce(
            row_rule,
            {{ first_broken_rule([
                ('duplicate_key', 'key_rank > 1'),
                ('orphan', 'not has_line'),
            ]) }}
        ) as quarantine_rule
    from parents_joined
),

final as (
    select
        loan_id,
        line_id,
        drawn_at,
        principal_amount,
        term_months,
        annual_rate,
        repayment_method,
        load_date,
        quarantine_rule,
        {{ raw_record_json('raw_row') }} as raw_record
    from rules_checked
)

select * from final
