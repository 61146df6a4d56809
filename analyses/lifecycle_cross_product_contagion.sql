-- Linked products: the share of 30+ DPD episodes on one line followed by a cut, freeze or
-- closure of the customer's other line ('any'; the rule's own population in
-- other_current_rate), the other line's roll against comparable customers ('none'), and,
-- repeated on every line, how many linked-product closures had the other line delinquent
-- before them and the median days from its first day past due to the closure.
with contagion as (
    select * from {{ ref('mart_cross_product_contagion') }}
),

linked_product_closures as (
    select * from {{ ref('mart_linked_product_closures') }}
),

linked_summary as (
    select
        count(*) as linked_closures_count,
        count(case when had_other_line_delinquency_before then 1 end)
            as with_delinquency_before_count,
        {{ median_of('days_from_other_delinquency_to_closure') }} as median_days_before_closure
    from linked_product_closures
)

select
    contagion.measure,
    contagion.horizon_days,
    contagion.population_count,
    round(contagion.rate, 3) as rate,
    round(contagion.rate_lower, 3) as rate_lower,
    round(contagion.rate_upper, 3) as rate_upper,
    round(contagion.other_current_rate, 3) as other_current_rate,
    round(contagion.comparison_standardized_rate, 3) as comparison_rate,
    linked_summary.linked_closures_count,
    linked_summary.with_delinquency_before_count,
    linked_summary.median_days_before_closure
from contagion
cross join linked_summary
where contagion.trigger_product = 'all' and contagion.action_type in ('any', 'none')
order by contagion.measure, contagion.horizon_days
