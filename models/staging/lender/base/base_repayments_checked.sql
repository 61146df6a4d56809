-- Every raw repayment row once: typed, with the first rule it breaks (see _lender__docs.md).
-- The row rules come from the contract spec (_lender__sources.yml); the loan's rules are
-- here: the loan must be accepted and a payment cannot come before its drawdown.

{{ checked_raw_rows(
    'repayments',
    parent=('stg_loans', 'loan_id', ['drawn_at']),
    later_rules=[
        ('orphan', 'parent_loan_id is null'),
        ('impossible_order', 'paid_at < parent_drawn_at'),
    ],
) }}
