{{
    config(
        materialized='incremental',
        incremental_strategy=core_fact_incremental_strategy(),
        on_schema_change='sync_all_columns',
        pre_hook="{{ delete_rows_to_rebuild('line_id', 'int_lines_affected') }}",
    )
}}

-- depends_on: {{ ref('int_lines_affected') }}
-- One row per change of a line's limit or state, in order, with the state it left.
with events as (
    select * from {{ ref('int_limit_events_sequenced') }}
    {%- if incremental_window_active() %}
    where line_id in (select line_id from {{ ref('int_lines_affected') }})
    {%- endif %}
),

lines as (
    select * from {{ ref('stg_credit_lines') }}
),

final as (
    select
        -- ids
        events.event_id,
        events.line_id,
        lines.customer_id,
        lines.product_code,
        events.event_seq,
        -- dates
        events.event_at,
        events.event_on,
        -- what happened
        events.event_type,
        events.reason_code,
        events.reason_category,
        events.initiated_by,
        events.status_before,
        events.status_after,
        -- amounts
        events.limit_before_amount,
        events.limit_after_amount,
        events.limit_change_amount
    from events
    inner join lines on events.line_id = lines.line_id
    where events.event_on <= {{ as_of_date() }}
)

select * from final
