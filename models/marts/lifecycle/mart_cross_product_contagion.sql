-- Linked products: for customers holding a CASH and a CONSUMER line, what a 30+ DPD episode
-- on one line is followed by on the other. measure 'action_after_delinquency': per episode
-- (day 0 = its missed due date), whether the other line, open or frozen before day 0, had a
-- limit cut, a freeze or a closure within horizon_days (vars
-- lifecycle_contagion_action_horizons_days); the other_current_ columns restrict it to
-- episodes whose other line was not itself in arrears at the month-end review.
-- measure 'other_line_roll': the other line's 30+ DPD within horizon_days
-- (lifecycle_contagion_roll_horizons_days), against comparison line-months in the same month
-- and trigger product whose first line stayed current. Counts, rates, 95% Wilson intervals
-- (rounded to 6 places).
-- Definitions: _lifecycle__docs.md (cross_product_contagion).
{%- set action_horizons = var('lifecycle_contagion_action_horizons_days') %}
{%- set roll_horizons = var('lifecycle_contagion_roll_horizons_days') %}
{%- set never = 999999 %}
with episodes as (
    select * from {{ ref('int_contagion_episodes_followed') }}
),

comparisons as (
    select * from {{ ref('int_contagion_comparisons_followed') }}
),

action_horizons as (
    {%- for days in action_horizons %}
    select {{ days }} as horizon_days{% if not loop.last %} union all{% endif %}
    {%- endfor %}
),

roll_horizons as (
    {%- for days in roll_horizons %}
    select {{ days }} as horizon_days{% if not loop.last %} union all{% endif %}
    {%- endfor %}
),

action_types as (
    select 'any' as action_type
    union all
    select 'decrease'
    union all
    select 'freeze'
    union all
    select 'close'
),

trigger_products as (
    select distinct product_code, product_code as trigger_product from episodes
    union all
    select distinct product_code, 'all' from episodes
),

-- days from day 0 to the other line's first action of each type ({{ never }} = none)
episode_actions as (
    select
        product_code,
        follow_up_days,
        is_other_line_current_at_review,
        coalesce(days_to_other_decrease, {{ never }}) as days_to_decrease,
        coalesce(days_to_other_freeze, {{ never }}) as days_to_freeze,
        coalesce(days_to_other_close, {{ never }}) as days_to_close
    from episodes
    where is_other_line_live
),

action_days as (
    select
        episode_actions.product_code,
        episode_actions.follow_up_days,
        episode_actions.is_other_line_current_at_review,
        action_types.action_type,
        case action_types.action_type
            when 'decrease' then episode_actions.days_to_decrease
            when 'freeze' then episode_actions.days_to_freeze
            when 'close' then episode_actions.days_to_close
            else least(days_to_decrease, days_to_freeze, days_to_close)
        end as days_to_action
    from episode_actions
    cross join action_types
),

action_counts as (
    select
        trigger_products.trigger_product,
        action_horizons.horizon_days,
        action_days.action_type,
        count(case when action_days.follow_up_days >= action_horizons.horizon_days then 1 end)
            as population_count,
        count(case
            when action_days.follow_up_days >= action_horizons.horizon_days
                and action_days.days_to_action <= action_horizons.horizon_days
                then 1
        end) as event_count,
        count(case
            when action_days.follow_up_days >= action_horizons.horizon_days
                and action_days.is_other_line_current_at_review
                then 1
        end) as other_current_population_count,
        count(case
            when action_days.follow_up_days >= action_horizons.horizon_days
                and action_days.is_other_line_current_at_review
                and action_days.days_to_action <= action_horizons.horizon_days
                then 1
        end) as other_current_event_count
    from action_days
    inner join trigger_products on action_days.product_code = trigger_products.product_code
    cross join action_horizons
    group by 1, 2, 3
),

-- roll: episodes whose other line was open or frozen and current at the month-end before,
-- and comparison line-months, each followed horizon_days
roll_units as (
    select
        'episode' as unit_type,
        product_code,
        index_month_on,
        follow_up_days,
        days_to_other_dpd30
    from episodes
    where is_other_line_current_month_before

    union all

    select
        'comparison',
        product_code,
        index_month_on,
        follow_up_days,
        days_to_other_dpd30
    from comparisons
),

