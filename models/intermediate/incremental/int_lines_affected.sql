-- The lines a windowed (daily) build recomputes whole in the line-grain core facts
-- (fct_limit_events; fct_line_months, which also rebuilds every line's months from the
-- previous as-of month on); empty in any other build. A line is affected when a raw row
-- of it, of one of its loans (loan, installment, repayment) or of its customer (customer,
-- score, inquiry) was loaded on or after var('incremental_since_load_date'), or when it
-- has a limit event dated after var('incremental_previous_as_of').
-- Loans affected only by the move of the as-of date change months from the previous as-of
-- month on, which fct_line_months rebuilds for every line anyway.
{% set windowed = var('incremental_since_load_date', '') != '' %}

with

{% if windowed %}
lines as (
    select line_id, customer_id, load_date from {{ ref('base_credit_lines_checked') }}
),

loans as (
    select loan_id, line_id, load_date from {{ ref('base_loans_checked') }}
),

new_customers as (
    select customer_id from {{ ref('base_customers_checked') }}
    where load_date >= {{ incremental_since() }}
    union
    select customer_id from {{ ref('base_credit_scores_checked') }}
    where load_date >= {{ incremental_since() }}
    union
    select customer_id from {{ ref('base_credit_inquiries_checked') }}
    where load_date >= {{ incremental_since() }}
),

new_loan_rows as (
    select loan_id from {{ ref('base_installments_checked') }}
    where load_date >= {{ incremental_since() }}
    union
    select loan_id from {{ ref('base_repayments_checked') }}
    where load_date >= {{ incremental_since() }}
),

affected as (
    select line_id from lines
    where load_date >= {{ incremental_since() }}
        or customer_id in (select customer_id from new_customers)
    union
    select line_id from loans
    where load_date >= {{ incremental_since() }}
        or loan_id in (select loan_id from new_loan_rows)
    union
    select line_id from {{ ref('base_limit_events_checked') }}
    where load_date >= {{ incremental_since() }}
    union
    select line_id from {{ ref('stg_limit_events') }}
    where event_on > {{ incremental_previous_as_of() }}
)

select line_id from affected where line_id is not null
{% else %}
no_window as (
    select cast(null as string) as line_id
)

select line_id from no_window where false
{% endif %}
