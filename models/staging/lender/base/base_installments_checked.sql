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

-- Each re-cut's principal, and the principal the version before it (the latest earlier
-- re-cut, or the original schedule) had still to fall due after the re-cut's day.
recuts as (
    select
        loan_id,
        recut_on,
        lag(recut_on) over (partition by loan_id order by recut_on) as previous_recut_on
    from rules_checked
    where rule_but_recut is null and recut_on is not null
    group by loan_id, recut_on
),

recut_principal as (
    select
        recuts.loan_id,
        recuts.recut_on,
        sum(case when schedule.recut_on = recuts.recut_on then schedule.principal_due_amount end)
            as recut_principal_amount,
        coalesce(sum(
            case
                when coalesce(schedule.recut_on, date '1900-01-01')
                    = coalesce(recuts.previous_recut_on, date '1900-01-01')
                    and schedule.due_on > recuts.recut_on
                    then schedule.principal_due_amount
            end
        ), 0) as outstanding_before_amount
    from recuts
    inner join rules_checked as schedule
        on recuts.loan_id = schedule.loan_id
        and schedule.rule_but_recut is null
    group by recuts.loan_id, recuts.recut_on
),

recut_checked as (
    select
        rules_checked.*,
        coalesce(
            rules_checked.rule_but_recut,
            case
                when recut_principal.recut_principal_amount
                    > recut_principal.outstanding_before_amount
                    then 'recut_principal_mismatch'
            end
        ) as quarantine_rule
    from rules_checked
    left join recut_principal
        on rules_checked.loan_id = recut_principal.loan_id
        and rules_checked.recut_on = recut_principal.recut_on
),

{{ checked_rows_final('installments', 'recut_checked') }}
