-- One row per observation of the reopen-outcome comparison, followed after its index date:
-- every reopening (cohort 'reopened', index date = the reopening date) and every line-month
-- of a line open and current (0 DPD) at a complete month-end, never closed by then, in the
-- same matching cell (product x score band x months-on-book band x calendar month) as at
-- least one reopening (cohort 'never_closed', index date = that month-end). Outcomes: 30+
-- DPD (more than 30) on some day within var('lifecycle_outcome_short_months') and
-- var('lifecycle_outcome_long_months') months, and a closure within the long horizon; each
-- is known (is_*_observable) only once index date + horizon is on or before the as-of date.
-- mart_reopen_outcomes aggregates these rows per segment, with lines as clusters.
{%- set outcomes = [
    {'name': 'dpd30_6m', 'months': var('lifecycle_outcome_short_months'), 'event': 'first_dpd30_on'},
    {'name': 'dpd30_12m', 'months': var('lifecycle_outcome_long_months'), 'event': 'first_dpd30_on'},
    {'name': 'closed_12m', 'months': var('lifecycle_outcome_long_months'), 'event': 'first_closed_on'},
] %}
with episodes as (
    select * from {{ ref('fct_closure_episodes') }}
),

line_months as (
    select * from {{ ref('fct_line_months') }}
),

limit_events as (
    select * from {{ ref('fct_limit_events') }}
),

overdue_spells as (
    select * from {{ ref('int_overdue_spells_bounded') }}
),

reopenings as (
    select
        episodes.closure_episode_id as observation_id,
        'reopened' as cohort,
        episodes.line_id,
        episodes.reopened_on as index_on,
        line_months.month_start_on as index_month_on,
        line_months.product_code,
        coalesce(line_months.score_band, 'unscored') as score_band,
        {{ months_on_book_band('line_months.months_on_book') }} as mob_band,
        episodes.closure_reason_category,
        episodes.reopen_reason_category
    from episodes
    inner join line_months
        on episodes.line_id = line_months.line_id
        and line_months.month_start_on = cast(
            {{ dbt.date_trunc('month', 'episodes.reopened_on') }} as date
        )
    where episodes.is_reopened
),

first_closures as (
    select
        line_id,
        min(event_on) as first_closed_on
    from limit_events
    where event_type = 'close'
    group by line_id
),

comparables as (
    select
        line_months.line_month_id as observation_id,
        'never_closed' as cohort,
        line_months.line_id,
        line_months.snapshot_on as index_on,
        line_months.month_start_on as index_month_on,
        line_months.product_code,
        coalesce(line_months.score_band, 'unscored') as score_band,
        {{ months_on_book_band('line_months.months_on_book') }} as mob_band,
        cast(null as {{ dbt.type_string() }}) as closure_reason_category,
        cast(null as {{ dbt.type_string() }}) as reopen_reason_category
    from line_months
    left join first_closures on line_months.line_id = first_closures.line_id
    where
        line_months.line_status = 'open'
        and line_months.dpd_month_end = 0
        and line_months.is_month_complete
        and (
            first_closures.first_closed_on is null
            or first_closures.first_closed_on > line_months.snapshot_on
        )
),

observations as (
    select * from reopenings

    union all

    select comparables.*
    from comparables
    where
        exists (
            select 1 from reopenings
            where
                reopenings.product_code = comparables.product_code
                and reopenings.score_band = comparables.score_band
                and reopenings.mob_band = comparables.mob_band
                and reopenings.index_month_on = comparables.index_month_on
        )
),

-- first day on or after the index date with the line 30+ DPD (DPD only grows within a
-- spell, so a spell reaches 30+ when it is 30+ on its last day), and first closure after it
first_dpd30 as (
    select
        observations.observation_id,
        observations.cohort,
        min(greatest(
            overdue_spells.spell_start_on,
            {{ first_day_dpd_30_plus('overdue_spells.due_on') }},
            observations.index_on
        )) as first_dpd30_on
    from observations
    inner join overdue_spells
        on observations.line_id = overdue_spells.line_id
        and overdue_spells.spell_end_on >= observations.index_on
    where {{ is_dpd_30_plus(days_between('overdue_spells.due_on', 'overdue_spells.spell_end_on')) }}
    group by observations.observation_id, observations.cohort
),

next_closures as (
    select
        observations.observation_id,
        observations.cohort,
        min(limit_events.event_on) as first_closed_on
    from observations
    inner join limit_events
        on observations.line_id = limit_events.line_id
        and limit_events.event_type = 'close'
        and limit_events.event_on > observations.index_on
    group by observations.observation_id, observations.cohort
),

final as (
    select
        -- ids
        observations.observation_id,
        observations.cohort,
        observations.line_id,
        -- index date and matching cell
        observations.index_on,
        observations.index_month_on,
        observations.product_code,
        observations.score_band,
        observations.mob_band,
        -- reopenings only
        observations.closure_reason_category,
        observations.reopen_reason_category,
        -- outcomes
        first_dpd30.first_dpd30_on,
        next_closures.first_closed_on,
        {%- for outcome in outcomes %}
        {%- set horizon_end = dbt.dateadd('month', outcome.months, 'observations.index_on') %}
        cast({{ horizon_end }} as date) <= {{ as_of_date() }} as is_{{ outcome.name }}_observable,
        case
            when cast({{ horizon_end }} as date) <= {{ as_of_date() }}
                then coalesce({{ outcome.event }} <= cast({{ horizon_end }} as date), false)
        end as has_{{ outcome.name }}{{ ',' if not loop.last }}{% endfor %}
    from observations
    left join first_dpd30
        on observations.observation_id = first_dpd30.observation_id
        and observations.cohort = first_dpd30.cohort
    left join next_closures
        on observations.observation_id = next_closures.observation_id
        and observations.cohort = next_closures.cohort
)

select * from final
