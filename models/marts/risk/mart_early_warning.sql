-- Signal x month: each early-warning signal evaluated as a predictor of the credit event
-- "more than ew_event_dpd DPD, or a write-off, within ew_horizon_days days" over the month's
-- warning population (lines open or frozen, not written off and not past ew_event_dpd at the
-- month-end): events, hits, precision, recall, lift, lead time. Apart, in the lender_closure_*
-- columns: how often the signal preceded a closure by the lender within the horizon (the
-- lender's own action, not the customer's risk; never part of the event). Rows 'any_signal'
-- (one or more signals) and 'two_or_more_signals' combine them. Outcome figures are null for
-- months whose horizon has not ended by the as-of date.
{%- set signals = ['high_utilization', 'inquiry_burst', 'score_drop', 'first_missed_payment',
                   'dormant', 'any_signal', 'two_or_more_signals'] %}
{#- precision = hits / flagged, base rate = events / population, recall = hits / events,
    lift = precision / base rate #}
{%- set precision = safe_ratio('hit_line_count', 'flagged_line_count') %}
{%- set base_rate = safe_ratio('event_line_count', 'population_line_count') %}
{%- set recall = safe_ratio('hit_line_count', 'event_line_count') %}
{%- set lender_closure_precision = safe_ratio('lender_closure_hit_line_count',
                                              'flagged_line_count') %}
{%- set lender_closure_base_rate = safe_ratio('lender_closure_line_count',
                                              'population_line_count') %}
with signaled as (
    select * from {{ ref('int_line_months_signaled') }}
    where is_in_warning_population and is_month_complete
),

signal_rows as (
    {%- for signal in signals %}
    select
        month_start_on,
        is_outcome_observed,
        has_credit_event_in_horizon,
        has_lender_closure_in_horizon,
        '{{ signal }}' as signal_name,
        is_{{ signal }} as is_flagged,
        case
            when is_{{ signal }} and has_credit_event_in_horizon
                then {{ dbt.datediff(signal ~ '_since_on', 'next_credit_event_on', 'day') }}
        end as lead_time_days
    from signaled
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

counted as (
    select
        month_start_on,
        signal_name,
        min(case when is_outcome_observed then 1 else 0 end) = 1 as is_outcome_observed,
        count(*) as population_line_count,
        count(case when is_flagged then 1 end) as flagged_line_count,
        count(case when has_credit_event_in_horizon then 1 end) as event_line_count,
        count(case when is_flagged and has_credit_event_in_horizon then 1 end) as hit_line_count,
        {{ median_of('lead_time_days') }} as median_lead_time_days,
        count(case when has_lender_closure_in_horizon then 1 end) as lender_closure_line_count,
        count(case when is_flagged and has_lender_closure_in_horizon then 1 end)
            as lender_closure_hit_line_count
    from signal_rows
    group by month_start_on, signal_name
),

final as (
    select
        -- keys
        month_start_on,
        signal_name,
        is_outcome_observed,
        -- counts
        population_line_count,
        flagged_line_count,
        {{ safe_ratio('flagged_line_count', 'population_line_count') }} as flagged_rate,
        case when is_outcome_observed then event_line_count end as event_line_count,
        case when is_outcome_observed then hit_line_count end as hit_line_count,
        -- predictive power for the credit event
        case when is_outcome_observed then {{ base_rate }} end as base_rate,
        case when is_outcome_observed then {{ precision }} end as precision_rate,
        case
            when is_outcome_observed
                then {{ wilson_interval('hit_line_count', 'flagged_line_count', 'lower') }}
        end as precision_lower_bound,
        case
            when is_outcome_observed
                then {{ wilson_interval('hit_line_count', 'flagged_line_count', 'upper') }}
        end as precision_upper_bound,
        case when is_outcome_observed then {{ recall }} end as recall_rate,
        case when is_outcome_observed then {{ safe_ratio(precision, base_rate) }} end as lift,
        case when is_outcome_observed then median_lead_time_days end as median_lead_time_days,
        -- apart: the lender's own closures that followed the signal (not a credit outcome)
        case when is_outcome_observed then lender_closure_line_count end
            as lender_closure_line_count,
        case when is_outcome_observed then lender_closure_hit_line_count end
            as lender_closure_hit_line_count,
        case when is_outcome_observed then {{ lender_closure_base_rate }} end
            as lender_closure_base_rate,
        case when is_outcome_observed then {{ lender_closure_precision }} end
            as lender_closure_precision_rate,
        case
            when is_outcome_observed
                then {{ safe_ratio(lender_closure_precision, lender_closure_base_rate) }}
        end as lender_closure_lift
    from counted
)

select * from final
