-- Origination month x product (and all products) x payment number 1-3: the share of loans
-- whose first (FPD), second (SPD) or third (TPD) installment went more than k days past
-- due, for k = 1, 7 and 30 (首逾率; docs: risk_first_payment_delinquency). Cumulative: of
-- every observed loan. Conditional: of the observed loans whose earlier installments were
-- each at most k days past due (paid within k days). A loan counts for a k only once more
-- than k days (and more than the grace period) have passed since the installment's due date
-- by the as-of date (observed loans); a cell without observed loans has a null rate.
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

-- the worst days past due of the loan's earlier installments (null for the first)
installments_with_earlier as (
    select
        installments.*,
        max(days_past_due) over (
            partition by loan_id order by installment_no
            rows between unbounded preceding and 1 preceding
        ) as earlier_days_past_due
    from installments
),

early_installments as (
    select
        loans.origination_month_on,
        loans.product_code,
        installments_with_earlier.installment_no,
        loans.principal_amount,
        {%- for days in day_thresholds %}
        {#- the verdict is final once the day after k days past due (and after the grace,
            when longer: an unpaid installment reads 0 DPD within it) is on or before the
            as-of date #}
        {%- set decided_after_days = [days, var('dpd_grace_days') | int] | max %}
        {{ days_between('installments_with_earlier.due_on', 'as_of.as_of_on') }}
        > {{ decided_after_days }} as is_observed_{{ days }}d,
        {{ past_due_over('installments_with_earlier.days_past_due', days) }} as is_bad_{{ days }}d,
        {{ past_due_over('coalesce(installments_with_earlier.earlier_days_past_due, 0)', days) }}
            as was_earlier_bad_{{ days }}d{{ ',' if not loop.last }}{% endfor %}
    from installments_with_earlier
    inner join loans on installments_with_earlier.loan_id = loans.loan_id
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
        {%- set observed = 'is_observed_' ~ days ~ 'd' %}
        {%- set bad = 'is_bad_' ~ days ~ 'd' %}
        {%- set conditional = observed ~ ' and not was_earlier_bad_' ~ days ~ 'd' %}
        -- more than {{ days }} day(s) past due, cumulative
        count(case when {{ observed }} then 1 end) as observed_{{ days }}d_loan_count,
        count(case when {{ observed }} then 1 end) = count(*) as is_fully_observed_{{ days }}d,
        count(case when {{ observed }} and {{ bad }} then 1 end) as unpaid_{{ days }}d_loan_count,
        {{ safe_ratio(
            'count(case when ' ~ observed ~ ' and ' ~ bad ~ ' then 1 end)',
            'count(case when ' ~ observed ~ ' then 1 end)'
        ) }} as unpaid_{{ days }}d_rate,
        {{ safe_ratio(
            'sum(case when ' ~ observed ~ ' and ' ~ bad ~ ' then principal_amount else 0 end)',
            'sum(case when ' ~ observed ~ ' then principal_amount else 0 end)'
        ) }} as unpaid_{{ days }}d_principal_rate,
        -- more than {{ days }} day(s) past due, conditional on the earlier installments
        count(case when {{ conditional }} then 1 end)
            as conditional_observed_{{ days }}d_loan_count,
        count(case when {{ conditional }} and {{ bad }} then 1 end)
            as conditional_unpaid_{{ days }}d_loan_count,
        {{ safe_ratio(
            'count(case when ' ~ conditional ~ ' and ' ~ bad ~ ' then 1 end)',
            'count(case when ' ~ conditional ~ ' then 1 end)'
        ) }} as conditional_unpaid_{{ days }}d_rate,
        {{ safe_ratio(
            'sum(case when ' ~ conditional ~ ' and ' ~ bad ~ ' then principal_amount else 0 end)',
            'sum(case when ' ~ conditional ~ ' then principal_amount else 0 end)'
        ) }} as conditional_unpaid_{{ days }}d_principal_rate{{ ',' if not loop.last }}{% endfor %}
    from early_installments
    group by grouping sets (
        (origination_month_on, product_code, installment_no),
        (origination_month_on, installment_no)
    )
)

select * from final
