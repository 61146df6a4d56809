-- clean_closure_good_score: one row per clean closure (never past due) of a customer scoring
-- at least cases_good_score, for a reason in cases_clean_closure_reason_categories; with its
-- fit. Rule and fit score: _cases__docs.md (archetype_clean_closure_good_score).
{%- set good_score = var('cases_good_score') | int %}
{%- set clean_categories = var('cases_clean_closure_reason_categories') %}
{%- set score_points = var('cases_fit_score_above_good_points') | int %}
{%- set full_months = var('cases_fit_months_on_book') | int %}
with closure_episodes as (
    select * from {{ ref('fct_closure_episodes') }}
),

matched as (
    select
        *,
        -- fit components: how good the score was (cases_fit_score_above_good_points above
        -- cases_good_score = 1) and how long the clean record (cases_fit_months_on_book = 1)
        least({{ safe_ratio('score_at_closure - ' ~ good_score, score_points) }}, 1) as score_fit,
        least({{ safe_ratio('months_on_book_at_closure', full_months) }}, 1) as months_on_book_fit
    from closure_episodes
    where
        score_at_closure >= {{ good_score }}
        and is_clean_closure
        -- the category list is long only once rendered
        and closure_reason_category in ('{{ clean_categories | join("', '") }}')  -- noqa: LT05
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
        closure_reason_category,
        limit_before_closure_amount as limit_before_amount,
        -- the customer at the closure
        score_at_closure,
        months_on_book_at_closure,
        overdue_episodes_before_closure as overdue_episodes,
        worst_dpd_before_closure as worst_dpd_before,
        -- the fit: the mean of a good score and a long clean record
        {{ safe_ratio('score_fit + months_on_book_fit', 2) }} as fit_score
    from matched
)

select * from final
