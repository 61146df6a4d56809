-- A cohort's reopen count never falls as the horizon lengthens, and once a horizon is
-- unobservable every longer one is too.
with cohorts as (
    select
        *,
        lag(reopened_count) over cohort_horizons as previous_reopened_count,
        lag(is_horizon_observable) over cohort_horizons as previous_is_observable
    from {{ ref('mart_closure_cohorts') }}
    window cohort_horizons as (
        partition by closure_month_on, reason_category, score_band order by horizon_days
    )
)

select *
from cohorts
where
    reopened_count < previous_reopened_count
    or (is_horizon_observable and not previous_is_observable)
