-- Kaplan–Meier curves of time to unfreeze (days from the freeze to the unfreeze), one per
-- freeze reason category and one for all freezes: a cause-specific curve, in which an
-- episode ended by a closure is censored at the closure, as one still frozen at the as-of
-- date is censored then. One row per curve per distinct observed time, with the risk set,
-- unfreezes, censorings (and how many of them were closures), S(t), its Greenwood variance
-- and 95% log-log interval, and the curve's median days to unfreeze. Values rounded to 6
-- places. Definitions: _lifecycle__docs.md (freeze_survival).
with freeze_episodes as (
    select * from {{ ref('mart_freeze_episodes') }}
),

grouped_episodes as (
    select
        freeze_reason_category as reason_category,
        duration_days,
        end_type
    from freeze_episodes

    union all

    select
        'all',
        duration_days,
        end_type
    from freeze_episodes
),

curves as (
    {{ kaplan_meier(
        relation='grouped_episodes',
        group_by=['reason_category'],
        duration='duration_days',
        event="(end_type = 'unfrozen')"
    ) }}
),

closures as (
    select
        reason_category,
        duration_days,
        count(*) as closed_count
    from grouped_episodes
    where end_type = 'closed'
    group by reason_category, duration_days
),

final as (
    select
        -- keys
        curves.reason_category,
        curves.time_value as days_from_freeze,
        -- risk set
        curves.at_risk_count,
        curves.event_count as unfrozen_count,
        curves.censored_count,
        coalesce(closures.closed_count, 0) as closed_count,
        -- estimate
        round(curves.survival, 6) as survival_rate,
        round(1 - curves.survival, 6) as unfrozen_rate,
        round(curves.greenwood_variance, 6) as greenwood_variance,
        round(curves.survival_lower, 6) as survival_lower,
        round(curves.survival_upper, 6) as survival_upper,
        curves.median_time as median_days_to_unfreeze
    from curves
    left join closures
        on curves.reason_category = closures.reason_category
        and curves.time_value = closures.duration_days
)

select * from final