-- per matching cell (trigger product, month) and horizon
roll_cells as (
    select
        roll_units.product_code,
        roll_units.index_month_on,
        roll_horizons.horizon_days,
        count(case when roll_units.unit_type = 'episode' then 1 end) as episode_count,
        count(case
            when roll_units.unit_type = 'episode'
                and roll_units.days_to_other_dpd30 <= roll_horizons.horizon_days
                then 1
        end) as episode_event_count,
        count(case when roll_units.unit_type = 'comparison' then 1 end) as comparison_count,
        count(case
            when roll_units.unit_type = 'comparison'
                and roll_units.days_to_other_dpd30 <= roll_horizons.horizon_days
                then 1
        end) as comparison_event_count
    from roll_units
    cross join roll_horizons
    where roll_units.follow_up_days >= roll_horizons.horizon_days
    group by 1, 2, 3
),

-- comparisons count only in cells with an episode; the standardized rate weights each
-- cell's comparison rate by the cell's episodes
roll_counts as (
    select
        trigger_products.trigger_product,
        roll_cells.horizon_days,
        cast(sum(roll_cells.episode_count) as bigint) as population_count,
        cast(sum(roll_cells.episode_event_count) as bigint) as event_count,
        cast(sum(roll_cells.comparison_count) as bigint)
            as comparison_population_count,
        cast(sum(roll_cells.comparison_event_count) as bigint)
            as comparison_event_count,
        {{ safe_ratio(
            'sum(case when roll_cells.comparison_count > 0 then roll_cells.episode_count * '
            ~ safe_ratio('roll_cells.comparison_event_count', 'roll_cells.comparison_count')
            ~ ' end)',
            'sum(case when roll_cells.comparison_count > 0 then roll_cells.episode_count end)'
        ) }} as comparison_standardized_rate
    from roll_cells
    inner join trigger_products on roll_cells.product_code = trigger_products.product_code
    where roll_cells.episode_count > 0
    group by 1, 2
),

measures as (
    select
        'action_after_delinquency' as measure,
        trigger_product,
        horizon_days,
        action_type,
        population_count,
        event_count,
        other_current_population_count,
        other_current_event_count,
        cast(null as bigint) as comparison_population_count,
        cast(null as bigint) as comparison_event_count,
        cast(null as double) as comparison_standardized_rate
    from action_counts

    union all

    select
        'other_line_roll',
        trigger_product,
        horizon_days,
        'none',
        population_count,
        event_count,
        null,
        null,
        comparison_population_count,
        comparison_event_count,
        comparison_standardized_rate
    from roll_counts
),

final as (
    select
        -- keys
        measure,
        trigger_product,
        horizon_days,
        action_type,
        -- episodes followed horizon_days
        population_count,
        event_count,
        round({{ safe_ratio('event_count', 'population_count') }}, 6) as rate,
        round({{ wilson_interval('event_count', 'population_count', 'lower') }}, 6) as rate_lower,
        round({{ wilson_interval('event_count', 'population_count', 'upper') }}, 6) as rate_upper,
        -- action: the other line not itself in arrears at the review
        other_current_population_count,
        other_current_event_count,
        round({{ safe_ratio('other_current_event_count', 'other_current_population_count') }}, 6)
            as other_current_rate,
        round({{ wilson_interval('other_current_event_count', 'other_current_population_count',
                           'lower') }}, 6) as other_current_rate_lower,
        round({{ wilson_interval('other_current_event_count', 'other_current_population_count',
                           'upper') }}, 6) as other_current_rate_upper,
        -- roll: comparison line-months in the episodes' cells
        comparison_population_count,
        comparison_event_count,
        round({{ safe_ratio('comparison_event_count', 'comparison_population_count') }}, 6)
            as comparison_rate,
        round({{ wilson_interval('comparison_event_count', 'comparison_population_count',
                                 'lower') }}, 6) as comparison_rate_lower,
        round({{ wilson_interval('comparison_event_count', 'comparison_population_count',
                                 'upper') }}, 6) as comparison_rate_upper,
        round(comparison_standardized_rate, 6) as comparison_standardized_rate
    from measures
)

select * from final
