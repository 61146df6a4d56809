-- reopened_then_reclosed: one row per closure whose line was reopened and closed again
-- within cases_reclose_within_days, after at least cases_min_overdue_episodes overdue
-- episodes; with its fit. Rule and fit score: _cases__docs.md
-- (archetype_reopened_then_reclosed).
{%- set reclose_days = var('cases_reclose_within_days') | int %}
{%- set min_episodes = var('cases_min_overdue_episodes') | int %}
{%- set full_episodes = var('cases_fit_full_overdue_episodes') | int %}
{%- set other_reason = var('cases_fit_other_reclosure_reason') | float %}
with closure_episodes as (
    select * from {{ ref('fct_closure_episodes') }}
),

matched as (
    select
        first_closure.*,
        reclosure.first_overdue_on as first_overdue_on_before_reclosure,
        reclosure.overdue_episodes_before_closure as overdue_episodes_before_reclosure,
        reclosure.worst_dpd_before_closure as worst_dpd_before_reclosure,
        -- fit components: how fast the relapse was (cases_reclose_within_days = 1), the
        -- overdue episodes beyond the first (cases_fit_full_overdue_episodes or more = 1),
        -- and a re-closure for overdue again (another reason = cases_fit_other_reclosure_reason)
        least({{ safe_ratio('first_closure.days_reopen_to_reclose', reclose_days) }}, 1)
            as relapse_wait_share,
        least({{ safe_ratio('reclosure.overdue_episodes_before_closure - 1',
                            full_episodes - 1) }}, 1) as episodes_fit,
        case
            when reclosure.closure_reason_category = 'overdue' then 1 else {{ other_reason }}
        end as overdue_reclosure_fit
    from closure_episodes as first_closure
    inner join closure_episodes as reclosure
        on first_closure.reclose_event_id = reclosure.close_event_id
    where
        first_closure.is_reopened
        and first_closure.days_reopen_to_reclose <= {{ reclose_days }}
        and reclosure.overdue_episodes_before_closure >= {{ min_episodes }}
),

final as (
    select
        -- ids
        close_event_id as key_event_id,
        customer_id,
        line_id,
        -- the first closure
        closed_on as key_event_on,
        closed_on,
        closure_reason_code,
        limit_before_closure_amount as limit_before_amount,
        -- the reopening and the re-closure
        reopened_on,
        reclosed_on,
        days_reopen_to_reclose,
        reclose_reason_code,
        -- delinquency up to the re-closure
        first_overdue_on_before_reclosure as first_overdue_on,
        overdue_episodes_before_reclosure as overdue_episodes,
        worst_dpd_before_reclosure as worst_dpd_before,
        -- the fit: the mean of a fast relapse, many overdue episodes and an overdue re-closure
        {{ safe_ratio('1 - relapse_wait_share + episodes_fit + overdue_reclosure_fit', 3) }}
            as fit_score
    from matched
)

select * from final
