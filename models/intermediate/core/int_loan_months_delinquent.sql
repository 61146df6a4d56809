{{
    config(
        materialized='incremental',
        incremental_strategy=core_fact_incremental_strategy(),
        on_schema_change='sync_all_columns',
        pre_hook="{{ delete_rows_to_rebuild('loan_id', 'int_loans_affected') }}",
    )
}}

-- depends_on: {{ ref('int_loans_affected') }}
-- Loan x month for every month in which the loan was past due on at least one day:
-- the worst DPD reached in the month (ever-in-month, 期中ever), the DPD at the month's
-- snapshot (point-in-time, 期末时点) and the overdue amount then.
--
-- DPD on a day is the days since the due date of the oldest installment not cleared that
-- day (cleared: fully paid, or paid to within var dpd_tolerance_amount), once more than var
-- dpd_grace_days have passed since that due date (0 before). Under FIFO allocation
-- installment k is the oldest uncleared one from the day installment k-1 was cleared until
-- it is cleared itself, so each installment contributes only over that spell, and only
-- past its grace period: a defaulted loan adds one row a month, not one per unpaid
-- installment.
-- A charged-off loan counts until its charge-off month (where it shows as M7+ with the
-- default charge_off_dpd of 180) and then leaves: it is written off, no longer delinquent.
with installments as (
    select * from {{ ref('int_installments_allocated') }}
    {%- if incremental_window_active() %}
    where loan_id in (select loan_id from {{ ref('int_loans_affected') }})
    {%- endif %}
),

months as (
    select * from {{ ref('int_months_spined') }}
),

repayments as (
    select * from {{ ref('int_repayments_allocated') }}
    {%- if incremental_window_active() %}
    where loan_id in (select loan_id from {{ ref('int_loans_affected') }})
    {%- endif %}
),

charge_offs as (
    select * from {{ ref('int_loans_charged_off') }}
),

-- installments that were ever past due (days_past_due > 0: cleared, or still not cleared
-- at the as-of date, after the grace period), from the first day they counted
oldest_unpaid_spells as (
    select
        loan_id,
        due_on,
        cleared_on,
        greatest(
            {{ dbt.dateadd('day', (var('dpd_grace_days') | int) + 1, 'due_on') }},
            previous_cleared_on
        ) as spell_start_on
    from installments
    where
        previous_cleared_on is not null
        and days_past_due > 0
),

spell_months as (
    select
        oldest_unpaid_spells.loan_id,
        months.month_start_on,
        months.snapshot_on,
        {{ days_between(
            'oldest_unpaid_spells.due_on',
            'least(coalesce(oldest_unpaid_spells.cleared_on, months.snapshot_on), months.snapshot_on)'
        ) }} as dpd_reached,
        case
            when
                oldest_unpaid_spells.cleared_on is null
                or oldest_unpaid_spells.cleared_on > months.snapshot_on
                then {{ days_between('oldest_unpaid_spells.due_on', 'months.snapshot_on') }}
        end as dpd_at_snapshot
    from oldest_unpaid_spells
    inner join months
        on months.snapshot_on >= oldest_unpaid_spells.spell_start_on
        and months.month_start_on <= coalesce(oldest_unpaid_spells.cleared_on, months.snapshot_on)
    left join charge_offs
        on oldest_unpaid_spells.loan_id = charge_offs.loan_id
    where
        charge_offs.charged_off_on is null
        or months.month_start_on <= charge_offs.charged_off_on
),

loan_months as (
    select
        loan_id,
        month_start_on,
        snapshot_on,
        max(dpd_reached) as max_dpd_in_month,
        coalesce(max(dpd_at_snapshot), 0) as dpd_at_snapshot
    from spell_months
    group by loan_id, month_start_on, snapshot_on
),

daily_paid as (
    select
        loan_id,
        paid_on,
        max(cum_paid_after) as cum_paid_after
    from repayments
    group by loan_id, paid_on
),

-- the schedule's running total through the last installment due before the snapshot
with_due_matched as (
    {{ asof_left_join('loan_months', 'installments', ['loan_id'],
                      'snapshot_on', '>', 'due_on', {'cum_due_after': 'cum_due_after'}) }}
),

with_due as (
    select
        loan_id,
        month_start_on,
        snapshot_on,
        max_dpd_in_month,
        dpd_at_snapshot,
        coalesce(cum_due_after, 0) as cum_due_past
    from with_due_matched
),

-- the running total paid by the end of the snapshot day
with_paid as (
    {{ asof_left_join('with_due', 'daily_paid', ['loan_id'],
                      'snapshot_on', '>=', 'paid_on', {'cum_paid_after': 'cum_paid_after'}) }}
),

final as (
    select
        loan_id,
        month_start_on,
        max_dpd_in_month,
        dpd_at_snapshot,
        case
            when dpd_at_snapshot > 0
                then greatest(cum_due_past - coalesce(cum_paid_after, 0), 0)
            else 0
        end as overdue_amount
    from with_paid
)

select * from final
