-- One row per close event: the closure paired with the reopening that ended it (the line's
-- next reopen event, if any) and the closure that followed that reopening (the line's next
-- close event after it, if any). Events after the as-of date are not in fct_limit_events,
-- so a closure without a reopening by then is right-censored at the as-of date.
with limit_events as (
    select * from {{ ref('fct_limit_events') }}
),

state_changes as (
    select
        event_id,
        line_id,
        customer_id,
        product_code,
        event_seq,
        event_at,
        event_on,
        event_type,
        reason_code,
        reason_category,
        initiated_by,
        limit_before_amount,
        limit_after_amount,
        row_number() over (partition by line_id, event_type order by event_seq) as type_seq,
        lead(event_id) over line_changes as next_event_id,
        lead(event_id, 2) over line_changes as second_next_event_id
    from limit_events
    where event_type in ('close', 'reopen')
    window line_changes as (partition by line_id order by event_seq)
),

-- the last positive limit in force before each closure (a zero-limit closure cuts the
-- limit to 0 with a decrease first, so limit_before_amount of the close event is then 0)
last_positive_limits as (
    select
        closes.event_id,
        max(earlier.event_seq) as last_positive_event_seq
    from limit_events as closes
    inner join limit_events as earlier
        on closes.line_id = earlier.line_id
        and earlier.event_seq < closes.event_seq
        and earlier.limit_after_amount > 0
    where closes.event_type = 'close'
    group by closes.event_id
),

closes as (
    select
        state_changes.*,
        earlier.limit_after_amount as last_positive_limit_amount
    from state_changes
    left join last_positive_limits on state_changes.event_id = last_positive_limits.event_id
    left join limit_events as earlier
        on last_positive_limits.last_positive_event_seq = earlier.event_seq
        and state_changes.line_id = earlier.line_id
    where state_changes.event_type = 'close'
),

reopens as (
    select * from state_changes where event_type = 'reopen'
),

recloses as (
    select * from state_changes where event_type = 'close'
),

final as (
    select
        -- ids
        closes.event_id as closure_episode_id,
        closes.line_id,
        closes.customer_id,
        closes.product_code,
        closes.type_seq as closure_seq,
        closes.event_id as close_event_id,
        reopens.event_id as reopen_event_id,
        recloses.event_id as reclose_event_id,
        -- the closure
        closes.event_seq as close_event_seq,
        closes.event_at as closed_at,
        closes.event_on as closed_on,
        closes.reason_code as closure_reason_code,
        closes.reason_category as closure_reason_category,
        closes.initiated_by as closure_initiated_by,
        closes.limit_before_amount as limit_before_closure_amount,
        coalesce(closes.last_positive_limit_amount, closes.limit_before_amount)
            as last_positive_limit_amount,
        -- the reopening
        reopens.event_at as reopened_at,
        reopens.event_on as reopened_on,
        reopens.reason_code as reopen_reason_code,
        reopens.reason_category as reopen_reason_category,
        reopens.initiated_by as reopen_initiated_by,
        reopens.limit_after_amount as reopen_limit_amount,
        -- the closure after the reopening
        recloses.event_on as reclosed_on,
        recloses.reason_code as reclose_reason_code,
        recloses.reason_category as reclose_reason_category
    from closes
    left join reopens
        on closes.next_event_id = reopens.event_id
    left join recloses
        on reopens.event_id is not null
        and closes.second_next_event_id = recloses.event_id
)

select * from final
