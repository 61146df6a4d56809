-- Clean closures (never 1+ DPD on any product before the closure) in the last full calendar
-- quarter before the as-of date, by closure reason and score band at closure, with the
-- share of all closures of that reason they make up. Question 1: who was closed anyway?
-- Run: creditline sql target/compiled/creditline/analyses/lifecycle_clean_closures_last_quarter.sql
with episodes as (
    select * from {{ ref('fct_closure_episodes') }}
),

last_quarter as (
    select
        cast({{ dbt.dateadd('month', -3, dbt.date_trunc('quarter', as_of_date())) }} as date)
            as quarter_start_on,
        cast({{ dbt.date_trunc('quarter', as_of_date()) }} as date) as next_quarter_start_on
),

in_quarter as (
    select episodes.*
    from episodes
    cross join last_quarter
    where
        episodes.closed_on >= last_quarter.quarter_start_on
        and episodes.closed_on < last_quarter.next_quarter_start_on
)

select
    closure_reason_category,
    coalesce(score_band_at_closure, 'unscored') as score_band_at_closure,
    count(*) as closures_count,
    count(case when is_clean_closure then 1 end) as clean_closures_count,
    round(avg(case when is_clean_closure then 1.0 else 0.0 end), 3) as clean_closure_rate,
    count(case when is_clean_closure and score_at_closure >= 600 then 1 end)
        as clean_good_score_closures_count
from in_quarter
group by 1, 2
order by clean_closures_count desc, closures_count desc
