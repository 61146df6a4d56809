-- One row per arrears run of a customer: a maximal stretch of days at whose end the customer
-- had arrears outstanding on some line, i.e. an installment past its due date (after the
-- grace days) and not yet cleared by the end of that day. Built from the overdue spells:
-- installment k is outstanding from its spell's first day to the day before it is cleared
-- (a payment on a day ends that day's arrears; the DPD reading still counts that day as past
-- due). A written-off installment stays outstanding until paid: a write-off is not a
-- repayment. Overlapping or adjacent stretches, on any line of the customer, are one run; a
-- run still outstanding at the as-of date ends there (is_repaid false).
with overdue_spells as (
    select * from {{ ref('int_overdue_spells_bounded') }}
),

-- the days at whose end each installment was outstanding (empty when cleared on its
-- spell's first day)
outstanding as (
    select
        customer_id,
        installment_id,
        spell_start_on as started_on,
        case
            when cleared_on is null then {{ as_of_date() }}
            else cast({{ dbt.dateadd('day', -1, 'cleared_on') }} as date)
        end as ended_on,
        cleared_on is not null as is_cleared
    from overdue_spells
),

ordered as (
    select
        customer_id,
        installment_id,
        started_on,
        ended_on,
        is_cleared,
        max(ended_on) over (
            partition by customer_id
            order by started_on, installment_id
            rows between unbounded preceding and 1 preceding
        ) as previous_ended_on
    from outstanding
    where started_on <= ended_on
),

-- a stretch starting more than a day after every earlier one has ended begins a new run
run_starts as (
    select
        *,
        case
            when previous_ended_on is null then 1
            when started_on > cast({{ dbt.dateadd('day', 1, 'previous_ended_on') }} as date)
                then 1
            else 0
        end as is_run_start
    from ordered
),

numbered as (
    select
        *,
        sum(is_run_start) over (
            partition by customer_id
            order by started_on, installment_id
            rows unbounded preceding
        ) as arrears_run_seq
    from run_starts
),

runs as (
    select
        customer_id,
        arrears_run_seq,
        min(started_on) as started_on,
        max(ended_on) as ended_on,
        min(case when is_cleared then 1 else 0 end) = 1 as is_all_cleared,
        count(*) as installments_count
    from numbered
    group by customer_id, arrears_run_seq
),

final as (
    select
        -- ids
        customer_id,
        cast(arrears_run_seq as integer) as arrears_run_seq,
        -- days
        started_on,
        ended_on,
        -- repaid: every installment of the run cleared by the as-of date
        is_all_cleared as is_repaid,
        case
            when is_all_cleared then cast({{ dbt.dateadd('day', 1, 'ended_on') }} as date)
        end as repaid_on,
        installments_count
    from runs
)

select * from final
