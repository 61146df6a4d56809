-- One row per customer per archetype the customer matches (the case-study candidates), with
-- the event that made the match, the facts behind it, a fit score in [0, 1] and the rank
-- of the customer within the archetype (fit_rank = 1 is the customer the case study tells).
-- Each archetype's rule and fit score live in its own model, int_case_<archetype>
-- (_cases__docs.md); here they are put in one layout, shown with what surrounded and
-- followed the key event (int_case_key_events_followed), and ranked. A customer who matches
-- an archetype more than once (two lines, two closures) keeps the best-fitting occurrence.
-- The fit score of a "happy" archetype weighs the aftermath: what happened to the customer
-- after the story's last event (docs: case_aftermath).
{%- set outcome_days = var('cases_outcome_window_days') | int %}
{%- set aftermath_dpd = var('cases_aftermath_dpd') | int %}
{%- set aftermath_penalty = var('cases_fit_bad_aftermath') | float %}
{%- set happy_archetypes = "'overdue_closed_recovered', 'paused_then_restored'" %}
{#- The shared layout. Every archetype's model has the key event, the ids, the key event's
    reason, limit_before_amount, worst_dpd_before and fit_score. The columns below only some
    stories have: each archetype lists its own, and the others are nulls of the type here
    (the one place they are written). -#}
{%- set story_columns = [
    ('closed_on', 'date'),
    ('first_overdue_on', 'date'),
    ('arrears_repaid_on', 'date'),
    ('score_recovered_on', 'date'),
    ('best_score_90d_after', 'integer'),
    ('overdue_episodes', 'integer'),
    ('exhausted_month_ends', 'integer'),
    ('mean_utilization_rate', 'double'),
] %}
{%- set archetype_story_columns = {
    'overdue_closed_recovered': ['closed_on', 'first_overdue_on', 'arrears_repaid_on',
                                 'score_recovered_on', 'best_score_90d_after', 'overdue_episodes'],
    'reopened_then_reclosed': ['closed_on', 'first_overdue_on', 'overdue_episodes'],
    'clean_closure_good_score': ['closed_on', 'overdue_episodes'],
    'zero_limit_closure': ['closed_on', 'overdue_episodes'],
    'exhausted_limit_closed': ['closed_on', 'first_overdue_on', 'overdue_episodes',
                               'exhausted_month_ends', 'mean_utilization_rate'],
    'paused_then_restored': [],
} %}
with overdue_closed_recovered as (
    select * from {{ ref('int_case_overdue_closed_recovered') }}
),

reopened_then_reclosed as (
    select * from {{ ref('int_case_reopened_then_reclosed') }}
),

clean_closure_good_score as (
    select * from {{ ref('int_case_clean_closure_good_score') }}
),

zero_limit_closure as (
    select * from {{ ref('int_case_zero_limit_closure') }}
),

exhausted_limit_closed as (
    select * from {{ ref('int_case_exhausted_limit_closed') }}
),

paused_then_restored as (
    select * from {{ ref('int_case_paused_then_restored') }}
),

key_events_followed as (
    select * from {{ ref('int_case_key_events_followed') }}
),

lines as (
    select * from {{ ref('dim_credit_lines') }}
),

line_months as (
    select * from {{ ref('fct_line_months') }}
),

limit_events as (
    select * from {{ ref('fct_limit_events') }}
),

-- every archetype's matches in one layout
matches as (
    {%- for archetype, columns in archetype_story_columns.items() %}
    select
        '{{ archetype }}' as archetype,
        key_event_id,
        customer_id,
        line_id,
        key_event_on,
        {#- the key event of paused_then_restored is a freeze, not a closure #}
        {{ 'freeze_reason_code as closure_reason_code' if archetype == 'paused_then_restored'
           else 'closure_reason_code' }},
        limit_before_amount,
        worst_dpd_before,
        {%- for column, null_type in story_columns %}
        {{ column if column in columns else 'cast(null as ' ~ null_type ~ ') as ' ~ column }},
        {%- endfor %}
        fit_score
    from {{ archetype }}
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}
),

-- what surrounded and followed the key event
enriched as (
    select
        matches.*,
        key_events_followed.score_at_event,
        key_events_followed.score_after_event,
        key_events_followed.score_at_restore,
        key_events_followed.external_inquiries_before,
        key_events_followed.external_inquiries_after,
        key_events_followed.restored_on,
        key_events_followed.restore_reason_code,
        key_events_followed.restored_limit_amount,
        key_events_followed.closed_after_restore_on,
        key_events_followed.closed_after_restore_reason_code
    from matches
    left join key_events_followed on matches.key_event_id = key_events_followed.key_event_id
),

-- the story's last event: the latest of the dates the story tells
story_ends as (
    select
        *,
        greatest(
            key_event_on,
            coalesce(closed_on, key_event_on),
            coalesce(arrears_repaid_on, key_event_on),
            coalesce(score_recovered_on, key_event_on),
            coalesce(restored_on, key_event_on),
            coalesce(closed_after_restore_on, key_event_on)
        ) as story_end_on
    from enriched
),

-- the customer's worst delinquency, on any line, in the months after the story's last event
aftermath_months as (
    select
        story_ends.archetype,
        story_ends.key_event_id,
        max(line_months.max_dpd_in_month) as aftermath_worst_dpd,
        min(
            case
                when line_months.max_dpd_in_month >= {{ aftermath_dpd }}
                    then line_months.month_start_on
            end
        ) as aftermath_dpd_month_on
    from story_ends
    inner join line_months
        on
        story_ends.customer_id = line_months.customer_id
        and line_months.month_start_on > story_ends.story_end_on
    group by story_ends.archetype, story_ends.key_event_id
),

-- the lender's first action (closure, freeze or cut) on any of the customer's lines after it
aftermath_actions as (
    select
        story_ends.archetype,
        story_ends.key_event_id,
        limit_events.event_on as aftermath_action_on,
        limit_events.event_type as aftermath_action_type,
        limit_events.reason_code as aftermath_action_reason_code,
        limit_events.product_code as aftermath_action_product_code,
        row_number() over (
            partition by story_ends.archetype, story_ends.key_event_id
            order by limit_events.event_on, limit_events.event_seq, limit_events.event_id
        ) as action_seq
    from story_ends
    inner join limit_events
        on
        story_ends.customer_id = limit_events.customer_id
        and limit_events.event_on > story_ends.story_end_on
        and limit_events.event_type in ('close', 'freeze', 'decrease')
        and limit_events.initiated_by != 'customer'
),

with_aftermath as (
    select
        story_ends.*,
        aftermath_months.aftermath_worst_dpd,
        aftermath_months.aftermath_dpd_month_on,
        aftermath_actions.aftermath_action_on,
        aftermath_actions.aftermath_action_type,
        aftermath_actions.aftermath_action_reason_code,
        aftermath_actions.aftermath_action_product_code,
        coalesce(
            aftermath_months.aftermath_dpd_month_on is not null
            or aftermath_actions.aftermath_action_on is not null,
            false
        ) as has_bad_aftermath
    from story_ends
    left join aftermath_months
        on
        story_ends.archetype = aftermath_months.archetype
        and story_ends.key_event_id = aftermath_months.key_event_id
    left join aftermath_actions
        on
        story_ends.archetype = aftermath_actions.archetype
        and story_ends.key_event_id = aftermath_actions.key_event_id
        and aftermath_actions.action_seq = 1
),

-- a happy story whose customer then fell behind again, or was acted on again, fits less
fitted as (
    select
        *,
        case
            when
                has_bad_aftermath
                and archetype in ({{ happy_archetypes }})
                then fit_score * (1 - {{ aftermath_penalty }})
            else fit_score
        end as fit_score_with_aftermath
    from with_aftermath
),

best_per_customer as (
    select
        *,
        row_number() over (
            partition by archetype, customer_id
            order by fit_score_with_aftermath desc, key_event_on desc, key_event_id
        ) as occurrence_rank,
        count(*) over (partition by archetype, customer_id) as occurrence_count
    from fitted
),

ranked as (
    select
        *,
        {{ dbt.hash('customer_id') }} as customer_hash,
        row_number() over (
            partition by archetype
            order by fit_score_with_aftermath desc, {{ dbt.hash('customer_id') }}, line_id
        ) as fit_rank
    from best_per_customer
    where occurrence_rank = 1
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
        ranked.fit_score as story_fit_score,
        ranked.fit_score_with_aftermath as fit_score,
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
        -- aftermath: after the story's last event
        ranked.story_end_on,
        ranked.aftermath_worst_dpd,
        ranked.aftermath_dpd_month_on,
        ranked.aftermath_action_on,
        ranked.aftermath_action_type,
        ranked.aftermath_action_reason_code,
        ranked.aftermath_action_product_code,
        ranked.has_bad_aftermath,
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
