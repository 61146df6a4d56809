-- exhausted_limit_closed: one row per closure whose line was used up (utilization at or above
-- cases_exhausted_utilization) at each of the last cases_exhausted_month_ends complete
-- month-ends before the closure month; with its fit. Rule and fit score: _cases__docs.md
-- (archetype_exhausted_limit_closed).
{%- set exhausted_utilization = var('cases_exhausted_utilization') | float %}
{%- set exhausted_months = var('cases_exhausted_month_ends') | int %}
{%- set full_months = var('cases_fit_full_exhausted_month_ends') | int %}
with closure_episodes as (
    select * from {{ ref('fct_closure_episodes') }}
),

line_months as (
    select * from {{ ref('fct_line_months') }}
),

-- the line's month-ends before the closure month, newest first, and the run of
-- month-ends at or above the threshold that ends at the month before the closure month
closure_month_ends as (
    select
        closure_episodes.closure_episode_id,
        line_months.utilization_rate,
        row_number() over (
            partition by closure_episodes.closure_episode_id
            order by line_months.month_start_on desc
        ) as months_before,
        coalesce(line_months.utilization_rate, 0) >= {{ exhausted_utilization }} as is_exhausted
    from closure_episodes
    inner join line_months
        on closure_episodes.line_id = line_months.line_id
        and line_months.month_start_on < closure_episodes.closure_month_on
        and line_months.is_month_complete
),

exhausted_runs as (
    select
        closure_episode_id,
        -- the first month-end (counting back) that was below the threshold ends the run
        coalesce(min(case when not is_exhausted then months_before end) - 1, count(*))
            as exhausted_month_ends,
        avg(case when months_before <= {{ exhausted_months }} then utilization_rate end)
            as mean_utilization_rate
    from closure_month_ends
    group by closure_episode_id
),

matched as (
    select
        closure_episodes.*,
        exhausted_runs.exhausted_month_ends,
        exhausted_runs.mean_utilization_rate,
        -- fit components: a long run of exhausted month-ends (cases_fit_full_exhausted_month_ends
        -- or more = 1), how full the line was (100% or more = 1), and a closure the risk
        -- engine gave for the utilization itself
        least({{ safe_ratio('exhausted_runs.exhausted_month_ends - ' ~ exhausted_months ~ ' + 1',
                            full_months - exhausted_months + 1) }}, 1) as run_fit,
        least(greatest({{ safe_ratio(
            'exhausted_runs.mean_utilization_rate - ' ~ exhausted_utilization,
            '1 - ' ~ exhausted_utilization) }}, 0), 1) as utilization_fit,
        case when closure_episodes.closure_reason_category = 'utilization' then 1 else 0 end
            as utilization_reason_fit
    from closure_episodes
    inner join exhausted_runs
        on closure_episodes.closure_episode_id = exhausted_runs.closure_episode_id
    where exhausted_runs.exhausted_month_ends >= {{ exhausted_months }}
),

final as (
    select
        -- ids
        close_event_id as key_event_id,
        customer_id,
        line_id,
        -- the closure
        closed_on as key_event_on,
        closed_on,
        closure_reason_code,
        closure_reason_category,
        limit_before_closure_amount as limit_before_amount,
        -- the line used up before it
        exhausted_month_ends,
        mean_utilization_rate,
        -- delinquency up to the closure
        first_overdue_on,
        overdue_episodes_before_closure as overdue_episodes,
        worst_dpd_before_closure as worst_dpd_before,
        -- the fit: the mean of a long run, a full line and a closure for utilization
        {{ safe_ratio('run_fit + utilization_fit + utilization_reason_fit', 3) }} as fit_score
    from matched
)

select * from final
