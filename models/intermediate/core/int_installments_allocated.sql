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
{%- set tolerance = 'cast(' ~ (var('settlement_tolerance_amount') | float)
    ~ ' as decimal(18, 2))' %}
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

-- what each payment paid on the schedule: its amount less the penalty interest and fees the
-- lender's record says it paid (docs: early_repayment)
repayments as (
    select * from {{ ref('stg_repayments') }}
    where paid_on <= {{ as_of_date() }}{% if incremental_window_active() %}
        and loan_id in (select loan_id from {{ ref('int_loans_affected') }}){% endif %}
),

{{ schedule_in_force_ctes('installments', 'loans', as_of_date()) }},

running_payments as (
    select
        loan_id,
        repayment_id,
        repayment_type,
        paid_on,
        sum({{ schedule_paid_amount() }}) over (
            partition by loan_id order by paid_at, repayment_id rows unbounded preceding
        ) as cum_paid_after
    from repayments
),

{{ settlement_payoffs_ctes('schedule_in_force', 'running_payments', 'loans') }},

-- a loan's settlement: its first payment typed as one, or an untyped payment that brings
-- what it has received to the day's payoff, within var settlement_tolerance_amount, while
-- the whole schedule would have asked more than that tolerance beyond it (a last
-- installment paid a day early is an installment: the interest at stake is within the
-- tolerance); only while principal is still to fall due after the day
settlement_candidates as (
    select
        loan_id,
        paid_on as settled_on,
        principal_after_amount,
        -- the interest it pays: accrued to the day, or what the payment left for interest
        -- when it came within the tolerance below the payoff (no arrears of a few fen)
        greatest(least(
            payoff_cum_amount, cum_paid_after
        ) - coalesce(day_cum_due_after, 0) - principal_after_amount, 0) as accrued_interest_amount,
        row_number() over (
            partition by loan_id order by cum_paid_after, repayment_id
        ) as candidate_seq
    from settlement_payoffs
    where
        principal_after_amount > 0
        and (
            repayment_type = 'settlement'
            or (
                repayment_type is null
                and abs(cum_paid_after - payoff_cum_amount) <= {{ tolerance }}
                and cum_paid_after < schedule_total_amount - {{ tolerance }}
            )
        )
),

settlements as (
    select * from settlement_candidates where candidate_seq = 1
),

-- the schedule owed: what the re-cuts left, up to the settlement day, then the settlement
-- (the principal after it and the interest accrued to it; the rest of the interest waived)
schedule_owed as (
    select
        schedule_in_force.*,
        cast(0 as decimal(18, 2)) as interest_waived_amount
    from schedule_in_force
    left join settlements on schedule_in_force.loan_id = settlements.loan_id
    where settlements.loan_id is null or schedule_in_force.due_on <= settlements.settled_on
    union all
    select
        settlements.loan_id || '-S',
        settlements.loan_id,
        cast(null as integer),
        cast(null as date),
        settlements.settled_on,
        settlements.principal_after_amount,
        settlements.accrued_interest_amount,
        'settlement',
        sum(schedule_in_force.interest_due_amount) - settlements.accrued_interest_amount
    from settlements
    inner join schedule_in_force
        on settlements.loan_id = schedule_in_force.loan_id
        and schedule_in_force.due_on > settlements.settled_on
    group by
        settlements.loan_id,
        settlements.settled_on,
        settlements.principal_after_amount,
        settlements.accrued_interest_amount
),

installments_keyed as (
    select
        schedule_owed.*,
        loans.line_id,
        coalesce(loans.penalty_rate, {{ var('penalty_annual_rate') | float }}) as penalty_rate,
        lines.customer_id,
        lines.product_code
    from schedule_owed
    inner join loans on schedule_owed.loan_id = loans.loan_id
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
        schedule_row_type,
        recut_on,
        penalty_rate,
        -- the order payments are allocated in: by due day, a day's installment before its
        -- prepayment before its settlement
        row_number() over (
            partition by loan_id
            order by
                due_on,
                case schedule_row_type
                    when 'installment' then 0 when 'prepayment' then 1 else 2
                end,
                installment_no
        ) as schedule_seq,
        due_on,
        principal_due_amount,
        interest_due_amount,
        interest_waived_amount,
        principal_due_amount + interest_due_amount as amount_due
    from installments_keyed
),

