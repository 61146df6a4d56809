-- Month x product (and all products) x from-bucket x to-bucket: how the lines in each DPD
-- bucket at the previous month-end moved by this month-end (point-in-time DPD, dpd_month_end).
-- Population: a line counts when it was open or delinquent, and not written off, at the
-- previous month-end and is open or delinquent at this one; a line written off this month
-- arrives in M7+ and leaves the population after. Shares are of the from-bucket, so the
-- rows of one month, product and from-bucket sum to 1 by count and by balance.
with line_months as (
    select * from {{ ref('int_line_months_windowed') }}
),

transitions as (
    select
        month_start_on,
        is_month_complete,
        product_code,
        previous_dpd_bucket_month_end as from_bucket,
        dpd_bucket_month_end as to_bucket,
        previous_outstanding_principal_amount as from_balance_amount,
        outstanding_principal_amount as to_balance_amount
    from line_months
    where was_in_roll_population and is_open_or_delinquent
),

counted as (
    select
        month_start_on,
        min(case when is_month_complete then 1 else 0 end) = 1 as is_month_complete,
        case when grouping(product_code) = 1 then 'all' else product_code end as product_code,
        from_bucket,
        to_bucket,
        count(*) as line_count,
        sum(from_balance_amount) as from_balance_amount,
        sum(to_balance_amount) as to_balance_amount
    from transitions
    group by grouping sets (
        (month_start_on, product_code, from_bucket, to_bucket),
        (month_start_on, from_bucket, to_bucket)
    )
),

with_shares as (
    select
        counted.*,
        sum(line_count) over from_row as from_bucket_line_count,
        sum(from_balance_amount) over from_row as from_bucket_balance_amount
    from counted
    window from_row as (partition by month_start_on, product_code, from_bucket)
),

final as (
    select
        -- keys
        month_start_on,
        product_code,
        from_bucket,
        to_bucket,
        is_month_complete,
        case
            when to_bucket = from_bucket then 'stay'
            when to_bucket = 'M0' then 'cure'
            when to_bucket > from_bucket then 'forward'
            else 'partial_cure'
        end as transition_type,
        -- counts and balances (balances at the previous month-end weight the shares)
        line_count,
        from_balance_amount,
        to_balance_amount,
        from_bucket_line_count,
        from_bucket_balance_amount,
        -- shares of the from-bucket
        line_count * 1E0 / from_bucket_line_count as count_share,
        cast(from_balance_amount as double) / nullif(from_bucket_balance_amount, 0) as balance_share
    from with_shares
)

select * from final
