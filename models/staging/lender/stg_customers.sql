with

checked as (
    select * from {{ ref('base_customers_checked') }}
),

accepted as (
    select
        -- ids
        customer_id,

        -- dates
        created_at,
        cast(created_at as date) as created_on,

        -- attributes
        birth_year,
        city_tier,
        occupation,
        income_band,
        channel,

        -- lineage
        load_date

    from checked
    where quarantine_rule is null
)

select * from accepted
