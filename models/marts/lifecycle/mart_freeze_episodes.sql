-- One row per freeze episode (暂停) of a credit line: a freeze of an open line, to the line's
-- next unfreeze or closure, or to the as-of date (censored). A freeze of a line already
-- frozen starts no episode of its own (the episode keeps its first freeze). After an
-- unfreeze: 30+ DPD and closure of the line within var('lifecycle_outcome_short_months') and
-- var('lifecycle_outcome_long_months') months, known once followed that long.
-- Definitions: _lifecycle__docs.md (freeze_episode).
{%- set outcomes = [
    {'name': '6m', 'months': var('lifecycle_outcome_short_months')},
    {'name': '12m', 'months': var('lifecycle_outcome_long_months')},
] %}
with limit_events as (
    select * from {{ ref('fct_limit_events') }}
),

overdue_spells as (
    select * from {{ ref('int_overdue_spells_bounded') }}
),

-- freezes, unfreezes and closures in order, each with the next unfreeze or closure
state_events as (
    select
        *,
        min(case when event_type in ('unfreeze', 'close') then event_seq end) over (
            partition by line_id
            order by event_seq
            rows between 1 following and unbounded following
        ) as end_event_seq
    from limit_events
    where event_type in ('freeze', 'unfreeze', 'close')
),

freezes as (
    select
        *,
        row_number() over (partition by line_id order by event_seq) as freeze_seq
    from state_events
    where event_type = 'freeze' and status_before = 'open'
),

ended as (
    select
        freezes.event_id as freeze_episode_id,
        freezes.line_id,
        freezes.customer_id,
        freezes.product_code,
        freezes.freeze_seq,
        freezes.event_on as frozen_on,
        freezes.reason_code as freeze_reason_code,
        freezes.reason_category as freeze_reason_category,
        freezes.initiated_by as freeze_initiated_by,
        freezes.limit_before_amount as limit_at_freeze_amount,
        ends.event_id as end_event_id,
        ends.event_seq as end_event_seq,
        ends.event_on as ended_on,
        case
            when ends.event_type = 'unfreeze' then 'unfrozen'
            when ends.event_type = 'close' then 'closed'
            else 'censored'
        end as end_type,
        ends.reason_code as end_reason_code,
        ends.reason_category as end_reason_category,
        {{ as_of_date() }} as as_of_on
    from freezes
    left join limit_events as ends
        on freezes.line_id = ends.line_id
        and freezes.end_event_seq = ends.event_seq
),

-- after an unfreeze: the first 30+ DPD day on or after it, and the first closure after it
first_dpd30 as (
    select
        ended.freeze_episode_id,
        min(greatest(
            overdue_spells.spell_start_on,
            {{ first_day_dpd_30_plus('overdue_spells.due_on') }},
            ended.ended_on
        )) as first_dpd30_after_unfreeze_on
    from ended
    inner join overdue_spells
        on ended.line_id = overdue_spells.line_id
        and overdue_spells.spell_end_on >= ended.ended_on
    where
        ended.end_type = 'unfrozen'
        and {{ is_dpd_30_plus(
            days_between('overdue_spells.due_on', 'overdue_spells.spell_end_on')
        ) }}
    group by ended.freeze_episode_id
),

next_closures as (
    select
        ended.freeze_episode_id,
        min(limit_events.event_on) as closed_after_unfreeze_on
    from ended
    inner join limit_events
        on ended.line_id = limit_events.line_id
        and limit_events.event_seq > ended.end_event_seq
        and limit_events.event_type = 'close'
    where ended.end_type = 'unfrozen'
    group by ended.freeze_episode_id
),

final as (
    select
        -- ids
        ended.freeze_episode_id,
        ended.line_id,
        ended.customer_id,
        ended.product_code,
        ended.freeze_seq,
        ended.end_event_id,
        -- the freeze
        ended.frozen_on,
        ended.freeze_reason_code,
        ended.freeze_reason_category,
        ended.freeze_initiated_by,
        ended.limit_at_freeze_amount,
        -- its end, or censoring at the as-of date
        ended.ended_on,
        ended.end_type,
        ended.end_reason_code,
        case when ended.end_type = 'unfrozen' then ended.end_reason_category end
            as unfreeze_reason_category,
        case when ended.end_type = 'censored' then ended.as_of_on end as censored_on,
        {{ days_between('ended.frozen_on', 'coalesce(ended.ended_on, ended.as_of_on)') }}
            as duration_days,
        -- after an unfreeze
        first_dpd30.first_dpd30_after_unfreeze_on,
        next_closures.closed_after_unfreeze_on,
        {%- for outcome in outcomes %}
        {%- set horizon_end = dbt.dateadd('month', outcome.months, 'ended.ended_on') %}
        ended.end_type = 'unfrozen' and cast({{ horizon_end }} as date) <= ended.as_of_on
            as is_observed_{{ outcome.name }},
        case
            when ended.end_type = 'unfrozen' and cast({{ horizon_end }} as date) <= ended.as_of_on
                then coalesce(
                    first_dpd30.first_dpd30_after_unfreeze_on <= cast({{ horizon_end }} as date),
                    false
                )
        end as has_dpd30_within_{{ outcome.name }},
        case
            when ended.end_type = 'unfrozen' and cast({{ horizon_end }} as date) <= ended.as_of_on
                then coalesce(
                    next_closures.closed_after_unfreeze_on <= cast({{ horizon_end }} as date),
                    false
                )
        end as is_closed_within_{{ outcome.name }}{{ ',' if not loop.last }}{% endfor %}
    from ended
    left join first_dpd30 on ended.freeze_episode_id = first_dpd30.freeze_episode_id
    left join next_closures on ended.freeze_episode_id = next_closures.freeze_episode_id
)

select * from final
