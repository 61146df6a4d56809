-- Every raw credit-inquiry row once: typed, with the first rule it breaks
-- (see _lender__docs.md). The row rules come from the contract spec (_lender__sources.yml);
-- the parent rule is here: an inquiry's customer must be accepted.
-- depends_on: {{ ref('allowed_values') }}

{{ checked_raw_rows(
    'credit_inquiries',
    parent=('stg_customers', 'customer_id'),
    later_rules=[('orphan', 'parent_customer_id is null')],
) }}
