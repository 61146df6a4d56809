-- Every raw credit-inquiry row once: typed, with the first rule it breaks
-- (see _lender__docs.md).

with

source as (
    select * from {{ source('lender', 'credit_inquiries') }}
),

accepted_customers as (
    select customer_id from {{ ref('stg_customers') }}
),

typed as (
    select
        {{ struct_of('inquiry_id, customer_id, inquired_at, institution_type, load_date') }} as raw_row,

        -- ids
        {{ safe_cast('inquiry_id', 'string') }} as inquiry_id,
        {{ safe_cast('customer_id', 'string') }} as customer_id,

        -- dates
        {{ safe_cast('inquired_at', 'timestamp') }} as inquired_at,

        -- attributes
        {{ safe_cast('institution_type', 'string') }} as institution_type,

        -- lineage
        {{ safe_cast('load_date', 'date') }} as load_date

    from source
),

row_rules_checked as (
    select
        *,
        {{ first_broken_rule([
            ('missing_key', 'raw_row.inquiry_id is null'),
            ('missing_required', 'raw_row.customer_id is null or raw_row.inquired_at is null'
                ~ ' or raw_row.institution_type is null or raw_row.load_date is null'),
            ('wrong_type', is_wrong_type('raw_row.inquired_at', 'inquired_at')
                ~ ' or ' ~ is_wrong_type('raw_row.load_date', 'load_date')),
            ('unknown_code', is_unknown_code('institution_type', 'credit_inquiries', 'institution_type')),
        ]) }} as row_rule
    from typed
),

duplicates_ranked as (
    select
        *,
        row_number() over (
            partition by inquiry_id, row_rule is null
            order by load_date, inquired_at, customer_id, institution_type
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
        inquiry_id,
        customer_id,
        inquired_at,
        institution_type,
        load_date,
        quarantine_rule,
        {{ raw_record_json('raw_row') }} as raw_record
    from rules_checked
)

select * from final
