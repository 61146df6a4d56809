-- Every raw installment row once: typed, with the first rule it breaks (see _lender__docs.md).
-- The row rules come from the contract spec (_lender__sources.yml). The loan's rules are here:
-- its term bounds installment_no (a row rule, so the loan is joined before the duplicate
-- ranking), the loan must be accepted, and an installment falls due after the drawdown day.
-- A re-cut (rows with recut_on, docs: recut_on) takes effect after the drawdown and its rows
-- fall due after it (impossible_order), and its principal cannot exceed the principal the
-- schedule in force before it still had to collect after that day (recut_principal_mismatch).

with

{{ checked_raw_rows(
    'installments',
    rule_column='rule_but_recut',
    final=false,
    parent=('stg_loans', 'loan_id', ['term_months', 'drawn_at']),
    row_rules={'out_of_range': 'installment_no > parent_term_months'},
    later_rules=[
        ('orphan', 'parent_loan_id is null'),
        ('impossible_order', 'due_on <= cast(parent_drawn_at as date)'),
        ('impossible_order', 'recut_on <= cast(parent_drawn_at as date)'),
        ('impossible_order', 'due_on <= recut_on'),
    ],
) }},

-- Only a loan with a re-cut can break the re-cut rule: the schedule work is limited to
-- those loans (31k of 10M rows at 100,000 customers).
recut_loans as (
    select distinct loan_id from rules_checked
    where rule_but_recut is null and recut_on is not null
),

-- The rows that pass every other rule, and their loans' terms: the schedule macro core uses
-- gives each re-cut's principal and what the version before it still had after its day.
candidate_rows as (
    select
        *,
        loan_id || '-' || installment_no as installment_id
    from rules_checked
    where rule_but_recut is null and loan_id in (select loan_id from recut_loans)
),

candidate_loans as (
    select * from {{ ref('stg_loans') }}
    where loan_id in (select loan_id from recut_loans)
),

{{ schedule_in_force_ctes('candidate_rows', 'candidate_loans', "date '9999-12-31'") }},

recut_checked as (
    select
        rules_checked.*,
        coalesce(
            rules_checked.rule_but_recut,
            case
                when recut_principals.recut_principal_amount
                    > recut_principals.replaced_principal_amount
                    then 'recut_principal_mismatch'
            end
        ) as quarantine_rule
    from rules_checked
    left join recut_principals
        on rules_checked.loan_id = recut_principals.loan_id
        and rules_checked.recut_on = recut_principals.recut_on
),

{{ checked_rows_final('installments', 'recut_checked') }}
