-- How well each early-warning signal predicted "closed or 30+ DPD within 90 days", pooled
-- over the months with an observed outcome: precision, recall, lift and lead time.
select
    signal_name,
    sum(flagged_line_count) as flagged_line_count,
    sum(hit_line_count) as hit_line_count,
    sum(hit_line_count) * 1.0 / nullif(sum(flagged_line_count), 0) as precision_rate,
    sum(hit_line_count) * 1.0 / nullif(sum(event_line_count), 0) as recall_rate,
    (sum(hit_line_count) * 1.0 / nullif(sum(flagged_line_count), 0)) / nullif(
        sum(event_line_count) * 1.0 / sum(population_line_count), 0
    ) as lift,
    {{ median_of('median_lead_time_days') }} as median_of_monthly_median_lead_time_days
from {{ ref('mart_early_warning') }}
where is_outcome_observed
group by signal_name
order by lift desc
