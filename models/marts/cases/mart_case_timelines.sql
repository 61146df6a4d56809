-- The month-by-month story of the customer each case study tells (the candidate with
-- fit_rank = 1 per archetype): one row per archetype per line of that customer per month
-- from the line's opening month to the as-of month, with the line's limit, state, balance
-- and delinquency, the customer's score and outside inquiries, totals over all the
-- customer's lines, and the limit events of the month with their reasons.
with candidates as (
    select * from {{ ref('mart_case_candidates') }}
    where is_chosen
),

line_months as (
    select * from {{ ref('fct_line_months') }}
),

limit_events as (
    select * from {{ ref('fct_limit_events') }}
),

chosen_line_months as (
    select
        candidates.archetype,
        candidates.customer_key,
        candidates.line_id as story_line_id,
        candidates.key_event_on,
        line_months.*
    from candidates
    inner join line_months on candidates.customer_id = line_months.customer_id
),

customer_months as (
    select
        archetype,
        month_start_on,
        sum(limit_amount) as customer_limit_amount,
        sum(outstanding_principal_amount) as customer_outstanding_amount,
        max(max_dpd_in_month) as customer_max_dpd_in_month,
        max(dpd_month_end) as customer_dpd_month_end
    from chosen_line_months
    group by archetype, month_start_on
),

month_events as (
    select
        line_id,
        cast({{ dbt.date_trunc('month', 'event_on') }} as date) as month_start_on,
        count(*) as limit_event_count,
        {{ dbt.listagg('event_type', "', '", 'order by event_seq') }} as limit_event_types,
        {{ dbt.listagg('reason_code', "', '", 'order by event_seq') }} as limit_event_reason_codes,
        min(event_on) as first_limit_event_on
    from limit_events
    where customer_id in (select customer_id from candidates)
    group by line_id, cast({{ dbt.date_trunc('month', 'event_on') }} as date)
),

final as (
    select
        -- ids
        chosen_line_months.archetype,
        chosen_line_months.customer_id,
        chosen_line_months.customer_key,
        chosen_line_months.line_id,
        chosen_line_months.product_code,
        chosen_line_months.line_id = chosen_line_months.story_line_id as is_story_line,
        -- dates
        chosen_line_months.month_start_on,
        chosen_line_months.snapshot_on,
        chosen_line_months.is_month_complete,
        {{ dbt.datediff(dbt.date_trunc('month', 'chosen_line_months.key_event_on'),
                        'chosen_line_months.month_start_on', 'month') }}
            as months_from_key_event,
        -- the line at the snapshot
        chosen_line_months.line_status,
        chosen_line_months.limit_amount,
        chosen_line_months.outstanding_principal_amount,
        chosen_line_months.utilization_rate,
        chosen_line_months.drawn_amount_in_month,
        chosen_line_months.dpd_month_end,
        chosen_line_months.max_dpd_in_month,
        chosen_line_months.max_dpd_bucket_in_month,
        chosen_line_months.overdue_amount,
        -- the customer
        chosen_line_months.score,
        chosen_line_months.score_band,
        chosen_line_months.external_inquiries_30d,
        customer_months.customer_limit_amount,
        customer_months.customer_outstanding_amount,
        customer_months.customer_dpd_month_end,
        customer_months.customer_max_dpd_in_month,
        -- the limit events of the month on this line
        coalesce(month_events.limit_event_count, 0) as limit_event_count,
        month_events.limit_event_types,
        month_events.limit_event_reason_codes,
        month_events.first_limit_event_on
    from chosen_line_months
    inner join customer_months
        on chosen_line_months.archetype = customer_months.archetype
        and chosen_line_months.month_start_on = customer_months.month_start_on
    left join month_events
        on chosen_line_months.line_id = month_events.line_id
        and chosen_line_months.month_start_on = month_events.month_start_on
)

select * from final
