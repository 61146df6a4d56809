-- overdue_closed_recovered: one row per closure for overdue, later reopened, whose arrears
-- were repaid and whose score came back within cases_recovery_score_days; with its fit.
-- Rule and fit score: _cases__docs.md (archetype_overdue_closed_recovered).
{%- set recovery_days = var('cases_recovery_score_days') | int %}
{%- set gain_points = var('cases_fit_score_gain_points') | int %}
{%- set restore_days = var('cases_fit_restore_days') | int %}
{%- set unknown_outcome = var('cases_fit_unknown_outcome') | float %}
with closure_episodes as (
    select * from {{ ref('fct_closure_episodes') }}
),

overdue_spells as (
    select * from {{ ref('int_overdue_spells_bounded') }}
),

scores as (
    select * from {{ ref('stg_credit_scores') }}
    where scored_on <= {{ as_of_date() }}
),

overdue_closures as (
    select * from closure_episodes
    where closure_reason_code = 'OVERDUE' and is_reopened
),

-- overdue islands: a customer's overdue spells on all lines merged into maximal runs of
-- days on which some installment was past due; an island is repaid when every spell in it
-- ended by full payment (none charged off, none still unpaid at the as-of date)
spells_ordered as (
    select
        customer_id,
        spell_start_on,
        spell_end_on,
        -- repaid: the spell ended when the installment stopped counting as past due (paid, or
        -- paid to within dpd_tolerance_amount), not by a charge-off or the as-of date
        cleared_on is not null and cleared_on = spell_end_on and (
            charged_off_on is null or charged_off_on > cleared_on
        ) as is_spell_repaid,
        max(spell_end_on) over (
            partition by customer_id
            order by spell_start_on, spell_end_on
            rows between unbounded preceding and 1 preceding
        ) as previous_max_end_on
    from overdue_spells
),

spells_islanded as (
    select
        *,
        sum(case
            when previous_max_end_on is null
                or spell_start_on > cast({{ dbt.dateadd('day', 1, 'previous_max_end_on') }} as date)
                then 1
            else 0
        end) over (
            partition by customer_id
            order by spell_start_on, spell_end_on
            rows unbounded preceding
        ) as island_seq
    from spells_ordered
),

overdue_islands as (
    select
        customer_id,
        island_seq,
        min(spell_start_on) as island_start_on,
        max(spell_end_on) as island_end_on,
        bool_and(is_spell_repaid) as is_island_repaid
    from spells_islanded
    group by customer_id, island_seq
),

-- the arrears behind the closure: the latest overdue island that began by the closure date
closure_arrears as (
    select
        overdue_closures.closure_episode_id,
        overdue_islands.island_start_on,
        overdue_islands.island_end_on,
        overdue_islands.is_island_repaid,
        row_number() over (
            partition by overdue_closures.closure_episode_id
            order by overdue_islands.island_start_on desc
        ) as recency_rank
    from overdue_closures
    inner join overdue_islands
        on overdue_closures.customer_id = overdue_islands.customer_id
        and overdue_islands.island_start_on <= overdue_closures.closed_on
),

recovery_scores as (
    select
        overdue_closures.closure_episode_id,
        max(scores.score) as best_score_after,
        min(case when scores.score >= overdue_closures.score_at_closure then scores.scored_on end)
            as score_recovered_on
    from overdue_closures
    inner join scores
        on overdue_closures.customer_id = scores.customer_id
        and scores.scored_on > overdue_closures.closed_on
        and scores.scored_on <= cast(
            {{ dbt.dateadd('day', recovery_days, 'overdue_closures.closed_on') }} as date
        )
    group by overdue_closures.closure_episode_id
),

matched as (
    select
        overdue_closures.*,
        closure_arrears.island_start_on,
        closure_arrears.island_end_on,
        recovery_scores.best_score_after,
        recovery_scores.score_recovered_on,
        -- fit components: the score gain after the closure (cases_fit_score_gain_points
        -- or more = 1), the wait for the reopening (cases_fit_restore_days or more = 1),
        -- and a reopened line that stayed out of 30+ DPD for a year (unknown =
        -- cases_fit_unknown_outcome)
        least(greatest({{ safe_ratio(
            'recovery_scores.best_score_after - overdue_closures.score_at_closure',
            gain_points) }}, 0), 1) as score_gain_fit,
        least({{ safe_ratio('overdue_closures.time_to_reopen_days', restore_days) }}, 1)
            as reopen_wait_share,
        case
            when overdue_closures.has_dpd30_within_365d_after_reopen then 0
            when not overdue_closures.has_dpd30_within_365d_after_reopen then 1
            else {{ unknown_outcome }}
        end as clean_after_reopen_fit
    from overdue_closures
    inner join closure_arrears
        on overdue_closures.closure_episode_id = closure_arrears.closure_episode_id
        and closure_arrears.recency_rank = 1
    inner join recovery_scores
        on overdue_closures.closure_episode_id = recovery_scores.closure_episode_id
    where
        closure_arrears.is_island_repaid
        and recovery_scores.score_recovered_on is not null
),

final as (
    select
        -- ids
        close_event_id as key_event_id,
        customer_id,
        line_id,
        -- the closure
        closed_on as key_event_on,
        closed_on,
        closure_reason_code,
        limit_before_closure_amount as limit_before_amount,
        overdue_episodes_before_closure as overdue_episodes,
        worst_dpd_before_closure as worst_dpd_before,
        score_at_closure,
        -- the arrears behind it, repaid, and the score back
        island_start_on as first_overdue_on,
        island_end_on as arrears_repaid_on,
        score_recovered_on,
        best_score_after as best_score_90d_after,
        -- the fit: the mean of the score gain, a quick reopening and a clean year after it
        {{ safe_ratio('score_gain_fit + 1 - reopen_wait_share + clean_after_reopen_fit', 3) }}
            as fit_score
    from matched
)

select * from final
