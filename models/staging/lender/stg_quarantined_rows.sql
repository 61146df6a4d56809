-- Every raw row that broke a rule, from all tables: what it broke and what it held.

{%- set tables = [
    'customers', 'credit_lines', 'limit_events', 'loans',
    'installments', 'repayments', 'credit_scores', 'credit_inquiries',
] %}

with

{% for table in tables %}
quarantined_{{ table }} as (
    select
        '{{ table }}' as table_name,
        quarantine_rule,
        raw_record,
        load_date
    from {{ ref('base_' ~ table ~ '_checked') }}
    where quarantine_rule is not null
),

{% endfor %}
unioned as (
    {%- for table in tables %}
    select * from quarantined_{{ table }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from unioned
