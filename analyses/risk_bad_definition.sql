-- Choosing the bad definition from the window roll-rate table (滚动率分析), all observation
-- months pooled: for each worst bucket in the 6 months up to the observation month, the share
-- of lines whose worst bucket in the next 12 months is the same or worse, reaches 90+ (M4+),
-- or stays clean (M0). The bad definition sits at the lowest bucket from which lines
-- practically never come back (same-or-worse near 100%, clean near 0%).
with windows as (
    select * from {{ ref('mart_roll_rate_windows') }}
)

select
    worst_bucket_before,
    sum(line_count) as line_count,
    sum(case when is_same_or_worse then line_count else 0 end) * 1.0 / sum(line_count)
        as same_or_worse_share,
    sum(case when worst_bucket_after >= 'M4' then line_count else 0 end) * 1.0 / sum(line_count)
        as reached_90_plus_share,
    sum(case when worst_bucket_after = 'M0' then line_count else 0 end) * 1.0 / sum(line_count)
        as clean_after_share
from windows
group by worst_bucket_before
order by worst_bucket_before
