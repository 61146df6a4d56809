-- Month x product (and all products) x from-state x to-state: how the lines in each roll state
-- at the previous month-end moved by this month-end (point-in-time DPD, dpd_month_end).
-- Population (risk_roll_population): every line in the roll population at the previous
-- month-end (not written off; holding a balance, past due, or open), whatever it does next.
-- Lines that pay up (and close) arrive in 'no_balance', lines written off in the month in
-- 'written_off'; nobody leaves, so the rows of one month, product and from-state sum to 1 by
-- count and by balance.
with line_months as (
    select * from {{ ref('int_line_months_windowed') }}
),

transitions as (
    select
        month_start_on,
        is_month_complete,
        product_code,
        previous_roll_state as from_bucket,
        roll_state as to_bucket,
        previous_outstanding_principal_amount as from_balance_amount,
        outstanding_principal_amount as to_balance_amount
    from line_months
    where was_in_roll_population
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
        {{ roll_state_order('from_bucket') }} as from_state_order,
        {{ roll_state_order('to_bucket') }} as to_state_order,
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
        from_state_order,
        to_state_order,
        is_month_complete,
        case
            when to_bucket = from_bucket then 'stay'
            when to_bucket = 'written_off' then 'written_off'
            when from_bucket = 'no_balance' then 'drawn'
            when to_bucket = 'no_balance' then 'paid_off'
            when to_bucket = '{{ dpd_buckets()[0].dpd_bucket }}' then 'cure'
            when to_state_order > from_state_order then 'forward'
            else 'partial_cure'
        end as transition_type,
        -- counts and balances (balances at the previous month-end weight the shares)
        line_count,
        from_balance_amount,
        to_balance_amount,
        from_bucket_line_count,
        from_bucket_balance_amount,
        -- shares of the from-state
        {{ safe_ratio('line_count', 'from_bucket_line_count') }} as count_share,
        {{ safe_ratio('from_balance_amount', 'from_bucket_balance_amount') }} as balance_share
    from with_shares
)

select * from final
