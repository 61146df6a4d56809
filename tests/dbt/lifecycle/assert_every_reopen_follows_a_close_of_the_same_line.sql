-- Every reopen event ends exactly one closure episode of the same line, closed before it
-- with no other close or reopen in between; and an episode's re-closure is the next
-- episode of the same line.
with reopen_events as (
    select event_id, line_id, event_on, event_seq
    from {{ ref('fct_limit_events') }}
    where event_type = 'reopen'
),

episodes as (
    select * from {{ ref('fct_closure_episodes') }}
),

close_events as (
    select event_id, event_seq from {{ ref('fct_limit_events') }}
),

reopens_matched as (
    select
        reopen_events.event_id,
        count(episodes.closure_episode_id) as episode_count,
        min(case
            when episodes.line_id = reopen_events.line_id
                and episodes.closed_on <= reopen_events.event_on
                then 1 else 0
        end) as is_consistent
    from reopen_events
    left join episodes on reopen_events.event_id = episodes.reopen_event_id
    group by reopen_events.event_id
),

bad_reopens as (
    select event_id, 'reopen not ending exactly one earlier closure of its line' as problem
    from reopens_matched
    where episode_count <> 1 or is_consistent = 0
),

bad_recloses as (
    select episodes.closure_episode_id, 're-closure is not the next episode of the line'
    from episodes
    left join episodes as next_episodes
        on episodes.line_id = next_episodes.line_id
        and next_episodes.closure_seq = episodes.closure_seq + 1
    where
        (episodes.reclose_event_id is not null
            and coalesce(next_episodes.close_event_id, '') <> episodes.reclose_event_id)
        or (episodes.is_reopened and next_episodes.closure_episode_id is not null
            and episodes.reclose_event_id is null)
        or (not episodes.is_reopened and next_episodes.closure_episode_id is not null)
)

select * from bad_reopens
union all
select * from bad_recloses
