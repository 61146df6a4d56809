-- One row per customer: profile, lines held and latest score as of the data's end.
with customers as (
    select * from {{ ref('stg_customers') }}
),

lines as (
    select * from {{ ref('dim_credit_lines') }}
),

scores as (
    select * from {{ ref('stg_credit_scores') }}
    where scored_on <= {{ as_of_date() }}
),

line_summary as (
    select
        customer_id,
        count(*) as line_count,
        count(*) filter (where current_status = 'open') as open_line_count,
        min(opened_on) as first_line_opened_on,
        bool_or(product_code = 'CASH') and bool_or(product_code = 'CONSUMER')
            as holds_both_products
    from lines
    group by customer_id
),

latest_scores as (
    select
        customer_id,
        max_by(score, scored_at) as latest_score,
        max(scored_on) as latest_scored_on
    from scores
    group by customer_id
),

final as (
    select
        -- ids
        customers.customer_id,
        -- profile
        customers.created_at,
        customers.created_on,
        customers.birth_year,
        customers.city_tier,
        customers.occupation,
        customers.income_band,
        customers.channel,
        -- lines
        coalesce(line_summary.line_count, 0) as line_count,
        coalesce(line_summary.open_line_count, 0) as open_line_count,
        line_summary.first_line_opened_on,
        coalesce(line_summary.holds_both_products, false) as holds_both_products,
        -- score
        latest_scores.latest_score,
        {{ score_band('latest_scores.latest_score') }} as latest_score_band,
        latest_scores.latest_scored_on
    from customers
    left join line_summary on customers.customer_id = line_summary.customer_id
    left join latest_scores on customers.customer_id = latest_scores.customer_id
)

select * from final
