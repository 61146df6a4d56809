-- One row per reopening: the limit granted against the limit before the closure (the last
-- positive one, as fct_closure_episodes.reopen_limit_ratio) and against the line's peak
-- limit before the closure; then the limit path: the limit in force 3, 6 and 12 months
-- after the reopening (0 once the line is closed again; null until that day has come), the
-- increases and cuts within 12 months, and the re-closure within 12 months.
-- Docs: reopen_limit_path.
{%- set path_months = [3, 6, 12] %}
with episodes as (
    select * from {{ ref('fct_closure_episodes') }}
    where is_reopened
),

limit_events as (
    select * from {{ ref('fct_limit_events') }}
),

-- the close and reopen events' positions in the line's event order
positioned as (
    select
        episodes.*,
        closes.event_seq as close_event_seq,
        reopens.event_seq as reopen_event_seq,
        {%- for months in path_months %}
        cast({{ dbt.dateadd('month', months, 'episodes.reopened_on') }} as date)
            as path_{{ months }}m_on,
        {%- endfor %}
        {{ as_of_date() }} as as_of_on
    from episodes
    inner join limit_events as closes on episodes.close_event_id = closes.event_id
    inner join limit_events as reopens on episodes.reopen_event_id = reopens.event_id
),

-- the highest limit the line had before the closure (any earlier event, its opening too)
peaks as (
    select
        positioned.closure_episode_id,
        max(limit_events.limit_after_amount) as peak_limit_before_closure_amount
    from positioned
    inner join limit_events
        on positioned.line_id = limit_events.line_id
        and limit_events.event_seq < positioned.close_event_seq
    group by positioned.closure_episode_id
),

-- the limit in force at the end of each path day: the line's last event on or before it
path_limits as (
    select
        closure_episode_id,
        {%- for months in path_months %}
        max(case when months = {{ months }} then limit_after_amount end)
            as limit_{{ months }}m_amount{{ ',' if not loop.last }}{% endfor %}
    from (
        select
            path.closure_episode_id,
            path.months,
            limit_events.limit_after_amount,
            row_number() over (
                partition by path.closure_episode_id, path.months
                order by limit_events.event_seq desc
            ) as recency_rank
        from (
            {%- for months in path_months %}
            select
                closure_episode_id,
                line_id,
                {{ months }} as months,
                path_{{ months }}m_on as path_on
            from positioned
            where path_{{ months }}m_on <= as_of_on
            {%- if not loop.last %}
            union all
            {%- endif %}
            {%- endfor %}
        ) as path
        inner join limit_events
            on path.line_id = limit_events.line_id
            and limit_events.event_on <= path.path_on
    ) as ranked
    where recency_rank = 1
    group by closure_episode_id
),

-- limit changes after the reopening, within 12 months
path_changes as (
    select
        positioned.closure_episode_id,
        count(case when limit_events.event_type = 'increase' then 1 end) as increases_count,
        count(case when limit_events.event_type = 'decrease' then 1 end) as cuts_count
    from positioned
    inner join limit_events
        on positioned.line_id = limit_events.line_id
        and limit_events.event_seq > positioned.reopen_event_seq
        and limit_events.event_on <= positioned.path_12m_on
    group by positioned.closure_episode_id
),

final as (
    select
        -- ids
        positioned.closure_episode_id,
        positioned.line_id,
        positioned.customer_id,
        positioned.product_code,
        -- the closure
        positioned.closure_reason_category,
        coalesce(positioned.score_band_at_closure, 'unscored') as score_band_at_closure,
        -- the reopening
        positioned.reopened_on,
        positioned.reopen_reason_category,
        positioned.reopen_limit_amount,
        positioned.last_positive_limit_amount as limit_before_closure_amount,
        peaks.peak_limit_before_closure_amount,
        {{ safe_ratio('positioned.reopen_limit_amount', 'positioned.last_positive_limit_amount') }}
            as reopen_to_prior_limit_ratio,
        {{ safe_ratio('positioned.reopen_limit_amount', 'peaks.peak_limit_before_closure_amount') }}
            as reopen_to_peak_limit_ratio,
        -- the limit path after the reopening
        {%- for months in path_months %}
        path_limits.limit_{{ months }}m_amount,
        positioned.path_{{ months }}m_on <= positioned.as_of_on as is_observed_{{ months }}m,
        {%- endfor %}
        case
            when positioned.path_12m_on <= positioned.as_of_on
                then coalesce(path_changes.increases_count, 0)
        end as increases_within_12m_count,
        case
            when positioned.path_12m_on <= positioned.as_of_on
                then coalesce(path_changes.cuts_count, 0)
        end as cuts_within_12m_count,
        case
            when positioned.reclosed_on <= positioned.path_12m_on then true
            when positioned.path_12m_on <= positioned.as_of_on then false
        end as is_reclosed_within_12m,
        {{ safe_ratio('path_limits.limit_12m_amount', 'positioned.reopen_limit_amount') }}
            as limit_12m_to_reopen_ratio
    from positioned
    left join peaks on positioned.closure_episode_id = peaks.closure_episode_id
    left join path_limits on positioned.closure_episode_id = path_limits.closure_episode_id
    left join path_changes on positioned.closure_episode_id = path_changes.closure_episode_id
)

select * from final
