-- Every raw customer row once: typed, with the first rule it breaks (see _lender__docs.md).

with

source as (
    select * from {{ source('lender', 'customers') }}
),

typed as (
    select
        {{ struct_of('customer_id, created_at, birth_year, city_tier, occupation, income_band, channel, load_date') }} as raw_row,

        -- ids
        {{ safe_cast('customer_id', 'string') }} as customer_id,

        -- dates
        {{ safe_cast('created_at', 'timestamp') }} as created_at,

        -- attributes
        {{ safe_cast('birth_year', 'integer') }} as birth_year,
        {{ safe_cast('city_tier', 'integer') }} as city_tier,
        {{ safe_cast('occupation', 'string') }} as occupation,
        {{ safe_cast('income_band', 'string') }} as income_band,
        {{ safe_cast('channel', 'string') }} as channel,

        -- lineage
        {{ safe_cast('load_date', 'date') }} as load_date

    from source
),

row_rules_checked as (
    select
        *,
        {{ first_broken_rule([
            ('missing_key', 'raw_row.customer_id is null'),
            ('missing_required', 'raw_row.created_at is null or raw_row.load_date is null'),
            ('wrong_type', is_wrong_type('raw_row.created_at', 'created_at')
                ~ ' or ' ~ is_wrong_type('raw_row.birth_year', 'birth_year')
                ~ ' or ' ~ is_wrong_type('raw_row.city_tier', 'city_tier')
                ~ ' or ' ~ is_wrong_type('raw_row.load_date', 'load_date')),
            ('out_of_range', 'birth_year not between 1940 and 2008'),
            ('unknown_code', is_unknown_code('city_tier', 'customers', 'city_tier')
                ~ ' or ' ~ is_unknown_code('occupation', 'customers', 'occupation')
                ~ ' or ' ~ is_unknown_code('income_band', 'customers', 'income_band')
                ~ ' or ' ~ is_unknown_code('channel', 'customers', 'channel')),
        ]) }} as row_rule
    from typed
),

duplicates_ranked as (
    select
        *,
        row_number() over (
            partition by customer_id, row_rule is null
            order by load_date, created_at, birth_year, city_tier, occupation, income_band, channel
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
            ]) }}
        ) as quarantine_rule
    from duplicates_ranked
),

final as (
    select
        customer_id,
        created_at,
        birth_year,
        city_tier,
        occupation,
        income_band,
        channel,
        load_date,
        quarantine_rule,
        {{ raw_record_json('raw_row') }} as raw_record
    from rules_checked
)

select * from final
