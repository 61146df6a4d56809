-- Dynamic limit management: month x action (increase, decrease, freeze, unfreeze, close,
-- reopen) x reason category x score band (at the month-end before the action): how many
-- actions and lines, the median and total limit change, and the lines' behaviour over the
-- risk_limit_action_window_months month-ends before the action month against as many after
-- it: average utilization, share of lines ever more than 30 DPD, share of lines closed at a
-- month-end. "After" figures use only actions whose after-window months are all complete.
{%- set window_before = 'count(case when has_window_before then 1 end)' %}
{%- set window_after = 'count(case when has_window_after then 1 end)' %}
with limit_events as (
    select * from {{ ref('fct_limit_events') }}
    where event_type <> 'open'
),

line_months as (
    select * from {{ ref('int_line_months_windowed') }}
),

actions as (
    select
        limit_events.event_id,
        limit_events.line_id,
        cast({{ dbt.date_trunc('month', 'limit_events.event_on') }} as date) as month_start_on,
        limit_events.event_type as action,
        limit_events.reason_category,
        coalesce(line_months.previous_score_band_label, line_months.score_band_label) as score_band,
        limit_events.limit_change_amount,
        line_months.is_month_complete,
        -- before the action month
        line_months.months_action_before > 0 as has_window_before,
        line_months.avg_utilization_action_before as utilization_before_rate,
        case
            when line_months.months_action_before > 0
                then {{ is_dpd_30_plus('line_months.worst_dpd_action_before') }}
        end as was_30_plus_before,
        case
            when line_months.months_action_before > 0
                then line_months.was_closed_action_before = 1
        end as was_closed_before,
        -- after it
        line_months.complete_months_action_after = {{ var('risk_limit_action_window_months') }}
            as has_window_after,
        line_months.avg_utilization_action_after as utilization_after_rate,
        {{ is_dpd_30_plus('line_months.worst_dpd_action_after') }} as was_30_plus_after,
        line_months.was_closed_action_after = 1 as was_closed_after
    from limit_events
    inner join line_months
        on limit_events.line_id = line_months.line_id
        and cast(
            {{ dbt.date_trunc('month', 'limit_events.event_on') }} as date
        ) = line_months.month_start_on
),

final as (
    select
        -- keys
        month_start_on,
        action,
        reason_category,
        score_band,
        min(case when is_month_complete then 1 else 0 end) = 1 as is_month_complete,
        -- actions and limit change
        count(*) as action_count,
        count(distinct line_id) as line_count,
        {{ median_of('limit_change_amount') }} as median_limit_change_amount,
        sum(limit_change_amount) as total_limit_change_amount,
        -- behaviour before
        count(case when has_window_before then 1 end) as actions_with_window_before_count,
        avg(case when has_window_before then utilization_before_rate end)
            as utilization_before_rate,
        {{ safe_ratio('count(case when was_30_plus_before then 1 end)', window_before) }}
            as dpd_30_plus_before_rate,
        {{ safe_ratio('count(case when was_closed_before then 1 end)', window_before) }}
            as closed_before_rate,
        -- behaviour after
        count(case when has_window_after then 1 end) as actions_with_window_after_count,
        avg(case when has_window_after then utilization_after_rate end) as utilization_after_rate,
        {{ safe_ratio('count(case when has_window_after and was_30_plus_after then 1 end)',
                      window_after) }} as dpd_30_plus_after_rate,
        {{ safe_ratio('count(case when has_window_after and was_closed_after then 1 end)',
                      window_after) }} as closed_after_rate
    from actions
    group by month_start_on, action, reason_category, score_band
)

select * from final
