-- One row per calendar month from the first line opening to the as-of month. The last
-- month may be incomplete: snapshot_on is then the as-of date, not the month-end.
with lines as (
    select * from {{ ref('stg_credit_lines') }}
),

bounds as (
    select
        {{ dbt.date_trunc('month', 'min(opened_on)') }} as first_month_on,
        {{ dbt.date_trunc('month', as_of_date()) }} as last_month_on,
        {{ as_of_date() }} as as_of_on
    from lines
),

months as (
    select
        cast(month_start as date) as month_start_on,
        bounds.as_of_on
    from {{ months_of('bounds', 'bounds.first_month_on', 'bounds.last_month_on', 'month_start') }}
),

final as (
    select
        month_start_on,
        cast({{ dbt.last_day('month_start_on', 'month') }} as date) as month_end_on,
        least(cast({{ dbt.last_day('month_start_on', 'month') }} as date), as_of_on)
            as snapshot_on,
        cast({{ dbt.last_day('month_start_on', 'month') }} as date) <= as_of_on
            as is_month_complete
    from months
)

select * from final
