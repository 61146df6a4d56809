-- What follows a pause, against a closure for the same reason: per freeze reason category
-- ('all' for every one) and horizon (var('lifecycle_outcome_short_months') and
-- var('lifecycle_outcome_long_months') months), the freeze episodes ended by an unfreeze
-- (cohort 'unfrozen', from the unfreeze date) and the closure episodes whose closure reason
-- category is a freeze reason category (cohort 'closed_same_reason', from the closure
-- date), each followed that long: the line 30+ DPD on some day, and for unfreezes the line
-- closed, within the horizon; counts, rates and 95% Wilson intervals (rounded to 6 places).
-- The closure outcome is null for closures (see freeze_outcomes_design).
{%- set horizons = [
    var('lifecycle_outcome_short_months'), var('lifecycle_outcome_long_months')
] %}
{%- set names = ['6m', '12m'] %}
with freeze_episodes as (
    select * from {{ ref('mart_freeze_episodes') }}
),

closure_episodes as (
    select * from {{ ref('fct_closure_episodes') }}
),

overdue_spells as (
    select * from {{ ref('int_overdue_spells_bounded') }}
),

freeze_reasons as (
    select distinct freeze_reason_category as reason_category from freeze_episodes
),

unfrozen as (
    {%- for months in horizons %}
    select
        freeze_reason_category as reason_category,
        {{ months }} as horizon_months,
        has_dpd30_within_{{ names[loop.index0] }} as has_dpd30,
        is_closed_within_{{ names[loop.index0] }} as is_closed
    from freeze_episodes
    where is_observed_{{ names[loop.index0] }}
    {%- if not loop.last %}

    union all
    {% endif %}
    {%- endfor %}
),

closures as (
    select
        closure_episodes.closure_episode_id,
        closure_episodes.line_id,
        closure_episodes.closure_reason_category as reason_category,
        closure_episodes.closed_on
    from closure_episodes
    inner join freeze_reasons
        on closure_episodes.closure_reason_category = freeze_reasons.reason_category
),

-- the closed line's first 30+ DPD day on or after the closure date
closure_dpd30 as (
    select
        closures.closure_episode_id,
        min(greatest(
            overdue_spells.spell_start_on,
            {{ first_day_dpd_30_plus('overdue_spells.due_on') }},
            closures.closed_on
        )) as first_dpd30_on
    from closures
    inner join overdue_spells
        on closures.line_id = overdue_spells.line_id
        and overdue_spells.spell_end_on >= closures.closed_on
    where {{ is_dpd_30_plus(
        days_between('overdue_spells.due_on', 'overdue_spells.spell_end_on')
    ) }}
    group by closures.closure_episode_id
),

closed_same_reason as (
    {%- for months in horizons %}
    {%- set horizon_end = 'cast(' ~ dbt.dateadd('month', months, 'closures.closed_on')
                          ~ ' as date)' %}
    select
        closures.reason_category,
        {{ months }} as horizon_months,
        coalesce(closure_dpd30.first_dpd30_on <= {{ horizon_end }}, false) as has_dpd30,
        cast(null as boolean) as is_closed
    from closures
    left join closure_dpd30 on closures.closure_episode_id = closure_dpd30.closure_episode_id
    where {{ horizon_end }} <= {{ as_of_date() }}
    {%- if not loop.last %}

    union all
    {% endif %}
    {%- endfor %}
),

observations as (
    select 'unfrozen' as cohort, reason_category, horizon_months, has_dpd30, is_closed
    from unfrozen
    union all
    select 'unfrozen', 'all', horizon_months, has_dpd30, is_closed from unfrozen
    union all
    select 'closed_same_reason', reason_category, horizon_months, has_dpd30, is_closed
    from closed_same_reason
    union all
    select 'closed_same_reason', 'all', horizon_months, has_dpd30, is_closed
    from closed_same_reason
),

aggregated as (
    select
        reason_category,
        cohort,
        horizon_months,
        count(*) as lines_count,
        count(case when has_dpd30 then 1 end) as dpd30_count,
        case when cohort = 'unfrozen' then count(case when is_closed then 1 end) end
            as closed_count
    from observations
    group by reason_category, cohort, horizon_months
),

final as (
    select
        -- keys
        reason_category,
        cohort,
        horizon_months,
        -- episodes followed horizon_months
        lines_count,
        -- 30+ DPD within the horizon
        dpd30_count,
        round({{ safe_ratio('dpd30_count', 'lines_count') }}, 6) as dpd30_rate,
        round({{ wilson_interval('dpd30_count', 'lines_count', 'lower') }}, 6) as dpd30_rate_lower,
        round({{ wilson_interval('dpd30_count', 'lines_count', 'upper') }}, 6) as dpd30_rate_upper,
        -- closed within the horizon (unfreezes only)
        closed_count,
        round({{ safe_ratio('closed_count', 'lines_count') }}, 6) as closed_rate,
        case
            when closed_count is not null
                then round({{ wilson_interval('closed_count', 'lines_count', 'lower') }}, 6)
        end as closed_rate_lower,
        case
            when closed_count is not null
                then round({{ wilson_interval('closed_count', 'lines_count', 'upper') }}, 6)
        end as closed_rate_upper
    from aggregated
)

select * from final
