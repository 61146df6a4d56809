{{
    config(
        materialized='incremental',
        incremental_strategy=core_fact_incremental_strategy(),
        on_schema_change='sync_all_columns',
        pre_hook="{{ delete_rows_to_rebuild('line_id', 'int_lines_affected',
                                            'month_start_on >= ' ~ line_months_rebuilt_from()) }}",
    )
}}

-- depends_on: {{ ref('int_lines_affected') }}
-- One row per credit line per month from its opening month to the as-of month: the state
-- at the month's snapshot (month-end, or the as-of date in an incomplete last month).
-- Incremental: a daily build recomputes the lines in int_lines_affected whole, and every
-- line's months from the previous as-of month on (balances_to_build).
with lines as (
    select * from {{ ref('stg_credit_lines') }}
    where opened_on <= {{ as_of_date() }}
),

months as (
    select * from {{ ref('int_months_spined') }}
),

loans as (
    select * from {{ ref('stg_loans') }}
    where drawn_on <= {{ as_of_date() }}
),

repayments as (
    select * from {{ ref('int_repayments_allocated') }}
),

charge_offs as (
    select * from {{ ref('int_loans_charged_off') }}
),

delinquent_loan_months as (
    select * from {{ ref('int_loan_months_delinquent') }}
),

limit_events as (
    select * from {{ ref('int_limit_events_sequenced') }}
),

scores as (
    select * from {{ ref('stg_credit_scores') }}
    where scored_on <= {{ as_of_date() }}
),

inquiries as (
    select * from {{ ref('stg_credit_inquiries') }}
    where inquired_on <= {{ as_of_date() }}
),

line_months as (
    select
        lines.line_id,
        lines.customer_id,
        lines.product_code,
        lines.opened_on,
        months.month_start_on,
        months.month_end_on,
        months.snapshot_on,
        months.is_month_complete
    from lines
    inner join months
        on months.month_start_on >= {{ dbt.date_trunc('month', 'lines.opened_on') }}
),

-- on-book principal moves: drawdowns add, principal repaid before charge-off and the
-- principal written off at charge-off subtract
balance_changes as (
    select
        line_id,
        drawn_on as changed_on,
        principal_amount as on_book_change,
        0 as charged_off_change,
        principal_amount as drawn_amount,
        1 as drawdown_count
    from loans

    union all

    select
        loans.line_id,
        repayments.paid_on,
        -repayments.principal_amount,
        0,
        0,
        0
    from repayments
    inner join loans on repayments.loan_id = loans.loan_id
    left join charge_offs on repayments.loan_id = charge_offs.loan_id
    where charge_offs.charged_off_on is null or repayments.paid_on <= charge_offs.charged_off_on

    union all

    select
        loans.line_id,
        charge_offs.charged_off_on,
        -charge_offs.charged_off_principal_amount,
        charge_offs.charged_off_principal_amount,
        0,
        0
    from charge_offs
    inner join loans on charge_offs.loan_id = loans.loan_id
),

monthly_changes as (
    select
        line_id,
        cast({{ dbt.date_trunc('month', 'changed_on') }} as date) as month_start_on,
        sum(on_book_change) as on_book_change,
        sum(charged_off_change) as charged_off_change,
        sum(drawn_amount) as drawn_amount,
        sum(drawdown_count) as drawdown_count
    from balance_changes
    group by 1, 2
),

balances as (
    select
        line_months.*,
        coalesce(sum(monthly_changes.on_book_change) over line_timeline, 0)
            as outstanding_principal_amount,
        coalesce(sum(monthly_changes.charged_off_change) over line_timeline, 0)
            as charged_off_principal_amount,
        coalesce(monthly_changes.charged_off_change, 0) as charged_off_in_month_amount,
        coalesce(monthly_changes.drawn_amount, 0) as drawn_amount_in_month,
        coalesce(monthly_changes.drawdown_count, 0) as drawdowns_in_month
    from line_months
    left join monthly_changes
        on line_months.line_id = monthly_changes.line_id
        and line_months.month_start_on = monthly_changes.month_start_on
    window line_timeline as (
        partition by line_months.line_id order by line_months.month_start_on
        rows unbounded preceding
    )
),

line_delinquency as (
    select
        loans.line_id,
        delinquent_loan_months.month_start_on,
        max(delinquent_loan_months.max_dpd_in_month) as max_dpd_in_month,
        max(delinquent_loan_months.dpd_at_snapshot) as dpd_at_snapshot,
        sum(delinquent_loan_months.overdue_amount) as overdue_amount
    from delinquent_loan_months
    inner join loans on delinquent_loan_months.loan_id = loans.loan_id
    group by 1, 2
),

