-- Every raw credit-score row once: typed, with the first rule it breaks (see _lender__docs.md).

with

source as (
    select * from {{ source('lender', 'credit_scores') }}
),

accepted_customers as (
    select customer_id from {{ ref('stg_customers') }}
),

typed as (
    select
        {{ struct_of('customer_id, scored_at, score, load_date') }} as raw_row,

        -- ids
        {{ safe_cast('customer_id', 'string') }} as customer_id,

        -- dates
        {{ safe_cast('scored_at', 'timestamp') }} as scored_at,

        -- scores
        {{ safe_cast('score', 'integer') }} as score,

        -- lineage
        {{ safe_cast('load_date', 'date') }} as load_date

    from source
),

row_rules_checked as (
    select
        *,
        {{ first_broken_rule([
            ('missing_key', 'raw_row.customer_id is null or raw_row.scored_at is null'),
            ('missing_required', 'raw_row.score is null or raw_row.load_date is null'),
            ('wrong_type', is_wrong_type('raw_row.scored_at', 'scored_at')
                ~ ' or ' ~ is_wrong_type('raw_row.score', 'score')
                ~ ' or ' ~ is_wrong_type('raw_row.load_date', 'load_date')),
            ('out_of_range', 'score not between 350 and 950'),
        ]) }} as row_rule
    from typed
),

duplicates_ranked as (
    select
        *,
        row_number() over (
            partition by customer_id, scored_at, row_rule is null
            order by load_date, score
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
        customer_id,
        scored_at,
        score,
        load_date,
        quarantine_rule,
        {{ raw_record_json('raw_row') }} as raw_record
    from rules_checked
)

select * from final
