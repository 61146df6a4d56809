-- One row per overdue spell: a stretch of days during which one installment was its loan's
-- oldest unpaid past-due installment. Under oldest-due-first allocation, installment k is
-- the oldest unpaid one from the day installment k-1 is fully paid until it is fully paid
-- itself, so on day d of its spell the loan is (d - due_on) days past due, the same reading
-- of DPD as the core facts (the day of payment counts). A spell ends on the day the
-- installment is fully paid, on the loan's charge-off date (written off, no longer
-- delinquent), or on the as-of date. Day-exact delinquency before a closure and after a
-- reopening is read from here.
with installments as (
    select * from {{ ref('fct_installments') }}
),

loans as (
    select * from {{ ref('fct_loans') }}
),

sequenced as (
    select
        installment_id,
        loan_id,
        line_id,
        customer_id,
        product_code,
        installment_no,
        due_on,
        fully_paid_on,
        cleared_on,
        days_past_due,
        lag(cleared_on) over (partition by loan_id order by schedule_seq)
            as previous_cleared_on,
        schedule_seq as schedule_position
    from installments
),

spells as (
    select
        sequenced.installment_id,
        sequenced.loan_id,
        sequenced.line_id,
        sequenced.customer_id,
        sequenced.product_code,
        sequenced.due_on,
        sequenced.fully_paid_on,
        sequenced.cleared_on,
        loans.charged_off_on,
        case
            when sequenced.schedule_position = 1
                then cast({{ dbt.dateadd(
                    'day', (var('dpd_grace_days') | int) + 1, 'sequenced.due_on'
                ) }} as date)
            else
                greatest(
                    cast({{ dbt.dateadd(
                        'day', (var('dpd_grace_days') | int) + 1, 'sequenced.due_on'
                    ) }} as date),
                    sequenced.previous_cleared_on
                )
        end as spell_start_on,
        least(
            coalesce(sequenced.cleared_on, {{ as_of_date() }}),
            coalesce(loans.charged_off_on, {{ as_of_date() }}),
            {{ as_of_date() }}
        ) as spell_end_on
    from sequenced
    inner join loans on sequenced.loan_id = loans.loan_id
    where
        -- it became the oldest unpaid installment (the previous one was paid, or none)
        (sequenced.schedule_position = 1 or sequenced.previous_cleared_on is not null)
        -- and was past due at some point (not cleared within the grace period)
        and sequenced.days_past_due > 0
),

final as (
    select
        -- ids
        installment_id,
        loan_id,
        line_id,
        customer_id,
        product_code,
        -- dates
        due_on,
        spell_start_on,
        spell_end_on,
        fully_paid_on,
        cleared_on,
        charged_off_on,
        -- delinquency
        {{ days_between('due_on', 'spell_start_on') }} as dpd_at_start,
        {{ days_between('due_on', 'spell_end_on') }} as dpd_at_end
    from spells
    where spell_start_on <= spell_end_on
)

select * from final
