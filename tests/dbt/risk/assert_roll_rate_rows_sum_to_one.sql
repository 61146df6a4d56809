-- The shares of every from-bucket (roll rates) and of every row of the window roll-rate
-- table sum to 1, by count and, where the from-bucket had a balance, by balance.
with roll_rows as (
    select
        'mart_roll_rates' as relation_name,
        month_start_on,
        product_code,
        from_bucket as row_bucket,
        sum(count_share) as count_share_total,
        sum(balance_share) as balance_share_total
    from {{ ref('mart_roll_rates') }}
    group by 1, 2, 3, 4
),

window_rows as (
    select
        'mart_roll_rate_windows' as relation_name,
        observation_month_on,
        'all' as product_code,
        worst_bucket_before,
        sum(row_share) as count_share_total,
        cast(null as double) as balance_share_total
    from {{ ref('mart_roll_rate_windows') }}
    group by 1, 2, 3, 4
),

all_rows as (
    select * from roll_rows
    union all
    select * from window_rows
)

select *
from all_rows
where
    abs(count_share_total - 1) > 1e-9
    or (balance_share_total is not null and abs(balance_share_total - 1) > 1e-9)
