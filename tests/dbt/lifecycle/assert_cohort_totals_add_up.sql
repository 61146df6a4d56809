-- Each month's total row equals the sum of its reason x score band rows, and the month's
-- closures equal the episodes closed in that month.
with cohorts as (
    select * from {{ ref('mart_closure_cohorts') }}
),

parts as (
    select
        closure_month_on,
        horizon_days,
        sum(closures_count) as closures_count,
        sum(clean_closures_count) as clean_closures_count,
        sum(reopened_count) as reopened_count
    from cohorts
    where reason_category <> 'all'
    group by 1, 2
),

episodes as (
    select closure_month_on, count(*) as episode_count
    from {{ ref('fct_closure_episodes') }}
    group by 1
)

select totals.closure_month_on, totals.horizon_days
from cohorts as totals
left join parts
    on totals.closure_month_on = parts.closure_month_on
    and totals.horizon_days = parts.horizon_days
left join episodes on totals.closure_month_on = episodes.closure_month_on
where
    totals.reason_category = 'all'
    and (
        totals.closures_count <> parts.closures_count
        or totals.clean_closures_count <> parts.clean_closures_count
        or totals.reopened_count is distinct from parts.reopened_count
        or totals.closures_count <> episodes.episode_count
    )
