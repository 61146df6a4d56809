{#- Raw rows, counted straight from the source, equal the model's accepted rows plus the
    rows quarantined for that table. Returns one row (the three counts) when they do not. -#}
{% test reconciles_with_raw(model, source_table, quarantine_model, source_name='lender') %}

with

raw_rows as (
    select count(*) as row_count from {{ source(source_name, source_table) }}
),

accepted_rows as (
    select count(*) as row_count from {{ model }}
),

quarantined_rows as (
    select count(*) as row_count
    from {{ quarantine_model }}
    where table_name = '{{ source_table }}'
)

select
    raw_rows.row_count as raw_rows,
    accepted_rows.row_count as accepted_rows,
    quarantined_rows.row_count as quarantined_rows
from raw_rows
cross join accepted_rows
cross join quarantined_rows
where raw_rows.row_count != accepted_rows.row_count + quarantined_rows.row_count

{% endtest %}
