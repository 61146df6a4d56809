-- One row per archetype (seeds/archetypes.csv, also those no customer matches): how common
-- it is and how it typically ends, over its candidates in mart_case_candidates, and which
-- customer its case study tells. Definitions in _cases__docs.md.
{%- set outcome_days = var('cases_outcome_window_days') | int %}
with archetypes as (
    select * from {{ ref('archetypes') }}
),

candidates as (
    select * from {{ ref('mart_case_candidates') }}
),

limit_events as (
    select * from {{ ref('fct_limit_events') }}
),

-- the population each archetype is a share of: customers with a closure on or before the
-- as-of date, or (paused_then_restored) customers with a freeze
populations as (
    select
        'closed_customers' as population_code,
        count(distinct customer_id) as population_count
    from limit_events
    where event_type = 'close'

    union all

    select
        'frozen_customers',
        count(distinct customer_id)
    from limit_events
    where event_type = 'freeze'
),

candidate_summary as (
    select
        archetype,
        count(*) as candidate_count,
        count(case when is_restored then 1 end) as restored_count,
        {{ median_of('days_to_restore') }} as median_days_to_restore,
        count(is_closed_within_window_after_restore) as closed_again_observed_count,
        count(case when is_closed_within_window_after_restore then 1 end) as closed_again_count,
        avg(fit_score) as mean_fit_score
    from candidates
    group by archetype
),

chosen as (
    select
        archetype,
        customer_key as chosen_customer_key,
        fit_score as chosen_fit_score
    from candidates
    where is_chosen
),

final as (
    select
        -- ids
        archetypes.archetype,
        archetypes.label_en,
        archetypes.label_zh,
        -- how common
        coalesce(candidate_summary.candidate_count, 0) as candidate_count,
        populations.population_code,
        populations.population_count,
        {{ safe_ratio('coalesce(candidate_summary.candidate_count, 0)',
                      'populations.population_count') }} as candidate_share,
        -- typical outcome
        coalesce(candidate_summary.restored_count, 0) as restored_count,
        {{ safe_ratio('candidate_summary.restored_count', 'candidate_summary.candidate_count') }}
            as restored_rate,
        candidate_summary.median_days_to_restore,
        coalesce(candidate_summary.closed_again_observed_count, 0) as closed_again_observed_count,
        coalesce(candidate_summary.closed_again_count, 0) as closed_again_count,
        {{ safe_ratio('candidate_summary.closed_again_count',
                      'candidate_summary.closed_again_observed_count') }} as closed_again_rate,
        {{ outcome_days }} as outcome_window_days,
        candidate_summary.mean_fit_score,
        -- the case study
        chosen.chosen_customer_key,
        chosen.chosen_fit_score
    from archetypes
    inner join populations
        on populations.population_code = case
            when archetypes.archetype = 'paused_then_restored' then 'frozen_customers'
            else 'closed_customers'
        end
    left join candidate_summary on archetypes.archetype = candidate_summary.archetype
    left join chosen on archetypes.archetype = chosen.archetype
)

select * from final
