-- Portfolio trend for a risk committee pack: exposure, 30+ and 90+ (coincidental and
-- lagged), NPL and annualized charge-off by month, complete months only, whole portfolio.
select
    month_start_on,
    active_line_count,
    outstanding_principal_amount,
    utilization_rate,
    dpd_30_plus_balance_rate,
    lagged_dpd_30_plus_balance_rate,
    dpd_90_plus_balance_rate,
    lagged_dpd_90_plus_balance_rate,
    npl_ratio,
    annualized_charge_off_rate
from {{ ref('mart_portfolio_monthly') }}
where grouping_level = 'total' and is_month_complete
order by month_start_on
