-- After a reopening versus comparable lines never closed. Observations: every reopening
-- (index date = the reopening date) and every line-month of a line that is open and current
-- (0 DPD) at a complete month-end and has never been closed by then (index date = that
-- month-end), in the
-- same matching cell as at least one reopening: product x score band at the month-end x
-- months-on-book band x calendar month. Outcomes after the index date: 30+ DPD on some day
-- within var('lifecycle_outcome_short_months') and var('lifecycle_outcome_long_months')
-- months, and a closure within the long horizon; an observation enters an outcome only once
-- its horizon has passed by the as-of date. One row per segment (all; product; score band;
-- months-on-book band; reason category of the closure before the reopening; reopen reason
-- category) per group (reopened, never_closed), with counts, rates, 95% Wilson intervals,
-- and for never_closed the rate standardized to the reopenings' mix of matching cells.
{%- set short = var('lifecycle_outcome_short_months') %}
{%- set long = var('lifecycle_outcome_long_months') %}
{%- set dpd_threshold = var('lifecycle_dpd_threshold') %}
{%- set outcomes = [
    {'name': 'dpd30_6m', 'months': short, 'event': 'first_dpd30_on'},
    {'name': 'dpd30_12m', 'months': long, 'event': 'first_dpd30_on'},
    {'name': 'closed_12m', 'months': long, 'event': 'first_closed_on'},
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
        and line_months.month_start_on
            = cast({{ dbt.date_trunc('month', 'episodes.reopened_on') }} as date)
    where episodes.is_reopened
),

reopening_segments as (
    {%- set segments = [
        ("'all'", "'all'"),
        ("'product_code'", 'product_code'),
        ("'score_band'", 'score_band'),
        ("'mob_band'", 'mob_band'),
        ("'closure_reason_category'", 'closure_reason_category'),
        ("'reopen_reason_category'", 'reopen_reason_category'),
    ] %}
    {%- for segment_type, segment_value in segments %}
    select
        observation_id,
        product_code,
        score_band,
        mob_band,
        index_month_on,
        {{ segment_type }} as segment_type,
        {{ segment_value }} as segment_value
    from reopenings
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

matching_cells as (
    select distinct
        product_code,
        score_band,
        mob_band,
        index_month_on,
        segment_type,
        segment_value
    from reopening_segments
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
        {{ months_on_book_band('line_months.months_on_book') }} as mob_band
    from line_months
    left join first_closures on line_months.line_id = first_closures.line_id
    where
        line_months.line_status = 'open'
        and line_months.dpd_month_end = 0
        and line_months.is_month_complete
        and (first_closures.first_closed_on is null
            or first_closures.first_closed_on > line_months.snapshot_on)
        and line_months.month_start_on in (select index_month_on from reopenings)
),

observations as (
    select observation_id, cohort, line_id, index_on, product_code, score_band, mob_band,
        index_month_on
    from reopenings

    union all

    select comparables.observation_id, comparables.cohort, comparables.line_id,
        comparables.index_on, comparables.product_code, comparables.score_band,
        comparables.mob_band, comparables.index_month_on
    from comparables
    where exists (
        select 1 from reopenings
        where reopenings.product_code = comparables.product_code
            and reopenings.score_band = comparables.score_band
            and reopenings.mob_band = comparables.mob_band
            and reopenings.index_month_on = comparables.index_month_on
    )
),

-- first day on or after the index date with the line 30+ DPD, and first closure after it
first_dpd30 as (
    select
        observations.observation_id,
        min(greatest(
            overdue_spells.spell_start_on,
            cast({{ dbt.dateadd('day', dpd_threshold, 'overdue_spells.due_on') }} as date),
            observations.index_on
        )) as first_dpd30_on
    from observations
    inner join overdue_spells
        on observations.line_id = overdue_spells.line_id
        and overdue_spells.spell_end_on >= observations.index_on
        and overdue_spells.spell_end_on
            >= cast({{ dbt.dateadd('day', dpd_threshold, 'overdue_spells.due_on') }} as date)
    group by observations.observation_id
),

next_closures as (
    select
        observations.observation_id,
        min(limit_events.event_on) as first_closed_on
    from observations
    inner join limit_events
        on observations.line_id = limit_events.line_id
        and limit_events.event_type = 'close'
        and limit_events.event_on > observations.index_on
    group by observations.observation_id
),

observed_outcomes as (
    select
        observations.*,
        {%- for outcome in outcomes %}
        cast({{ dbt.dateadd('month', outcome.months, 'observations.index_on') }} as date)
            <= {{ as_of_date() }} as is_{{ outcome.name }}_observable,
        case
            when cast({{ dbt.dateadd('month', outcome.months, 'observations.index_on') }} as date)
                <= {{ as_of_date() }}
                then coalesce({{ outcome.event }}
                    <= cast({{ dbt.dateadd('month', outcome.months, 'observations.index_on') }} as date),
                    false)
        end as has_{{ outcome.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from observations
    left join first_dpd30 on observations.observation_id = first_dpd30.observation_id
    left join next_closures on observations.observation_id = next_closures.observation_id
),

segmented as (
    select
        reopening_segments.segment_type,
        reopening_segments.segment_value,
        observed_outcomes.*
    from observed_outcomes
    inner join reopening_segments
        on observed_outcomes.observation_id = reopening_segments.observation_id
    where observed_outcomes.cohort = 'reopened'

    union all

    select
        matching_cells.segment_type,
        matching_cells.segment_value,
        observed_outcomes.*
    from observed_outcomes
    inner join matching_cells
        on observed_outcomes.product_code = matching_cells.product_code
        and observed_outcomes.score_band = matching_cells.score_band
        and observed_outcomes.mob_band = matching_cells.mob_band
        and observed_outcomes.index_month_on = matching_cells.index_month_on
    where observed_outcomes.cohort = 'never_closed'
),

-- per segment and matching cell, for the standardized comparable rates
cell_rates as (
    select
        segment_type,
        segment_value,
        product_code,
        score_band,
        mob_band,
        index_month_on,
        {%- for outcome in outcomes %}
        count(case when cohort = 'reopened' and is_{{ outcome.name }}_observable then 1 end)
            as reopened_{{ outcome.name }}_observed_count,
        count(case when cohort = 'never_closed' and is_{{ outcome.name }}_observable then 1 end)
            as comparable_{{ outcome.name }}_observed_count,
        count(case when cohort = 'never_closed' and has_{{ outcome.name }} then 1 end)
            as comparable_{{ outcome.name }}_count{{ ',' if not loop.last }}
        {%- endfor %}
    from segmented
    group by 1, 2, 3, 4, 5, 6
),

standardized as (
    select
        segment_type,
        segment_value,
        'never_closed' as cohort,
        {%- for outcome in outcomes %}
        sum(case
            when comparable_{{ outcome.name }}_observed_count > 0
                then reopened_{{ outcome.name }}_observed_count
                    * {{ to_double('comparable_' ~ outcome.name ~ '_count') }}
                    / comparable_{{ outcome.name }}_observed_count
        end)
        / nullif(sum(case
            when comparable_{{ outcome.name }}_observed_count > 0
                then reopened_{{ outcome.name }}_observed_count
        end), 0) as {{ outcome.name }}_standardized_rate{{ ',' if not loop.last }}
        {%- endfor %}
    from cell_rates
    group by 1, 2
),

aggregated as (
    select
        segment_type,
        segment_value,
        cohort,
        count(*) as observations_count,
        count(distinct line_id) as lines_count,
        {%- for outcome in outcomes %}
        count(case when is_{{ outcome.name }}_observable then 1 end)
            as {{ outcome.name }}_observed_count,
        count(case when has_{{ outcome.name }} then 1 end) as {{ outcome.name }}_count
        {{- ',' if not loop.last }}
        {%- endfor %}
    from segmented
    group by 1, 2, 3
),

final as (
    select
        -- keys
        aggregated.segment_type,
        aggregated.segment_value,
        aggregated.cohort,
        -- population
        aggregated.observations_count,
        aggregated.lines_count,
        {%- for outcome in outcomes %}
        -- {{ outcome.name }}
        aggregated.{{ outcome.name }}_observed_count,
        aggregated.{{ outcome.name }}_count,
        case
            when aggregated.{{ outcome.name }}_observed_count > 0
                then {{ to_double('aggregated.' ~ outcome.name ~ '_count') }}
                    / aggregated.{{ outcome.name }}_observed_count
        end as {{ outcome.name }}_rate,
        {{ wilson_interval('aggregated.' ~ outcome.name ~ '_count',
                           'aggregated.' ~ outcome.name ~ '_observed_count', 'lower') }}
            as {{ outcome.name }}_rate_lower,
        {{ wilson_interval('aggregated.' ~ outcome.name ~ '_count',
                           'aggregated.' ~ outcome.name ~ '_observed_count', 'upper') }}
            as {{ outcome.name }}_rate_upper,
        standardized.{{ outcome.name }}_standardized_rate{{ ',' if not loop.last }}
        {%- endfor %}
    from aggregated
    left join standardized
        on aggregated.segment_type = standardized.segment_type
        and aggregated.segment_value = standardized.segment_value
        and aggregated.cohort = standardized.cohort
)

select * from final
