-- Every raw repayment row once: typed, with the first rule it breaks (see _lender__docs.md).
-- The row rules come from the contract spec (_lender__sources.yml); the loan's rules are
-- here: the loan must be accepted and a payment cannot come before its drawdown. The
-- penalty interest and fees a payment paid cannot exceed it (out_of_range). A payment typed
-- `settlement` must bring what the loan has received to the day's payoff, less var
-- settlement_tolerance_amount (settlement_short; docs: early_repayment).
-- depends_on: {{ ref('allowed_values') }}

with

{{ checked_raw_rows(
    'repayments',
    rule_column='rule_but_settlement',
    final=false,
    parent=('stg_loans', 'loan_id', ['drawn_at']),
    row_rules={'out_of_range':
        'coalesce(penalty_interest_paid_amount, 0) + coalesce(fee_paid_amount, 0)'
        ~ ' > repayment_amount'},
    later_rules=[
        ('orphan', 'parent_loan_id is null'),
        ('impossible_order', 'paid_at < parent_drawn_at'),
    ],
) }},

-- only the loans with a typed settlement are checked against their schedules
settled_loans as (
    select distinct loan_id from rules_checked
    where rule_but_settlement is null and repayment_type = 'settlement'
),

loans as (
    select * from {{ ref('stg_loans') }}
    where loan_id in (select loan_id from settled_loans)
),

-- joined to the few loans rather than filtered by the list: DuckDB misjudges the list's size
-- and would hash every installment (2.4 s of 10M rows at 100,000 customers)
installments as (
    select stg_installments.*
    from {{ ref('stg_installments') }} as stg_installments
    inner join loans on stg_installments.loan_id = loans.loan_id
),

{{ schedule_in_force_ctes('installments', 'loans', "date '9999-12-31'") }},

running_payments as (
    select
        loan_id,
        repayment_id,
        repayment_type,
        cast(paid_at as date) as paid_on,
        sum({{ schedule_paid_amount() }}) over (
            partition by loan_id order by paid_at, repayment_id rows unbounded preceding
        ) as cum_paid_after
    from rules_checked
    where rule_but_settlement is null and loan_id in (select loan_id from settled_loans)
),

{{ settlement_payoffs_ctes('schedule_in_force', 'running_payments', 'loans') }},

short_settlements as (
    select repayment_id from settlement_payoffs
    where
        repayment_type = 'settlement'
        and principal_after_amount > 0
        and cum_paid_after < payoff_cum_amount
        - cast({{ var('settlement_tolerance_amount') | float }} as decimal(18, 2))
),

settlement_checked as (
    select
        rules_checked.*,
        coalesce(
            rules_checked.rule_but_settlement,
            case when short_settlements.repayment_id is not null then 'settlement_short' end
        ) as quarantine_rule
    from rules_checked
    left join short_settlements
        on rules_checked.repayment_id = short_settlements.repayment_id
),

{{ checked_rows_final('repayments', 'settlement_checked') }}
