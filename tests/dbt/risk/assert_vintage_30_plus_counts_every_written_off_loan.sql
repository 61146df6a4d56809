-- No vintage cell counts fewer point-in-time 30+ loans than the vintage had written off by
-- the cell's month-end: the loans charged off on or before observed_on, recounted from
-- fct_loans, equal written_off_loan_count (and their charged-off principal equals
-- written_off_principal_amount), and dpd_30_plus_loan_count is at least that many.
with curves as (
    select * from {{ ref('mart_vintage_curves') }}
),

loans as (
    select * from {{ ref('fct_loans') }}
    where charged_off_on is not null
),

written_off_by_cell as (
    select
        curves.origination_month_on,
        curves.product_code,
        curves.months_on_book,
        count(loans.loan_id) as written_off_loan_count,
        coalesce(sum(loans.charged_off_principal_amount), 0) as written_off_principal_amount
    from curves
    left join loans
        on
            curves.origination_month_on = loans.origination_month_on
            and (curves.product_code = 'all' or curves.product_code = loans.product_code)
            and loans.charged_off_on <= curves.observed_on
    group by 1, 2, 3
)

select
    curves.origination_month_on,
    curves.product_code,
    curves.months_on_book,
    curves.dpd_30_plus_loan_count,
    curves.written_off_loan_count,
    written_off_by_cell.written_off_loan_count as recounted_written_off_loan_count,
    curves.written_off_principal_amount,
    written_off_by_cell.written_off_principal_amount as recounted_written_off_principal_amount
from curves
inner join written_off_by_cell
    on
        curves.origination_month_on = written_off_by_cell.origination_month_on
        and curves.product_code = written_off_by_cell.product_code
        and curves.months_on_book = written_off_by_cell.months_on_book
where
    curves.dpd_30_plus_loan_count < written_off_by_cell.written_off_loan_count
    or curves.written_off_loan_count <> written_off_by_cell.written_off_loan_count
    or abs(
        curves.written_off_principal_amount - written_off_by_cell.written_off_principal_amount
    ) > 0.005
