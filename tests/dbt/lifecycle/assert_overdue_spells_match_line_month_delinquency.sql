-- The day-level overdue spells and fct_line_months agree: a line-month has max_dpd_in_month
-- >= 1 exactly when a spell of the line overlaps the month up to its snapshot, and then the
-- worst DPD of the overlapping spells is max_dpd_in_month (checked outside charge-off
-- months, where the core facts keep counting a written-off loan to the month-end; a month is
-- a charge-off month when a loan of the line was written off in it, even with no principal
-- left, as when principal is paid before interest).
with line_months as (
    select * from {{ ref('fct_line_months') }}
),

spells as (
    select * from {{ ref('int_overdue_spells_bounded') }}
),

charge_off_months as (
    select distinct
        line_id,
        cast({{ dbt.date_trunc('month', 'charged_off_on') }} as date) as month_start_on
    from {{ ref('fct_loans') }}
    where charged_off_on is not null
),

spell_months as (
    select
        line_months.line_id,
        line_months.month_start_on,
        max({{ days_between('spells.due_on', 'least(spells.spell_end_on, line_months.snapshot_on)') }})
            as spell_max_dpd
    from line_months
    inner join spells
        on line_months.line_id = spells.line_id
        and spells.spell_start_on <= line_months.snapshot_on
        and spells.spell_end_on >= line_months.month_start_on
    group by 1, 2
)

select
    line_months.line_id,
    line_months.month_start_on,
    line_months.max_dpd_in_month,
    spell_months.spell_max_dpd
from line_months
left join spell_months
    on line_months.line_id = spell_months.line_id
    and line_months.month_start_on = spell_months.month_start_on
left join charge_off_months
    on line_months.line_id = charge_off_months.line_id
    and line_months.month_start_on = charge_off_months.month_start_on
where
    (line_months.max_dpd_in_month >= 1) <> (spell_months.spell_max_dpd is not null)
    or (charge_off_months.line_id is null
        and line_months.max_dpd_in_month <> spell_months.spell_max_dpd)
