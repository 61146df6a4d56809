-- One row per drawdown, with its repayment position as of the data's end.
with loans as (
    select * from {{ ref('stg_loans') }}
),

lines as (
    select * from {{ ref('stg_credit_lines') }}
),

installments as (
    select * from {{ ref('int_installments_allocated') }}
),

repayments as (
    select * from {{ ref('int_repayments_allocated') }}
),

charge_offs as (
    select * from {{ ref('int_loans_charged_off') }}
),

-- Schedule and repayments summed in one aggregate: at a million customers two 14M-group
-- aggregates joined side by side ran out of DuckDB's 6 GB; one hash table fits.
schedule_and_repayments as (
    select
        loan_id,
        amount_due,
        due_on,
        days_past_due,
        fully_paid_on is not null as is_installment_paid,
        fully_paid_on,
        case when schedule_row_type = 'settlement' then due_on end as settled_on,
        interest_waived_amount,
        penalty_interest_amount,
        cast(null as decimal(18, 2)) as repayment_amount,
        cast(null as decimal(18, 2)) as principal_amount,
        cast(null as decimal(18, 2)) as interest_amount,
        cast(null as decimal(18, 2)) as credit_amount,
        cast(null as decimal(18, 2)) as penalty_interest_paid_amount,
        cast(null as decimal(18, 2)) as fee_paid_amount
    from installments
    union all
    select
        loan_id,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        repayment_amount,
        principal_amount,
        interest_amount,
        credit_amount,
        penalty_interest_paid_amount,
        fee_paid_amount
    from repayments
),

loan_summary as (
    select
        loan_id,
        -- schedule (installment rows; the repayment rows' NULLs are ignored)
        sum(amount_due) as total_due_amount,
        min(due_on) as first_due_on,
        max(days_past_due) as worst_days_past_due,
        bool_and(is_installment_paid) as is_paid_off,
        max(fully_paid_on) as last_installment_paid_on,
        max(settled_on) as settled_on,
        sum(interest_waived_amount) as interest_waived_amount,
        sum(penalty_interest_amount) as penalty_interest_charged_amount,
        -- repayments
        sum(repayment_amount) as total_paid_amount,
        sum(principal_amount) as principal_repaid_amount,
        sum(interest_amount) as interest_paid_amount,
        sum(credit_amount) as credit_amount,
        sum(penalty_interest_paid_amount) as penalty_interest_paid_amount,
        sum(fee_paid_amount) as fee_paid_amount,
        count(repayment_amount) as repayment_count
    from schedule_and_repayments
    group by loan_id
),

final as (
    select
        -- ids
        loans.loan_id,
        loans.line_id,
        lines.customer_id,
        lines.product_code,
        -- dates
        loans.drawn_at,
        loans.drawn_on,
        cast({{ dbt.date_trunc('month', 'loans.drawn_on') }} as date) as origination_month_on,
        loan_summary.first_due_on,
        case when loan_summary.is_paid_off then loan_summary.last_installment_paid_on end
            as paid_off_on,
        charge_offs.charged_off_on,
        loan_summary.settled_on,
        -- terms
        loans.principal_amount,
        loans.term_months,
        loans.annual_rate,
        loans.repayment_method,
        -- position
        coalesce(loan_summary.total_due_amount, 0) as total_due_amount,
        coalesce(loan_summary.total_paid_amount, 0) as total_paid_amount,
        coalesce(loan_summary.principal_repaid_amount, 0) as principal_repaid_amount,
        coalesce(loan_summary.interest_paid_amount, 0) as interest_paid_amount,
        loans.principal_amount - coalesce(loan_summary.principal_repaid_amount, 0)
            as outstanding_principal_amount,
        coalesce(charge_offs.charged_off_principal_amount, 0) as charged_off_principal_amount,
        coalesce(loan_summary.credit_amount, 0) as overpayment_credit_amount,
        coalesce(loan_summary.repayment_count, 0) as repayment_count,
        coalesce(loan_summary.interest_waived_amount, 0) as interest_waived_amount,
        coalesce(loan_summary.penalty_interest_charged_amount, 0)
            as penalty_interest_charged_amount,
        coalesce(loan_summary.penalty_interest_paid_amount, 0) as penalty_interest_paid_amount,
        coalesce(loan_summary.fee_paid_amount, 0) as fee_paid_amount,
        -- status
        coalesce(loan_summary.is_paid_off, false) as is_paid_off,
        charge_offs.loan_id is not null as is_charged_off,
        coalesce(loan_summary.worst_days_past_due, 0) as worst_days_past_due
    from loans
    inner join lines on loans.line_id = lines.line_id
    left join loan_summary on loans.loan_id = loan_summary.loan_id
    left join charge_offs on loans.loan_id = charge_offs.loan_id
    where loans.drawn_on <= {{ as_of_date() }}
)

select * from final
