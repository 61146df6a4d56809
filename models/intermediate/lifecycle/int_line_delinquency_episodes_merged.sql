-- One row per delinquency episode of a line: a maximal run of consecutive days on which the
-- line was 1+ DPD on at least one of its loans (its loans' overdue spells merged where they
-- overlap or touch), with the missed due date it began with, its first day past due, the
-- due date of its first installment to go 30+ DPD and the day it did (null when it never
-- got there), its last day and its worst DPD.
-- Definitions: _lifecycle__docs.md (delinquency_episode).
with overdue_spells as (
    select * from {{ ref('int_overdue_spells_bounded') }}
),

-- the latest end among the line's earlier spells (in order of start)
ordered_spells as (
    select
        installment_id,
        line_id,
        customer_id,
        product_code,
        due_on,
        spell_start_on,
        spell_end_on,
        max(spell_end_on) over (
            partition by line_id
            order by spell_start_on, installment_id
            rows between unbounded preceding and 1 preceding
        ) as previous_end_on
    from overdue_spells
),

-- a spell starts a new episode when it begins more than one day after every earlier spell
-- of the line has ended
flagged_spells as (
    select
        *,
        case
            when previous_end_on is null
                or spell_start_on > cast({{ dbt.dateadd('day', 1, 'previous_end_on') }} as date)
                then 1
            else 0
        end as is_episode_start
    from ordered_spells
),

numbered_spells as (
    select
        *,
        sum(is_episode_start) over (
            partition by line_id
            order by spell_start_on, installment_id
            rows unbounded preceding
        ) as episode_seq
    from flagged_spells
),

episodes as (
    select
        line_id,
        episode_seq,
        max(case when is_episode_start = 1 then installment_id end) as first_installment_id,
        max(customer_id) as customer_id,
        max(product_code) as product_code,
        min(due_on) as missed_due_on,
        min(spell_start_on) as delinquency_start_on,
        max(spell_end_on) as delinquency_end_on,
        max({{ days_between('due_on', 'spell_end_on') }}) as worst_dpd,
        -- DPD only grows within a spell: a spell is 30+ on some day when it is 30+ on its last
        min(case
            when {{ is_dpd_30_plus(days_between('due_on', 'spell_end_on')) }}
                then greatest(spell_start_on, {{ first_day_dpd_30_plus('due_on') }})
        end) as first_dpd30_on,
        -- the due date of the first installment of the run that went 30+ DPD
        min(case
            when {{ is_dpd_30_plus(days_between('due_on', 'spell_end_on')) }} then due_on
        end) as dpd30_due_on
    from numbered_spells
    group by line_id, episode_seq
),

final as (
    select
        -- ids
        first_installment_id as delinquency_episode_id,
        line_id,
        customer_id,
        product_code,
        episode_seq,
        -- dates
        missed_due_on,
        delinquency_start_on,
        dpd30_due_on,
        first_dpd30_on,
        delinquency_end_on,
        -- delinquency
        worst_dpd,
        first_dpd30_on is not null as is_dpd30_episode
    from episodes
)

select * from final
