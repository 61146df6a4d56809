-- One row per line per month (the grain of fct_line_months) with what the risk marts need
-- around it, all computed in one ordered pass over each line's months: the segment, the
-- previous month's state, the month's new charge-off, the population flags, and worst or
-- average figures over the months before and after. A line's months are contiguous from its
-- opening month to the as-of month, so "n rows before" is "n months before".
{%- set before_months = var('risk_roll_window_before_months') %}
{%- set after_months = var('risk_roll_window_after_months') %}
{%- set action_months = var('risk_limit_action_window_months') %}
{%- set bad_months = var('risk_bad_horizon_months') %}
with line_months as (
    select * from {{ ref('fct_line_months') }}
),

months as (
    select * from {{ ref('int_months_spined') }}
),

last_complete_month as (
    select max(month_start_on) as month_start_on
    from months
    where is_month_complete
),

customers as (
    select * from {{ ref('dim_customers') }}
),

with_segment as (
    select
        line_months.*,
        coalesce(customers.occupation, 'unknown') as occupation,
        coalesce(line_months.score_band, 'unscored') as score_band_label,
        -- written off is for good: once any principal of the line is charged off (the
        -- cumulative amount never decreases), the line has left the receivable book and the
        -- roll, score and early-warning populations in every later month, whatever its DPD
        line_months.charged_off_principal_amount > 0 as is_written_off,
        -- the line's roll state at the month-end (risk_roll_state): written off, past due by
        -- bucket, current with a balance (M0), or no balance and nothing past due
        case
            when line_months.charged_off_principal_amount > 0 then 'written_off'
            when line_months.dpd_month_end > 0 then line_months.dpd_bucket_month_end
            when line_months.outstanding_principal_amount > 0
                then '{{ dpd_buckets()[0].dpd_bucket }}'
            else 'no_balance'
        end as roll_state,
        -- roll population (risk_roll_population): not written off, and holding a balance,
        -- past due, or open or frozen (a closed line with nothing left has left the book)
        line_months.charged_off_principal_amount = 0 and (
            line_months.outstanding_principal_amount > 0
            or line_months.dpd_month_end > 0
            or line_months.line_status <> 'closed'
        ) as is_in_roll_population
    from line_months
    left join customers on line_months.customer_id = customers.customer_id
),

windowed as (
    select
        with_segment.*,
        -- the month's new charge-off (the cumulative figure never decreases)
        charged_off_principal_amount - coalesce(
            lag(charged_off_principal_amount) over line_timeline, 0
        ) as new_charged_off_principal_amount,
        -- previous month
        lag(dpd_month_end) over line_timeline as previous_dpd_month_end,
        lag(dpd_bucket_month_end) over line_timeline as previous_dpd_bucket_month_end,
        lag(outstanding_principal_amount) over line_timeline
            as previous_outstanding_principal_amount,
        lag(line_status) over line_timeline as previous_line_status,
        lag(is_written_off) over line_timeline as previous_is_written_off,
        lag(roll_state) over line_timeline as previous_roll_state,
        lag(is_in_roll_population) over line_timeline as was_in_roll_population,
        lag(score_band_label) over line_timeline as previous_score_band_label,
        lag(score, {{ var('ew_score_drop_months') }}) over line_timeline as score_months_before,
        -- worst DPD (ever in month) in the window up to the observation month, and after it
        max(max_dpd_in_month) over (
            partition by line_id order by month_start_on
            rows between {{ before_months - 1 }} preceding and current row
        ) as worst_dpd_window_before,
        max(case when is_in_roll_population then 1 else 0 end) over (
            partition by line_id order by month_start_on
            rows between {{ before_months - 1 }} preceding and current row
        ) = 1 as was_in_roll_population_window_before,
        max(max_dpd_in_month) over (
            partition by line_id order by month_start_on
            rows between 1 following and {{ after_months }} following
        ) as worst_dpd_window_after,
        -- score performance: worst DPD in the bad-definition horizon after the month
        max(max_dpd_in_month) over (
            partition by line_id order by month_start_on
            rows between 1 following and {{ bad_months }} following
        ) as worst_dpd_bad_horizon,
        coalesce(
            lead(charged_off_principal_amount, {{ bad_months }}) over line_timeline,
            max(charged_off_principal_amount) over (partition by line_id)
        ) - charged_off_principal_amount as charged_off_bad_horizon_amount,
        -- limit actions: the month-ends before the month and after it
        avg(utilization_rate) over (
            partition by line_id order by month_start_on
            rows between {{ action_months }} preceding and 1 preceding
        ) as avg_utilization_action_before,
        avg(utilization_rate) over (
            partition by line_id order by month_start_on
            rows between 1 following and {{ action_months }} following
        ) as avg_utilization_action_after,
        max(max_dpd_in_month) over (
            partition by line_id order by month_start_on
            rows between {{ action_months }} preceding and 1 preceding
        ) as worst_dpd_action_before,
        max(max_dpd_in_month) over (
            partition by line_id order by month_start_on
            rows between 1 following and {{ action_months }} following
        ) as worst_dpd_action_after,
        max(case when line_status = 'closed' then 1 else 0 end) over (
            partition by line_id order by month_start_on
            rows between {{ action_months }} preceding and 1 preceding
        ) as was_closed_action_before,
        max(case when line_status = 'closed' then 1 else 0 end) over (
            partition by line_id order by month_start_on
            rows between 1 following and {{ action_months }} following
        ) as was_closed_action_after
    from with_segment
    window line_timeline as (partition by line_id order by month_start_on)
),

-- window sizes by arithmetic: a line's months run without gaps from its opening month to the
-- as-of month, so the months in a window are bounded by months on book and by the last
-- complete month (cheaper than counting rows in more window frames)
with_window_sizes as (
    select
        windowed.*,
        least(windowed.months_on_book + 1, {{ before_months }}) as months_in_window_before,
        least(windowed.months_on_book, {{ action_months }}) as months_action_before,
        {%- for name, size in [('complete_months_window_after', after_months),
                               ('complete_months_bad_horizon', bad_months),
                               ('complete_months_action_after', action_months)] %}
        greatest(0, least({{ size }}, {{ dbt.datediff(
            'windowed.month_start_on', 'last_complete_month.month_start_on', 'month'
        ) }}))
            as {{ name }}{{ ',' if not loop.last }}{% endfor %}
    from windowed
    cross join last_complete_month
),

final as (
    select
        *,
        outstanding_principal_amount > 0 as is_receivable,
        line_status in ('open', 'frozen') and (
            outstanding_principal_amount > 0
            or coalesce(last_drawn_on > {{ dbt.dateadd(
                'month', -var('risk_active_lookback_months'), 'snapshot_on'
            ) }}, false)
        ) as is_active
    from with_window_sizes
)

select * from final
