-- One row per closure episode: the factors that can change after a closure, with the day
-- each turned true. Arrears: whether the customer had arrears outstanding at the end of the
-- closure day (int_arrears_runs_merged, any line) and, if so, the day that run was repaid.
-- Score: the first day after the closure date on which the customer was scored at or above
-- the score at closure (docs: reopen_score_back).
-- The reopening (or censoring at the as-of date) comes from fct_closure_episodes.
with episodes as (
    select * from {{ ref('fct_closure_episodes') }}
),

arrears_runs as (
    select * from {{ ref('int_arrears_runs_merged') }}
),

scores as (
    select * from {{ ref('stg_credit_scores') }}
    where scored_on <= {{ as_of_date() }}
),

-- one score a day: the latest scoring time of the day wins
daily_scores as (
    select
        customer_id,
        scored_on,
        score
    from (
        select
            customer_id,
            scored_on,
            score,
            row_number() over (
                partition by customer_id, scored_on order by scored_at desc
            ) as recency_rank
        from scores
    ) as ranked
    where recency_rank = 1
),

-- the arrears run outstanding at the end of the closure day, if any
closure_arrears as (
    select
        episodes.closure_episode_id,
        arrears_runs.repaid_on
    from episodes
    inner join arrears_runs
        on episodes.customer_id = arrears_runs.customer_id
        and arrears_runs.started_on <= episodes.closed_on
        and arrears_runs.ended_on >= episodes.closed_on
),

-- the first score after the closure date at or above the score at closure
score_returns as (
    select
        episodes.closure_episode_id,
        min(daily_scores.scored_on) as first_back_scored_on
    from episodes
    inner join daily_scores
        on episodes.customer_id = daily_scores.customer_id
        and daily_scores.scored_on > episodes.closed_on
        and daily_scores.score >= episodes.score_at_closure
    group by episodes.closure_episode_id
),

final as (
    select
        -- ids
        episodes.closure_episode_id,
        episodes.line_id,
        episodes.customer_id,
        -- the closure and its end
        episodes.closed_on,
        episodes.is_reopened,
        episodes.reopened_on,
        episodes.time_to_reopen_days,
        {{ as_of_date() }} as as_of_on,
        -- arrears
        closure_arrears.closure_episode_id is not null as is_in_arrears_at_closure,
        closure_arrears.repaid_on as arrears_repaid_on,
        -- score
        episodes.score_at_closure,
        episodes.score_90d_before_closure as pre_closure_score,
        score_returns.first_back_scored_on as score_back_on
    from episodes
    left join closure_arrears on episodes.closure_episode_id = closure_arrears.closure_episode_id
    left join score_returns on episodes.closure_episode_id = score_returns.closure_episode_id
)

select * from final
