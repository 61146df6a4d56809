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
-- Delinquency (docs: days_past_due): installment k is cleared once the running total paid
-- reaches its running total due less var dpd_tolerance_amount (with the default 0: when
-- fully paid), and it is past due only when cleared (or still not cleared at the as-of
-- date) more than var dpd_grace_days after its due date, counting from the due date.
-- Incremental: a daily build recomputes only the loans in int_loans_affected (whole loans,
-- since a late repayment moves the allocation of every later installment).
-- This is the one stored copy of the installment grain: fct_installments is a view over it,
-- so the line and customer keys are joined here (one write of ~100M rows at 1M customers).
{%- set grace_days = var('dpd_grace_days') | int %}
{%- set tolerance_amount = var('dpd_tolerance_amount') | float %}
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
    where paid_on <= {{ as_of_date() }}{% if incremental_window_active() %}
        and loan_id in (select loan_id from {{ ref('int_loans_affected') }}){% endif %}
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
            as principal_due_before,
        -- the running total paid at which the installment stops counting as past due
        (sum(principal_due_amount + interest_due_amount) over loan_schedule)
        - cast({{ tolerance_amount }} as decimal(18, 2)) as cum_due_to_clear
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

-- cleared: paid to within the tolerance (the first repayment reaching cum_due_to_clear, or
-- the due date itself when the installment's whole running total is within the tolerance)
{%- if tolerance_amount > 0 %}
scheduled_paid_to_tolerance as (
    {{ asof_left_join('scheduled_paid', 'running_payments', ['loan_id'],
                      'cum_due_to_clear', '<=', 'cum_paid_after',
                      {'paid_to_tolerance_on': 'paid_on'}) }}
),

scheduled_cleared as (
    select
        *,
        case
            when cum_due_to_clear <= 0 then due_on
            else paid_to_tolerance_on
        end as cleared_on
    from scheduled_paid_to_tolerance
),
{%- else %}
scheduled_cleared as (
    select
        *,
        fully_paid_on as cleared_on
    from scheduled_paid
),
{%- endif %}

allocated as (
    select
        scheduled_cleared.*,
        scheduled_cleared.cum_due_after - scheduled_cleared.amount_due as cum_due_before,
        least(
            greatest(
                coalesce(paid_totals.total_paid_amount, 0)
                - (scheduled_cleared.cum_due_after - scheduled_cleared.amount_due), 0
            ),
            scheduled_cleared.amount_due
        ) as paid_amount,
        {{ days_between('scheduled_cleared.due_on',
                        'coalesce(scheduled_cleared.cleared_on, ' ~ as_of_date() ~ ')') }}
            as days_after_due
    from scheduled_cleared
    left join paid_totals
        on scheduled_cleared.loan_id = paid_totals.loan_id
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
        cleared_on,
        lag(cleared_on, 1, date '1900-01-01') over (
            partition by loan_id order by installment_no
        ) as previous_cleared_on,
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
        -- days past due: as of clearing when cleared, else as of the data's end; 0 within
        -- the grace period, counted from the due date past it
        case
            when {{ past_due_over('days_after_due', grace_days) }} then days_after_due
            else 0
        end as days_past_due
    from allocated
)

select * from final
