-- Loan x month for every loan past due at the month's snapshot: its own DPD bucket and its
-- own on-book principal then (principal less the principal repaid by the snapshot; a loan
-- written off by then holds nothing on book). The loan-level view of the DPD buckets
-- (risk_loan_level_buckets): a line's current loans stay in M0 even when another of its
-- loans is past due, where the account-level view puts the line's whole balance in the
-- worst loan's bucket.
with delinquent_loan_months as (
    select * from {{ ref('int_loan_months_delinquent') }}
    where dpd_at_snapshot > 0
),

loans as (
    select * from {{ ref('stg_loans') }}
),

repayments as (
    select * from {{ ref('int_repayments_allocated') }}
),

charge_offs as (
    select * from {{ ref('int_loans_charged_off') }}
),

months as (
    select * from {{ ref('int_months_spined') }}
),

on_book as (
    select
        delinquent_loan_months.loan_id,
        delinquent_loan_months.month_start_on,
        months.snapshot_on,
        delinquent_loan_months.dpd_at_snapshot
    from delinquent_loan_months
    inner join months on delinquent_loan_months.month_start_on = months.month_start_on
    left join charge_offs on delinquent_loan_months.loan_id = charge_offs.loan_id
    where charge_offs.charged_off_on is null or charge_offs.charged_off_on > months.snapshot_on
),

principal_repaid as (
    select
        on_book.loan_id,
        on_book.month_start_on,
        coalesce(sum(repayments.principal_amount), 0) as principal_repaid_amount
    from on_book
    left join repayments
        on on_book.loan_id = repayments.loan_id
        and repayments.paid_on <= on_book.snapshot_on
    group by 1, 2
),

final as (
    select
        on_book.loan_id,
        loans.line_id,
        on_book.month_start_on,
        on_book.dpd_at_snapshot,
        {{ dpd_bucket('on_book.dpd_at_snapshot') }} as dpd_bucket,
        loans.principal_amount - principal_repaid.principal_repaid_amount
            as outstanding_principal_amount
    from on_book
    inner join principal_repaid
        on on_book.loan_id = principal_repaid.loan_id
        and on_book.month_start_on = principal_repaid.month_start_on
    inner join loans on on_book.loan_id = loans.loan_id
)

select * from final
