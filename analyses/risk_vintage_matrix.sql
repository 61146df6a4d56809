-- Vintage matrix (账龄矩阵): one row per origination month, one column per MOB 0-12, ever 30+
-- by count, all products. Empty cells are not yet observable.
select
    origination_month_on,
    max(loan_count) as loan_count
    {%- for mob in range(13) %},
    max(
        case when months_on_book = {{ mob }} then ever_30_plus_count_rate end
    ) as mob_{{ mob }}{% endfor %}
from {{ ref('mart_vintage_curves') }}
where product_code = 'all'
group by origination_month_on
order by origination_month_on
