-- Per raw table: rows read from the raw files, accepted, quarantined.

{%- set tables = [
    'customers', 'credit_lines', 'limit_events', 'loans',
    'installments', 'repayments', 'credit_scores', 'credit_inquiries',
] %}

with

quarantined_counts as (
    select
        table_name,
        count(*) as quarantined_rows
    from {{ ref('stg_quarantined_rows') }}
    group by table_name
),

{% for table in tables %}
counts_{{ table }} as (
    select
        '{{ table }}' as table_name,
        (select count(*) from {{ source('lender', table) }}) as raw_rows,
        (select count(*) from {{ ref('stg_' ~ table) }}) as accepted_rows
),

{% endfor %}
table_counts as (
    {%- for table in tables %}
    select * from counts_{{ table }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

reconciled as (
    select
        table_counts.table_name,
        table_counts.raw_rows,
        table_counts.accepted_rows,
        coalesce(quarantined_counts.quarantined_rows, 0) as quarantined_rows,
        table_counts.raw_rows = table_counts.accepted_rows + coalesce(
            quarantined_counts.quarantined_rows, 0
        ) as is_reconciled
    from table_counts
    left join quarantined_counts
        on table_counts.table_name = quarantined_counts.table_name
)

select * from reconciled
