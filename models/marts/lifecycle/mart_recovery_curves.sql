-- Recovery around a closure: closure reason category ('all' for every closure) x month
-- relative to the closure month (-var('lifecycle_recovery_months_before') to
-- +var('lifecycle_recovery_months_after')), for closures whose month is followed by at least
-- var('lifecycle_recovery_follow_up_months') complete months. At each month-end the closed
-- line is in exactly one state (written off, no balance, more than 30 DPD, 1-30 DPD,
-- current; that precedence), and the customer's score is compared with the pre-closure
-- score (score_90d_before_closure, before the shock that led to the closure): mean and
-- median change, share at or above it. Per category (repeated on its rows): the
-- Kaplan–Meier median months to get back to the pre-closure score over all closures with
-- one, censored at the as-of month.
{%- set months_before = var('lifecycle_recovery_months_before') | int %}
{%- set months_after = var('lifecycle_recovery_months_after') | int %}
{%- set follow_up = var('lifecycle_recovery_follow_up_months') | int %}
{%- set states = ['current', 'dpd_1_to_30', 'dpd_30_plus', 'written_off', 'no_balance'] %}
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
        on months.month_start_on = cast(
            {{ dbt.dateadd('month', follow_up, 'episodes.closure_month_on') }} as date
        )
        and months.is_month_complete
),

-- the closed line at each month-end around its closure month (no row before it opened)
followed_episode_months as (
    select
        followed_episodes.closure_episode_id,
        relative_months.months_from_closure,
        followed_episodes.score_90d_before_closure as pre_closure_score,
        line_months.score,
        case
            when line_months.line_id is null then null
            -- written off for good: any principal of the line written off by the month-end
            when line_months.charged_off_principal_amount > 0 then 'written_off'
            when line_months.outstanding_principal_amount = 0 and line_months.dpd_month_end = 0
                then 'no_balance'
            when {{ is_dpd_30_plus('line_months.dpd_month_end') }} then 'dpd_30_plus'
            when line_months.dpd_month_end > 0 then 'dpd_1_to_30'
            else 'current'
        end as recovery_state
    from followed_episodes
    cross join relative_months
    left join line_months
        on followed_episodes.line_id = line_months.line_id
        and line_months.month_start_on = cast({{ dbt.dateadd(
            'month', 'relative_months.months_from_closure', 'followed_episodes.closure_month_on') }} as date)
),

curves as (
    select
        episode_categories.reason_category,
        followed_episode_months.months_from_closure,
        count(*) as closures_count,
        count(followed_episode_months.recovery_state) as observed_count,
        {%- for state in states %}
        count(case when followed_episode_months.recovery_state = '{{ state }}' then 1 end)
            as {{ state }}_count,
        {%- endfor %}
        count(followed_episode_months.score - followed_episode_months.pre_closure_score)
            as scored_count,
        avg(followed_episode_months.score - followed_episode_months.pre_closure_score)
            as mean_score_change,
        {{ median_of('followed_episode_months.score - followed_episode_months.pre_closure_score') }}
            as median_score_change,
        count(case
            when followed_episode_months.score >= followed_episode_months.pre_closure_score then 1
        end) as at_or_above_pre_closure_count
    from followed_episode_months
    inner join episode_categories
        on followed_episode_months.closure_episode_id = episode_categories.closure_episode_id
    group by 1, 2
),

-- months after the closure month until the score is back at or above the pre-closure score
-- (first month-end from month 1 on), censored at the as-of month
recovery_months as (
    select
        episodes.closure_episode_id,
        {{ dbt.datediff('episodes.closure_month_on', 'line_months.month_start_on', 'month') }}
            as months_from_closure,
        line_months.score >= episodes.score_90d_before_closure as is_back
    from episodes
    inner join line_months
        on episodes.line_id = line_months.line_id
        and line_months.month_start_on > episodes.closure_month_on
    where episodes.score_90d_before_closure is not null
),

recovery_times as (
    select
        episodes.closure_episode_id,
        coalesce(
            min(case when recovery_months.is_back then recovery_months.months_from_closure end),
            {{ dbt.datediff(
                'episodes.closure_month_on', dbt.date_trunc('month', as_of_date()), 'month'
            ) }}
        ) as months_to_recover,
        coalesce(bool_or(recovery_months.is_back), false) as is_recovered
    from episodes
    left join recovery_months on episodes.closure_episode_id = recovery_months.closure_episode_id
    where episodes.score_90d_before_closure is not null
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
        -- the closed line's state at the month-end: one per line, shares sum to 1
        {%- for state in states %}
        curves.{{ state }}_count,
        {{ safe_ratio('curves.' ~ state ~ '_count', 'curves.observed_count') }} as {{ state }}_rate,
        {%- endfor %}
        curves.dpd_30_plus_count + curves.written_off_count as dpd_30_plus_or_written_off_count,
        {{ safe_ratio('curves.dpd_30_plus_count + curves.written_off_count',
                      'curves.observed_count') }}
            as dpd_30_plus_or_written_off_rate,
        -- score against the pre-closure score
        curves.scored_count,
        curves.mean_score_change,
        curves.median_score_change,
        curves.at_or_above_pre_closure_count,
        {{ safe_ratio('curves.at_or_above_pre_closure_count', 'curves.scored_count') }}
            as at_or_above_pre_closure_rate,
        -- time back to the pre-closure score (per category, all closures with one)
        recovery_summary.recovery_population_count,
        recovery_summary.recovered_count,
        recovery_summary.median_months_to_recover
    from curves
    left join recovery_summary on curves.reason_category = recovery_summary.reason_category
)

select * from final
