-- The limit on the way back: the quartiles of the reopening limit over the limit before
-- the closure (and over the peak), by reopen reason, closure reason and score band; then
-- how the reopened lines' limits moved within 12 months.
with distribution as (
    select * from {{ ref('mart_reopen_limit_distribution') }}
),

limits as (
    select * from {{ ref('mart_reopen_limits') }}
),

paths as (
    select
        reopen_reason_category,
        count(*) as reopenings_followed_12m_count,
        round(avg(case when is_reclosed_within_12m then 1.0 else 0.0 end), 3)
            as reclosed_within_12m_rate,
        round(avg(case when increases_within_12m_count > 0 then 1.0 else 0.0 end), 3)
            as raised_within_12m_rate,
        round(avg(case when cuts_within_12m_count > 0 then 1.0 else 0.0 end), 3)
            as cut_within_12m_rate
    from limits
    where is_observed_12m
    group by 1
)

select
    distribution.segment_type,
    distribution.segment_value,
    distribution.measure,
    distribution.reopenings_count,
    distribution.p25_ratio,
    distribution.median_ratio,
    distribution.p75_ratio,
    paths.reopenings_followed_12m_count,
    paths.reclosed_within_12m_rate,
    paths.raised_within_12m_rate,
    paths.cut_within_12m_rate
from distribution
left join paths
    on distribution.segment_type = 'reopen_reason_category'
    and distribution.segment_value = paths.reopen_reason_category
where distribution.measure in ('reopen_to_prior', 'reopen_to_peak')
order by distribution.segment_type, distribution.segment_value, distribution.measure
