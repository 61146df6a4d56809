-- Closure cohorts: closure month x closure reason category x score band at closure, plus one
-- total row per month (reason_category and score_band 'all'), x reopening horizon (one row
-- per day count in var('lifecycle_reopen_horizons_days')). Closures, clean closures, and
-- closures reopened within the horizon as a count, a rate and a 95% Wilson interval. A
-- horizon the data cannot yet observe for every closure of the cohort (closed_on + horizon
-- after the as-of date) gives null reopen figures, not zero: right-censoring.
with episodes as (
    select * from {{ ref('fct_closure_episodes') }}
),

horizons as (
    {%- for days in var('lifecycle_reopen_horizons_days') %}
    select {{ days }} as horizon_days
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

cohort_members as (
    select
        closure_month_on,
        closure_reason_category as reason_category,
        coalesce(score_band_at_closure, 'unscored') as score_band,
        closure_episode_id,
        closed_on,
        is_clean_closure,
        is_reopened,
        time_to_reopen_days,
        follow_up_days
    from episodes

    union all

    select
        closure_month_on,
        'all',
        'all',
        closure_episode_id,
        closed_on,
        is_clean_closure,
        is_reopened,
        time_to_reopen_days,
        follow_up_days
    from episodes
),

cohort_horizons as (
    select
        cohort_members.closure_month_on,
        cohort_members.reason_category,
        cohort_members.score_band,
        horizons.horizon_days,
        count(*) as closures_count,
        count(case when cohort_members.is_clean_closure then 1 end) as clean_closures_count,
        count(case
            when cohort_members.is_reopened
                and cohort_members.time_to_reopen_days <= horizons.horizon_days
                then 1
        end) as reopened_within_horizon_count,
        min(cohort_members.follow_up_days) as min_follow_up_days
    from cohort_members
    cross join horizons
    group by 1, 2, 3, 4
),

final as (
    select
        -- keys
        closure_month_on,
        reason_category,
        score_band,
        horizon_days,
        -- closures
        closures_count,
        clean_closures_count,
        {{ safe_ratio('clean_closures_count', 'closures_count') }} as clean_closure_rate,
        {{ wilson_interval('clean_closures_count', 'closures_count', 'lower') }}
            as clean_closure_rate_lower,
        {{ wilson_interval('clean_closures_count', 'closures_count', 'upper') }}
            as clean_closure_rate_upper,
        -- reopened within the horizon (null until every closure has the follow-up)
        min_follow_up_days,
        min_follow_up_days >= horizon_days as is_horizon_observable,
        case when min_follow_up_days >= horizon_days then reopened_within_horizon_count end
            as reopened_count,
        case
            when min_follow_up_days >= horizon_days
                then {{ safe_ratio('reopened_within_horizon_count', 'closures_count') }}
        end as reopened_rate,
        case
            when min_follow_up_days >= horizon_days
                then {{ wilson_interval(
                    'reopened_within_horizon_count', 'closures_count', 'lower'
                ) }}
        end as reopened_rate_lower,
        case
            when min_follow_up_days >= horizon_days
                then {{ wilson_interval(
                    'reopened_within_horizon_count', 'closures_count', 'upper'
                ) }}
        end as reopened_rate_upper
    from cohort_horizons
)

select * from final
