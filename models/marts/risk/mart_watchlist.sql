-- The lines flagged by at least one early-warning signal at the latest month-end (the as-of
-- month; its snapshot is the as-of date when the month is incomplete), in the warning
-- population (open or frozen, never written off, not past ew_event_dpd), with the signals
-- on, how many, the customer's score and the exposure. Priority: the sum, over the signals
-- on, of each signal's pooled credit-event lift in the last 6 months with an observed outcome
-- (mart_early_warning's hit, flagged, event and population counts; never its lender_closure_*
-- figures, which measure the lender's own closures); ties go to the larger exposure.
-- priority_rank 1 is the line to call first.
{%- set signals = ['high_utilization', 'inquiry_burst', 'score_drop', 'first_missed_payment',
                   'dormant'] %}
with signaled as (
    select * from {{ ref('int_line_months_signaled') }}
),

early_warning as (
    select * from {{ ref('mart_early_warning') }}
),

latest_month as (
    select max(month_start_on) as month_start_on from signaled
),

recent_observed_months as (
    select distinct month_start_on
    from early_warning
    where is_outcome_observed
    order by month_start_on desc
    limit 6
),

-- the credit-event lift (more than ew_event_dpd DPD or written off), pooled over the months
signal_lifts as (
    select
        early_warning.signal_name,
        {{ safe_ratio(
            safe_ratio('sum(early_warning.hit_line_count)',
                       'sum(early_warning.flagged_line_count)'),
            safe_ratio('sum(early_warning.event_line_count)',
                       'sum(early_warning.population_line_count)')
        ) }} as pooled_lift
    from early_warning
    inner join recent_observed_months
        on early_warning.month_start_on = recent_observed_months.month_start_on
    group by early_warning.signal_name
),

flagged_now as (
    select signaled.*
    from signaled
    inner join latest_month on signaled.month_start_on = latest_month.month_start_on
    where signaled.is_in_warning_population and signaled.signal_count >= 1
),

prioritised as (
    select
        flagged_now.*,
        {%- for signal in signals %}
        case
            when flagged_now.is_{{ signal }} then '{{ signal }} '
            else ''
        end{{ ' ||' if not loop.last }}
        {%- endfor %} as signal_list,
        {%- for signal in signals %}
        case
            when flagged_now.is_{{ signal }} then coalesce(lift_{{ signal }}.pooled_lift, 1)
            else 0
        end{{ ' +' if not loop.last }}
        {%- endfor %} as priority_score
    from flagged_now{% for signal in signals %}
    left join signal_lifts as lift_{{ signal }} on lift_{{ signal }}.signal_name = '{{ signal }}'
    {%- endfor %}
),

final as (
    select
        -- ids
        line_id,
        customer_id,
        product_code,
        month_start_on,
        snapshot_on,
        -- signals
        {%- for signal in signals %}
        is_{{ signal }},
        {{ signal }}_since_on,
        {%- endfor %}
        signal_count,
        trim(signal_list) as signal_list,
        -- customer and exposure
        score,
        score_band,
        line_status,
        limit_amount,
        outstanding_principal_amount,
        utilization_rate,
        dpd_month_end,
        -- priority
        priority_score,
        row_number() over (
            order by priority_score desc, outstanding_principal_amount desc, line_id
        ) as priority_rank
    from prioritised
)

select * from final
