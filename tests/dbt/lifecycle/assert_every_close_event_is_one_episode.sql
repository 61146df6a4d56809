-- Every close event on or before the as-of date is exactly one closure episode, and every
-- episode is a close event of its own line.
with close_events as (
    select event_id, line_id from {{ ref('fct_limit_events') }} where event_type = 'close'
),

episodes as (
    select close_event_id, line_id, count(*) over (partition by close_event_id) as copies
    from {{ ref('fct_closure_episodes') }}
)

select
    coalesce(close_events.event_id, episodes.close_event_id) as event_id,
    close_events.line_id as event_line_id,
    episodes.line_id as episode_line_id,
    episodes.copies
from close_events
full outer join episodes on close_events.event_id = episodes.close_event_id
where
    close_events.event_id is null
    or episodes.close_event_id is null
    or close_events.line_id <> episodes.line_id
    or episodes.copies > 1
