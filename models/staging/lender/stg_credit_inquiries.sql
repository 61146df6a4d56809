with

checked as (
    select * from {{ ref('base_credit_inquiries_checked') }}
),

accepted as (
    select
        -- ids
        inquiry_id,
        customer_id,

        -- dates
        inquired_at,
        cast(inquired_at as date) as inquired_on,

        -- attributes
        institution_type,

        -- lineage
        load_date

    from checked
    where quarantine_rule is null
)

select * from accepted
