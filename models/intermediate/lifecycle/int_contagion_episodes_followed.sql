-- One row per 30+ DPD delinquency episode of a line whose customer also holds a line of the
-- other product, per such other line: the other line's state just before day 0 (the due
-- date of the episode's first installment to go 30+ DPD), whether it was itself delinquent
-- when the lender reviewed the month, and, counted in days from day 0, its first limit cut,
-- freeze and closure and its first 30+ DPD day. The input of mart_cross_product_contagion
-- (_lifecycle__docs.md: cross_product_contagion).
with delinquency_episodes as (
    select * from {{ ref('int_line_delinquency_episodes_merged') }}
    where is_dpd30_episode
),

lines as (
    select * from {{ ref('dim_credit_lines') }}
),

limit_events as (
    select * from {{ ref('fct_limit_events') }}
),

overdue_spells as (
    select * from {{ ref('int_overdue_spells_bounded') }}
),

line_months as (
    select * from {{ ref('fct_line_months') }}
),

paired_episodes as (
    select
        delinquency_episodes.delinquency_episode_id,
        delinquency_episodes.line_id,
        delinquency_episodes.customer_id,
        delinquency_episodes.product_code,
        delinquency_episodes.dpd30_due_on as day_zero_on,
        delinquency_episodes.missed_due_on,
        delinquency_episodes.delinquency_start_on,
        delinquency_episodes.first_dpd30_on,
        other_lines.line_id as other_line_id,
        other_lines.product_code as other_product_code,
        cast({{ dbt.date_trunc('month', 'delinquency_episodes.dpd30_due_on') }} as date)
            as index_month_on,
        cast({{ dbt.last_day('delinquency_episodes.dpd30_due_on', 'month') }} as date)
            as review_on
    from delinquency_episodes
    inner join lines as other_lines
        on delinquency_episodes.customer_id = other_lines.customer_id
        and delinquency_episodes.product_code <> other_lines.product_code
),

-- the other line's state after its last limit event before day 0
states_before as (
    select
        paired_episodes.delinquency_episode_id,
        paired_episodes.other_line_id,
        limit_events.status_after,
        row_number() over (
            partition by paired_episodes.delinquency_episode_id, paired_episodes.other_line_id
            order by limit_events.event_seq desc
        ) as recency_rank
    from paired_episodes
    inner join limit_events
        on paired_episodes.other_line_id = limit_events.line_id
        and limit_events.event_on < paired_episodes.day_zero_on
),

-- the other line's own arrears at the lender's month-end review: an installment due by the
-- review still unpaid on or after day 0
other_line_arrears as (
    select distinct
        paired_episodes.delinquency_episode_id,
        paired_episodes.other_line_id
    from paired_episodes
    inner join overdue_spells
        on paired_episodes.other_line_id = overdue_spells.line_id
        and overdue_spells.due_on <= paired_episodes.review_on
        and overdue_spells.spell_end_on >= paired_episodes.day_zero_on
),

-- the other line's first cut, freeze and closure on or after day 0
other_line_actions as (
    select
        paired_episodes.delinquency_episode_id,
        paired_episodes.other_line_id,
        min(case when limit_events.event_type = 'decrease' then limit_events.event_on end)
            as first_decrease_on,
        min(case when limit_events.event_type = 'freeze' then limit_events.event_on end)
            as first_freeze_on,
        min(case when limit_events.event_type = 'close' then limit_events.event_on end)
            as first_close_on
    from paired_episodes
    inner join limit_events
        on paired_episodes.other_line_id = limit_events.line_id
        and limit_events.event_on >= paired_episodes.day_zero_on
        and limit_events.event_type in ('decrease', 'freeze', 'close')
    group by paired_episodes.delinquency_episode_id, paired_episodes.other_line_id
),

-- the other line's first 30+ DPD day on or after day 0
other_line_dpd30 as (
    select
        paired_episodes.delinquency_episode_id,
        paired_episodes.other_line_id,
        min(greatest(
            overdue_spells.spell_start_on,
            {{ first_day_dpd_30_plus('overdue_spells.due_on') }},
            paired_episodes.day_zero_on
        )) as other_first_dpd30_on
    from paired_episodes
    inner join overdue_spells
        on paired_episodes.other_line_id = overdue_spells.line_id
        and overdue_spells.spell_end_on >= paired_episodes.day_zero_on
    where {{ is_dpd_30_plus(days_between('overdue_spells.due_on', 'overdue_spells.spell_end_on')) }}
    group by paired_episodes.delinquency_episode_id, paired_episodes.other_line_id
),

-- the other line at the month-end before the index month (the roll comparison's baseline)
other_line_month_before as (
    select
        paired_episodes.delinquency_episode_id,
        paired_episodes.other_line_id,
        line_months.line_status,
        line_months.dpd_month_end
    from paired_episodes
    inner join line_months
        on paired_episodes.other_line_id = line_months.line_id
        and line_months.month_start_on = cast(
            {{ dbt.dateadd('month', -1, 'paired_episodes.index_month_on') }} as date
        )
),

final as (
    select
        -- ids
        paired_episodes.delinquency_episode_id,
        paired_episodes.other_line_id,
        paired_episodes.line_id,
        paired_episodes.customer_id,
        paired_episodes.product_code,
        paired_episodes.other_product_code,
        -- the trigger episode
        paired_episodes.day_zero_on,
        paired_episodes.missed_due_on,
        paired_episodes.delinquency_start_on,
        paired_episodes.first_dpd30_on,
        paired_episodes.index_month_on,
        paired_episodes.review_on,
        {{ days_between('paired_episodes.day_zero_on', as_of_date()) }} as follow_up_days,
        -- the other line before day 0
        states_before.status_after as other_status_before,
        coalesce(states_before.status_after in ('open', 'frozen'), false)
            as is_other_line_live,
        other_line_arrears.delinquency_episode_id is null as is_other_line_current_at_review,
        coalesce(
            other_line_month_before.line_status in ('open', 'frozen')
            and other_line_month_before.dpd_month_end = 0,
            false
        ) as is_other_line_current_month_before,
        -- the other line from day 0 on, in days from day 0
        {%- for action in ['decrease', 'freeze', 'close'] %}
        {{ days_between('paired_episodes.day_zero_on',
                        'other_line_actions.first_' ~ action ~ '_on') }} as days_to_other_{{ action }},
        {%- endfor %}
        {{ days_between('paired_episodes.day_zero_on', 'other_line_dpd30.other_first_dpd30_on') }}
            as days_to_other_dpd30
    from paired_episodes
    left join states_before
        on paired_episodes.delinquency_episode_id = states_before.delinquency_episode_id
        and paired_episodes.other_line_id = states_before.other_line_id
        and states_before.recency_rank = 1
    left join other_line_arrears
        on paired_episodes.delinquency_episode_id = other_line_arrears.delinquency_episode_id
        and paired_episodes.other_line_id = other_line_arrears.other_line_id
    left join other_line_actions
        on paired_episodes.delinquency_episode_id = other_line_actions.delinquency_episode_id
        and paired_episodes.other_line_id = other_line_actions.other_line_id
    left join other_line_dpd30
        on paired_episodes.delinquency_episode_id = other_line_dpd30.delinquency_episode_id
        and paired_episodes.other_line_id = other_line_dpd30.other_line_id
    left join other_line_month_before
        on paired_episodes.delinquency_episode_id = other_line_month_before.delinquency_episode_id
        and paired_episodes.other_line_id = other_line_month_before.other_line_id
)

select * from final
