-- One line per survival group: closures, reopenings, the Kaplan–Meier median time to
-- reopen (null when fewer than half reopen within the data) and the share reopened by
-- 90 and 365 days read off the curve (1 - S at the last time on or before the horizon).
with survival as (
    select * from {{ ref('mart_reopen_survival') }}
),

by_group as (
    select
        group_type,
        group_value,
        max(at_risk_count) as closures_count,
        sum(reopened_count) as reopened_count,
        max(median_time_to_reopen_days) as median_time_to_reopen_days,
        coalesce(min(case when time_to_reopen_days <= 90 then survival_rate end), 1)
            as survival_90d,
        coalesce(min(case when time_to_reopen_days <= 365 then survival_rate end), 1)
            as survival_365d
    from survival
    group by 1, 2
)

select
    group_type,
    group_value,
    closures_count,
    reopened_count,
    median_time_to_reopen_days,
    round(1 - survival_90d, 3) as reopened_by_90d_rate,
    round(1 - survival_365d, 3) as reopened_by_365d_rate
from by_group
order by group_type, closures_count desc
