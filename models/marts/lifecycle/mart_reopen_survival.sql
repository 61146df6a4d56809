-- Kaplan–Meier curves of time to reopen (days from the closure to the reopening; an episode
-- not reopened by the as-of date is censored then), one per group (all closures, reason
-- category, score band at closure, clean vs not clean): one row per group per distinct
-- observed time, with the risk set, events, censorings, S(t), its Greenwood variance and a
-- 95% log-log interval, and the group's median time to reopen. Values rounded to 6 places.
with grouped_episodes as (
    select * from {{ ref('int_closure_episodes_grouped') }}
),

curves as (
    {{ kaplan_meier(
        relation='grouped_episodes',
        group_by=['group_type', 'group_value'],
        duration='time_to_reopen_days',
        event='is_reopened'
    ) }}
),

final as (
    select
        -- keys
        group_type,
        group_value,
        time_value as time_to_reopen_days,
        -- risk set
        at_risk_count,
        event_count as reopened_count,
        censored_count,
        -- estimate
        round(survival, 6) as survival_rate,
        round(1 - survival, 6) as reopened_rate,
        round(greenwood_variance, 6) as greenwood_variance,
        round(survival_lower, 6) as survival_lower,
        round(survival_upper, 6) as survival_upper,
        median_time as median_time_to_reopen_days
    from curves
)

select * from final
