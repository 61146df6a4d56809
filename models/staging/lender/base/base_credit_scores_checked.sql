-- Every raw credit-score row once: typed, with the first rule it breaks (see _lender__docs.md).
-- The row rules come from the contract spec (_lender__sources.yml); the parent rule is here:
-- a score's customer must be accepted.

{{ checked_raw_rows(
    'credit_scores',
    parent=('stg_customers', 'customer_id'),
    later_rules=[('orphan', 'parent_customer_id is null')],
) }}
