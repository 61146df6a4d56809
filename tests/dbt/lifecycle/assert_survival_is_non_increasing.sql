-- Within each group of mart_reopen_survival, S(t) never rises, the number at risk never
-- rises, and the risk set shrinks exactly by the reopenings and censorings of the previous
-- time.
with curve as (
    select
        *,
        lag(survival_rate) over group_times as previous_survival_rate,
        lag(at_risk_count) over group_times as previous_at_risk_count,
        lag(reopened_count + censored_count) over group_times as previous_leaving_count
    from {{ ref('mart_reopen_survival') }}
    window group_times as (partition by group_type, group_value order by time_to_reopen_days)
)

select *
from curve
where
    survival_rate > previous_survival_rate
    or at_risk_count > previous_at_risk_count
    or at_risk_count <> previous_at_risk_count - previous_leaving_count
