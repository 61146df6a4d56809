-- One row per line per month with the early-warning signals evaluated at the month's
-- snapshot, the run of consecutive months each signal has been on, and two outcomes within
-- var ew_horizon_days days after the snapshot (risk_early_warning):
-- - the credit event the signals are meant to predict: more than var ew_event_dpd DPD, or a
--   write-off (any of the line's principal charged off);
-- - apart, a closure by the lender (initiated_by not 'customer'): the lender's own action,
--   often triggered by the signals themselves, so never counted as the customer's risk.
-- Outcomes are known when the horizon ends on or before the as-of date. Population flag:
-- open or frozen, not written off, and not already more than ew_event_dpd DPD.
{%- set signals = ['high_utilization', 'inquiry_burst', 'score_drop', 'first_missed_payment',
                   'dormant'] %}
{%- set run_flags = signals + ['any_signal', 'two_or_more_signals'] %}
{%- set inquiry_column = 'external_inquiries_30d' if var('ew_inquiry_window_scope') == 'external'
                         else 'inquiries_30d' %}
with line_months as (
    select * from {{ ref('int_line_months_windowed') }}
),

limit_events as (
    select * from {{ ref('fct_limit_events') }}
),

installments as (
    select * from {{ ref('fct_installments') }}
),

loans as (
    select * from {{ ref('fct_loans') }}
),

charged_off_loans as (
    select * from {{ ref('int_loans_charged_off') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- closures by the lender (policy, utilization, inactivity, overdue ...: every initiator
-- but the customer); a closure at the customer's request is no outcome at all
lender_closures as (
    select distinct
        line_id,
        event_on as closed_on
    from limit_events
    where
        event_type = 'close'
        and initiated_by <> 'customer'
),

-- the days on which a line's DPD passes ew_event_dpd: due date + ew_event_dpd + 1 of an
-- installment still unpaid then (the first such day after a snapshot is the line's next entry)
delinquency_entries as (
    select distinct
        line_id,
        cast({{ dbt.dateadd('day', var('ew_event_dpd') + 1, 'due_on') }} as date) as entered_on
    from installments
    where {{ past_due_over('days_past_due', var('ew_event_dpd')) }}
),

-- the days on which principal of a line is written off (charged off)
write_offs as (
    select distinct
        loans.line_id,
        charged_off_loans.charged_off_on as written_off_on
    from charged_off_loans
    inner join loans on charged_off_loans.loan_id = loans.loan_id
),

customer_months as (
    select
        customer_id,
        month_start_on,
        max(case when max_dpd_in_month >= 1 then 1 else 0 end) as has_missed_payment
    from line_months
    group by 1, 2
),

customer_first_misses as (
    select
        customer_id,
        month_start_on,
        has_missed_payment = 1 and coalesce(max(has_missed_payment) over (
            partition by customer_id order by month_start_on
            rows between {{ var('ew_first_missed_lookback_months') }} preceding and 1 preceding
        ), 0) = 0 as is_first_missed_payment
    from customer_months
),

flagged as (
    select
        line_months.line_id,
        line_months.customer_id,
        line_months.product_code,
        line_months.month_start_on,
        line_months.snapshot_on,
        line_months.is_month_complete,
        line_months.line_status,
        line_months.limit_amount,
        line_months.outstanding_principal_amount,
        line_months.utilization_rate,
        line_months.dpd_month_end,
        line_months.score,
        line_months.score_band_label as score_band,
        -- written off is for good (sticky is_written_off): such a line never re-enters
        line_months.line_status in ('open', 'frozen')
        and not line_months.is_written_off
        and not {{ past_due_over('line_months.dpd_month_end', var('ew_event_dpd')) }}
            as is_in_warning_population,
        -- signals
        coalesce(line_months.utilization_rate >= {{ var('ew_utilization_threshold') }}, false)
            as is_high_utilization,
        line_months.{{ inquiry_column }} >= {{ var('ew_inquiry_count_threshold') }}
            as is_inquiry_burst,
        coalesce(
            line_months.score_months_before - line_months.score
            >= {{ var('ew_score_drop_points') }},
            false
        ) as is_score_drop,
        coalesce(customer_first_misses.is_first_missed_payment, false) as is_first_missed_payment,
        line_months.months_on_book >= {{ var('ew_dormant_months') }} and (
            line_months.last_drawn_on is null
            or line_months.last_drawn_on <= {{ dbt.dateadd(
                'month', -var('ew_dormant_months'), 'line_months.snapshot_on'
            ) }}
        ) as is_dormant
    from line_months
    left join customer_first_misses
        on line_months.customer_id = customer_first_misses.customer_id
        and line_months.month_start_on = customer_first_misses.month_start_on
),

with_combined as (
    select
        *,
        (
            {%- for signal in signals %}
            case when is_{{ signal }} then 1 else 0 end{{ ' +' if not loop.last }}
            {%- endfor %}
        ) as signal_count
    from flagged
),

with_combined_flags as (
    select
        *,
        signal_count >= 1 as is_any_signal,
        signal_count >= 2 as is_two_or_more_signals
    from with_combined
),

-- the first delinquency entry, write-off and lender closure after the snapshot
with_next_delinquency as (
    {{ asof_left_join('with_combined_flags', 'delinquency_entries', ['line_id'],
                      'snapshot_on', '<', 'entered_on', {'next_delinquent_on': 'entered_on'}) }}
),

with_next_write_off as (
    {{ asof_left_join('with_next_delinquency', 'write_offs', ['line_id'],
                      'snapshot_on', '<', 'written_off_on', {'next_written_off_on': 'written_off_on'}) }}
),

with_next_lender_closure as (
    {{ asof_left_join('with_next_write_off', 'lender_closures', ['line_id'],
                      'snapshot_on', '<', 'closed_on', {'next_lender_closed_on': 'closed_on'}) }}
),

-- the first month-end of each signal's current run of consecutive flagged months
with_runs as (
    select
        with_next_lender_closure.*,
        {%- for signal in run_flags %}
        max(case when not is_{{ signal }} then month_start_on end) over line_to_date
            as last_month_without_{{ signal }},
        {%- endfor %}
        min(snapshot_on) over line_to_date as first_snapshot_on
    from with_next_lender_closure
    window line_to_date as (
        partition by line_id order by month_start_on rows unbounded preceding
    )
),

with_outcome_dates as (
    select
        -- ids and state
        with_runs.line_id,
        with_runs.customer_id,
        with_runs.product_code,
        with_runs.month_start_on,
        with_runs.snapshot_on,
        with_runs.is_month_complete,
        with_runs.line_status,
        with_runs.limit_amount,
        with_runs.outstanding_principal_amount,
        with_runs.utilization_rate,
        with_runs.dpd_month_end,
        with_runs.score,
        with_runs.score_band,
        with_runs.is_in_warning_population,
        -- signals and the first month-end of their current run
        {%- for signal in run_flags %}
        with_runs.is_{{ signal }},
        case
            when with_runs.is_{{ signal }} and with_runs.last_month_without_{{ signal }} is null
                then with_runs.first_snapshot_on
            when with_runs.is_{{ signal }}
                and with_runs.last_month_without_{{ signal }} = cast({{ dbt.dateadd(
                    'month', -1, 'with_runs.month_start_on'
                ) }} as date)
                then with_runs.snapshot_on
            when with_runs.is_{{ signal }}
                then cast({{ dbt.last_day(
                    dbt.dateadd('month', 1, 'with_runs.last_month_without_' ~ signal), 'month'
                ) }} as date)
        end as {{ signal }}_since_on,
        {%- endfor %}
        with_runs.signal_count,
        -- outcomes: the credit event (the earlier of the two) and, apart, the lender's closure
        with_runs.next_delinquent_on,
        with_runs.next_written_off_on,
        case
            when with_runs.next_written_off_on is null then with_runs.next_delinquent_on
            when with_runs.next_delinquent_on is null then with_runs.next_written_off_on
            when with_runs.next_written_off_on < with_runs.next_delinquent_on
                then with_runs.next_written_off_on
            else with_runs.next_delinquent_on
        end as next_credit_event_on,
        with_runs.next_lender_closed_on,
        {{ dbt.dateadd('day', var('ew_horizon_days'), 'with_runs.snapshot_on') }} <= as_of.as_of_on
            as is_outcome_observed
    from with_runs
    cross join as_of
),

final as (
    select
        *,
        {%- for outcome, date_column in [('credit_event', 'next_credit_event_on'),
                                         ('lender_closure', 'next_lender_closed_on')] %}
        case
            when is_outcome_observed
                then coalesce(
                    {{ date_column }} <= {{ dbt.dateadd(
                        'day', var('ew_horizon_days'), 'snapshot_on'
                    ) }},
                    false
                )
        end as has_{{ outcome }}_in_horizon{{ ',' if not loop.last }}{% endfor %}
    from with_outcome_dates
)

select * from final
