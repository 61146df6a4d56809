-- A line's limit after each event equals the limit before its next event.
with chained as (
    select
        event_id,
        line_id,
        event_seq,
        limit_before_amount,
        lag(limit_after_amount)
            over (partition by line_id order by event_seq)
            as previous_limit_after
    from {{ ref('fct_limit_events') }}
)

select *
from chained
where event_seq > 1 and limit_before_amount <> previous_limit_after
