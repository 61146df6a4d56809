-- Principal charged off over all months of the portfolio total equals the principal charged
-- off on the loans (int_loans_charged_off) by the as-of date.
with mart as (
    select sum(new_charged_off_principal_amount) as charged_off_amount
    from {{ ref('mart_portfolio_monthly') }}
    where grouping_level = 'total'
),

loans as (
    select coalesce(sum(charged_off_principal_amount), 0) as charged_off_amount
    from {{ ref('int_loans_charged_off') }}
)

select
    mart.charged_off_amount as mart_amount,
    loans.charged_off_amount as loans_amount
from mart
cross join loans
where abs(coalesce(mart.charged_off_amount, 0) - loans.charged_off_amount) > 0.005
