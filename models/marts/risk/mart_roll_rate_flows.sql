-- The classic roll-rate view for charts (迁徙率), one row per month x product x flow: the
-- forward flow rates M0->M1, M1->M2, ..., M6->M7+ and the cure rates Mn->M0, by count and by
-- balance, from mart_roll_rates (a from-bucket without lines has no rate; a flow nobody took
-- is 0). The row 'implied_loss' is the product of the seven forward flow rates of the same
-- month: the share of current lines that would reach M7+ (charge-off) if this month's flows
-- held for seven months.
{%- set buckets = ['M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7+'] %}
with roll_rates as (
    select * from {{ ref('mart_roll_rates') }}
),

flow_definitions as (
    {%- for i in range(buckets | length - 1) %}
    select
        'forward' as flow_type,
        '{{ buckets[i] }}' as from_bucket,
        '{{ buckets[i + 1] }}' as to_bucket
    union all
    {%- endfor %}
    {%- for bucket in buckets[1:] %}
    select
        'cure',
        '{{ bucket }}',
        'M0'{{ ' union all' if not loop.last }}
    {%- endfor %}
),

from_buckets as (
    select distinct
        month_start_on,
        product_code,
        is_month_complete,
        from_bucket,
        from_bucket_line_count,
        from_bucket_balance_amount
    from roll_rates
),

flows as (
    select
        from_buckets.month_start_on,
        from_buckets.product_code,
        from_buckets.is_month_complete,
        flow_definitions.flow_type,
        flow_definitions.from_bucket,
        flow_definitions.to_bucket,
        from_buckets.from_bucket_line_count,
        coalesce(roll_rates.line_count, 0) as line_count,
        coalesce(roll_rates.count_share, 0) as count_rate,
        case
            when from_buckets.from_bucket_balance_amount > 0 then coalesce(roll_rates.balance_share, 0)
        end as balance_rate
    from from_buckets
    inner join flow_definitions on from_buckets.from_bucket = flow_definitions.from_bucket
    left join roll_rates
        on from_buckets.month_start_on = roll_rates.month_start_on
        and from_buckets.product_code = roll_rates.product_code
        and from_buckets.from_bucket = roll_rates.from_bucket
        and flow_definitions.to_bucket = roll_rates.to_bucket
),

implied_loss as (
    select
        month_start_on,
        product_code,
        min(case when is_month_complete then 1 else 0 end) = 1 as is_month_complete,
        'implied_loss' as flow_type,
        'M0' as from_bucket,
        'M7+' as to_bucket,
        cast(null as bigint) as from_bucket_line_count,
        cast(null as bigint) as line_count,
        case when count(*) = {{ buckets | length - 1 }} then {{ product_of('count_rate') }} end
            as count_rate,
        case when count(*) = {{ buckets | length - 1 }} then {{ product_of('balance_rate') }} end
            as balance_rate
    from flows
    where flow_type = 'forward'
    group by month_start_on, product_code
),

final as (
    select * from flows
    union all
    select * from implied_loss
)

select * from final
