-- One row per close, decrease and freeze event (the events a case study can turn on): the
-- customer around it (worst DPD up to it, scores, inquiries at other lenders) and what
-- followed it (the line restored, then closed again). The archetypes' rules read these
-- facts, and mart_case_candidates shows them. Definitions in _cases__docs.md.
{%- set recovery_days = var('cases_recovery_score_days') | int %}
{%- set inquiry_days = var('cases_inquiry_window_days') | int %}
with limit_events as (
    select * from {{ ref('fct_limit_events') }}
),

overdue_spells as (
    select * from {{ ref('int_overdue_spells_bounded') }}
),

scores as (
    select * from {{ ref('stg_credit_scores') }}
    where scored_on <= {{ as_of_date() }}
),

inquiries as (
    select * from {{ ref('stg_credit_inquiries') }}
    where inquired_on <= {{ as_of_date() }}
),

key_events as (
    select
        event_id as key_event_id,
        customer_id,
        line_id,
        event_type as key_event_type,
        event_on as key_event_on
    from limit_events
    where event_type in ('close', 'decrease', 'freeze')
),

-- the customer's worst DPD over all lines up to the event date, from the spells (day-exact)
delinquency_before as (
    select
        key_events.key_event_id,
        max({{ days_between('overdue_spells.due_on',
                            'least(overdue_spells.spell_end_on, key_events.key_event_on)') }})
            as worst_dpd_before
    from key_events
    inner join overdue_spells
        on key_events.customer_id = overdue_spells.customer_id
        and overdue_spells.spell_start_on <= key_events.key_event_on
    group by key_events.key_event_id
),

-- the line usable again: the first reopen (after a close or a cut) or unfreeze (after a
-- freeze) on or after the event date
restorations as (
    select
        key_events.key_event_id,
        min(limit_events.event_on) as restored_on
    from key_events
    inner join limit_events
        on key_events.line_id = limit_events.line_id
        and limit_events.event_on >= key_events.key_event_on
        and limit_events.event_type = case
            when key_events.key_event_type = 'freeze' then 'unfreeze' else 'reopen'
        end
    group by key_events.key_event_id
),

restored_events as (
    select
        restorations.key_event_id,
        restorations.restored_on,
        min_by(limit_events.reason_code, limit_events.event_seq) as restore_reason_code,
        min_by(limit_events.limit_after_amount, limit_events.event_seq) as restored_limit_amount
    from restorations
    inner join key_events on restorations.key_event_id = key_events.key_event_id
    inner join limit_events
        on key_events.line_id = limit_events.line_id
        and limit_events.event_on = restorations.restored_on
        and limit_events.event_type in ('unfreeze', 'reopen')
    group by restorations.key_event_id, restorations.restored_on
),

-- the line's first close on or after the restoration
closures_after_restore as (
    select
        restored_events.key_event_id,
        min(limit_events.event_on) as closed_after_restore_on,
        min_by(limit_events.reason_code, limit_events.event_seq) as closed_after_restore_reason_code
    from restored_events
    inner join key_events on restored_events.key_event_id = key_events.key_event_id
    inner join limit_events
        on key_events.line_id = limit_events.line_id
        and limit_events.event_on >= restored_events.restored_on
        and limit_events.event_type = 'close'
    group by restored_events.key_event_id
),

-- the customer's score at a date: the latest scoring on or before it
score_dates as (
    select key_event_id, customer_id, key_event_on as score_on, 'at_event' as which
    from key_events
    union all
    select
        key_event_id,
        customer_id,
        cast({{ dbt.dateadd('day', recovery_days, 'key_event_on') }} as date),
        'after_event'
    from key_events
    -- only once the days have passed: a story never tells a score from after the data ends
    where cast({{ dbt.dateadd('day', recovery_days, 'key_event_on') }} as date)
        <= {{ as_of_date() }}
    union all
    select
        restored_events.key_event_id,
        key_events.customer_id,
        restored_events.restored_on,
        'at_restore'
    from restored_events
    inner join key_events on restored_events.key_event_id = key_events.key_event_id
),

score_dates_scored as (
    {{ asof_left_join('score_dates', 'scores', ['customer_id'],
                      'score_on', '>=', 'scored_on', {'score': 'score'}) }}
),

scores_at_dates as (
    select
        key_event_id,
        max(case when which = 'at_event' then score end) as score_at_event,
        max(case when which = 'after_event' then score end) as score_after_event,
        max(case when which = 'at_restore' then score end) as score_at_restore
    from score_dates_scored
    group by key_event_id
),

-- inquiries at other lenders in the windows before and after the event
inquiry_counts as (
    select
        key_events.key_event_id,
        count(case
            when inquiries.inquired_on <= key_events.key_event_on then 1
        end) as external_inquiries_before,
        count(case
            when inquiries.inquired_on > key_events.key_event_on then 1
        end) as external_inquiries_after
    from key_events
    inner join inquiries
        on key_events.customer_id = inquiries.customer_id
        and inquiries.institution_type <> 'own_platform'
        and inquiries.inquired_on > cast(
            {{ dbt.dateadd('day', -inquiry_days, 'key_events.key_event_on') }} as date
        )
        and inquiries.inquired_on <= cast(
            {{ dbt.dateadd('day', inquiry_days, 'key_events.key_event_on') }} as date
        )
    group by key_events.key_event_id
),

final as (
    select
        -- ids
        key_events.key_event_id,
        key_events.customer_id,
        key_events.line_id,
        key_events.key_event_type,
        key_events.key_event_on,
        -- before the event
        coalesce(delinquency_before.worst_dpd_before, 0) as worst_dpd_before,
        scores_at_dates.score_at_event,
        coalesce(inquiry_counts.external_inquiries_before, 0) as external_inquiries_before,
        -- after the event
        scores_at_dates.score_after_event,
        -- only once the window has passed: a story never counts inquiries past the data's end
        case
            when
                cast({{ dbt.dateadd('day', inquiry_days, 'key_events.key_event_on') }} as date)
                <= {{ as_of_date() }}
                then coalesce(inquiry_counts.external_inquiries_after, 0)
        end as external_inquiries_after,
        restored_events.restored_on,
        restored_events.restore_reason_code,
        restored_events.restored_limit_amount,
        scores_at_dates.score_at_restore,
        closures_after_restore.closed_after_restore_on,
        closures_after_restore.closed_after_restore_reason_code
    from key_events
    left join delinquency_before on key_events.key_event_id = delinquency_before.key_event_id
    left join scores_at_dates on key_events.key_event_id = scores_at_dates.key_event_id
    left join inquiry_counts on key_events.key_event_id = inquiry_counts.key_event_id
    left join restored_events on key_events.key_event_id = restored_events.key_event_id
    left join closures_after_restore
        on key_events.key_event_id = closures_after_restore.key_event_id
)

select * from final
