-- The distribution of the reopening limit ratios of mart_reopen_limits: quartiles
-- (continuous, linear interpolation) and mean of each ratio, for all reopenings and by
-- closure reason category, score band at closure and reopen reason category. A ratio that
-- is null for a reopening (no limit to compare with, or the 12 months not over) leaves it
-- out of that measure's figures. Values rounded to 6 places. Docs: reopen_limit_path.
{%- set segments = [
    ("'all'", "'all'"),
    ("'closure_reason_category'", 'closure_reason_category'),
    ("'score_band_at_closure'", 'score_band_at_closure'),
    ("'reopen_reason_category'", 'reopen_reason_category'),
] %}
{%- set measures = [
    ('reopen_to_prior', 'reopen_to_prior_limit_ratio'),
    ('reopen_to_peak', 'reopen_to_peak_limit_ratio'),
    ('limit_12m_to_reopen', 'limit_12m_to_reopen_ratio'),
] %}
with reopenings as (
    select * from {{ ref('mart_reopen_limits') }}
),

measured as (
    {%- for segment_type, segment_value in segments %}
    {%- set outer_loop = loop %}
    {%- for measure, column in measures %}
    select
        {{ segment_type }} as segment_type,
        {{ segment_value }} as segment_value,
        '{{ measure }}' as measure,
        {{ column }} as ratio
    from reopenings
    where {{ column }} is not null
    {%- if not (outer_loop.last and loop.last) %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endfor %}
),

final as (
    select
        -- keys
        segment_type,
        segment_value,
        measure,
        -- the distribution
        count(*) as reopenings_count,
        round({{ quantile_of('ratio', 0.25) }}, 6) as p25_ratio,
        round({{ quantile_of('ratio', 0.5) }}, 6) as median_ratio,
        round({{ quantile_of('ratio', 0.75) }}, 6) as p75_ratio,
        round(avg(ratio), 6) as mean_ratio
    from measured
    group by 1, 2, 3
)

select * from final
