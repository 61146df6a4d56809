-- One row per closure of a credit line (close event), in order within the line: why and by
-- whom it was closed, the customer's profile just before it, whether the customer had ever
-- been past due, and what happened next: the reopening (or right-censoring at the as-of
-- date), and after a reopening the re-closure and delinquency within
-- var('lifecycle_post_reopen_days') days. Definitions in _lifecycle__docs.md.
{%- set post_days = var('lifecycle_post_reopen_days') %}
with episodes as (
    select * from {{ ref('int_closure_episodes_paired') }}
),

overdue_spells as (
    select * from {{ ref('int_overdue_spells_bounded') }}
),

line_months as (
    select * from {{ ref('fct_line_months') }}
),

lines as (
    select * from {{ ref('dim_credit_lines') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

loans as (
    select * from {{ ref('fct_loans') }}
),

scores as (
    select * from {{ ref('stg_credit_scores') }}
    where scored_on <= {{ as_of_date() }}
),

inquiries as (
    select * from {{ ref('stg_credit_inquiries') }}
    where inquired_on <= {{ as_of_date() }}
),

months as (
    select * from {{ ref('int_months_spined') }}
),

-- scores: the latest on or before the closure date, and on or before 90 days earlier
scores_before_closure as (
    select
        episodes.closure_episode_id,
        scores.score,
        scores.scored_on,
        scores.scored_on <= cast({{ dbt.dateadd('day', -90, 'episodes.closed_on') }} as date)
            as is_90_days_before,
        row_number() over (
            partition by episodes.closure_episode_id
            order by scores.scored_at desc
        ) as recency_rank,
        row_number() over (
            partition by
                episodes.closure_episode_id,
                scores.scored_on <= cast(
                    {{ dbt.dateadd('day', -90, 'episodes.closed_on') }} as date
                )
            order by scores.scored_at desc
        ) as recency_rank_in_window
    from episodes
    inner join scores
        on episodes.customer_id = scores.customer_id
        and scores.scored_on <= episodes.closed_on
),

closure_scores as (
    select
        closure_episode_id,
        max(case when recency_rank = 1 then score end) as score_at_closure,
        max(case when recency_rank = 1 then scored_on end) as score_at_closure_scored_on,
        max(case when is_90_days_before and recency_rank_in_window = 1 then score end)
            as score_90d_before_closure
    from scores_before_closure
    group by closure_episode_id
),

-- delinquency of the customer on any line up to and including the closure date
spells_before_closure as (
    select
        episodes.closure_episode_id,
        episodes.closed_on,
        overdue_spells.due_on,
        overdue_spells.spell_start_on,
        least(overdue_spells.spell_end_on, episodes.closed_on) as spell_end_on
    from episodes
    inner join overdue_spells
        on episodes.customer_id = overdue_spells.customer_id
        and overdue_spells.spell_start_on <= episodes.closed_on
),

closure_delinquency as (
    select
        closure_episode_id,
        min(spell_start_on) as first_overdue_on,
        max({{ days_between('due_on', 'spell_end_on') }}) as worst_dpd_before_closure,
        max(case
            when spell_end_on > cast({{ dbt.dateadd('month', -6, 'closed_on') }} as date)
                then {{ days_between('due_on', 'spell_end_on') }}
        end) as worst_dpd_6m_before_closure,
        max(case
            when spell_end_on > cast({{ dbt.dateadd('month', -12, 'closed_on') }} as date)
                then {{ days_between('due_on', 'spell_end_on') }}
        end) as worst_dpd_12m_before_closure
    from spells_before_closure
    group by closure_episode_id
),

-- overdue episodes: maximal runs of consecutive calendar months in which the customer was
-- 1+ DPD on some day (any line), counting only days up to the closure date
overdue_months_before_closure as (
    select distinct
        spells_before_closure.closure_episode_id,
        months.month_start_on,
        extract(year from months.month_start_on) * 12 + extract(month from months.month_start_on)
            as month_number
    from spells_before_closure
    inner join months
        on months.month_start_on >= cast(
            {{ dbt.date_trunc('month', 'spells_before_closure.spell_start_on') }} as date
        )
        and months.month_start_on <= cast(
            {{ dbt.date_trunc('month', 'spells_before_closure.spell_end_on') }} as date
        )
),

overdue_month_runs as (
    select
        closure_episode_id,
        month_number - row_number() over (
            partition by closure_episode_id order by month_start_on
        ) as run_key
    from overdue_months_before_closure
),

closure_overdue_episodes as (
    select
        closure_episode_id,
        count(distinct run_key) as overdue_episodes_before_closure
    from overdue_month_runs
    group by closure_episode_id
),

-- the line at the last month-end before the closure date (the month before the closure's)
last_month_ends as (
    select
        episodes.closure_episode_id,
        line_months.utilization_rate,
        line_months.limit_amount,
        line_months.outstanding_principal_amount
    from episodes
    inner join line_months
        on episodes.line_id = line_months.line_id
        and line_months.month_start_on = cast({{ dbt.dateadd(
            'month', -1, dbt.date_trunc('month', 'episodes.closed_on')) }} as date)
),

closure_inquiries as (
    select
        episodes.closure_episode_id,
        count(*) as inquiries_30d_before_closure,
        count(case when inquiries.institution_type <> 'own_platform' then 1 end)
            as external_inquiries_30d_before_closure
    from episodes
    inner join inquiries
        on episodes.customer_id = inquiries.customer_id
        and inquiries.inquired_on <= episodes.closed_on
        and inquiries.inquired_on > cast({{ dbt.dateadd(
            'day', -(var('inquiry_window_days') | int), 'episodes.closed_on'
        ) }} as date)
    group by episodes.closure_episode_id
),

closure_drawdowns as (
    select
        episodes.closure_episode_id,
        max(loans.drawn_on) as last_drawn_on
    from episodes
    inner join loans
        on episodes.line_id = loans.line_id
        and loans.drawn_on <= episodes.closed_on
    group by episodes.closure_episode_id
),

-- the reopened line 30+ DPD (more than 30) on some day within the post-reopening window:
-- DPD only grows within a spell, so a spell overlapping the window is 30+ in it when it is
-- 30+ on the last day of the overlap
post_reopen_spells as (
    select
        episodes.closure_episode_id,
        episodes.reopened_on,
        overdue_spells.due_on,
        overdue_spells.spell_start_on,
        least(
            overdue_spells.spell_end_on,
            cast({{ dbt.dateadd('day', post_days, 'episodes.reopened_on') }} as date)
        ) as spell_end_in_window_on
    from episodes
    inner join overdue_spells
        on episodes.line_id = overdue_spells.line_id
        and overdue_spells.spell_end_on >= episodes.reopened_on
    where episodes.reopened_on is not null
),

post_reopen_delinquency as (
    select
        closure_episode_id,
        min(greatest(
            spell_start_on,
            {{ first_day_dpd_30_plus('due_on') }},
            reopened_on
        )) as first_dpd30_after_reopen_on
    from post_reopen_spells
    where
        spell_start_on <= spell_end_in_window_on
        and {{ is_dpd_30_plus(days_between('due_on', 'spell_end_in_window_on')) }}
    group by closure_episode_id
),

profiled as (
    select
        episodes.*,
        customers.occupation as customer_segment,
        lines.opened_on as line_opened_on,
        {{ dbt.datediff(dbt.date_trunc('month', 'lines.opened_on'),
                        dbt.date_trunc('month', 'episodes.closed_on'), 'month') }}
            as months_on_book_at_closure,
        closure_scores.score_at_closure,
        closure_scores.score_at_closure_scored_on,
        closure_scores.score_90d_before_closure,
        coalesce(closure_delinquency.worst_dpd_before_closure, 0) as worst_dpd_before_closure,
        coalesce(closure_delinquency.worst_dpd_6m_before_closure, 0) as worst_dpd_6m_before_closure,
        coalesce(closure_delinquency.worst_dpd_12m_before_closure, 0)
            as worst_dpd_12m_before_closure,
        closure_delinquency.first_overdue_on,
        coalesce(closure_overdue_episodes.overdue_episodes_before_closure, 0)
            as overdue_episodes_before_closure,
        last_month_ends.utilization_rate as utilization_rate_last_month_end,
        coalesce(closure_inquiries.inquiries_30d_before_closure, 0) as inquiries_30d_before_closure,
        coalesce(closure_inquiries.external_inquiries_30d_before_closure, 0)
            as external_inquiries_30d_before_closure,
        closure_drawdowns.last_drawn_on,
        post_reopen_delinquency.first_dpd30_after_reopen_on,
        {{ as_of_date() }} as as_of_on
    from episodes
    inner join lines on episodes.line_id = lines.line_id
    left join customers on episodes.customer_id = customers.customer_id
    left join closure_scores on episodes.closure_episode_id = closure_scores.closure_episode_id
    left join closure_delinquency
        on episodes.closure_episode_id = closure_delinquency.closure_episode_id
    left join closure_overdue_episodes
        on episodes.closure_episode_id = closure_overdue_episodes.closure_episode_id
    left join last_month_ends on episodes.closure_episode_id = last_month_ends.closure_episode_id
    left join closure_inquiries
        on episodes.closure_episode_id = closure_inquiries.closure_episode_id
    left join closure_drawdowns
        on episodes.closure_episode_id = closure_drawdowns.closure_episode_id
    left join post_reopen_delinquency
        on episodes.closure_episode_id = post_reopen_delinquency.closure_episode_id
),

final as (
    select
        -- ids
        closure_episode_id,
        line_id,
        customer_id,
        closure_seq,
        close_event_id,
        reopen_event_id,
        reclose_event_id,
        -- the closure
        closed_at,
        closed_on,
        cast({{ dbt.date_trunc('month', 'closed_on') }} as date) as closure_month_on,
        closure_reason_code,
        closure_reason_category,
        closure_initiated_by,
        limit_before_closure_amount,
        last_positive_limit_amount,
        -- pre-closure profile
        product_code,
        customer_segment,
        months_on_book_at_closure,
        score_at_closure,
        {{ score_band('score_at_closure') }} as score_band_at_closure,
        score_at_closure_scored_on,
        score_90d_before_closure,
        score_at_closure - score_90d_before_closure as score_change_90d_before_closure,
        worst_dpd_before_closure,
        worst_dpd_6m_before_closure,
        worst_dpd_12m_before_closure,
        first_overdue_on,
        overdue_episodes_before_closure,
        utilization_rate_last_month_end,
        inquiries_30d_before_closure,
        external_inquiries_30d_before_closure,
        last_drawn_on,
        {{ dbt.datediff('last_drawn_on', 'closed_on', 'month') }} as months_since_last_drawdown,
        worst_dpd_before_closure = 0 as is_clean_closure,
        -- the reopening, or censoring at the as-of date
        reopen_event_id is not null as is_reopened,
        reopened_at,
        reopened_on,
        reopen_reason_code,
        reopen_reason_category,
        reopen_initiated_by,
        reopen_limit_amount,
        case
            when last_positive_limit_amount > 0
                then {{ safe_ratio('reopen_limit_amount', 'last_positive_limit_amount') }}
        end as reopen_limit_ratio,
        case when reopen_event_id is null then as_of_on end as censored_on,
        {{ days_between('closed_on', 'coalesce(reopened_on, as_of_on)') }} as time_to_reopen_days,
        {{ days_between('closed_on', 'as_of_on') }} as follow_up_days,
        -- after the reopening
        reclosed_on,
        reclose_reason_code,
        reclose_reason_category,
        {{ days_between('reopened_on', 'reclosed_on') }} as days_reopen_to_reclose,
        reopened_on is not null
        and cast({{ dbt.dateadd('day', post_days, 'reopened_on') }} as date) <= as_of_on
            as is_post_reopen_window_complete,
        case
            when reclosed_on is not null
                and {{ days_between('reopened_on', 'reclosed_on') }} <= {{ post_days }}
                then true
            when reopened_on is not null
                and cast({{ dbt.dateadd('day', post_days, 'reopened_on') }} as date) <= as_of_on
                then false
        end as is_reclosed_within_365d,
        first_dpd30_after_reopen_on,
        case
            when first_dpd30_after_reopen_on is not null then true
            when reopened_on is not null
                and cast({{ dbt.dateadd('day', post_days, 'reopened_on') }} as date) <= as_of_on
                then false
        end as has_dpd30_within_365d_after_reopen
    from profiled
)

select * from final
