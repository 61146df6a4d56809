-- Origination month x product (and all products) x payment number 1-3: the share of loans
-- whose first (FPD), second (SPD) or third (TPD) installment was still unpaid 1, 7 and 30
-- days after its due date (首逾率). A loan counts for a threshold only once that many days
-- have passed since the installment's due date by the as-of date (observed loans); a cell
-- without observed loans has a null rate.
{%- set day_thresholds = [1, 7, 30] %}
with installments as (
    select * from {{ ref('fct_installments') }}
    where installment_no <= 3
),

loans as (
    select * from {{ ref('fct_loans') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

early_installments as (
    select
        loans.origination_month_on,
        loans.product_code,
        installments.installment_no,
        loans.principal_amount,
        {%- for days in day_thresholds %}
        installments.due_on <= {{ dbt.dateadd('day', -days, 'as_of.as_of_on') }} as is_observed_{{ days }}d,
        installments.days_past_due >= {{ days }} as is_unpaid_{{ days }}d{{ ',' if not loop.last }}
        {%- endfor %}
    from installments
    inner join loans on installments.loan_id = loans.loan_id
    cross join as_of
),

final as (
    select
        -- keys
        origination_month_on,
        case when grouping(product_code) = 1 then 'all' else product_code end as product_code,
        installment_no,
        case installment_no when 1 then 'FPD' when 2 then 'SPD' else 'TPD' end as metric_name,
        count(*) as loan_count,
        {%- for days in day_thresholds %}
        -- {{ days }} day(s) after the due date
        count(case when is_observed_{{ days }}d then 1 end) as observed_{{ days }}d_loan_count,
        count(case when is_observed_{{ days }}d and is_unpaid_{{ days }}d then 1 end)
            as unpaid_{{ days }}d_loan_count,
        count(case when is_observed_{{ days }}d and is_unpaid_{{ days }}d then 1 end) * 1E0
            / nullif(count(case when is_observed_{{ days }}d then 1 end), 0) as unpaid_{{ days }}d_rate,
        cast(sum(case when is_observed_{{ days }}d and is_unpaid_{{ days }}d then principal_amount else 0 end)
                as double)
            / nullif(sum(case when is_observed_{{ days }}d then principal_amount else 0 end), 0)
            as unpaid_{{ days }}d_principal_rate{{ ',' if not loop.last }}
        {%- endfor %}
    from early_installments
    group by grouping sets (
        (origination_month_on, product_code, installment_no),
        (origination_month_on, installment_no)
    )
)

select * from final
