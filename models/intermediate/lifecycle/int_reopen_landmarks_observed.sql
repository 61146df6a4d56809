-- One row per closure episode per landmark day it reaches still closed and followed: the
-- driver landmark (var reopen_driver_landmark_days days after the closure) and the
-- months-closed landmarks (0, 3, 6 and 12 months, a month being 365.25 / 12 days, rounded:
-- 0, 91, 183, 365 days). An episode is in a landmark's population when the landmark day is
-- on or before the as-of date and the line was not reopened on or before it. Each row has
-- the after-closure factors' status on the landmark day (docs: reopen_driver_landmark): the
-- arrears, the score against the pre-closure score, and the inquiries at other lenders
-- since the closure; and the reopening counted from the landmark.
{%- set driver_landmark = var('reopen_driver_landmark_days') | int %}
{%- set landmark_days = [0, 91, 183, 365, driver_landmark] | unique | sort %}
with factors as (
    select * from {{ ref('int_closure_factors_dated') }}
),

arrears_runs as (
    select * from {{ ref('int_arrears_runs_merged') }}
),

scores as (
    select * from {{ ref('stg_credit_scores') }}
    where scored_on <= {{ as_of_date() }}
),

inquiries as (
    select * from {{ ref('stg_credit_inquiries') }}
    where inquired_on <= {{ as_of_date() }}
),

landmarks as (
    {%- for days in landmark_days %}
    select {{ days }} as landmark_days
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- still closed and followed on the landmark day
observed as (
    select
        factors.*,
        landmarks.landmark_days,
        cast({{ dbt.dateadd('day', 'landmarks.landmark_days', 'factors.closed_on') }} as date)
            as landmark_on
    from factors
    cross join landmarks
    where
        cast({{ dbt.dateadd('day', 'landmarks.landmark_days', 'factors.closed_on') }} as date)
        <= factors.as_of_on
        and (
            factors.reopened_on is null
            or factors.reopened_on > cast(
                {{ dbt.dateadd('day', 'landmarks.landmark_days', 'factors.closed_on') }} as date
            )
        )
),

landmark_arrears as (
    select distinct
        observed.closure_episode_id,
        observed.landmark_days
    from observed
    inner join arrears_runs
        on observed.customer_id = arrears_runs.customer_id
        and arrears_runs.started_on <= observed.landmark_on
        and arrears_runs.ended_on >= observed.landmark_on
),

-- the customer's latest score after the closure date, on or before the landmark day
landmark_scores as (
    select
        closure_episode_id,
        landmark_days,
        score
    from (
        select
            observed.closure_episode_id,
            observed.landmark_days,
            scores.score,
            row_number() over (
                partition by observed.closure_episode_id, observed.landmark_days
                order by scores.scored_at desc
            ) as recency_rank
        from observed
        inner join scores
            on observed.customer_id = scores.customer_id
            and scores.scored_on > observed.closed_on
            and scores.scored_on <= observed.landmark_on
    ) as ranked
    where recency_rank = 1
),

-- inquiries by other lenders (not the lender's own platform) after the closure date, up to
-- and including the landmark day
landmark_inquiries as (
    select
        observed.closure_episode_id,
        observed.landmark_days,
        count(*) as external_inquiries_count
    from observed
    inner join inquiries
        on observed.customer_id = inquiries.customer_id
        and inquiries.institution_type <> 'own_platform'
        and inquiries.inquired_on > observed.closed_on
        and inquiries.inquired_on <= observed.landmark_on
    group by observed.closure_episode_id, observed.landmark_days
),

final as (
    select
        -- ids
        observed.closure_episode_id,
        observed.line_id,
        observed.customer_id,
        -- the landmark
        observed.landmark_days,
        observed.closed_on,
        observed.landmark_on,
        -- status on the landmark day
        case
            when not observed.is_in_arrears_at_closure then 'no_arrears_at_closure'
            when landmark_arrears.closure_episode_id is null then 'repaid'
            else 'in_arrears'
        end as arrears_status,
        landmark_arrears.closure_episode_id is not null as is_in_arrears_on_landmark,
        landmark_scores.score as landmark_score,
        observed.score_at_closure,
        case
            when observed.score_at_closure is null or landmark_scores.score is null
                then 'unscored'
            when landmark_scores.score >= observed.score_at_closure then 'back'
            else 'not_back'
        end as score_status,
        observed.pre_closure_score,
        case
            when observed.pre_closure_score is null or landmark_scores.score is null
                then 'unscored'
            when landmark_scores.score >= observed.pre_closure_score then 'back'
            else 'not_back'
        end as pre_closure_score_status,
        coalesce(landmark_inquiries.external_inquiries_count, 0) as external_inquiries_count,
        -- the reopening, counted from the landmark
        observed.is_reopened,
        observed.reopened_on,
        {{ days_between('observed.landmark_on', 'observed.reopened_on') }}
            as days_landmark_to_reopen,
        {{ days_between('observed.landmark_on', 'observed.as_of_on') }}
            as follow_up_from_landmark_days
    from observed
    left join landmark_arrears
        on observed.closure_episode_id = landmark_arrears.closure_episode_id
        and observed.landmark_days = landmark_arrears.landmark_days
    left join landmark_scores
        on observed.closure_episode_id = landmark_scores.closure_episode_id
        and observed.landmark_days = landmark_scores.landmark_days
    left join landmark_inquiries
        on observed.closure_episode_id = landmark_inquiries.closure_episode_id
        and observed.landmark_days = landmark_inquiries.landmark_days
)

select * from final
