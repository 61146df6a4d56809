-- paused_then_restored: one row per freeze lifted by the line's next state event (an
-- unfreeze), with nothing past due at the end of the unfreeze date and a score at the
-- unfreeze at or above the score at the freeze; with its fit. Rule and fit score:
-- _cases__docs.md (archetype_paused_then_restored).
{%- set outcome_days = var('cases_outcome_window_days') | int %}
{%- set gain_points = var('cases_fit_score_gain_points') | int %}
{%- set restore_days = var('cases_fit_restore_days') | int %}
{%- set unknown_outcome = var('cases_fit_unknown_outcome') | float %}
with limit_events as (
    select * from {{ ref('fct_limit_events') }}
),

overdue_spells as (
    select * from {{ ref('int_overdue_spells_bounded') }}
),

key_events_followed as (
    select * from {{ ref('int_case_key_events_followed') }}
),

state_events as (
    select
        *,
        lead(event_id) over (partition by line_id order by event_seq) as next_event_id
    from limit_events
    where event_type in ('freeze', 'unfreeze', 'close', 'reopen')
),

freezes_lifted as (
    select
        freezes.customer_id,
        freezes.line_id,
        freezes.event_id as key_event_id,
        freezes.event_on as frozen_on,
        freezes.reason_code as freeze_reason_code,
        freezes.limit_before_amount,
        unfreezes.event_on as unfrozen_on
    from state_events as freezes
    inner join state_events as unfreezes
        on freezes.next_event_id = unfreezes.event_id
        and unfreezes.event_type = 'unfreeze'
    where freezes.event_type = 'freeze'
),

-- past due at the end of the unfreeze date (an overdue spell runs past it)
past_due_at_unfreeze as (
    select distinct freezes_lifted.key_event_id
    from freezes_lifted
    inner join overdue_spells
        on freezes_lifted.customer_id = overdue_spells.customer_id
        and overdue_spells.spell_start_on <= freezes_lifted.unfrozen_on
        and overdue_spells.spell_end_on > freezes_lifted.unfrozen_on
),

matched as (
    select
        freezes_lifted.*,
        key_events_followed.worst_dpd_before,
        key_events_followed.score_at_event,
        key_events_followed.restored_on,
        key_events_followed.score_at_restore,
        key_events_followed.closed_after_restore_on,
        -- fit components: the score gain while frozen (cases_fit_score_gain_points or more
        -- = 1), the time frozen (cases_fit_restore_days or more = 1), and a line that stayed
        -- open for cases_outcome_window_days after the restore (unknown =
        -- cases_fit_unknown_outcome)
        least(greatest(
            {{ safe_ratio('key_events_followed.score_at_restore'
                          ~ ' - key_events_followed.score_at_event', gain_points) }},
            0
        ), 1) as score_gain_fit,
        least({{ safe_ratio(days_between('freezes_lifted.frozen_on',
                                         'key_events_followed.restored_on'), restore_days) }}, 1)
            as frozen_share,
        case
            when key_events_followed.closed_after_restore_on is not null
                and {{ days_between('key_events_followed.restored_on',
                                    'key_events_followed.closed_after_restore_on') }}
                <= {{ outcome_days }}
                then 0
            when cast({{ dbt.dateadd('day', outcome_days,
                                     'key_events_followed.restored_on') }} as date)
                <= {{ as_of_date() }}
                then 1
            else {{ unknown_outcome }}
        end as stayed_open_fit
    from freezes_lifted
    inner join key_events_followed
        on freezes_lifted.key_event_id = key_events_followed.key_event_id
    left join past_due_at_unfreeze
        on freezes_lifted.key_event_id = past_due_at_unfreeze.key_event_id
    where
        past_due_at_unfreeze.key_event_id is null
        and key_events_followed.score_at_restore >= key_events_followed.score_at_event
),

final as (
    select
        -- ids
        key_event_id,
        customer_id,
        line_id,
        -- the freeze
        frozen_on as key_event_on,
        freeze_reason_code,
        limit_before_amount,
        worst_dpd_before,
        score_at_event,
        -- the unfreeze and after
        restored_on,
        score_at_restore,
        closed_after_restore_on,
        -- the fit: the mean of the score gain, a short freeze and a line that stayed open
        {{ safe_ratio('score_gain_fit + 1 - frozen_share + stayed_open_fit', 3) }} as fit_score
    from matched
)

select * from final