daily_line_state as (
    select
        line_id,
        event_on,
        max_by(limit_after_amount, event_seq) as limit_amount,
        max_by(status_after, event_seq) as line_status
    from limit_events
    group by 1, 2
),

daily_scores as (
    select
        customer_id,
        scored_on,
        max_by(score, scored_at) as score
    from scores
    group by 1, 2
),

daily_drawdowns as (
    select distinct
        line_id,
        drawn_on
    from loans
),

customer_month_inquiries as (
    select
        inquiries.customer_id,
        months.month_start_on,
        count(*) as inquiries_30d,
        count(*) filter (where inquiries.institution_type <> 'own_platform')
            as external_inquiries_30d
    from inquiries
    inner join months
        on inquiries.inquired_on <= months.snapshot_on
        and inquiries.inquired_on > {{ dbt.dateadd(
            'day', -var('inquiry_window_days'), 'months.snapshot_on'
        ) }}
    group by 1, 2
),

balances_to_build as (
    select * from balances
    {%- if incremental_window_active() %}
    where
        line_id in (select line_id from {{ ref('int_lines_affected') }})
        or month_start_on >= {{ line_months_rebuilt_from() }}
    {%- endif %}
),

-- the state, score and last drawdown as of the snapshot day
with_state as (
    {{ asof_left_join('balances_to_build', 'daily_line_state', ['line_id'],
                      'snapshot_on', '>=', 'event_on',
                      {'limit_amount': 'limit_amount', 'line_status': 'line_status'}) }}
),

with_score as (
    {{ asof_left_join('with_state', 'daily_scores', ['customer_id'],
                      'snapshot_on', '>=', 'scored_on', {'score': 'score'}) }}
),

with_last_drawdown as (
    {{ asof_left_join('with_score', 'daily_drawdowns', ['line_id'],
                      'snapshot_on', '>=', 'drawn_on', {'last_drawn_on': 'drawn_on'}) }}
),

final as (
    select
        -- ids
        with_last_drawdown.line_id || '-'
        || {{ year_month_text('with_last_drawdown.month_start_on') }} as line_month_id,
        with_last_drawdown.line_id,
        with_last_drawdown.customer_id,
        with_last_drawdown.product_code,
        -- dates
        with_last_drawdown.month_start_on,
        with_last_drawdown.month_end_on,
        with_last_drawdown.snapshot_on,
        with_last_drawdown.is_month_complete,
        {{ dbt.datediff(dbt.date_trunc('month', 'with_last_drawdown.opened_on'),
                        'with_last_drawdown.month_start_on', 'month') }} as months_on_book,
        with_last_drawdown.last_drawn_on,
        -- limit and state
        coalesce(with_last_drawdown.line_status, 'open') as line_status,
        coalesce(with_last_drawdown.limit_amount, 0) as limit_amount,
        -- balances
        with_last_drawdown.outstanding_principal_amount,
        with_last_drawdown.charged_off_principal_amount,
        with_last_drawdown.charged_off_in_month_amount,
        case
            when with_last_drawdown.limit_amount > 0
                then {{ safe_ratio('with_last_drawdown.outstanding_principal_amount',
                                   'with_last_drawdown.limit_amount') }}
        end as utilization_rate,
        with_last_drawdown.drawn_amount_in_month,
        with_last_drawdown.drawdowns_in_month,
        -- delinquency
        coalesce(line_delinquency.dpd_at_snapshot, 0) as dpd_month_end,
        {{ dpd_bucket('coalesce(line_delinquency.dpd_at_snapshot, 0)') }} as dpd_bucket_month_end,
        coalesce(line_delinquency.max_dpd_in_month, 0) as max_dpd_in_month,
        {{ dpd_bucket('coalesce(line_delinquency.max_dpd_in_month, 0)') }}
            as max_dpd_bucket_in_month,
        coalesce(line_delinquency.overdue_amount, 0) as overdue_amount,
        -- customer
        with_last_drawdown.score,
        {{ score_band('with_last_drawdown.score') }} as score_band,
        coalesce(customer_month_inquiries.inquiries_30d, 0) as inquiries_30d,
        coalesce(customer_month_inquiries.external_inquiries_30d, 0) as external_inquiries_30d
    from with_last_drawdown
    left join line_delinquency
        on with_last_drawdown.line_id = line_delinquency.line_id
        and with_last_drawdown.month_start_on = line_delinquency.month_start_on
    left join customer_month_inquiries
        on with_last_drawdown.customer_id = customer_month_inquiries.customer_id
        and with_last_drawdown.month_start_on = customer_month_inquiries.month_start_on
)

select * from final
