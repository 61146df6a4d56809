-- The window roll-rate table risk modellers use to choose the bad definition (滚动率分析):
-- observation month x worst bucket in the months up to it (var risk_roll_window_before_months,
-- observation month included) x worst bucket in the months after it (var
-- risk_roll_window_after_months), with each cell's share of its row. "Worst" is the worst DPD
-- reached on any day (max_dpd_in_month); a write-off in the after-window counts at the DPD it
-- was written off at. Population (risk_window_roll_rate): lines not written off at the
-- observation month-end that were in the roll population at some month-end of the look-back
-- window, whatever they do after (lines that cure, pay up and close stay in), with the full
-- window before (on book that long) and the full window after observed; other months are absent.
with line_months as (
    select * from {{ ref('int_line_months_windowed') }}
),

observations as (
    select
        month_start_on as observation_month_on,
        {{ dpd_bucket('worst_dpd_window_before') }} as worst_bucket_before,
        {{ dpd_bucket('worst_dpd_window_after') }} as worst_bucket_after
    from line_months
    where
        not is_written_off
        and was_in_roll_population_window_before
        and is_month_complete
        and months_in_window_before = {{ var('risk_roll_window_before_months') }}
        and complete_months_window_after = {{ var('risk_roll_window_after_months') }}
),

counted as (
    select
        observation_month_on,
        worst_bucket_before,
        worst_bucket_after,
        count(*) as line_count
    from observations
    group by 1, 2, 3
),

final as (
    select
        -- keys
        observation_month_on,
        worst_bucket_before,
        worst_bucket_after,
        -- counts and shares of the row
        line_count,
        sum(line_count) over row_total as row_line_count,
        {{ safe_ratio('line_count', 'sum(line_count) over row_total') }} as row_share,
        -- share of the row at least as bad after as the row's bucket (rolled or stayed)
        worst_bucket_after >= worst_bucket_before as is_same_or_worse
    from counted
    window row_total as (partition by observation_month_on, worst_bucket_before)
)

select * from final
