{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='sync_all_columns',
        pre_hook="{{ delete_rows_to_rebuild('loan_id', 'int_loans_affected') }}",
    )
}}

-- depends_on: {{ ref('int_loans_affected') }}
-- One row per scheduled installment: what was due, what was paid (allocated oldest-due
-- first), when it was fully paid and its days past due.
with installments as (
    select * from {{ ref('int_installments_allocated') }}
    {%- if incremental_window_active() %}
    where loan_id in (select loan_id from {{ ref('int_loans_affected') }})
    {%- endif %}
),

loans as (
    select * from {{ ref('stg_loans') }}
    where drawn_on <= {{ as_of_date() }}
),

lines as (
    select * from {{ ref('stg_credit_lines') }}
),

final as (
    select
        -- ids
        installments.installment_id,
        installments.loan_id,
        loans.line_id,
        lines.customer_id,
        lines.product_code,
        installments.installment_no,
        -- dates
        installments.due_on,
        installments.fully_paid_on,
        -- amounts
        installments.principal_due_amount,
        installments.interest_due_amount,
        installments.amount_due,
        installments.paid_amount,
        installments.principal_paid_amount,
        installments.interest_paid_amount,
        installments.unpaid_amount,
        -- status
        installments.due_on <= {{ as_of_date() }} as is_due,
        installments.fully_paid_on is not null as is_fully_paid,
        installments.days_past_due,
        {{ dpd_bucket('installments.days_past_due') }} as dpd_bucket,
        installments.days_past_due > 0 as was_late
    from installments
    inner join loans on installments.loan_id = loans.loan_id
    inner join lines on loans.line_id = lines.line_id
)

select * from final
