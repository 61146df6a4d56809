-- One row per closure (close event) and per cut to zero (a decrease to a zero limit) of a
-- line on or before the as-of date: the events of the matched comparisons. A zero-limit
-- closure (the limit cut to 0, then the line closed) is both a cut to zero and a closure.
-- Also the customer's first such event, which ends their time as a "never-closed" control.
with limit_events as (
    select * from {{ ref('fct_limit_events') }}
    where event_on <= {{ as_of_date() }}
),

events as (
    select
        event_id,
        case when event_type = 'close' then 'closure' else 'cut_to_zero' end as event_type,
        line_id,
        customer_id,
        product_code,
        event_at,
        event_on,
        reason_code,
        reason_category,
        initiated_by
    from limit_events
    where
        event_type = 'close'
        or (event_type = 'decrease' and limit_after_amount = 0)
),

final as (
    select
        -- ids
        event_id,
        event_type,
        line_id,
        customer_id,
        product_code,
        -- the event
        event_at,
        event_on,
        cast({{ dbt.date_trunc('month', 'event_on') }} as date) as event_month_on,
        reason_code,
        reason_category,
        initiated_by,
        -- the customer's first closure or cut to zero (any line)
        min(event_on) over (partition by customer_id) as customer_first_event_on
    from events
)

select * from final
