-- Every raw installment row once: typed, with the first rule it breaks (see _lender__docs.md).
-- The row rules come from the contract spec (_lender__sources.yml). The loan's rules are here:
-- its term bounds installment_no (a row rule, so the loan is joined before the duplicate
-- ranking), the loan must be accepted, and an installment falls due after the drawdown day.

{{ checked_raw_rows(
    'installments',
    parent=('stg_loans', 'loan_id', ['term_months', 'drawn_at']),
    row_rules={'out_of_range': 'installment_no > parent_term_months'},
    later_rules=[
        ('orphan', 'parent_loan_id is null'),
        ('impossible_order', 'due_on <= cast(parent_drawn_at as date)'),
    ],
) }}
