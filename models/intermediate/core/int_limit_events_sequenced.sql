-- Limit events in order per line, with the line's state (open, frozen, closed) before and
-- after each event and the change in limit. increase/decrease keep the state.
with events as (
    select * from {{ ref('stg_limit_events') }}
),

reasons as (
    select * from {{ ref('reason_codes') }}
),

ordered as (
    select
        events.*,
        reasons.reason_category,
        row_number() over (partition by line_id order by {{ limit_event_order() }}) as event_seq,
        case event_type
            when 'open' then 'open'
            when 'reopen' then 'open'
            when 'unfreeze' then 'open'
            when 'freeze' then 'frozen'
            when 'close' then 'closed'
        end as status_set
    from events
    left join reasons on events.reason_code = reasons.reason_code
),

with_status as (
    select
        *,
        {{ last_non_null("status_set") }} over line_history as status_after
    from ordered
    window line_history as (
        partition by line_id order by event_seq rows unbounded preceding
    )
),

final as (
    select
        -- ids
        event_id,
        line_id,
        event_seq,
        -- dates
        event_at,
        event_on,
        -- what happened
        event_type,
        reason_code,
        reason_category,
        initiated_by,
        lag(status_after) over (partition by line_id order by event_seq) as status_before,
        status_after,
        -- amounts
        limit_before_amount,
        limit_after_amount,
        limit_after_amount - limit_before_amount as limit_change_amount
    from with_status
)

select * from final
