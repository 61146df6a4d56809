-- Loans charged off (written off): on the day their days past due first exceed
-- var('charge_off_dpd'), that is due date + charge_off_dpd + 1 of the first installment
-- still not cleared then (cleared: fully paid, or paid to within var dpd_tolerance_amount;
-- var dpd_grace_days, documented below charge_off_dpd, does not move the date because DPD
-- past the grace counts from the due date). The principal still owed that day leaves the
-- on-book balance.
with installments as (
    select * from {{ ref('int_installments_allocated') }}
),

repayments as (
    select * from {{ ref('int_repayments_allocated') }}
),

loans as (
    select * from {{ ref('stg_loans') }}
),

first_breach as (
    select
        loan_id,
        min({{ dbt.dateadd('day', var('charge_off_dpd') + 1, 'due_on') }}) as charged_off_on
    from installments
    where
        coalesce(cleared_on, date '9999-12-31') > {{ dbt.dateadd(
            'day', var('charge_off_dpd') + 1, 'due_on'
        ) }}
        and {{ dbt.dateadd('day', var('charge_off_dpd') + 1, 'due_on') }} <= {{ as_of_date() }}
    group by loan_id
),

principal_repaid_before as (
    select
        first_breach.loan_id,
        coalesce(sum(repayments.principal_amount), 0) as principal_repaid_amount
    from first_breach
    left join repayments
        on first_breach.loan_id = repayments.loan_id
        and repayments.paid_on <= first_breach.charged_off_on
    group by first_breach.loan_id
),

final as (
    select
        first_breach.loan_id,
        cast(first_breach.charged_off_on as date) as charged_off_on,
        loans.principal_amount - principal_repaid_before.principal_repaid_amount
            as charged_off_principal_amount
    from first_breach
    inner join principal_repaid_before on first_breach.loan_id = principal_repaid_before.loan_id
    inner join loans on first_breach.loan_id = loans.loan_id
)

select * from final
