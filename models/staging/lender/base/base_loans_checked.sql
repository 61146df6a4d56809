-- Every raw loan row once: typed, with the first rule it breaks (see _lender__docs.md).
-- The row rules come from the contract spec (_lender__sources.yml); the parent rule is here:
-- a loan's line must be accepted.
-- depends_on: {{ ref('allowed_values') }}

{{ checked_raw_rows(
    'loans',
    parent=('stg_credit_lines', 'line_id'),
    later_rules=[('orphan', 'parent_line_id is null')],
) }}
