-- The data's as-of date: the var as_of_date when set, else the latest activity date in
-- the accepted raw data. Marts measure "today" from here, never from the wall clock.
with activity_dates as (
    select max(paid_on) as last_on from {{ ref('stg_repayments') }}
    union all
    select max(drawn_on) from {{ ref('stg_loans') }}
    union all
    select max(event_on) from {{ ref('stg_limit_events') }}
    union all
    select max(scored_on) from {{ ref('stg_credit_scores') }}
    union all
    select max(inquired_on) from {{ ref('stg_credit_inquiries') }}
),

as_of as (
    select
        {%- if var('as_of_date') %}
        max(cast('{{ var("as_of_date") }}' as date))
        {%- else %}
        max(last_on)
        {%- endif %} as as_of_on
    from activity_dates
)

select * from as_of
