-- What brings a line back: the reopen rate within 180 days of each factor level, with its
-- 95% Wilson interval and the gap to the factor's first level, and for the factors that
-- change after a closure the Kaplan–Meier share reopened within 180 days of the day the
-- factor turned true (or of the closure, while it was still false).
with drivers as (
    select * from {{ ref('mart_reopen_drivers') }}
    where horizon_days = 180
),

survival as (
    select * from {{ ref('mart_reopen_driver_survival') }}
),

first_levels as (
    select
        factor,
        reopened_rate as first_level_rate
    from drivers
    where factor_level_order = 1
),

survival_180d as (
    select
        factor,
        factor_level,
        origin,
        max(at_risk_count) as closures_count,
        round(1 - coalesce(min(case when days_from_origin <= 180 then survival_rate end), 1), 3)
            as reopened_by_180d_rate
    from survival
    group by 1, 2, 3
)

select
    drivers.factor,
    drivers.factor_level,
    drivers.origin,
    drivers.landmark_days,
    drivers.closures_count,
    drivers.reopened_count,
    round(drivers.reopened_rate, 3) as reopened_rate,
    round(drivers.reopened_rate_lower, 3) as reopened_rate_lower,
    round(drivers.reopened_rate_upper, 3) as reopened_rate_upper,
    round(drivers.reopened_rate - first_levels.first_level_rate, 3) as gap_to_first_level,
    survival_180d.reopened_by_180d_rate as km_reopened_by_180d_rate
from drivers
left join first_levels on drivers.factor = first_levels.factor
left join survival_180d
    on drivers.factor = survival_180d.factor
    and drivers.factor_level = survival_180d.factor_level
order by drivers.factor, drivers.factor_level_order
