with

checked as (
    select * from {{ ref('base_credit_lines_checked') }}
),

accepted as (
    select
        -- ids
        line_id,
        customer_id,

        -- attributes
        product_code,

        -- dates
        opened_at,
        cast(opened_at as date) as opened_on,

        -- amounts
        initial_limit_amount,

        -- lineage
        load_date

    from checked
    where quarantine_rule is null
)

select * from accepted
