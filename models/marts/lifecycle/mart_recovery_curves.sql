-- Recovery around a closure: closure reason category ('all' for every closure) x month
-- relative to the closure month (-var('lifecycle_recovery_months_before') to
-- +var('lifecycle_recovery_months_after')), for closures whose month is followed by at least
-- var('lifecycle_recovery_follow_up_months') complete months: the customer's score change
-- versus the closure month (mean, median), the share at or above the pre-closure score and
-- the share 30+ DPD at the month-end. Per category (repeated on its rows): the Kaplan–Meier
-- median months to get back to the pre-closure score over all scored closures, censored at
-- the as-of month.
{%- set months_before = var('lifecycle_recovery_months_before') | int %}
{%- set months_after = var('lifecycle_recovery_months_after') | int %}
{%- set follow_up = var('lifecycle_recovery_follow_up_months') | int %}
with episodes as (
    select * from {{ ref('fct_closure_episodes') }}
),

line_months as (
    select * from {{ ref('fct_line_months') }}
),

months as (
    select * from {{ ref('int_months_spined') }}
),

relative_months as (
    select cast(generated_number - 1 - {{ months_before }} as integer) as months_from_closure
    from ({{ dbt.generate_series(months_before + months_after + 1) }}) as series
),

-- the customer at each month-end: score (customer-level) and worst DPD over all lines
customer_months as (
    select
        customer_id,
        month_start_on,
        max(score) as score,
        max(dpd_month_end) as worst_dpd_month_end
    from line_months
    group by customer_id, month_start_on
),

episode_categories as (
    select closure_episode_id, closure_reason_category as reason_category from episodes
    union all
    select closure_episode_id, 'all' from episodes
),

-- closures followed by enough complete months
followed_episodes as (
    select episodes.*
    from episodes
    inner join months
        on months.month_start_on = cast({{ dbt.dateadd('month', follow_up, 'episodes.closure_month_on') }} as date)
        and months.is_month_complete
),

followed_episode_months as (
    select
        followed_episodes.closure_episode_id,
        relative_months.months_from_closure,
        followed_episodes.score_at_closure,
        customer_months.score,
        closure_month.score as closure_month_score,
        customer_months.worst_dpd_month_end
    from followed_episodes
    cross join relative_months
    left join customer_months
        on followed_episodes.customer_id = customer_months.customer_id
        and customer_months.month_start_on = cast({{ dbt.dateadd(
            'month', 'relative_months.months_from_closure', 'followed_episodes.closure_month_on') }} as date)
    left join customer_months as closure_month
        on followed_episodes.customer_id = closure_month.customer_id
        and closure_month.month_start_on = followed_episodes.closure_month_on
),

curves as (
    select
        episode_categories.reason_category,
        followed_episode_months.months_from_closure,
        count(*) as closures_count,
        count(followed_episode_months.worst_dpd_month_end) as observed_count,
        count(followed_episode_months.score - followed_episode_months.closure_month_score)
            as scored_count,
        avg(followed_episode_months.score - followed_episode_months.closure_month_score)
            as mean_score_change,
        {{ median_of('followed_episode_months.score - followed_episode_months.closure_month_score') }}
            as median_score_change,
        count(case
            when followed_episode_months.score is not null
                and followed_episode_months.score_at_closure is not null
                then 1
        end) as scored_with_pre_closure_count,
        count(case
            when followed_episode_months.score >= followed_episode_months.score_at_closure then 1
        end) as at_or_above_pre_closure_count,
        count(case
            when followed_episode_months.worst_dpd_month_end >= {{ var('lifecycle_dpd_threshold') }}
                then 1
        end) as dpd30_count
    from followed_episode_months
    inner join episode_categories
        on followed_episode_months.closure_episode_id = episode_categories.closure_episode_id
    group by 1, 2
),

-- months after the closure month until the score is back at or above the score at closure
-- (first month-end from month 1 on), censored at the as-of month
recovery_months as (
    select
        episodes.closure_episode_id,
        {{ dbt.datediff('episodes.closure_month_on', 'customer_months.month_start_on', 'month') }}
            as months_from_closure,
        customer_months.score >= episodes.score_at_closure as is_back
    from episodes
    inner join customer_months
        on episodes.customer_id = customer_months.customer_id
        and customer_months.month_start_on > episodes.closure_month_on
    where episodes.score_at_closure is not null
),

recovery_times as (
    select
        episodes.closure_episode_id,
        coalesce(
            min(case when recovery_months.is_back then recovery_months.months_from_closure end),
            {{ dbt.datediff('episodes.closure_month_on', dbt.date_trunc('month', as_of_date()), 'month') }}
        ) as months_to_recover,
        coalesce(bool_or(recovery_months.is_back), false) as is_recovered
    from episodes
    left join recovery_months on episodes.closure_episode_id = recovery_months.closure_episode_id
    where episodes.score_at_closure is not null
    group by episodes.closure_episode_id, episodes.closure_month_on
),

recovery_by_category as (
    select
        episode_categories.reason_category,
        recovery_times.months_to_recover,
        recovery_times.is_recovered
    from recovery_times
    inner join episode_categories
        on recovery_times.closure_episode_id = episode_categories.closure_episode_id
),

recovery_curves as (
    {{ kaplan_meier(
        relation='recovery_by_category',
        group_by=['reason_category'],
        duration='months_to_recover',
        event='is_recovered'
    ) }}
),

recovery_summary as (
    select
        reason_category,
        sum(event_count + censored_count) as recovery_population_count,
        sum(event_count) as recovered_count,
        max(median_time) as median_months_to_recover
    from recovery_curves
    group by reason_category
),

final as (
    select
        -- keys
        curves.reason_category,
        curves.months_from_closure,
        -- population
        curves.closures_count,
        curves.observed_count,
        curves.scored_count,
        -- score
        curves.mean_score_change,
        curves.median_score_change,
        curves.at_or_above_pre_closure_count,
        case
            when curves.scored_with_pre_closure_count > 0
                then {{ to_double('curves.at_or_above_pre_closure_count') }}
                    / curves.scored_with_pre_closure_count
        end as at_or_above_pre_closure_rate,
        -- delinquency
        curves.dpd30_count,
        case
            when curves.observed_count > 0
                then {{ to_double('curves.dpd30_count') }} / curves.observed_count
        end as dpd30_rate,
        -- time back to the pre-closure score (per category, all scored closures)
        recovery_summary.recovery_population_count,
        recovery_summary.recovered_count,
        recovery_summary.median_months_to_recover
    from curves
    left join recovery_summary on curves.reason_category = recovery_summary.reason_category
)

select * from final
