-- One row per comparison line-month of the other-line roll comparison: a line of a customer
-- who also holds a line of the other product, carrying a balance into a month and not past
-- due on any day of it (no delinquency episode with a missed due date in it), whose other
-- line was open or frozen and current at the month-end before; with the other line's first
-- 30+ DPD day on or after the month's first day (day 0), in days from day 0. The comparison
-- rows of mart_cross_product_contagion (_lifecycle__docs.md: cross_product_contagion).
with line_months as (
    select * from {{ ref('fct_line_months') }}
),

lines as (
    select * from {{ ref('dim_credit_lines') }}
),

delinquency_episodes as (
    select * from {{ ref('int_line_delinquency_episodes_merged') }}
),

overdue_spells as (
    select * from {{ ref('int_overdue_spells_bounded') }}
),

-- a line current all month, with a balance at the month-end before
current_line_months as (
    select
        line_months.line_month_id as comparison_id,
        line_months.line_id,
        line_months.customer_id,
        line_months.product_code,
        line_months.month_start_on as index_month_on
    from line_months
    inner join line_months as months_before
        on line_months.line_id = months_before.line_id
        and months_before.month_start_on = cast(
            {{ dbt.dateadd('month', -1, 'line_months.month_start_on') }} as date
        )
    left join delinquency_episodes
        on line_months.line_id = delinquency_episodes.line_id
        and delinquency_episodes.dpd30_due_on >= line_months.month_start_on
        and delinquency_episodes.dpd30_due_on <= line_months.month_end_on
    where
        line_months.max_dpd_in_month = 0
        and months_before.outstanding_principal_amount > 0
        and delinquency_episodes.line_id is null
),

-- whose other line was open or frozen and current at the month-end before
paired_months as (
    select
        current_line_months.*,
        other_lines.line_id as other_line_id,
        other_lines.product_code as other_product_code
    from current_line_months
    inner join lines as other_lines
        on current_line_months.customer_id = other_lines.customer_id
        and current_line_months.product_code <> other_lines.product_code
    inner join line_months as other_months_before
        on other_lines.line_id = other_months_before.line_id
        and other_months_before.month_start_on = cast(
            {{ dbt.dateadd('month', -1, 'current_line_months.index_month_on') }} as date
        )
    where
        other_months_before.line_status in ('open', 'frozen')
        and other_months_before.dpd_month_end = 0
),

other_line_dpd30 as (
    select
        paired_months.comparison_id,
        paired_months.other_line_id,
        min(greatest(
            overdue_spells.spell_start_on,
            {{ first_day_dpd_30_plus('overdue_spells.due_on') }},
            paired_months.index_month_on
        )) as other_first_dpd30_on
    from paired_months
    inner join overdue_spells
        on paired_months.other_line_id = overdue_spells.line_id
        and overdue_spells.spell_end_on >= paired_months.index_month_on
    where {{ is_dpd_30_plus(days_between('overdue_spells.due_on', 'overdue_spells.spell_end_on')) }}
    group by paired_months.comparison_id, paired_months.other_line_id
),

final as (
    select
        -- ids
        paired_months.comparison_id,
        paired_months.other_line_id,
        paired_months.line_id,
        paired_months.customer_id,
        paired_months.product_code,
        paired_months.other_product_code,
        -- day 0 and follow-up
        paired_months.index_month_on,
        {{ days_between('paired_months.index_month_on', as_of_date()) }} as follow_up_days,
        -- the other line
        {{ days_between('paired_months.index_month_on', 'other_line_dpd30.other_first_dpd30_on') }}
            as days_to_other_dpd30
    from paired_months
    left join other_line_dpd30
        on paired_months.comparison_id = other_line_dpd30.comparison_id
        and paired_months.other_line_id = other_line_dpd30.other_line_id
)

select * from final
