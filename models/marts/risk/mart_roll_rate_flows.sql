-- The classic roll-rate view for charts (迁徙率), one row per month x product x flow, from
-- mart_roll_rates (a from-state without lines has no rate; a flow nobody took is 0):
-- - forward: of the lines in Mn at the previous month-end, the share in M(n+1) *or worse*
--   (written off included) at this one, for M0 ... M6; a line that skips a bucket still rolls;
-- - cure: of the lines in Mn (n >= 1), the share current again: M0, or paid off with no
--   balance left ('no_balance');
-- - paid_off: the part of the cure that paid up (and may have closed), shown on its own.
-- The row 'implied_loss' is the product of the seven forward flow rates of the same month:
-- the share of current lines that would reach M7+ or a write-off if this month's flows held.
{#- the DPD ladder (seeds/dpd_buckets.csv), best to worst -#}
{%- set buckets = dpd_buckets() | map(attribute='dpd_bucket') | list %}
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
    {%- for flow_type in ['cure', 'paid_off'] %}
    {%- set outer_loop = loop %}
    {%- for bucket in buckets[1:] %}
    select
        '{{ flow_type }}',
        '{{ bucket }}',
        '{{ buckets[0] if flow_type == 'cure' else 'no_balance' }}'
    {{- ' union all' if not (loop.last and outer_loop.last) }}
    {%- endfor %}
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

-- the transitions each flow counts: forward = to the next state or any worse one; cure = to
-- M0 or to no balance; paid_off = to no balance
flow_transitions as (
    select
        flow_definitions.flow_type,
        roll_rates.month_start_on,
        roll_rates.product_code,
        roll_rates.from_bucket,
        sum(roll_rates.line_count) as line_count,
        sum(roll_rates.from_balance_amount) as from_balance_amount
    from roll_rates
    inner join flow_definitions
        on roll_rates.from_bucket = flow_definitions.from_bucket
        and (
            (
                flow_definitions.flow_type = 'forward'
                and roll_rates.to_state_order >= {{ roll_state_order(
                    'flow_definitions.to_bucket'
                ) }}
            )
            or (
                flow_definitions.flow_type = 'cure'
                and roll_rates.to_bucket in ('{{ buckets[0] }}', 'no_balance')
            )
            or (flow_definitions.flow_type = 'paid_off' and roll_rates.to_bucket = 'no_balance')
        )
    group by 1, 2, 3, 4
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
        coalesce(flow_transitions.line_count, 0) as line_count,
        {{ safe_ratio('coalesce(flow_transitions.line_count, 0)',
                      'from_buckets.from_bucket_line_count') }} as count_rate,
        {{ safe_ratio('coalesce(flow_transitions.from_balance_amount, 0)',
                      'from_buckets.from_bucket_balance_amount') }} as balance_rate
    from from_buckets
    inner join flow_definitions on from_buckets.from_bucket = flow_definitions.from_bucket
    left join flow_transitions
        on from_buckets.month_start_on = flow_transitions.month_start_on
        and from_buckets.product_code = flow_transitions.product_code
        and from_buckets.from_bucket = flow_transitions.from_bucket
        and flow_definitions.flow_type = flow_transitions.flow_type
),

implied_loss as (
    select
        month_start_on,
        product_code,
        min(case when is_month_complete then 1 else 0 end) = 1 as is_month_complete,
        'implied_loss' as flow_type,
        '{{ buckets[0] }}' as from_bucket,
        '{{ buckets[-1] }}' as to_bucket,
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
