-- One row per customer per month-end at which the customer is scored and in the score
-- performance population: holding an open or frozen line, and not already bad (no line more
-- than var risk_bad_dpd DPD at the month-end, and no line ever written off: is_written_off is
-- sticky, so a customer with any earlier write-off never re-enters as "not yet bad"). The
-- outcome is "bad" when any of the customer's lines goes more than risk_bad_dpd DPD on any
-- day, or has principal charged off, in the risk_bad_horizon_months months after the month;
-- it is known only when all of those months are complete (has_full_outcome_window), and null
-- otherwise.
with line_months as (
    select * from {{ ref('int_line_months_windowed') }}
),

customer_months as (
    select
        customer_id,
        month_start_on,
        min(case when is_month_complete then 1 else 0 end) = 1 as is_month_complete,
        max(score) as score,
        max(score_band) as score_band,
        count(case when line_status in ('open', 'frozen') then 1 end) as open_line_count,
        -- already bad: past risk_bad_dpd now, or written off at or before the month-end
        count(case
            when {{ past_due_over('dpd_month_end', var('risk_bad_dpd')) }} or is_written_off then 1
        end) as bad_line_count,
        count(case
            when {{ past_due_over('worst_dpd_bad_horizon', var('risk_bad_dpd')) }}
                or charged_off_bad_horizon_amount > 0
                then 1
        end) as bad_after_line_count,
        min(complete_months_bad_horizon) as complete_months_bad_horizon
    from line_months
    group by customer_id, month_start_on
),

final as (
    select
        -- keys
        customer_id,
        month_start_on as scoring_month_on,
        is_month_complete,
        -- the score at the month-end
        score,
        score_band,
        -- outcome
        complete_months_bad_horizon = {{ var('risk_bad_horizon_months') }}
            as has_full_outcome_window,
        case
            when complete_months_bad_horizon = {{ var('risk_bad_horizon_months') }}
                then bad_after_line_count > 0
        end as is_bad
    from customer_months
    where
        score is not null
        and open_line_count > 0
        and bad_line_count = 0
)

select * from final
