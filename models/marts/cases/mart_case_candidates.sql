-- One row per customer per archetype the customer matches (the case-study candidates), with
-- the event that made the match, the facts behind it, a fit score in [0, 1] and the rank
-- of the customer within the archetype (fit_rank = 1 is the customer the case study tells).
-- A customer who matches an archetype more than once (two lines, two closures) keeps the
-- best-fitting occurrence. Each archetype's rule and fit score: _cases__docs.md.
{%- set recovery_days = var('cases_recovery_score_days') | int %}
{%- set reclose_days = var('cases_reclose_within_days') | int %}
{%- set min_episodes = var('cases_min_overdue_episodes') | int %}
{%- set good_score = var('cases_good_score') | int %}
{%- set clean_categories = var('cases_clean_closure_reason_categories') %}
{%- set inquiry_days = var('cases_inquiry_window_days') | int %}
{%- set exhausted_utilization = var('cases_exhausted_utilization') | float %}
{%- set exhausted_months = var('cases_exhausted_month_ends') | int %}
{%- set outcome_days = var('cases_outcome_window_days') | int %}
with closure_episodes as (
    select * from {{ ref('fct_closure_episodes') }}
),

limit_events as (
    select * from {{ ref('fct_limit_events') }}
),

line_months as (
    select * from {{ ref('fct_line_months') }}
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
        cleared_on is not null and cleared_on = spell_end_on
            and (charged_off_on is null or charged_off_on > cleared_on) as is_spell_repaid,
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

-- the customer's worst DPD over all lines up to a date, from the spells (day-exact)
key_dates as (
    select customer_id, closed_on as key_on from closure_episodes
    union
    select customer_id, event_on from limit_events where event_type in ('decrease', 'freeze')
),

delinquency_before_key_dates as (
    select
        key_dates.customer_id,
        key_dates.key_on,
        max({{ days_between('overdue_spells.due_on',
                            'least(overdue_spells.spell_end_on, key_dates.key_on)') }})
            as worst_dpd_before
    from key_dates
    inner join overdue_spells
        on key_dates.customer_id = overdue_spells.customer_id
        and overdue_spells.spell_start_on <= key_dates.key_on
    group by key_dates.customer_id, key_dates.key_on
),

-- archetype: overdue_closed_recovered ---------------------------------------------------
overdue_closures as (
    select * from closure_episodes
    where closure_reason_code = 'OVERDUE' and is_reopened
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
        and scores.scored_on
            <= cast({{ dbt.dateadd('day', recovery_days, 'overdue_closures.closed_on') }} as date)
    group by overdue_closures.closure_episode_id
),

overdue_closed_recovered as (
    select
        'overdue_closed_recovered' as archetype,
        overdue_closures.customer_id,
        overdue_closures.line_id,
        overdue_closures.close_event_id as key_event_id,
        overdue_closures.closed_on as key_event_on,
        overdue_closures.closed_on,
        overdue_closures.closure_reason_code,
        overdue_closures.limit_before_closure_amount as limit_before_amount,
        closure_arrears.island_start_on as first_overdue_on,
        closure_arrears.island_end_on as arrears_repaid_on,
        recovery_scores.score_recovered_on,
        recovery_scores.best_score_after as best_score_90d_after,
        overdue_closures.overdue_episodes_before_closure as overdue_episodes,
        overdue_closures.worst_dpd_before_closure as worst_dpd_before,
        cast(null as integer) as exhausted_month_ends,
        cast(null as double) as mean_utilization_rate,
        -- fit: score gain after the closure (+50 points = 1), a quick reopening, and a
        -- reopened line that stayed out of 30+ DPD for a year (unknown = 0.5)
        (
            least(greatest(
                (recovery_scores.best_score_after - overdue_closures.score_at_closure) / 50E0, 0), 1)
            + 1 - least(overdue_closures.time_to_reopen_days / 365E0, 1)
            + case
                when overdue_closures.has_dpd30_within_365d_after_reopen then 0
                when not overdue_closures.has_dpd30_within_365d_after_reopen then 1
                else 0.5
            end
        ) / 3E0 as fit_score
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

-- archetype: reopened_then_reclosed -----------------------------------------------------
reopened_then_reclosed as (
    select
        'reopened_then_reclosed' as archetype,
        first_closure.customer_id,
        first_closure.line_id,
        first_closure.close_event_id as key_event_id,
        first_closure.closed_on as key_event_on,
        first_closure.closed_on,
        first_closure.closure_reason_code,
        first_closure.limit_before_closure_amount as limit_before_amount,
        reclosure.first_overdue_on,
        cast(null as date) as arrears_repaid_on,
        cast(null as date) as score_recovered_on,
        cast(null as integer) as best_score_90d_after,
        reclosure.overdue_episodes_before_closure as overdue_episodes,
        reclosure.worst_dpd_before_closure as worst_dpd_before,
        cast(null as integer) as exhausted_month_ends,
        cast(null as double) as mean_utilization_rate,
        -- fit: a fast relapse, many overdue episodes (4+ = 1), re-closed for overdue again
        (
            1 - least(first_closure.days_reopen_to_reclose / ({{ reclose_days }} * 1E0), 1)
            + least((reclosure.overdue_episodes_before_closure - 1) / 3E0, 1)
            + case when reclosure.closure_reason_category = 'overdue' then 1 else 0.5 end
        ) / 3E0 as fit_score
    from closure_episodes as first_closure
    inner join closure_episodes as reclosure
        on first_closure.reclose_event_id = reclosure.close_event_id
    where
        first_closure.is_reopened
        and first_closure.days_reopen_to_reclose <= {{ reclose_days }}
        and reclosure.overdue_episodes_before_closure >= {{ min_episodes }}
),

-- archetype: clean_closure_good_score ---------------------------------------------------
clean_closure_good_score as (
    select
        'clean_closure_good_score' as archetype,
        customer_id,
        line_id,
        close_event_id as key_event_id,
        closed_on as key_event_on,
        closed_on,
        closure_reason_code,
        limit_before_closure_amount as limit_before_amount,
        cast(null as date) as first_overdue_on,
        cast(null as date) as arrears_repaid_on,
        cast(null as date) as score_recovered_on,
        cast(null as integer) as best_score_90d_after,
        overdue_episodes_before_closure as overdue_episodes,
        worst_dpd_before_closure as worst_dpd_before,
        cast(null as integer) as exhausted_month_ends,
        cast(null as double) as mean_utilization_rate,
        -- fit: how good the score was (750+ = 1) and how long the clean record (24+ months)
        (
            least((score_at_closure - {{ good_score }}) / 150E0, 1)
            + least(months_on_book_at_closure / 24E0, 1)
        ) / 2E0 as fit_score
    from closure_episodes
    where
        score_at_closure >= {{ good_score }}
        and is_clean_closure
        and closure_reason_category in (
            {%- for category in clean_categories %}'{{ category }}'{{ ", " if not loop.last }}{% endfor -%}
        )
),

-- archetype: zero_limit_closure ---------------------------------------------------------
zero_limit_cuts as (
    select
        limit_events.*,
        delinquency_before_key_dates.worst_dpd_before
    from limit_events
    left join delinquency_before_key_dates
        on limit_events.customer_id = delinquency_before_key_dates.customer_id
        and limit_events.event_on = delinquency_before_key_dates.key_on
    where
        limit_events.event_type = 'decrease'
        and limit_events.limit_after_amount = 0
        and limit_events.limit_before_amount > 0
        and cast({{ dbt.dateadd('day', inquiry_days, 'limit_events.event_on') }} as date)
            <= {{ as_of_date() }}
),

-- the close that followed the cut (the line's next close event)
cut_closures as (
    select
        zero_limit_cuts.event_id,
        closure_episodes.closed_on,
        closure_episodes.closure_reason_code,
        row_number() over (
            partition by zero_limit_cuts.event_id order by closure_episodes.closed_on
        ) as closure_rank
    from zero_limit_cuts
    inner join closure_episodes
        on zero_limit_cuts.line_id = closure_episodes.line_id
        and closure_episodes.closed_on >= zero_limit_cuts.event_on
),

zero_limit_closure as (
    select
        'zero_limit_closure' as archetype,
        zero_limit_cuts.customer_id,
        zero_limit_cuts.line_id,
        zero_limit_cuts.event_id as key_event_id,
        zero_limit_cuts.event_on as key_event_on,
        cut_closures.closed_on,
        coalesce(cut_closures.closure_reason_code, zero_limit_cuts.reason_code)
            as closure_reason_code,
        zero_limit_cuts.limit_before_amount,
        cast(null as date) as first_overdue_on,
        cast(null as date) as arrears_repaid_on,
        cast(null as date) as score_recovered_on,
        cast(null as integer) as best_score_90d_after,
        0 as overdue_episodes,
        0 as worst_dpd_before,
        cast(null as integer) as exhausted_month_ends,
        cast(null as double) as mean_utilization_rate,
        -- fit scored below, once the inquiries are counted
        cast(null as double) as fit_score
    from zero_limit_cuts
    left join cut_closures
        on zero_limit_cuts.event_id = cut_closures.event_id
        and cut_closures.closure_rank = 1
    where coalesce(zero_limit_cuts.worst_dpd_before, 0) = 0
),

-- archetype: exhausted_limit_closed -----------------------------------------------------
-- the line's month-ends before the closure month, newest first, and the run of
-- month-ends at or above the threshold that ends at the month before the closure month
closure_month_ends as (
    select
        closure_episodes.closure_episode_id,
        line_months.utilization_rate,
        row_number() over (
            partition by closure_episodes.closure_episode_id
            order by line_months.month_start_on desc
        ) as months_before,
        coalesce(line_months.utilization_rate, 0) >= {{ exhausted_utilization }} as is_exhausted
    from closure_episodes
    inner join line_months
        on closure_episodes.line_id = line_months.line_id
        and line_months.month_start_on < closure_episodes.closure_month_on
        and line_months.is_month_complete
),

exhausted_runs as (
    select
        closure_episode_id,
        -- the first month-end (counting back) that was below the threshold ends the run
        coalesce(min(case when not is_exhausted then months_before end) - 1, count(*))
            as exhausted_month_ends,
        avg(case when months_before <= {{ exhausted_months }} then utilization_rate end)
            as mean_utilization_rate
    from closure_month_ends
    group by closure_episode_id
),

exhausted_limit_closed as (
    select
        'exhausted_limit_closed' as archetype,
        closure_episodes.customer_id,
        closure_episodes.line_id,
        closure_episodes.close_event_id as key_event_id,
        closure_episodes.closed_on as key_event_on,
        closure_episodes.closed_on,
        closure_episodes.closure_reason_code,
        closure_episodes.limit_before_closure_amount as limit_before_amount,
        closure_episodes.first_overdue_on,
        cast(null as date) as arrears_repaid_on,
        cast(null as date) as score_recovered_on,
        cast(null as integer) as best_score_90d_after,
        closure_episodes.overdue_episodes_before_closure as overdue_episodes,
        closure_episodes.worst_dpd_before_closure as worst_dpd_before,
        exhausted_runs.exhausted_month_ends,
        exhausted_runs.mean_utilization_rate,
        -- fit: a long run of exhausted month-ends (6+ = 1), how full the line was (100%+
        -- = 1), and a closure the risk engine gave for the utilization itself
        (
            least((exhausted_runs.exhausted_month_ends - {{ exhausted_months }} + 1) / 4E0, 1)
            + least(greatest(
                (exhausted_runs.mean_utilization_rate - {{ exhausted_utilization }})
                / (1 - {{ exhausted_utilization }}), 0), 1)
            + case when closure_episodes.closure_reason_category = 'utilization' then 1 else 0 end
        ) / 3E0 as fit_score
    from closure_episodes
    inner join exhausted_runs
        on closure_episodes.closure_episode_id = exhausted_runs.closure_episode_id
    where exhausted_runs.exhausted_month_ends >= {{ exhausted_months }}
),

-- archetype: paused_then_restored -------------------------------------------------------
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

paused_then_restored as (
    select
        'paused_then_restored' as archetype,
        freezes_lifted.customer_id,
        freezes_lifted.line_id,
        freezes_lifted.key_event_id,
        freezes_lifted.frozen_on as key_event_on,
        cast(null as date) as closed_on,
        freezes_lifted.freeze_reason_code as closure_reason_code,
        freezes_lifted.limit_before_amount,
        cast(null as date) as first_overdue_on,
        cast(null as date) as arrears_repaid_on,
        cast(null as date) as score_recovered_on,
        cast(null as integer) as best_score_90d_after,
        cast(null as integer) as overdue_episodes,
        coalesce(delinquency_before_key_dates.worst_dpd_before, 0) as worst_dpd_before,
        cast(null as integer) as exhausted_month_ends,
        cast(null as double) as mean_utilization_rate,
        -- fit scored below, once the scores at both ends are known
        cast(null as double) as fit_score
    from freezes_lifted
    left join past_due_at_unfreeze
        on freezes_lifted.key_event_id = past_due_at_unfreeze.key_event_id
    left join delinquency_before_key_dates
        on freezes_lifted.customer_id = delinquency_before_key_dates.customer_id
        and freezes_lifted.frozen_on = delinquency_before_key_dates.key_on
    where past_due_at_unfreeze.key_event_id is null
),

matches as (
    select * from overdue_closed_recovered
    union all
    select * from reopened_then_reclosed
    union all
    select * from clean_closure_good_score
    union all
    select * from zero_limit_closure
    union all
    select * from exhausted_limit_closed
    union all
    select * from paused_then_restored
),

-- what followed the key event: the line usable again (reopened after the closure, or
-- unfrozen after the freeze) and whether it was closed again within the outcome window
restorations as (
    select
        matches.archetype,
        matches.key_event_id,
        min(limit_events.event_on) as restored_on
    from matches
    inner join limit_events
        on matches.line_id = limit_events.line_id
        and limit_events.event_on >= matches.key_event_on
        and limit_events.event_type = case
            when matches.archetype = 'paused_then_restored' then 'unfreeze' else 'reopen'
        end
    group by matches.archetype, matches.key_event_id
),

restored_events as (
    select
        restorations.archetype,
        restorations.key_event_id,
        restorations.restored_on,
        min_by(limit_events.reason_code, limit_events.event_seq) as restore_reason_code,
        min_by(limit_events.limit_after_amount, limit_events.event_seq) as restored_limit_amount
    from restorations
    inner join matches
        on restorations.archetype = matches.archetype
        and restorations.key_event_id = matches.key_event_id
    inner join limit_events
        on matches.line_id = limit_events.line_id
        and limit_events.event_on = restorations.restored_on
        and limit_events.event_type in ('unfreeze', 'reopen')
    group by restorations.archetype, restorations.key_event_id, restorations.restored_on
),

closures_after_restore as (
    select
        restored_events.archetype,
        restored_events.key_event_id,
        min(limit_events.event_on) as closed_after_restore_on,
        min_by(limit_events.reason_code, limit_events.event_seq) as closed_after_restore_reason_code
    from restored_events
    inner join matches
        on restored_events.archetype = matches.archetype
        and restored_events.key_event_id = matches.key_event_id
    inner join limit_events
        on matches.line_id = limit_events.line_id
        and limit_events.event_on >= restored_events.restored_on
        and limit_events.event_type = 'close'
    group by restored_events.archetype, restored_events.key_event_id
),

-- the customer's score at a date: the latest scoring on or before it
score_dates as (
    select archetype, key_event_id, customer_id, key_event_on as score_on, 'at_event' as which
    from matches
    union all
    select
        matches.archetype,
        matches.key_event_id,
        matches.customer_id,
        cast({{ dbt.dateadd('day', recovery_days, 'matches.key_event_on') }} as date),
        'after_event'
    from matches
    union all
    select
        restored_events.archetype,
        restored_events.key_event_id,
        matches.customer_id,
        restored_events.restored_on,
        'at_restore'
    from restored_events
    inner join matches
        on restored_events.archetype = matches.archetype
        and restored_events.key_event_id = matches.key_event_id
),

score_dates_scored as (
    {{ asof_left_join('score_dates', 'scores', ['customer_id'],
                      'score_on', '>=', 'scored_on', {'score': 'score'}) }}
),

scores_at_dates as (
    select
        archetype,
        key_event_id,
        max(case when which = 'at_event' then score end) as score_at_event,
        max(case when which = 'after_event' then score end) as score_after_event,
        max(case when which = 'at_restore' then score end) as score_at_restore
    from score_dates_scored
    group by archetype, key_event_id
),

-- inquiries at other lenders in the windows before and after the key event
inquiry_counts as (
    select
        matches.archetype,
        matches.key_event_id,
        count(case
            when inquiries.inquired_on <= matches.key_event_on then 1
        end) as external_inquiries_before,
        count(case
            when inquiries.inquired_on > matches.key_event_on then 1
        end) as external_inquiries_after
    from matches
    inner join inquiries
        on matches.customer_id = inquiries.customer_id
        and inquiries.institution_type <> 'own_platform'
        and inquiries.inquired_on
            > cast({{ dbt.dateadd('day', -inquiry_days, 'matches.key_event_on') }} as date)
        and inquiries.inquired_on
            <= cast({{ dbt.dateadd('day', inquiry_days, 'matches.key_event_on') }} as date)
    group by matches.archetype, matches.key_event_id
),

enriched as (
    select
        matches.*,
        scores_at_dates.score_at_event,
        scores_at_dates.score_after_event,
        scores_at_dates.score_at_restore,
        coalesce(inquiry_counts.external_inquiries_before, 0) as external_inquiries_before,
        coalesce(inquiry_counts.external_inquiries_after, 0) as external_inquiries_after,
        restored_events.restored_on,
        restored_events.restore_reason_code,
        restored_events.restored_limit_amount,
        closures_after_restore.closed_after_restore_on,
        closures_after_restore.closed_after_restore_reason_code
    from matches
    left join scores_at_dates
        on matches.archetype = scores_at_dates.archetype
        and matches.key_event_id = scores_at_dates.key_event_id
    left join inquiry_counts
        on matches.archetype = inquiry_counts.archetype
        and matches.key_event_id = inquiry_counts.key_event_id
    left join restored_events
        on matches.archetype = restored_events.archetype
        and matches.key_event_id = restored_events.key_event_id
    left join closures_after_restore
        on matches.archetype = closures_after_restore.archetype
        and matches.key_event_id = closures_after_restore.key_event_id
),

-- the rules that need the enriched facts, and the fit scores computed from them
ruled as (
    select
        *,
        case
            when archetype = 'zero_limit_closure'
                -- fit: the rise in outside inquiries (+5 = 1) and how good the score was
                -- at the cut (700+ = 1): a good customer cut to zero is the clearer story
                then (
                    least((external_inquiries_after - external_inquiries_before) / 5E0, 1)
                    + least(greatest((score_at_event - 550) / 150E0, 0), 1)
                ) / 2E0
            when archetype = 'paused_then_restored'
                -- fit: score gain while frozen (+50 = 1), a quick restore, and a line that
                -- stayed open for the outcome window after it (unknown = 0.5)
                then (
                    least(greatest((score_at_restore - score_at_event) / 50E0, 0), 1)
                    + 1 - least({{ days_between('key_event_on', 'restored_on') }} / 365E0, 1)
                    + case
                        when closed_after_restore_on is not null
                            and {{ days_between('restored_on', 'closed_after_restore_on') }}
                            <= {{ outcome_days }}
                            then 0
                        when cast({{ dbt.dateadd('day', outcome_days, 'restored_on') }} as date)
                            <= {{ as_of_date() }}
                            then 1
                        else 0.5
                    end
                ) / 3E0
            else fit_score
        end as rule_fit_score
    from enriched
    where
        (archetype <> 'zero_limit_closure' or external_inquiries_after > external_inquiries_before)
        and (archetype <> 'paused_then_restored' or score_at_restore >= score_at_event)
),

best_per_customer as (
    select
        *,
        row_number() over (
            partition by archetype, customer_id
            order by rule_fit_score desc, key_event_on desc, key_event_id
        ) as occurrence_rank,
        count(*) over (partition by archetype, customer_id) as occurrence_count
    from ruled
),

ranked as (
    select
        *,
        {{ dbt.hash('customer_id') }} as customer_hash,
        row_number() over (
            partition by archetype
            order by rule_fit_score desc, {{ dbt.hash('customer_id') }}, line_id
        ) as fit_rank
    from best_per_customer
    where occurrence_rank = 1
),

lines as (
    select * from {{ ref('dim_credit_lines') }}
),

final as (
    select
        -- ids
        ranked.archetype,
        ranked.customer_id,
        left(ranked.customer_hash, 8) as customer_key,
        ranked.line_id,
        lines.product_code,
        ranked.key_event_id,
        -- the match
        ranked.rule_fit_score as fit_score,
        ranked.fit_rank,
        ranked.fit_rank = 1 as is_chosen,
        ranked.occurrence_count,
        -- key dates
        ranked.key_event_on,
        ranked.closed_on,
        ranked.first_overdue_on,
        ranked.arrears_repaid_on,
        ranked.score_recovered_on,
        ranked.restored_on,
        ranked.closed_after_restore_on,
        -- reasons
        ranked.closure_reason_code,
        ranked.restore_reason_code,
        ranked.closed_after_restore_reason_code,
        -- limits
        ranked.limit_before_amount,
        ranked.restored_limit_amount,
        -- scores
        ranked.score_at_event,
        ranked.best_score_90d_after,
        ranked.score_after_event,
        ranked.score_at_restore,
        -- behaviour
        ranked.worst_dpd_before,
        ranked.overdue_episodes,
        ranked.exhausted_month_ends,
        ranked.mean_utilization_rate,
        ranked.external_inquiries_before,
        ranked.external_inquiries_after,
        -- outcome
        ranked.restored_on is not null as is_restored,
        {{ days_between('ranked.key_event_on', 'ranked.restored_on') }} as days_to_restore,
        {{ days_between('ranked.restored_on', 'ranked.closed_after_restore_on') }}
            as days_restore_to_close,
        case
            when ranked.closed_after_restore_on is not null
                and {{ days_between('ranked.restored_on', 'ranked.closed_after_restore_on') }}
                <= {{ outcome_days }}
                then true
            when ranked.restored_on is not null
                and cast({{ dbt.dateadd('day', outcome_days, 'ranked.restored_on') }} as date)
                <= {{ as_of_date() }}
                then false
        end as is_closed_within_window_after_restore,
        {{ as_of_date() }} as as_of_on
    from ranked
    inner join lines on ranked.line_id = lines.line_id
)

select * from final
