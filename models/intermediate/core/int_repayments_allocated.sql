{{
    config(
        materialized='incremental',
        incremental_strategy=core_fact_incremental_strategy(),
        on_schema_change='sync_all_columns',
        pre_hook="{{ delete_rows_to_rebuild('loan_id', 'int_loans_affected') }}",
    )
}}

-- depends_on: {{ ref('int_loans_affected') }}
-- Each repayment split into penalty interest and fees (as the lender's record says), then
-- interest, principal and credit (overpayment beyond the whole schedule owed, kept rather
-- than lost). Principal repaid is a piecewise-linear function of the
-- running amount paid: an ASOF join finds the installment the running total has reached.
-- This is the one stored copy of the repayment grain: fct_repayments is a view over it, so
-- the line and customer keys are joined here.
with repayments as (
    select * from {{ ref('stg_repayments') }}
    where paid_on <= {{ as_of_date() }}{% if incremental_window_active() %}
        and loan_id in (select loan_id from {{ ref('int_loans_affected') }}){% endif %}
),

loans as (
    select * from {{ ref('stg_loans') }}
),

lines as (
    select * from {{ ref('stg_credit_lines') }}
),

schedule as (
    select * from {{ ref('int_installments_allocated') }}
    {%- if incremental_window_active() %}
    where loan_id in (select loan_id from {{ ref('int_loans_affected') }})
    {%- endif %}
),

schedule_totals as (
    select
        loan_id,
        max(cum_due_after) as total_due_amount
    from schedule
    group by loan_id
),

repayments_keyed as (
    select
        repayments.*,
        loans.line_id,
        lines.customer_id
    from repayments
    inner join loans on repayments.loan_id = loans.loan_id
    inner join lines on loans.line_id = lines.line_id
),

running as (
    select
        *,
        sum({{ schedule_paid_amount() }}) over (
            partition by loan_id order by paid_at, repayment_id rows unbounded preceding
        ) as cum_paid_after
    from repayments_keyed
),

-- the installment the running total has reached: the last one starting at or below it
installment_reached as (
    {{ asof_left_join('running', 'schedule', ['loan_id'],
                      'cum_paid_after', '>=', 'cum_due_before', {
        'reached_cum_due_before': 'cum_due_before',
        'reached_principal_due_before': 'principal_due_before',
        'reached_principal_due_amount': 'principal_due_amount',
        'reached_interest_due_amount': 'interest_due_amount',
    }) }}
),

principal_reached as (
    select
        *,
        coalesce(
            reached_principal_due_before + least(
                greatest(
                    cum_paid_after - reached_cum_due_before
                    {%- if interest_before_principal() %} - reached_interest_due_amount{% endif %},
                    0
                ),
                reached_principal_due_amount
            ),
            0
        ) as cum_principal_after
    from installment_reached
),

split as (
    select
        principal_reached.*,
        coalesce(schedule_totals.total_due_amount, 0) as total_due_amount,
        cum_principal_after - coalesce(lag(cum_principal_after) over (
            partition by principal_reached.loan_id order by paid_at, repayment_id
        ), 0) as principal_amount,
        greatest(cum_paid_after - coalesce(schedule_totals.total_due_amount, 0), 0)
        - greatest(
            cum_paid_after - {{ schedule_paid_amount() }}
            - coalesce(schedule_totals.total_due_amount, 0), 0
        ) as credit_amount
    from principal_reached
    left join schedule_totals
        on principal_reached.loan_id = schedule_totals.loan_id
),

final as (
    select
        -- ids
        repayment_id,
        loan_id,
        line_id,
        customer_id,
        -- dates
        paid_at,
        paid_on,
        -- amounts
        repayment_amount,
        principal_amount,
        {{ schedule_paid_amount() }} - principal_amount - credit_amount as interest_amount,
        penalty_interest_paid_amount,
        fee_paid_amount,
        repayment_type,
        credit_amount,
        cum_paid_after
    from split
)

select * from final
