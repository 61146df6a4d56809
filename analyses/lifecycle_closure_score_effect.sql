-- Does the closure itself lower the score, beyond what led to it? The score change after a
-- customer's first closure minus that of matched never-closed lines, by reason and horizon.
-- An association on observational data, not a proof: read it next to matched_count.
select
    reason_category,
    horizon_months,
    closed_count,
    matched_count,
    round(closed_mean_change, 1) as closed_mean_change,
    round(control_mean_change, 1) as control_mean_change,
    round(did_points, 1) as did_points,
    round(did_lower, 1) as did_lower,
    round(did_upper, 1) as did_upper
from {{ ref('mart_closure_score_effect') }}
where matched_count >= 30
order by reason_category = 'all' desc, reason_category, horizon_months
