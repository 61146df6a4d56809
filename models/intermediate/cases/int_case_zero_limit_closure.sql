-- zero_limit_closure: one row per cut of a limit to zero, of a customer never past due up to
-- it, followed by more inquiries at other lenders than before it (the window after complete
-- by the as-of date); with the close that followed and the fit. Rule and fit score:
-- _cases__docs.md (archetype_zero_limit_closure).
{%- set inquiry_days = var('cases_inquiry_window_days') | int %}
{%- set inquiry_rise = var('cases_fit_inquiry_rise') | int %}
{%- set cut_score_low = var('cases_fit_cut_score_low') | int %}
{%- set cut_score_high = var('cases_fit_cut_score_high') | int %}
with limit_events as (
    select * from {{ ref('fct_limit_events') }}
),

closure_episodes as (
    select * from {{ ref('fct_closure_episodes') }}
),

key_events_followed as (
    select * from {{ ref('int_case_key_events_followed') }}
),

zero_limit_cuts as (
    select
        limit_events.*,
        key_events_followed.worst_dpd_before,
        key_events_followed.score_at_event,
        key_events_followed.external_inquiries_before,
        key_events_followed.external_inquiries_after
    from limit_events
    inner join key_events_followed on limit_events.event_id = key_events_followed.key_event_id
    where
        limit_events.event_type = 'decrease'
        and limit_events.limit_after_amount = 0
        and limit_events.limit_before_amount > 0
        and cast(
            {{ dbt.dateadd('day', inquiry_days, 'limit_events.event_on') }} as date
        ) <= {{ as_of_date() }}
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

matched as (
    select
        zero_limit_cuts.*,
        cut_closures.closed_on,
        cut_closures.closure_reason_code,
        -- fit components: the rise in outside inquiries (cases_fit_inquiry_rise or more = 1)
        -- and how good the score was at the cut (cases_fit_cut_score_low or less = 0,
        -- cases_fit_cut_score_high or more = 1): a good customer cut to zero is the clearer story
        least({{ safe_ratio('zero_limit_cuts.external_inquiries_after'
                            ~ ' - zero_limit_cuts.external_inquiries_before', inquiry_rise) }}, 1)
            as inquiry_rise_fit,
        least(greatest({{ safe_ratio('zero_limit_cuts.score_at_event - ' ~ cut_score_low,
                                     cut_score_high - cut_score_low) }}, 0), 1) as cut_score_fit
    from zero_limit_cuts
    left join cut_closures
        on zero_limit_cuts.event_id = cut_closures.event_id
        and cut_closures.closure_rank = 1
    where
        zero_limit_cuts.worst_dpd_before = 0
        and zero_limit_cuts.external_inquiries_after > zero_limit_cuts.external_inquiries_before
),

final as (
    select
        -- ids
        event_id as key_event_id,
        customer_id,
        line_id,
        -- the cut and the close that followed
        event_on as key_event_on,
        closed_on,
        coalesce(closure_reason_code, reason_code) as closure_reason_code,
        limit_before_amount,
        -- the customer: never past due, the score at the cut, outside inquiries
        0 as overdue_episodes,
        worst_dpd_before,
        score_at_event,
        external_inquiries_before,
        external_inquiries_after,
        -- the fit: the mean of the inquiry rise and the score at the cut
        {{ safe_ratio('inquiry_rise_fit + cut_score_fit', 2) }} as fit_score
    from matched
)

select * from final
