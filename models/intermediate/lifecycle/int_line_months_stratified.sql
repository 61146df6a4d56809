-- One row per line-month: the matching stratum of the line at the month-end, shared by the
-- matched comparisons (mart_post_closure_credit_seeking, mart_closure_score_effect). Each
-- variable is coarsened into a band and the comparisons match exactly on the bands they
-- use (docs: matching_strata): product, score band at the month-end, score trend over the
-- previous var('lifecycle_matching_trend_months') months, the customer's worst DPD over the
-- var('lifecycle_matching_dpd_months') month-ends up to this one (any line), the line's
-- utilization at the previous month-end, and months on book.
{%- set trend_months = var('lifecycle_matching_trend_months') | int %}
{%- set dpd_months = var('lifecycle_matching_dpd_months') | int %}
with line_months as (
    select * from {{ ref('fct_line_months') }}
),

-- the customer's worst DPD in each month, on any line
customer_months as (
    select
        customer_id,
        month_start_on,
        max(max_dpd_in_month) as max_dpd_in_month
    from line_months
    group by customer_id, month_start_on
),

customer_dpd_history as (
    select
        customer_id,
        month_start_on,
        max(max_dpd_in_month) over (
            partition by customer_id order by month_start_on
            rows between {{ dpd_months - 1 }} preceding and current row
        ) as worst_dpd_recent
    from customer_months
),

-- a line's months are consecutive from its opening month, so a lag of k rows is k months
line_history as (
    select
        *,
        lag(score, {{ trend_months }}) over (
            partition by line_id order by month_start_on
        ) as score_months_before,
        lag(utilization_rate, 1) over (
            partition by line_id order by month_start_on
        ) as utilization_rate_previous_month_end
    from line_months
),

final as (
    select
        -- ids
        line_history.line_month_id,
        line_history.line_id,
        line_history.customer_id,
        -- the month
        line_history.month_start_on,
        line_history.snapshot_on,
        line_history.is_month_complete,
        line_history.line_status,
        -- values
        line_history.score,
        line_history.score_months_before,
        line_history.utilization_rate_previous_month_end,
        customer_dpd_history.worst_dpd_recent,
        -- the stratum
        line_history.product_code,
        coalesce({{ score_band('line_history.score') }}, 'unscored') as score_band,
        {{ score_trend_band('line_history.score - line_history.score_months_before') }}
            as score_trend_band,
        {{ dpd_history_band('customer_dpd_history.worst_dpd_recent') }} as dpd_history_band,
        {{ utilization_band('line_history.utilization_rate_previous_month_end') }}
            as utilization_band,
        {{ months_on_book_band('line_history.months_on_book') }} as mob_band
    from line_history
    inner join customer_dpd_history
        on line_history.customer_id = customer_dpd_history.customer_id
        and line_history.month_start_on = customer_dpd_history.month_start_on
)

select * from final
