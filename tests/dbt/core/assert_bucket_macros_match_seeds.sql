-- The dpd_bucket and score_band macros agree with the reference seeds at every boundary.
with dpd_bounds as (
    select dpd_bucket, min_dpd as days from {{ ref('dpd_buckets') }}
    union all
    select dpd_bucket, least(max_dpd, 100000) from {{ ref('dpd_buckets') }}
),

score_bounds as (
    select score_band, min_score as score from {{ ref('score_bands') }}
    union all
    select score_band, max_score from {{ ref('score_bands') }}
)

select 'dpd' as kind, dpd_bucket as expected, {{ dpd_bucket('days') }} as got
from dpd_bounds
where {{ dpd_bucket('days') }} <> dpd_bucket
union all
select 'score', score_band, {{ score_band('score') }}
from score_bounds
where {{ score_band('score') }} <> score_band
