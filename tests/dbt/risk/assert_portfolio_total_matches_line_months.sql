-- The portfolio total rows agree with fct_line_months month by month (lines, exposure,
-- limits, new charge-offs), and every grouping level adds up to the total.
with facts as (
    select
        month_start_on,
        count(*) as line_count,
        sum(outstanding_principal_amount) as outstanding_principal_amount,
        sum(limit_amount) as total_limit_amount
    from {{ ref('fct_line_months') }}
    group by 1
),

levels as (
    select
        month_start_on,
        grouping_level,
        sum(line_count) as line_count,
        sum(outstanding_principal_amount) as outstanding_principal_amount,
        sum(total_limit_amount) as total_limit_amount,
        sum(new_charged_off_principal_amount) as new_charged_off_principal_amount,
        sum(new_closure_count) as new_closure_count
    from {{ ref('mart_portfolio_monthly') }}
    group by 1, 2
),

totals as (
    select * from levels where grouping_level = 'total'
)

select
    levels.month_start_on,
    levels.grouping_level
from levels
inner join totals on levels.month_start_on = totals.month_start_on
left join facts on levels.month_start_on = facts.month_start_on
where
    levels.line_count <> totals.line_count
    or levels.outstanding_principal_amount <> totals.outstanding_principal_amount
    or levels.total_limit_amount <> totals.total_limit_amount
    or levels.new_charged_off_principal_amount <> totals.new_charged_off_principal_amount
    or levels.new_closure_count <> totals.new_closure_count
    or facts.line_count is null
    or totals.line_count <> facts.line_count
    or totals.outstanding_principal_amount <> facts.outstanding_principal_amount
    or totals.total_limit_amount <> facts.total_limit_amount
