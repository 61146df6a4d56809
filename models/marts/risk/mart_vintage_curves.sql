-- Origination month (vintage) x months on book (MOB 0 = the drawdown month, to its end),
-- per product and for all products: loans and principal originated, the cumulative share
-- ever more than 30 / 90 DPD by the MOB's month-end (by count and by original principal),
-- the share more than 30 DPD at that month-end or written off by then (a written-off loan
-- stays bad), and the loans and principal written off by then. A cell exists only once its
-- month-end is on or before the as-of date: what the data cannot yet observe is absent,
-- not zero.
{%- set max_mob = var('risk_vintage_max_mob') %}
with loans as (
    select * from {{ ref('fct_loans') }}
),

delinquent_loan_months as (
    select * from {{ ref('int_loan_months_delinquent') }}
),

months as (
    select * from {{ ref('int_months_spined') }}
),

mob_spine as (
    select cast(generated_number - 1 as integer) as months_on_book
    from ({{ dbt.generate_series(max_mob + 1) }}) as series
),

loan_months_on_book as (
    select
        loans.loan_id,
        loans.product_code,
        loans.origination_month_on,
        loans.principal_amount,
        {{ dbt.datediff(
            'loans.origination_month_on', 'delinquent_loan_months.month_start_on', 'month'
        ) }} as months_on_book,
        delinquent_loan_months.max_dpd_in_month,
        delinquent_loan_months.dpd_at_snapshot,
        -- written off on or before this month's end (the charge-off month included)
        coalesce(
            cast({{ dbt.date_trunc('month', 'loans.charged_off_on') }} as date)
            <= delinquent_loan_months.month_start_on,
            false
        ) as is_written_off
    from delinquent_loan_months
    inner join loans on delinquent_loan_months.loan_id = loans.loan_id
),

-- the MOB of each written-off loan's charge-off month
write_offs as (
    select
        origination_month_on,
        product_code,
        {{ dbt.datediff(
            'origination_month_on', dbt.date_trunc('month', 'charged_off_on'), 'month'
        ) }} as months_on_book,
        principal_amount,
        charged_off_principal_amount
    from loans
    where charged_off_on is not null
),

-- the MOB at which each loan first went past 30 and past 90 days (ever, within the month)
first_breaches as (
    select
        loan_id,
        product_code,
        origination_month_on,
        principal_amount,
        min(case when {{ is_dpd_30_plus('max_dpd_in_month') }} then months_on_book end)
            as first_mob_30_plus,
        min(case when {{ is_dpd_90_plus('max_dpd_in_month') }} then months_on_book end)
            as first_mob_90_plus
    from loan_months_on_book
    group by 1, 2, 3, 4
),

vintages as (
    select
        origination_month_on,
        case when grouping(product_code) = 1 then 'all' else product_code end as product_code,
        count(*) as loan_count,
        sum(principal_amount) as principal_amount
    from loans
    group by grouping sets ((origination_month_on, product_code), (origination_month_on))
),

{%- for threshold in ['30_plus', '90_plus'] %}

new_breaches_{{ threshold }} as (
    select
        origination_month_on,
        case when grouping(product_code) = 1 then 'all' else product_code end as product_code,
        first_mob_{{ threshold }} as months_on_book,
        count(*) as loan_count,
        sum(principal_amount) as principal_amount
    from first_breaches
    where first_mob_{{ threshold }} is not null
    group by grouping sets (
        (origination_month_on, product_code, first_mob_{{ threshold }}),
        (origination_month_on, first_mob_{{ threshold }})
    )
),
{%- endfor %}

new_write_offs as (
    select
        origination_month_on,
        case when grouping(product_code) = 1 then 'all' else product_code end as product_code,
        months_on_book,
        count(*) as loan_count,
        sum(principal_amount) as principal_amount,
        sum(charged_off_principal_amount) as charged_off_principal_amount
    from write_offs
    group by grouping sets (
        (origination_month_on, product_code, months_on_book),
        (origination_month_on, months_on_book)
    )
),

-- more than 30 DPD at the month-end and not yet written off (written-off loans are added
-- from new_write_offs, cumulated, so none is counted twice or dropped)
point_in_time_30_plus as (
    select
        origination_month_on,
        case when grouping(product_code) = 1 then 'all' else product_code end as product_code,
        months_on_book,
        count(*) as loan_count,
        sum(principal_amount) as principal_amount
    from loan_months_on_book
    where {{ is_dpd_30_plus('dpd_at_snapshot') }} and not is_written_off
    group by grouping sets (
        (origination_month_on, product_code, months_on_book),
        (origination_month_on, months_on_book)
    )
),

