-- One row per credit line: its product, opening and current state.
with lines as (
    select * from {{ ref('stg_credit_lines') }}
),

events as (
    select * from {{ ref('fct_limit_events') }}
),

products as (
    select * from {{ ref('products') }}
),

event_summary as (
    select
        line_id,
        max_by(status_after, event_seq) as current_status,
        max_by(limit_after_amount, event_seq) as current_limit_amount,
        count(*) filter (where event_type = 'close') as closure_count,
        count(*) filter (where event_type = 'reopen') as reopen_count,
        count(*) filter (where event_type = 'freeze') as freeze_count,
        max(event_on) filter (where event_type = 'close') as last_closed_on
    from events
    group by line_id
),

final as (
    select
        -- ids
        lines.line_id,
        lines.customer_id,
        lines.product_code,
        products.product_type,
        -- dates
        lines.opened_at,
        lines.opened_on,
        event_summary.last_closed_on,
        -- limits
        lines.initial_limit_amount,
        coalesce(event_summary.current_limit_amount, lines.initial_limit_amount)
            as current_limit_amount,
        -- state
        coalesce(event_summary.current_status, 'open') as current_status,
        coalesce(event_summary.closure_count, 0) as closure_count,
        coalesce(event_summary.reopen_count, 0) as reopen_count,
        coalesce(event_summary.freeze_count, 0) as freeze_count
    from lines
    left join event_summary on lines.line_id = event_summary.line_id
    left join products on lines.product_code = products.product_code
    where lines.opened_on <= {{ as_of_date() }}
)

select * from final
