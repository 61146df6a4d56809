-- Kaplan–Meier time to reopen for the factors that change after a closure (arrears repaid,
-- score back at the score at closure), as a time-dependent split: a closure is counted in
-- the factor's "true" group from the day the factor turned true (origin 'factor_day'), if
-- it was still closed that day, and in its "not yet" group from the closure day until that
-- day (origin 'closure', censored when the factor turns true). No closure is ever credited
-- with a future it had not reached. Closures without arrears at the closure are one more
-- group, counted from the closure. One row per group per distinct observed time; values
-- rounded to 6 places as in mart_reopen_survival. Definitions: docs reopen_driver_survival.
with factors as (
    select * from {{ ref('int_closure_factors_dated') }}
),

-- the last day each closure is observed closed: its reopening or the as-of date
ends as (
    select
        *,
        coalesce(reopened_on, as_of_on) as end_on
    from factors
),

spells as (
    -- arrears repaid: from the repayment day, among closures still closed that day
    select
        'arrears_repaid' as factor,
        'repaid' as factor_level,
        'factor_day' as origin,
        {{ days_between('arrears_repaid_on', 'end_on') }} as days_from_origin,
        is_reopened
    from ends
    where
        is_in_arrears_at_closure
        and arrears_repaid_on <= end_on

    union all

    -- still in arrears: from the closure day, censored on the repayment day
    select
        'arrears_repaid',
        'not_yet_repaid',
        'closure',
        {{ days_between('closed_on', 'coalesce(least(end_on, arrears_repaid_on), end_on)') }},
        coalesce(is_reopened and reopened_on < arrears_repaid_on, is_reopened)
    from ends
    where is_in_arrears_at_closure

    union all

    select
        'arrears_repaid',
        'no_arrears_at_closure',
        'closure',
        time_to_reopen_days,
        is_reopened
    from ends
    where not is_in_arrears_at_closure

    union all

    -- score back: from the first day scored at or above the score at closure
    select
        'score_back',
        'back',
        'factor_day',
        {{ days_between('score_back_on', 'end_on') }},
        is_reopened
    from ends
    where score_back_on <= end_on

    union all

    -- not back yet: from the closure day, censored on the day the score is back
    select
        'score_back',
        'not_yet_back',
        'closure',
        {{ days_between('closed_on', 'coalesce(least(end_on, score_back_on), end_on)') }},
        coalesce(is_reopened and reopened_on < score_back_on, is_reopened)
    from ends
    where score_at_closure is not null
),

curves as (
    {{ kaplan_meier(
        relation='spells',
        group_by=['factor', 'factor_level', 'origin'],
        duration='days_from_origin',
        event='is_reopened'
    ) }}
),

final as (
    select
        -- keys
        factor,
        factor_level,
        origin,
        time_value as days_from_origin,
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
        median_time as median_days_to_reopen
    from curves
)

select * from final
