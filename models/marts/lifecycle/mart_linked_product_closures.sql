-- One row per closure for linked-product risk (reason category linked_product) of a line
-- whose customer holds a line of the other product: whether that other line was delinquent
-- in the var('linked_product_lookback_days') days up to the closure (a delinquency episode
-- whose missed due date is on or before the closure date and that was running within the
-- look-back), when that episode first went past due, and how many days before the closure.
-- Definitions: _lifecycle__docs.md (linked_product_closure).
{%- set lookback_days = var('linked_product_lookback_days') | int %}
with closure_episodes as (
    select * from {{ ref('fct_closure_episodes') }}
    where closure_reason_category = 'linked_product'
),

lines as (
    select * from {{ ref('dim_credit_lines') }}
),

delinquency_episodes as (
    select * from {{ ref('int_line_delinquency_episodes_merged') }}
),

paired_closures as (
    select
        closure_episodes.closure_episode_id,
        closure_episodes.line_id,
        closure_episodes.customer_id,
        closure_episodes.closed_on,
        closure_episodes.product_code,
        closure_episodes.closure_initiated_by,
        other_lines.line_id as other_line_id,
        other_lines.product_code as other_product_code
    from closure_episodes
    inner join lines as other_lines
        on closure_episodes.customer_id = other_lines.customer_id
        and closure_episodes.product_code <> other_lines.product_code
),

-- the other line's latest delinquency episode missed by the closure date and still running
-- within the look-back
other_line_episodes as (
    select
        paired_closures.closure_episode_id,
        paired_closures.other_line_id,
        delinquency_episodes.missed_due_on,
        delinquency_episodes.delinquency_start_on,
        row_number() over (
            partition by paired_closures.closure_episode_id, paired_closures.other_line_id
            order by delinquency_episodes.missed_due_on desc
        ) as recency_rank
    from paired_closures
    inner join delinquency_episodes
        on paired_closures.other_line_id = delinquency_episodes.line_id
        and delinquency_episodes.missed_due_on <= paired_closures.closed_on
        and delinquency_episodes.delinquency_end_on >= cast(
            {{ dbt.dateadd('day', -lookback_days, 'paired_closures.closed_on') }} as date
        )
),

final as (
    select
        -- ids
        paired_closures.closure_episode_id,
        paired_closures.line_id,
        paired_closures.customer_id,
        paired_closures.other_line_id,
        -- the closure
        paired_closures.closed_on,
        paired_closures.product_code,
        paired_closures.other_product_code,
        paired_closures.closure_initiated_by,
        -- the other line's delinquency before it
        other_line_episodes.closure_episode_id is not null as had_other_line_delinquency_before,
        other_line_episodes.missed_due_on as other_line_missed_due_on,
        other_line_episodes.delinquency_start_on as other_line_first_past_due_on,
        {{ days_between('other_line_episodes.delinquency_start_on', 'paired_closures.closed_on') }}
            as days_from_other_delinquency_to_closure
    from paired_closures
    left join other_line_episodes
        on paired_closures.closure_episode_id = other_line_episodes.closure_episode_id
        and paired_closures.other_line_id = other_line_episodes.other_line_id
        and other_line_episodes.recency_rank = 1
)

select * from final
