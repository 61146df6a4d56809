{{
    config(
        materialized='incremental',
        incremental_strategy=core_fact_incremental_strategy(),
        on_schema_change='sync_all_columns',
        pre_hook="{{ delete_rows_to_rebuild('loan_id', 'int_loans_affected') }}",
    )
}}

-- depends_on: {{ ref('int_loans_affected') }}
-- Repayments allocated to a loan's installments oldest-due first (within an installment,
-- interest before principal). Because allocation is FIFO, installment k is fully paid by
-- the first repayment whose running total reaches the schedule's running total through k:
-- an ASOF join finds it without expanding payments against installments.
-- Incremental: a daily build recomputes only the loans in int_loans_affected (whole loans,
-- since a late repayment moves the allocation of every later installment).
-- This is the one stored copy of the installment grain: fct_installments is a view over it,
-- so the line and customer keys are joined here (one write of ~100M rows at 1M customers).
with installments as (
    select * from {{ ref('stg_installments') }}
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

repayments as (
    select * from {{ ref('stg_repayments') }}
    where paid_on <= {{ as_of_date() }}
    {%- if incremental_window_active() %}
    and loan_id in (select loan_id from {{ ref('int_loans_affected') }})
    {%- endif %}
),

installments_keyed as (
    select
        installments.*,
        loans.line_id,
        lines.customer_id,
        lines.product_code
    from installments
    inner join loans on installments.loan_id = loans.loan_id
    inner join lines on loans.line_id = lines.line_id
),

scheduled as (
    select
        installment_id,
        loan_id,
        line_id,
        customer_id,
        product_code,
        installment_no,
        due_on,
        principal_due_amount,
        interest_due_amount,
        principal_due_amount + interest_due_amount as amount_due,
        sum(principal_due_amount + interest_due_amount) over loan_schedule as cum_due_after,
        -- parenthesised: Spark's parser rejects arithmetic right after a named window
        (sum(principal_due_amount) over loan_schedule) - principal_due_amount
            as principal_due_before
    from installments_keyed
    window loan_schedule as (
        partition by loan_id order by installment_no rows unbounded preceding
    )
),

running_payments as (
    select
        loan_id,
        paid_on,
        sum(repayment_amount) over (
            partition by loan_id order by paid_at, repayment_id rows unbounded preceding
        ) as cum_paid_after
    from repayments
),

paid_totals as (
    select
        loan_id,
        sum(repayment_amount) as total_paid_amount
    from repayments
    group by loan_id
),

-- the first repayment whose running total covers the schedule through this installment
scheduled_paid as (
    {{ asof_left_join('scheduled', 'running_payments', ['loan_id'],
                      'cum_due_after', '<=', 'cum_paid_after', {'fully_paid_on': 'paid_on'}) }}
),

allocated as (
    select
        scheduled_paid.*,
        scheduled_paid.cum_due_after - scheduled_paid.amount_due as cum_due_before,
        least(
            greatest(
                coalesce(paid_totals.total_paid_amount, 0)
                - (scheduled_paid.cum_due_after - scheduled_paid.amount_due), 0
            ),
            scheduled_paid.amount_due
        ) as paid_amount
    from scheduled_paid
    left join paid_totals
        on scheduled_paid.loan_id = paid_totals.loan_id
),

final as (
    select
        -- ids
        installment_id,
        loan_id,
        line_id,
        customer_id,
        product_code,
        installment_no,
        -- dates
        due_on,
        fully_paid_on,
        lag(fully_paid_on, 1, date '1900-01-01') over (
            partition by loan_id order by installment_no
        ) as previous_fully_paid_on,
        -- amounts
        principal_due_amount,
        interest_due_amount,
        amount_due,
        cum_due_before,
        cum_due_after,
        principal_due_before,
        paid_amount,
        least(paid_amount, interest_due_amount) as interest_paid_amount,
        paid_amount - least(paid_amount, interest_due_amount) as principal_paid_amount,
        amount_due - paid_amount as unpaid_amount,
        -- days past due: as of payment when paid, else as of the data's end
        case
            when fully_paid_on is not null
                then greatest({{ days_between('due_on', 'fully_paid_on') }}, 0)
            when due_on < {{ as_of_date() }}
                then {{ days_between('due_on', as_of_date()) }}
            else 0
        end as days_past_due
    from allocated
)

select * from final
