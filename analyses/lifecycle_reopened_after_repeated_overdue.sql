-- Customers whose line was reopened although they had three or more overdue episodes
-- before its closure (maximal runs of months with a 1+ DPD day, any line), with what
-- happened after the reopening. Candidates for the "reopened_then_reclosed" case study.
select
    customer_id,
    line_id,
    product_code,
    closure_seq,
    closed_on,
    closure_reason_code,
    overdue_episodes_before_closure,
    worst_dpd_12m_before_closure,
    score_at_closure,
    reopened_on,
    reopen_reason_code,
    time_to_reopen_days,
    reopen_limit_ratio,
    reclosed_on,
    is_reclosed_within_365d,
    has_dpd30_within_365d_after_reopen
from {{ ref('fct_closure_episodes') }}
where
    is_reopened
    and overdue_episodes_before_closure >= 3
order by overdue_episodes_before_closure desc, reopened_on
