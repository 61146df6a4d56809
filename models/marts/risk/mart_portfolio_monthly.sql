-- Month x product x segment (occupation) x score band, plus subtotals and the portfolio
-- total: lines by state, limit, exposure and utilization, balances and counts by DPD bucket
-- at the month-end, coincidental and lagged 30+/90+ rates, NPL, charge-offs, closures and
-- reopenings by reason category, and new drawdowns.
{#- the DPD ladder (seeds/dpd_buckets.csv): bucket code and column-name stem, best to worst -#}
{%- set buckets = [] %}
{%- for bucket in dpd_buckets() %}
{%- do buckets.append((bucket.dpd_bucket, dpd_bucket_column(bucket.dpd_bucket))) %}
{%- endfor %}
{#- the rate, its DPD floor and the lag k in months: the number of the bucket the rate starts at -#}
{%- set delinquency_rates = [('dpd_30_plus', 30, 2), ('dpd_90_plus', 90, 4)] %}
{#- the reason categories with their own columns (seeds/reason_codes.csv); the rest are 'other' -#}
{%- set closure_categories = closure_reason_categories() %}
{%- set reopen_categories = reopen_reason_categories() %}
{%- set group_keys = ['product_code', 'occupation', 'score_band'] %}
{%- set charge_off_rate = safe_ratio('grouped.new_charged_off_principal_amount',
                                     'lagged_1.outstanding_principal_amount') %}
with line_months as (
    select * from {{ ref('int_line_months_windowed') }}
),

limit_events as (
    select * from {{ ref('fct_limit_events') }}
    where event_type in ('close', 'reopen')
),

delinquent_loan_months as (
    select * from {{ ref('int_loan_months_bucketed') }}
),

-- loan-level buckets (risk_loan_level_buckets): each past-due loan's own balance in its own
-- bucket; the rest of the line's balance is current
line_month_loan_buckets as (
    select
        line_id,
        month_start_on,
        {%- for bucket, column in buckets[1:] %}
        sum(case when dpd_bucket = '{{ bucket }}' then outstanding_principal_amount else 0 end)
            as loan_level_{{ column }}_balance_amount{{ ',' if not loop.last }}{% endfor %}
    from delinquent_loan_months
    group by 1, 2
),

line_month_events as (
    select
        line_id,
        cast({{ dbt.date_trunc('month', 'event_on') }} as date) as month_start_on,
        {%- for category in closure_categories %}
        count(case when event_type = 'close' and reason_category = '{{ category }}' then 1 end)
            as closures_{{ category }}_count,
        {%- endfor %}
        -- (the category lists below are long only once rendered)
        count(case
            when event_type = 'close'
                and reason_category not in ('{{ closure_categories | join("', '") }}')  -- noqa: LT05
                then 1
        end) as closures_other_count,
        {%- for category in reopen_categories %}
        count(case when event_type = 'reopen' and reason_category = '{{ category }}' then 1 end)
            as reopens_{{ category }}_count,
        {%- endfor %}
        count(case
            when event_type = 'reopen'
                and reason_category not in ('{{ reopen_categories | join("', '") }}')  -- noqa: LT05
                then 1
        end) as reopens_other_count,
        count(case when event_type = 'close' then 1 end) as closures_count,
        count(case when event_type = 'reopen' then 1 end) as reopens_count
    from limit_events
    group by 1, 2
),

line_months_with_events as (
    select
        line_months.*,
        {%- for category in closure_categories + ['other'] %}
        coalesce(line_month_events.closures_{{ category }}_count, 0)
            as closures_{{ category }}_count,
        {%- endfor %}
        {%- for category in reopen_categories + ['other'] %}
        coalesce(line_month_events.reopens_{{ category }}_count, 0)
            as reopens_{{ category }}_count,
        {%- endfor %}
        coalesce(line_month_events.closures_count, 0) as closures_count,
        coalesce(line_month_events.reopens_count, 0) as reopens_count,
        {%- for bucket, column in buckets[1:] %}
        coalesce(line_month_loan_buckets.loan_level_{{ column }}_balance_amount, 0)
            as loan_level_{{ column }}_balance_amount{{ ',' if not loop.last }}{% endfor %}
    from line_months
    left join line_month_events
        on line_months.line_id = line_month_events.line_id
        and line_months.month_start_on = line_month_events.month_start_on
    left join line_month_loan_buckets
        on line_months.line_id = line_month_loan_buckets.line_id
        and line_months.month_start_on = line_month_loan_buckets.month_start_on
),

grouped as (
    select
        -- keys ('all' where the level adds over it)
        month_start_on,
        case when grouping(product_code) = 1 then 'all' else product_code end as product_code,
        case when grouping(occupation) = 1 then 'all' else occupation end as occupation,
        case when grouping(score_band_label) = 1 then 'all' else score_band_label end as score_band,
        case
            when grouping(product_code) + grouping(occupation) + grouping(score_band_label) = 0
                then 'product x occupation x score_band'
            when grouping(product_code) + grouping(occupation) + grouping(score_band_label) = 3
                then 'total'
            when grouping(product_code) = 0 then 'product'
            when grouping(occupation) = 0 then 'occupation'
            else 'score_band'
        end as grouping_level,
        min(case when is_month_complete then 1 else 0 end) = 1 as is_month_complete,
        -- lines
        count(*) as line_count,
        count(case when is_active then 1 end) as active_line_count,
        count(case when line_status = 'open' then 1 end) as open_line_count,
        count(case when line_status = 'frozen' then 1 end) as frozen_line_count,
        count(case when line_status = 'closed' then 1 end) as closed_line_count,
        -- limit and exposure
        sum(limit_amount) as total_limit_amount,
        sum(outstanding_principal_amount) as outstanding_principal_amount,
        sum(case when limit_amount > 0 then outstanding_principal_amount else 0 end)
            as outstanding_on_limit_amount,
        count(case when is_receivable then 1 end) as receivable_line_count,
        -- by DPD bucket at the month-end (receivable lines)
        {%- for bucket, column in buckets %}
        count(case when is_receivable and dpd_bucket_month_end = '{{ bucket }}' then 1 end)
            as {{ column }}_line_count,
        sum(case
            when is_receivable and dpd_bucket_month_end = '{{ bucket }}'
                then outstanding_principal_amount
            else 0
        end) as {{ column }}_balance_amount,
        {%- endfor %}
        -- by DPD bucket at the month-end, loan level (each loan's own balance and bucket)
        {%- for bucket, column in buckets[1:] %}
        sum(loan_level_{{ column }}_balance_amount) as loan_level_{{ column }}_balance_amount,
        {%- endfor %}
        {%- for rate, floor_dpd, lag_months in delinquency_rates %}
        count(case
            when is_receivable and {{ past_due_over('dpd_month_end', floor_dpd) }} then 1
        end) as {{ rate }}_line_count,
        sum(case
            when is_receivable and {{ past_due_over('dpd_month_end', floor_dpd) }}
                then outstanding_principal_amount
            else 0
        end) as {{ rate }}_balance_amount,
        {%- endfor %}
        -- written off (stock): lines with any principal written off by the month-end, for good
        count(case when is_written_off then 1 end) as written_off_line_count,
        sum(charged_off_principal_amount) as written_off_principal_amount,
        -- flows in the month
        sum(new_charged_off_principal_amount) as new_charged_off_principal_amount,
        count(case when new_charged_off_principal_amount > 0 then 1 end)
            as new_charged_off_line_count,
        cast(sum(drawdowns_in_month) as bigint) as new_drawdown_count,
        sum(drawn_amount_in_month) as new_drawdown_amount,
        cast(sum(closures_count) as bigint) as new_closure_count,
        {%- for category in closure_categories + ['other'] %}
        cast(sum(closures_{{ category }}_count) as bigint) as new_closures_{{ category }}_count,
        {%- endfor %}
        cast(sum(reopens_count) as bigint) as new_reopen_count,
        {%- for category in reopen_categories + ['other'] %}
        cast(sum(reopens_{{ category }}_count) as bigint)
            as new_reopens_{{ category }}_count{{ ',' if not loop.last }}{% endfor %}
    from line_months_with_events
    group by grouping sets (
        (month_start_on, product_code, occupation, score_band_label),
        (month_start_on, product_code),
        (month_start_on, occupation),
        (month_start_on, score_band_label),
        (month_start_on)
    )
),

with_rates as (
    select
        grouped.*,
        case
            when grouped.total_limit_amount > 0
                then {{ safe_ratio('grouped.outstanding_on_limit_amount',
                                   'grouped.total_limit_amount') }}
        end as utilization_rate,
        {%- for rate, floor_dpd, lag_months in delinquency_rates %}
        -- coincidental (即期): this month's delinquent over this month's receivable
        {{ safe_ratio('grouped.' ~ rate ~ '_balance_amount',
                      'grouped.outstanding_principal_amount') }} as {{ rate }}_balance_rate,
        {{ safe_ratio('grouped.' ~ rate ~ '_line_count', 'grouped.receivable_line_count') }}
            as {{ rate }}_count_rate,
        -- lagged (递延): over the receivable {{ lag_months }} months earlier
        lagged_{{ lag_months }}.outstanding_principal_amount
            as receivable_{{ lag_months }}m_before_amount,
        lagged_{{ lag_months }}.receivable_line_count
            as receivable_{{ lag_months }}m_before_line_count,
        {{ safe_ratio('grouped.' ~ rate ~ '_balance_amount',
                      'lagged_' ~ lag_months ~ '.outstanding_principal_amount') }}
            as lagged_{{ rate }}_balance_rate,
        {{ safe_ratio('grouped.' ~ rate ~ '_line_count',
                      'lagged_' ~ lag_months ~ '.receivable_line_count') }}
            as lagged_{{ rate }}_count_rate,
        {%- endfor %}
        {{ safe_ratio('grouped.dpd_90_plus_balance_amount',
                      'grouped.outstanding_principal_amount') }} as npl_ratio,
        lagged_1.outstanding_principal_amount as receivable_1m_before_amount,
        {{ charge_off_rate }} as charge_off_rate,
        12 * {{ charge_off_rate }} as annualized_charge_off_rate
    from grouped{% for lag_months in [1] + delinquency_rates | map(attribute=2) | list %}
    left join grouped as lagged_{{ lag_months }}
        on lagged_{{ lag_months }}.month_start_on = cast(
            {{ dbt.dateadd('month', -lag_months, 'grouped.month_start_on') }} as date
        )
        and grouped.product_code = lagged_{{ lag_months }}.product_code
        and grouped.occupation = lagged_{{ lag_months }}.occupation
        and grouped.score_band = lagged_{{ lag_months }}.score_band
    {%- endfor %}
),

final as (
    select
        -- keys
        month_start_on,
        product_code,
        occupation,
        score_band,
        grouping_level,
        is_month_complete,
        -- lines
        line_count,
        active_line_count,
        open_line_count,
        frozen_line_count,
        closed_line_count,
        receivable_line_count,
        -- limit, exposure, utilization
        total_limit_amount,
        outstanding_principal_amount,
        utilization_rate,
        -- DPD buckets at the month-end (account level: a line's whole balance in its worst
        -- loan's bucket)
        {%- for bucket, column in buckets %}
        {{ column }}_line_count,
        {{ column }}_balance_amount,
        {%- endfor %}
        -- the same balances at loan level; M0 is the rest of the on-book balance
        outstanding_principal_amount
        {%- for bucket, column in buckets[1:] %}
        - loan_level_{{ column }}_balance_amount
        {%- endfor %} as loan_level_m0_balance_amount,
        {%- for bucket, column in buckets[1:] %}
        loan_level_{{ column }}_balance_amount,
        {%- endfor %}
        -- delinquency rates
        {%- for rate, floor_dpd, lag_months in delinquency_rates %}
        {{ rate }}_line_count,
        {{ rate }}_balance_amount,
        {{ rate }}_balance_rate,
        {{ rate }}_count_rate,
        receivable_{{ lag_months }}m_before_amount,
        receivable_{{ lag_months }}m_before_line_count,
        lagged_{{ rate }}_balance_rate,
        lagged_{{ rate }}_count_rate,
        {%- endfor %}
        npl_ratio,
        -- charge-off
        written_off_line_count,
        written_off_principal_amount,
        new_charged_off_principal_amount,
        new_charged_off_line_count,
        receivable_1m_before_amount,
        charge_off_rate,
        annualized_charge_off_rate,
        -- closures and reopenings
        new_closure_count,
        {%- for category in closure_categories + ['other'] %}
        new_closures_{{ category }}_count,
        {%- endfor %}
        new_reopen_count,
        {%- for category in reopen_categories + ['other'] %}
        new_reopens_{{ category }}_count,
        {%- endfor %}
        -- drawdowns
        new_drawdown_count,
        new_drawdown_amount
    from with_rates
)

select * from final