scheduled_running as (
    select
        *,
        sum(amount_due) over loan_schedule as cum_due_after,
        -- parenthesised: Spark's parser rejects arithmetic right after a named window
        (sum(principal_due_amount) over loan_schedule) - principal_due_amount
            as principal_due_before,
        -- the running total paid at which the installment stops counting as past due
        (sum(amount_due) over loan_schedule)
        - cast({{ tolerance_amount }} as decimal(18, 2)) as cum_due_to_clear
    from scheduled
    window loan_schedule as (
        partition by loan_id order by schedule_seq rows unbounded preceding
    )
),

paid_totals as (
    select
        loan_id,
        sum({{ schedule_paid_amount() }}) as total_paid_amount
    from repayments
    group by loan_id
),

-- the first repayment whose running total covers the schedule through this installment
scheduled_paid as (
    {{ asof_left_join('scheduled_running', 'running_payments', ['loan_id'],
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

-- Penalty interest (罚息, docs: penalty_interest): on what is unpaid of an installment that
-- ends past due, for each day from its due date to the day it is cleared (or the data's end),
-- at the loan's penalty_rate or var penalty_annual_rate. The unpaid amount steps down at
-- each payment day in between: segments from the due date and from each such payment day.
overdue as (
    select
        loan_id,
        installment_id,
        due_on,
        coalesce(cleared_on, {{ as_of_date() }}) as end_on,
        cum_due_after,
        amount_due,
        penalty_rate
    from allocated
    where {{ past_due_over('days_after_due', grace_days) }} and penalty_rate > 0
),

payment_days as (
    select
        loan_id,
        paid_on,
        max(cum_paid_after) as cum_paid_after
    from running_payments
    group by loan_id, paid_on
),

overdue_paid_at_due as (
    {{ asof_left_join('overdue', 'payment_days', ['loan_id'], 'due_on', '>=', 'paid_on',
                      {'cum_paid_at_due': 'cum_paid_after'}) }}
),

penalty_steps as (
    select
        installment_id,
        due_on as step_on,
        coalesce(cum_paid_at_due, 0) as cum_paid_after
    from overdue_paid_at_due
    union all
    select
        overdue.installment_id,
        payment_days.paid_on,
        payment_days.cum_paid_after
    from overdue
    inner join payment_days
        on overdue.loan_id = payment_days.loan_id
        and payment_days.paid_on > overdue.due_on
        and payment_days.paid_on < overdue.end_on
),

penalty_segments as (
    select
        penalty_steps.installment_id,
        overdue.penalty_rate,
        least(greatest(overdue.cum_due_after - penalty_steps.cum_paid_after, 0), overdue.amount_due)
            as unpaid_amount,
        {{ days_between('penalty_steps.step_on', 'coalesce(lead(penalty_steps.step_on) over ('
            ~ 'partition by penalty_steps.installment_id order by penalty_steps.step_on), '
            ~ 'overdue.end_on)') }} as days
    from penalty_steps
    inner join overdue on penalty_steps.installment_id = overdue.installment_id
),

penalties as (
    select
        installment_id,
        cast(round(
            sum(unpaid_amount * penalty_rate * days) / {{ var('interest_day_basis') | int }}, 2
        ) as decimal(18, 2)) as penalty_interest_amount
    from penalty_segments
    group by installment_id
),

final as (
    select
        -- ids
        allocated.installment_id,
        loan_id,
        line_id,
        customer_id,
        product_code,
        installment_no,
        schedule_seq,
        schedule_row_type,
        recut_on,
        -- dates
        due_on,
        fully_paid_on,
        cleared_on,
        lag(cleared_on, 1, date '1900-01-01') over (
            partition by loan_id order by schedule_seq
        ) as previous_cleared_on,
        -- amounts
        principal_due_amount,
        interest_due_amount,
        amount_due,
        cum_due_before,
        cum_due_after,
        principal_due_before,
        paid_amount,
        {%- if interest_before_principal() %}
        least(paid_amount, interest_due_amount) as interest_paid_amount,
        paid_amount - least(paid_amount, interest_due_amount) as principal_paid_amount,
        {%- else %}
        paid_amount - least(paid_amount, principal_due_amount) as interest_paid_amount,
        least(paid_amount, principal_due_amount) as principal_paid_amount,
        {%- endif %}
        amount_due - paid_amount as unpaid_amount,
        interest_waived_amount,
        coalesce(penalty_interest_amount, 0) as penalty_interest_amount,
        -- days past due: as of clearing when cleared, else as of the data's end; 0 within
        -- the grace period, counted from the due date past it
        case
            when {{ past_due_over('days_after_due', grace_days) }} then days_after_due
            else 0
        end as days_past_due
    from allocated
    left join penalties on allocated.installment_id = penalties.installment_id
)

select * from final
