-- One row per closure episode per analysis group it belongs to: every episode is in the
-- group 'all', in its closure reason category, in its score band at closure ('unscored'
-- without a score) and in 'clean' or 'not_clean'. The survival mart estimates one curve per
-- (group_type, group_value) from these rows.
with episodes as (
    select * from {{ ref('fct_closure_episodes') }}
),

grouped as (
    select closure_episode_id, 'all' as group_type, 'all' as group_value from episodes

    union all

    select closure_episode_id, 'reason_category', closure_reason_category from episodes

    union all

    select
        closure_episode_id,
        'score_band_at_closure',
        coalesce(score_band_at_closure, 'unscored')
    from episodes

    union all

    select
        closure_episode_id,
        'clean_closure',
        case when is_clean_closure then 'clean' else 'not_clean' end
    from episodes
),

final as (
    select
        -- ids
        grouped.closure_episode_id,
        grouped.group_type,
        grouped.group_value,
        -- time to reopen
        episodes.time_to_reopen_days,
        episodes.is_reopened
    from grouped
    inner join episodes on grouped.closure_episode_id = episodes.closure_episode_id
)

select * from final
