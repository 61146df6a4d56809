-- The DPD ladder macro (dpd_buckets) is the dpd_buckets seed row for row, and the dpd_bucket
-- and score_band macros agree with the reference seeds at every boundary.
with macro_ladder as (
    {%- for bucket in dpd_buckets() %}
    select
        '{{ bucket.dpd_bucket }}' as dpd_bucket,
        {{ bucket.bucket_order }} as bucket_order,
        {{ bucket.min_dpd }} as min_dpd,
        {{ bucket.max_dpd }} as max_dpd
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

seed_ladder as (
    select dpd_bucket, bucket_order, min_dpd, max_dpd from {{ ref('dpd_buckets') }}
),

seed_rows_not_in_macro as (
    select * from seed_ladder
    except
    select * from macro_ladder
),

macro_rows_not_in_seed as (
    select * from macro_ladder
    except
    select * from seed_ladder
),

dpd_bounds as (
    select dpd_bucket, min_dpd as days from {{ ref('dpd_buckets') }}
    union all
    select dpd_bucket, least(max_dpd, 100000) from {{ ref('dpd_buckets') }}
),

score_bounds as (
    select score_band, min_score as score from {{ ref('score_bands') }}
    union all
    select score_band, max_score from {{ ref('score_bands') }}
)

select
    'seed row not in dpd_buckets()' as kind,
    dpd_bucket as expected,
    cast(null as {{ dbt.type_string() }}) as got
from seed_rows_not_in_macro
union all
select 'dpd_buckets() row not in the seed', dpd_bucket, null
from macro_rows_not_in_seed
union all
select 'dpd', dpd_bucket, {{ dpd_bucket('days') }}
from dpd_bounds
where {{ dpd_bucket('days') }} <> dpd_bucket
union all
select 'score', score_band, {{ score_band('score') }}
from score_bounds
where {{ score_band('score') }} <> score_band
