-- One row per reopening, for audit: was the customer in arrears when the line was
-- reopened (arrears outstanding at the end of the reopening day, any line), when was the
-- customer last 30+ DPD (any line) on or before the reopening, and is the reopening flagged
-- (in arrears, or within var('reopen_audit_dpd30_days') days of a 30+ DPD day). Then what
-- followed within 180 days: the reopened line 30+ DPD, or closed again. Outcomes are null
-- while the 180 days are not over and the event has not happened. Docs: reopen_audit.
{%- set followed_days = 180 %}
with episodes as (
    select * from {{ ref('fct_closure_episodes') }}
    where is_reopened
),

overdue_spells as (
    select * from {{ ref('int_overdue_spells_bounded') }}
),

-- installments of the customer outstanding at the end of the reopening day (past due, not
-- cleared on or before it; a written-off installment stays outstanding until paid)
reopen_arrears as (
    select
        episodes.closure_episode_id,
        max({{ days_between('overdue_spells.due_on', 'episodes.reopened_on') }})
            as dpd_at_reopen
    from episodes
    inner join overdue_spells
        on episodes.customer_id = overdue_spells.customer_id
        and overdue_spells.spell_start_on <= episodes.reopened_on
        and (
            overdue_spells.cleared_on is null
            or overdue_spells.cleared_on > episodes.reopened_on
        )
    group by episodes.closure_episode_id
),

-- the last day on or before the reopening with the customer 30+ DPD on any line: a spell
-- is 30+ from due_on + 31 to its last day (DPD only grows within a spell)
last_dpd30 as (
    select
        episodes.closure_episode_id,
        max(least(overdue_spells.spell_end_on, episodes.reopened_on)) as last_dpd30_on
    from episodes
    inner join overdue_spells
        on episodes.customer_id = overdue_spells.customer_id
        and overdue_spells.spell_start_on <= episodes.reopened_on
    where
        {{ first_day_dpd_30_plus('overdue_spells.due_on') }}
        <= least(overdue_spells.spell_end_on, episodes.reopened_on)
    group by episodes.closure_episode_id
),

-- the reopened line 30+ DPD on some day within the window after the reopening
post_reopen_dpd30 as (
    select
        episodes.closure_episode_id,
        min(greatest(
            overdue_spells.spell_start_on,
            {{ first_day_dpd_30_plus('overdue_spells.due_on') }},
            episodes.reopened_on
        )) as first_line_dpd30_on
    from episodes
    inner join overdue_spells
        on episodes.line_id = overdue_spells.line_id
        and overdue_spells.spell_end_on >= episodes.reopened_on
    where
        greatest(
            overdue_spells.spell_start_on,
            {{ first_day_dpd_30_plus('overdue_spells.due_on') }},
            episodes.reopened_on
        ) <= overdue_spells.spell_end_on
    group by episodes.closure_episode_id
),

audited as (
    select
        episodes.*,
        coalesce(reopen_arrears.dpd_at_reopen, 0) as dpd_at_reopen,
        last_dpd30.last_dpd30_on,
        post_reopen_dpd30.first_line_dpd30_on,
        cast({{ dbt.dateadd('day', followed_days, 'episodes.reopened_on') }} as date)
            as window_end_on,
        {{ as_of_date() }} as as_of_on
    from episodes
    left join reopen_arrears on episodes.closure_episode_id = reopen_arrears.closure_episode_id
    left join last_dpd30 on episodes.closure_episode_id = last_dpd30.closure_episode_id
    left join post_reopen_dpd30
        on episodes.closure_episode_id = post_reopen_dpd30.closure_episode_id
),

final as (
    select
        -- ids
        closure_episode_id,
        line_id,
        customer_id,
        product_code,
        -- the closure and the reopening
        closed_on,
        closure_reason_category,
        reopened_on,
        reopen_reason_category,
        reopen_initiated_by,
        -- arrears and 30+ DPD before the reopening
        dpd_at_reopen > 0 as is_in_arrears_at_reopen,
        dpd_at_reopen,
        last_dpd30_on,
        {{ days_between('last_dpd30_on', 'reopened_on') }} as days_since_dpd30,
        dpd_at_reopen > 0
        or coalesce(
            {{ days_between('last_dpd30_on', 'reopened_on') }}
            <= {{ var('reopen_audit_dpd30_days') | int }},
            false
        ) as is_flagged,
        -- within 180 days after the reopening
        window_end_on <= as_of_on as is_followed_180d,
        case
            when first_line_dpd30_on <= window_end_on then true
            when window_end_on <= as_of_on then false
        end as has_dpd30_within_180d,
        case
            when reclosed_on <= window_end_on then true
            when window_end_on <= as_of_on then false
        end as is_reclosed_within_180d
    from audited
)

select * from final
