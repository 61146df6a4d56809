-- The first risk set of every survival group is the group's whole episode count, and the
-- group's reopenings add up to its reopened episodes.
with groups as (
    select
        group_type,
        group_value,
        count(*) as episode_count,
        count(case when is_reopened then 1 end) as reopened_episode_count
    from {{ ref('int_closure_episodes_grouped') }}
    group by 1, 2
),

curves as (
    select
        group_type,
        group_value,
        max(at_risk_count) as first_at_risk_count,
        sum(reopened_count) as reopened_count,
        sum(reopened_count + censored_count) as leaving_count
    from {{ ref('mart_reopen_survival') }}
    group by 1, 2
)

select *
from groups
full outer join curves using (group_type, group_value)
where
    curves.first_at_risk_count is distinct from groups.episode_count
    or curves.leaving_count is distinct from groups.episode_count
    or curves.reopened_count is distinct from groups.reopened_episode_count
