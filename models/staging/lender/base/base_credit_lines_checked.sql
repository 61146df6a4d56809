-- Every raw credit-line row once: typed, with the first rule it breaks (see _lender__docs.md).

with

source as (
    select * from {{ source('lender', 'credit_lines') }}
),

accepted_customers as (
    select customer_id from {{ ref('stg_customers') }}
),

typed as (
    select
        {{ struct_of('line_id, customer_id, product_code, opened_at, initial_limit, load_date') }} as raw_row,

        -- ids
        {{ safe_cast('line_id', 'string') }} as line_id,
        {{ safe_cast('customer_id', 'string') }} as customer_id,

        -- attributes
        {{ safe_cast('product_code', 'string') }} as product_code,

        -- dates
        {{ safe_cast('opened_at', 'timestamp') }} as opened_at,

        -- amounts
        {{ safe_cast('initial_limit', 'decimal(18, 2)') }} as initial_limit_amount,

        -- lineage
        {{ safe_cast('load_date', 'date') }} as load_date

    from source
),

row_rules_checked as (
    select
        *,
        {{ first_broken_rule([
            ('missing_key', 'raw_row.line_id is null'),
            ('missing_required', 'raw_row.customer_id is null or raw_row.product_code is null'
                ~ ' or raw_row.opened_at is null or raw_row.initial_limit is null'
                ~ ' or raw_row.load_date is null'),
            ('wrong_type', is_wrong_type('raw_row.opened_at', 'opened_at')
                ~ ' or ' ~ is_wrong_type('raw_row.initial_limit', 'initial_limit_amount')
                ~ ' or ' ~ is_wrong_type('raw_row.load_date', 'load_date')),
            ('negative_amount', 'initial_limit_amount < 0'),
            ('out_of_range', 'initial_limit_amount = 0'),
            ('unknown_code', is_unknown_code('product_code', seed='products', code_column='product_code')),
        ]) }} as row_rule
    from typed
),

duplicates_ranked as (
    select
        *,
        row_number() over (
            partition by line_id, row_rule is null
            order by load_date, opened_at, customer_id, product_code, initial_limit_amount
        ) as key_rank
    from row_rules_checked
),

parents_joined as (
    select
        duplicates_ranked.*,
        accepted_customers.customer_id is not null as has_customer
    from duplicates_ranked
    left join accepted_customers
        on duplicates_ranked.customer_id = accepted_customers.customer_id
),

rules_checked as (
    select
        *,
        coalesce(
            row_rule,
            {{ first_broken_rule([
                ('duplicate_key', 'key_rank > 1'),
                ('orphan', 'not has_customer'),
            ]) }}
        ) as quarantine_rule
    from parents_joined
),

final as (
    select
        line_id,
        customer_id,
        product_code,
        opened_at,
        initial_limit_amount,
        load_date,
        quarantine_rule,
        {{ raw_record_json('raw_row') }} as raw_record
    from rules_checked
)

select * from final
