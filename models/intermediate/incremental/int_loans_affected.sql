-- The loans a windowed (daily) build recomputes in the loan-grain core facts; empty in any
-- other build, where those facts are recomputed whole. A loan is affected when
--   * a raw row of it, of its line or of its customer was loaded on or after
--     var('incremental_since_load_date') (accepted or quarantined: a late row can also
--     change which earlier rows are accepted, and that is always within the same loan,
--     line or customer), or
--   * moving the as-of date from var('incremental_previous_as_of') changes it: it has an
--     installment still unpaid and past due (its days past due grow, it may be charged off),
--     an installment falling due in between, or a repayment dated in between.
-- See docs/operations.md for why this set is enough for incremental = full refresh.
{% set windowed = var('incremental_since_load_date', '') != '' %}

with

{% if windowed %}
new_customers as (
    select customer_id from {{ ref('base_customers_checked') }}
    where load_date >= {{ incremental_since() }}
),

lines as (
    select line_id, customer_id, load_date from {{ ref('base_credit_lines_checked') }}
),

touched_lines as (
    select line_id from lines
    where load_date >= {{ incremental_since() }}
        or customer_id in (select customer_id from new_customers)
),

loans as (
    select loan_id, line_id, load_date from {{ ref('base_loans_checked') }}
),

installments as (
    select * from {{ ref('stg_installments') }}
),

loan_terms as (
    select * from {{ ref('stg_loans') }}
),

-- the schedule as re-cuts left it, with the prepayment rows: a prepayment is paid money the
-- raw schedule does not ask for, so against the raw rows a loan behind on its re-cut rows
-- could look paid up (docs: early_repayment)
{{ schedule_in_force_ctes('installments', 'loan_terms', as_of_date()) }},

repayments as (
    select * from {{ ref('stg_repayments') }}
),

touched_by_rows as (
    select loan_id from loans
    where load_date >= {{ incremental_since() }}
        or line_id in (select line_id from touched_lines)
    union
    select loan_id from {{ ref('base_installments_checked') }}
    where load_date >= {{ incremental_since() }}
    union
    select loan_id from {{ ref('base_repayments_checked') }}
    where load_date >= {{ incremental_since() }}
),

falling_due as (
    select loan_id from installments
    where (due_on > {{ incremental_previous_as_of() }} and due_on <= {{ as_of_date() }})
        or (recut_on > {{ incremental_previous_as_of() }} and recut_on <= {{ as_of_date() }})
    union
    select loan_id from repayments
    where paid_on > {{ incremental_previous_as_of() }} and paid_on <= {{ as_of_date() }}
),

paid_totals as (
    select
        loan_id,
        sum({{ schedule_paid_amount() }}) as paid_amount
    from repayments
    where paid_on <= {{ as_of_date() }}
    group by loan_id
),

-- the installments a settlement replaced still count here: a settled loan can be selected
-- needlessly (recomputed, same result), never missed
schedule_running as (
    select
        loan_id,
        due_on,
        sum(principal_due_amount + interest_due_amount) over (
            partition by loan_id
            order by due_on, schedule_row_type, installment_no rows unbounded preceding
        ) as cum_due_after
    from schedule_in_force
),

unpaid_past_due as (
    select distinct schedule_running.loan_id
    from schedule_running
    left join paid_totals on schedule_running.loan_id = paid_totals.loan_id
    where
        schedule_running.due_on < {{ as_of_date() }}
        and schedule_running.cum_due_after > coalesce(paid_totals.paid_amount, 0)
),

affected as (
    select loan_id from touched_by_rows
    union
    select loan_id from falling_due
    union
    select loan_id from unpaid_past_due
)

select loan_id from affected where loan_id is not null
{% else %}
no_window as (
    select cast(null as string) as loan_id
)

select loan_id from no_window where false
{% endif %}
