-- After a reopening versus comparable lines never closed, from the observations of
-- int_reopen_observations_followed (reopenings, and line-months of open, current lines never
-- closed in the same matching cell as a reopening). One row per segment (all; product; score
-- band; months-on-book band; reason category of the closure before the reopening; reopen
-- reason category) per group (reopened, never_closed), with counts, rates, 95% Wilson
-- intervals clustered by line (a line followed in several months, or reopened several times,
-- is one cluster: the interval uses n / design effect observations), and for never_closed
-- the rate standardized to the reopenings' mix of matching cells.
{%- set outcomes = ['dpd30_6m', 'dpd30_12m', 'closed_12m'] %}
{%- set segments = [
    ("'all'", "'all'"),
    ("'product_code'", 'product_code'),
    ("'score_band'", 'score_band'),
    ("'mob_band'", 'mob_band'),
    ("'closure_reason_category'", 'closure_reason_category'),
    ("'reopen_reason_category'", 'reopen_reason_category'),
] %}
{%- set keys = ['segment_type', 'segment_value', 'cohort'] %}
with observations as (
    select * from {{ ref('int_reopen_observations_followed') }}
),

reopening_segments as (
    {%- for segment_type, segment_value in segments %}
    select
        observation_id,
        product_code,
        score_band,
        mob_band,
        index_month_on,
        {{ segment_type }} as segment_type,
        {{ segment_value }} as segment_value
    from observations
    where cohort = 'reopened'
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

segmented as (
    select
        reopening_segments.segment_type,
        reopening_segments.segment_value,
        observations.*
    from observations
    inner join reopening_segments
        on observations.observation_id = reopening_segments.observation_id
    where observations.cohort = 'reopened'

    union all

    select
        matching_cells.segment_type,
        matching_cells.segment_value,
        observations.*
    from observations
    inner join matching_cells
        on observations.product_code = matching_cells.product_code
        and observations.score_band = matching_cells.score_band
        and observations.mob_band = matching_cells.mob_band
        and observations.index_month_on = matching_cells.index_month_on
    where observations.cohort = 'never_closed'
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
        count(case when cohort = 'reopened' and is_{{ outcome }}_observable then 1 end)
            as reopened_{{ outcome }}_observed_count,
        count(case when cohort = 'never_closed' and is_{{ outcome }}_observable then 1 end)
            as comparable_{{ outcome }}_observed_count,
        count(case when cohort = 'never_closed' and has_{{ outcome }} then 1 end)
            as comparable_{{ outcome }}_count{{ ',' if not loop.last }}{% endfor %}
    from segmented
    group by 1, 2, 3, 4, 5, 6
),

standardized as (
    select
        segment_type,
        segment_value,
        'never_closed' as cohort,
        {%- for outcome in outcomes %}
        {%- set reopened_observed = 'reopened_' ~ outcome ~ '_observed_count' %}
        {%- set comparable_observed = 'comparable_' ~ outcome ~ '_observed_count' %}
        {%- set comparable_rate = safe_ratio('comparable_' ~ outcome ~ '_count',
                                             comparable_observed) %}
        {#- each cell's never-closed rate, weighted by the cell's reopened observations #}
        {{ safe_ratio(
            'sum(' ~ reopened_observed ~ ' * ' ~ comparable_rate ~ ')',
            'sum(case when ' ~ comparable_observed ~ ' > 0 then ' ~ reopened_observed ~ ' end)'
        ) }} as {{ outcome }}_standardized_rate{{ ',' if not loop.last }}{% endfor %}
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
        count(case when is_{{ outcome }}_observable then 1 end) as {{ outcome }}_observed_count,
        count(case when has_{{ outcome }} then 1 end) as {{ outcome }}_count,
        count(distinct case when is_{{ outcome }}_observable then line_id end)
            as {{ outcome }}_observed_lines_count{{ ',' if not loop.last }}{% endfor %}
    from segmented
    group by 1, 2, 3
),

-- the clusters: per segment and group, one row per line
line_outcomes as (
    select
        segment_type,
        segment_value,
        cohort,
        line_id,
        {%- for outcome in outcomes %}
        count(case when is_{{ outcome }}_observable then 1 end) as {{ outcome }}_observed_count,
        count(case when has_{{ outcome }} then 1 end)
            as {{ outcome }}_count{{ ',' if not loop.last }}{% endfor %}
    from segmented
    group by 1, 2, 3, 4
),

-- per line i with n_i observed observations and k_i events, the residual k_i - p * n_i
-- around the group's rate p = k / n; their sum of squares gives the cluster-robust variance
cluster_residuals as (
    select
        {%- for key in keys %}
        line_outcomes.{{ key }},
        {%- endfor %}
        {%- for outcome in outcomes %}
        {%- set group_rate = safe_ratio('aggregated.' ~ outcome ~ '_count',
                                        'aggregated.' ~ outcome ~ '_observed_count') %}
        sum(power(
            line_outcomes.{{ outcome }}_count
            - {{ group_rate }} * line_outcomes.{{ outcome }}_observed_count,
            2
        )) as {{ outcome }}_residual_sum_of_squares{{ ',' if not loop.last }}{% endfor %}
    from line_outcomes
    inner join aggregated
        on line_outcomes.segment_type = aggregated.segment_type
        and line_outcomes.segment_value = aggregated.segment_value
        and line_outcomes.cohort = aggregated.cohort
    group by 1, 2, 3
),

-- design effect = cluster-robust variance of p / binomial variance of p
--   = sum (k_i - p n_i)^2 * n / (k (n - k)), at least 1; 1 when k is 0 or n (no variance to
-- adjust); n when the observations all come from one line (that line is one observation)
design_effects as (
    select
        {%- for key in keys %}
        aggregated.{{ key }},
        {%- endfor %}
        {%- for outcome in outcomes %}
        {%- set k = 'aggregated.' ~ outcome ~ '_count' %}
        {%- set n = 'aggregated.' ~ outcome ~ '_observed_count' %}
        case
            when {{ n }} = 0 then null
            when {{ k }} = 0 or {{ k }} = {{ n }} then 1.0
            when aggregated.{{ outcome }}_observed_lines_count = 1 then {{ to_double(n) }}
            else greatest(1.0, {{ safe_ratio(
                'cluster_residuals.' ~ outcome ~ '_residual_sum_of_squares * ' ~ n,
                k ~ ' * (' ~ n ~ ' - ' ~ k ~ ')'
            ) }})
        end as {{ outcome }}_design_effect{{ ',' if not loop.last }}{% endfor %}
    from aggregated
    inner join cluster_residuals
        on aggregated.segment_type = cluster_residuals.segment_type
        and aggregated.segment_value = cluster_residuals.segment_value
        and aggregated.cohort = cluster_residuals.cohort
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
        -- {{ outcome }}
        aggregated.{{ outcome }}_observed_count,
        aggregated.{{ outcome }}_count,
        {{ safe_ratio('aggregated.' ~ outcome ~ '_count',
                      'aggregated.' ~ outcome ~ '_observed_count') }} as {{ outcome }}_rate,
        design_effects.{{ outcome }}_design_effect,
        {%- set effective_events = safe_ratio('aggregated.' ~ outcome ~ '_count',
                                              'design_effects.' ~ outcome ~ '_design_effect') %}
        {%- set effective_trials = safe_ratio('aggregated.' ~ outcome ~ '_observed_count',
                                              'design_effects.' ~ outcome ~ '_design_effect') %}
        {{ wilson_interval(effective_events, effective_trials, 'lower') }}
            as {{ outcome }}_rate_lower,
        {{ wilson_interval(effective_events, effective_trials, 'upper') }}
            as {{ outcome }}_rate_upper,
        standardized.{{ outcome }}_standardized_rate{{ ',' if not loop.last }}{% endfor %}
    from aggregated
    inner join design_effects
        on aggregated.segment_type = design_effects.segment_type
        and aggregated.segment_value = design_effects.segment_value
        and aggregated.cohort = design_effects.cohort
    left join standardized
        on aggregated.segment_type = standardized.segment_type
        and aggregated.segment_value = standardized.segment_value
        and aggregated.cohort = standardized.cohort
)

select * from final
