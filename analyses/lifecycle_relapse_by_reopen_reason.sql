-- Reopened lines with a complete 365-day window after the reopening: how many were closed
-- again or went 30+ DPD within it, by reopen reason and by the reason of the closure
-- before. Is reopening after recovery safe, and after which kind of closure?
select
    reopen_reason_category,
    closure_reason_category,
    count(*) as reopened_count,
    count(case when is_reclosed_within_365d then 1 end) as reclosed_within_365d_count,
    count(case when has_dpd30_within_365d_after_reopen then 1 end) as dpd30_within_365d_count,
    round(avg(case when is_reclosed_within_365d then 1.0 else 0.0 end), 3)
        as reclosed_within_365d_rate,
    round(avg(case when has_dpd30_within_365d_after_reopen then 1.0 else 0.0 end), 3)
        as dpd30_within_365d_rate,
    round(avg(reopen_limit_ratio), 3) as mean_reopen_limit_ratio
from {{ ref('fct_closure_episodes') }}
where is_post_reopen_window_complete
group by 1, 2
order by reopened_count desc
