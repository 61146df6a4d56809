-- Pauses: how long a freeze lasts by reason (Kaplan–Meier median days to unfreeze, closures
-- censored), and what follows an unfreeze against a closure for the same reason (30+ DPD
-- within 6 and 12 months), one line per reason category and horizon.
with survival as (
    select * from {{ ref('mart_freeze_survival') }}
),

freeze_outcomes as (
    select * from {{ ref('mart_freeze_outcomes') }}
),

medians as (
    select
        reason_category,
        max(at_risk_count) as freezes_count,
        max(median_days_to_unfreeze) as median_days_to_unfreeze
    from survival
    group by reason_category
),

outcomes as (
    select
        reason_category,
        horizon_months,
        max(case when cohort = 'unfrozen' then lines_count end) as unfrozen_count,
        max(case when cohort = 'unfrozen' then dpd30_rate end) as unfrozen_dpd30_rate,
        max(case when cohort = 'unfrozen' then closed_rate end) as unfrozen_closed_rate,
        max(case when cohort = 'closed_same_reason' then lines_count end) as closed_count,
        max(case when cohort = 'closed_same_reason' then dpd30_rate end) as closed_dpd30_rate
    from freeze_outcomes
    group by reason_category, horizon_months
)

select
    outcomes.reason_category,
    medians.freezes_count,
    medians.median_days_to_unfreeze,
    outcomes.horizon_months,
    outcomes.unfrozen_count,
    round(outcomes.unfrozen_dpd30_rate, 3) as unfrozen_dpd30_rate,
    round(outcomes.unfrozen_closed_rate, 3) as unfrozen_closed_rate,
    outcomes.closed_count,
    round(outcomes.closed_dpd30_rate, 3) as closed_dpd30_rate
from outcomes
left join medians on outcomes.reason_category = medians.reason_category
order by outcomes.reason_category, outcomes.horizon_months
