-- Principal drawn minus principal repaid equals what the line-month balance says is still
-- owed (on book) plus what was charged off, for every line at its latest month.
with loans as (
    select * from {{ ref('fct_loans') }}
),

repayments as (
    select * from {{ ref('fct_repayments') }}
),

line_months as (
    select * from {{ ref('fct_line_months') }}
),

drawn as (
    select line_id, sum(principal_amount) as drawn_amount
    from loans
    group by line_id
),

repaid as (
    select line_id, sum(principal_amount) as repaid_amount
    from repayments
    where not is_recovery
    group by line_id
),

latest as (
    select
        line_id,
        max_by(outstanding_principal_amount + charged_off_principal_amount, month_start_on)
            as owed_amount
    from line_months
    group by line_id
)

select
    latest.line_id,
    coalesce(drawn.drawn_amount, 0) as drawn_amount,
    coalesce(repaid.repaid_amount, 0) as repaid_amount,
    latest.owed_amount
from latest
left join drawn on latest.line_id = drawn.line_id
left join repaid on latest.line_id = repaid.line_id
where coalesce(drawn.drawn_amount, 0) - coalesce(repaid.repaid_amount, 0) <> latest.owed_amount
