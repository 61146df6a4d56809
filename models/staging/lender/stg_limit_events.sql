with

checked as (
    select * from {{ ref('base_limit_events_checked') }}
),

accepted as (
    select
        -- ids
        event_id,
        line_id,

        -- dates
        event_at,
        cast(event_at as date) as event_on,

        -- event
        event_type,

        -- amounts
        limit_before_amount,
        limit_after_amount,

        -- why and who
        reason_code,
        initiated_by,

        -- lineage
        load_date

    from checked
    where quarantine_rule is null
)

select * from accepted