-- observable cells only: the MOB's month is complete
cells as (
    select
        vintages.origination_month_on,
        vintages.product_code,
        mob_spine.months_on_book,
        months.month_end_on as observed_on,
        vintages.loan_count,
        vintages.principal_amount
    from vintages
    cross join mob_spine
    inner join months
        on months.month_start_on = cast({{ dbt.dateadd(
            'month', 'mob_spine.months_on_book', 'vintages.origination_month_on'
        ) }} as date)
        and months.is_month_complete
),

cumulated as (
    select
        cells.*,
        {%- for threshold in ['30_plus', '90_plus'] %}
        sum(coalesce(new_breaches_{{ threshold }}.loan_count, 0)) over vintage_timeline
            as ever_{{ threshold }}_loan_count,
        sum(coalesce(new_breaches_{{ threshold }}.principal_amount, 0)) over vintage_timeline
            as ever_{{ threshold }}_principal_amount,
        {%- endfor %}
        sum(coalesce(new_write_offs.loan_count, 0)) over vintage_timeline as written_off_loan_count,
        sum(coalesce(new_write_offs.principal_amount, 0)) over vintage_timeline
            as written_off_original_principal_amount,
        sum(coalesce(new_write_offs.charged_off_principal_amount, 0)) over vintage_timeline
            as written_off_principal_amount,
        coalesce(point_in_time_30_plus.loan_count, 0) as on_book_30_plus_loan_count,
        coalesce(point_in_time_30_plus.principal_amount, 0) as on_book_30_plus_principal_amount
    from cells{% for threshold in ['30_plus', '90_plus'] %}
    left join new_breaches_{{ threshold }}
        on cells.origination_month_on = new_breaches_{{ threshold }}.origination_month_on
        and cells.product_code = new_breaches_{{ threshold }}.product_code
        and cells.months_on_book = new_breaches_{{ threshold }}.months_on_book
    {%- endfor %}
    left join new_write_offs
        on cells.origination_month_on = new_write_offs.origination_month_on
        and cells.product_code = new_write_offs.product_code
        and cells.months_on_book = new_write_offs.months_on_book
    left join point_in_time_30_plus
        on cells.origination_month_on = point_in_time_30_plus.origination_month_on
        and cells.product_code = point_in_time_30_plus.product_code
        and cells.months_on_book = point_in_time_30_plus.months_on_book
    window vintage_timeline as (
        partition by cells.origination_month_on, cells.product_code
        order by cells.months_on_book
        rows unbounded preceding
    )
),

final as (
    select
        -- keys
        origination_month_on,
        product_code,
        months_on_book,
        observed_on,
        -- the vintage
        loan_count,
        principal_amount,
        -- ever more than 30 / 90 DPD by the MOB's month-end (cumulative)
        ever_30_plus_loan_count,
        ever_30_plus_principal_amount,
        {{ safe_ratio('ever_30_plus_loan_count', 'loan_count') }} as ever_30_plus_count_rate,
        {{ safe_ratio('ever_30_plus_principal_amount', 'principal_amount') }}
            as ever_30_plus_principal_rate,
        ever_90_plus_loan_count,
        ever_90_plus_principal_amount,
        {{ safe_ratio('ever_90_plus_loan_count', 'loan_count') }} as ever_90_plus_count_rate,
        {{ safe_ratio('ever_90_plus_principal_amount', 'principal_amount') }}
            as ever_90_plus_principal_rate,
        -- more than 30 DPD at the MOB's month-end, or written off by then (point in time)
        on_book_30_plus_loan_count + written_off_loan_count as dpd_30_plus_loan_count,
        on_book_30_plus_principal_amount + written_off_original_principal_amount
            as dpd_30_plus_principal_amount,
        {{ safe_ratio('on_book_30_plus_loan_count + written_off_loan_count', 'loan_count') }}
            as dpd_30_plus_count_rate,
        {{ safe_ratio('on_book_30_plus_principal_amount + written_off_original_principal_amount',
                      'principal_amount') }} as dpd_30_plus_principal_rate,
        -- written off by the MOB's month-end (cumulative)
        written_off_loan_count,
        written_off_principal_amount,
        {{ safe_ratio('written_off_loan_count', 'loan_count') }} as written_off_count_rate,
        {{ safe_ratio('written_off_principal_amount', 'principal_amount') }}
            as written_off_principal_rate
    from cumulated
)

select * from final
