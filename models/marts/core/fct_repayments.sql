{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='sync_all_columns',
        pre_hook="{{ delete_rows_to_rebuild('loan_id', 'int_loans_affected') }}",
    )
}}

-- depends_on: {{ ref('int_loans_affected') }}
-- One row per repayment, split into interest, principal and credit (overpayment).
with repayments as (
    select * from {{ ref('int_repayments_allocated') }}
    {%- if incremental_window_active() %}
    where loan_id in (select loan_id from {{ ref('int_loans_affected') }})
    {%- endif %}
),

loans as (
    select * from {{ ref('stg_loans') }}
),

lines as (
    select * from {{ ref('stg_credit_lines') }}
),

charge_offs as (
    select * from {{ ref('int_loans_charged_off') }}
),

final as (
    select
        -- ids
        repayments.repayment_id,
        repayments.loan_id,
        loans.line_id,
        lines.customer_id,
        -- dates
        repayments.paid_at,
        repayments.paid_on,
        -- amounts
        repayments.repayment_amount,
        repayments.principal_amount,
        repayments.interest_amount,
        repayments.credit_amount,
        -- flags
        coalesce(repayments.paid_on > charge_offs.charged_off_on, false) as is_recovery
    from repayments
    inner join loans on repayments.loan_id = loans.loan_id
    inner join lines on loans.line_id = lines.line_id
    left join charge_offs on repayments.loan_id = charge_offs.loan_id
)

select * from final
