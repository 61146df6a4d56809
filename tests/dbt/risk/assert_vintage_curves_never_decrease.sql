-- Cumulative vintage curves (ever 30+ / ever 90+, by count and by principal) never decrease
-- with months on book, and each vintage's observed cells run from MOB 0 without gaps.
with curves as (
    select
        *,
        lag(months_on_book) over vintage_timeline as previous_months_on_book,
        lag(ever_30_plus_loan_count) over vintage_timeline as previous_ever_30_plus_loan_count,
        lag(ever_30_plus_principal_amount) over vintage_timeline as previous_ever_30_plus_principal_amount,
        lag(ever_90_plus_loan_count) over vintage_timeline as previous_ever_90_plus_loan_count,
        lag(ever_90_plus_principal_amount) over vintage_timeline as previous_ever_90_plus_principal_amount
    from {{ ref('mart_vintage_curves') }}
    window vintage_timeline as (
        partition by origination_month_on, product_code order by months_on_book
    )
)

select *
from curves
where
    (previous_months_on_book is null and months_on_book <> 0)
    or (previous_months_on_book is not null and months_on_book <> previous_months_on_book + 1)
    or ever_30_plus_loan_count < previous_ever_30_plus_loan_count
    or ever_30_plus_principal_amount < previous_ever_30_plus_principal_amount
    or ever_90_plus_loan_count < previous_ever_90_plus_loan_count
    or ever_90_plus_principal_amount < previous_ever_90_plus_principal_amount
