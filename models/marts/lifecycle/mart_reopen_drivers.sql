-- What brings a line back: reopen rates within 90, 180 and 365 days, with 95% Wilson
-- intervals, per level of each factor. Factors known at the closure (reason category,
-- initiator, score band, arrears at closure) count from the closure (origin 'closure');
-- factors that change after it (arrears repaid, score back at the score at closure or at the
-- pre-closure score, inquiries elsewhere) are read on
-- the landmark day var('reopen_driver_landmark_days') after the closure, among closures
-- still closed and followed then, and count from it (origin 'landmark'); months_closed is
-- the landmark itself, at 0, 3, 6 and 12 months. A closure counts at horizon h only when it
-- is followed h days after its origin. Definitions: docs reopen_drivers.
{%- set driver_landmark = var('reopen_driver_landmark_days') | int %}
{%- set months_closed = [(0, 0), (3, 91), (6, 183), (12, 365)] %}
with episodes as (
    select * from {{ ref('fct_closure_episodes') }}
),

factors as (
    select * from {{ ref('int_closure_factors_dated') }}
),

landmarks as (
    select * from {{ ref('int_reopen_landmarks_observed') }}
),

horizons as (
    select 90 as horizon_days
    union all
    select 180
    union all
    select 365
),

-- factors known at the closure; level_order 0 = in the order of the level's name
closure_members as (
    select
        episodes.closure_episode_id,
        grouped.factor,
        grouped.factor_level,
        grouped.level_order,
        episodes.closed_on as origin_on,
        episodes.reopened_on
    from episodes
    inner join factors on episodes.closure_episode_id = factors.closure_episode_id
    inner join (
        select closure_episode_id, 'all' as factor, 'all' as factor_level, 0 as level_order
        from episodes

        union all

        select closure_episode_id, 'closure_reason', closure_reason_category, 0
        from episodes

        union all

        select closure_episode_id, 'initiator', closure_initiated_by, 0
        from episodes

        union all

        select
            closure_episode_id,
            'score_band_at_closure',
            coalesce(score_band_at_closure, 'unscored'),
            0
        from episodes

        union all

        select
            closure_episode_id,
            'arrears_at_closure',
            case when is_in_arrears_at_closure then 'in_arrears' else 'not_in_arrears' end,
            case when is_in_arrears_at_closure then 2 else 1 end
        from factors
    ) as grouped
        on episodes.closure_episode_id = grouped.closure_episode_id
),

-- factors read on the driver landmark day, among closures still closed and followed then
landmark_members as (
    select
        closure_episode_id,
        'arrears_repaid' as factor,
        arrears_status as factor_level,
        case arrears_status
            when 'no_arrears_at_closure' then 1
            when 'repaid' then 2
            else 3
        end as level_order,
        landmark_days,
        landmark_on as origin_on,
        reopened_on
    from landmarks
    where landmark_days = {{ driver_landmark }}

    union all

    select
        closure_episode_id,
        'score_back',
        score_status,
        case score_status when 'back' then 1 when 'not_back' then 2 else 3 end,
        landmark_days,
        landmark_on,
        reopened_on
    from landmarks
    where landmark_days = {{ driver_landmark }}

    union all

    select
        closure_episode_id,
        'score_back_pre_closure',
        pre_closure_score_status,
        case pre_closure_score_status when 'back' then 1 when 'not_back' then 2 else 3 end,
        landmark_days,
        landmark_on,
        reopened_on
    from landmarks
    where landmark_days = {{ driver_landmark }}

    union all

    select
        closure_episode_id,
        'inquiries_elsewhere',
        case
            when external_inquiries_count = 0 then '0'
            when external_inquiries_count <= 3 then '1-3'
            else '4+'
        end,
        case
            when external_inquiries_count = 0 then 1
            when external_inquiries_count <= 3 then 2
            else 3
        end,
        landmark_days,
        landmark_on,
        reopened_on
    from landmarks
    where landmark_days = {{ driver_landmark }}

    union all

    select
        closure_episode_id,
        'months_closed',
        case landmark_days
            {%- for months, days in months_closed %}
            when {{ days }} then '{{ months }}'
            {%- endfor %}
        end,
        case landmark_days
            {%- for months, days in months_closed %}
            when {{ days }} then {{ loop.index }}
            {%- endfor %}
        end,
        landmark_days,
        landmark_on,
        reopened_on
    from landmarks
    where landmark_days in ({{ months_closed | map('last') | join(', ') }})
),

members as (
    select
        closure_episode_id,
        factor,
        factor_level,
        level_order,
        'closure' as origin,
        0 as landmark_days,
        origin_on,
        reopened_on
    from closure_members

    union all

    select
        closure_episode_id,
        factor,
        factor_level,
        level_order,
        'landmark' as origin,
        landmark_days,
        origin_on,
        reopened_on
    from landmark_members
),

horizon_ends as (
    select
        members.*,
        horizons.horizon_days,
        cast({{ dbt.dateadd('day', 'horizons.horizon_days', 'members.origin_on') }} as date)
            as horizon_end_on
    from members
    cross join horizons
),

-- a closure counts at a horizon when it is followed horizon_days after its origin
counted as (
    select
        factor,
        factor_level,
        level_order,
        origin,
        landmark_days,
        horizon_days,
        count(case when horizon_end_on <= {{ as_of_date() }} then 1 end) as closures_count,
        count(case
            when horizon_end_on <= {{ as_of_date() }} and reopened_on <= horizon_end_on then 1
        end) as reopened_count
    from horizon_ends
    group by 1, 2, 3, 4, 5, 6
),

final as (
    select
        -- keys
        factor,
        factor_level,
        cast(dense_rank() over (
            partition by factor, horizon_days order by level_order, factor_level
        ) as integer) as factor_level_order,
        origin,
        cast(landmark_days as integer) as landmark_days,
        horizon_days,
        -- closures followed horizon_days after the origin, and of those reopened within it
        closures_count,
        reopened_count,
        {{ safe_ratio('reopened_count', 'closures_count') }} as reopened_rate,
        {{ wilson_interval('reopened_count', 'closures_count', 'lower') }}
            as reopened_rate_lower,
        {{ wilson_interval('reopened_count', 'closures_count', 'upper') }}
            as reopened_rate_upper
    from counted
)

select * from final
