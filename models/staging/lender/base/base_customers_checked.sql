-- Every raw customer row once: typed, with the first rule it breaks (see _lender__docs.md).
-- Customers have no parent: every rule comes from the contract spec (_lender__sources.yml).
-- depends_on: {{ ref('allowed_values') }}

{{ checked_raw_rows('customers') }}
