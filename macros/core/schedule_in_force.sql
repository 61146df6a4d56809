{#- Early repayment (docs: early_repayment). CTEs, comma-separated, for a model's WITH list.

    schedule_in_force_ctes(installments, loans) ends in `schedule_in_force`: each loan's
    schedule as re-cuts left it, before any settlement. `installments` has the staged columns
    of stg_installments (every version), `loans` loan_id, annual_rate and drawn_on. A re-cut
    (rows with recut_on = r) replaces the rows of the version before it that fall due after
    r; the principal it no longer schedules was prepaid on r, and falls due that day as a
    `prepayment` row with the interest accrued on it since the last due date. Re-cuts dated
    after `as_of` are not in force yet.

    settlement_payoffs_ctes(schedule, payments) ends in `settlement_payoffs`: per payment
    (loan_id, repayment_id, paid_on, cum_paid_after), what the loan needs to have received by
    then to be settled on that day (payoff_cum_amount: everything due through the day, the
    principal falling due after it and the interest accrued on that principal since the last
    due date), that remaining principal, and the whole schedule's total. -#}

{#- Interest accrued on `principal` from `from_day` to `to_day`: simple, by the day, at the
    loan's annual rate over var interest_day_basis days, rounded to the fen. -#}
{% macro accrued_interest(principal, annual_rate, from_day, to_day) -%}
    cast(round(
        ({{ principal }}) * ({{ annual_rate }}) * {{ days_between(from_day, to_day) }}
        / {{ var('interest_day_basis') | int }}, 2
    ) as decimal(18, 2))
{%- endmacro %}


{% macro schedule_in_force_ctes(installments, loans, as_of) -%}
-- each re-cut in force, with the version it replaces (NULL: the original schedule) and the
-- next re-cut (the day its own rows stop being in force)
recut_versions as (
    select
        loan_id,
        recut_on,
        lag(recut_on) over (partition by loan_id order by recut_on) as replaced_recut_on,
        lead(recut_on) over (partition by loan_id order by recut_on) as next_recut_on
    from {{ installments }}
    where recut_on is not null and recut_on <= {{ as_of }}
    group by loan_id, recut_on
),

-- the original schedule stops where the first re-cut starts
version_ends as (
    select
        loan_id,
        recut_on,
        next_recut_on as ends_after_on
    from recut_versions
    union all
    select
        loan_id,
        cast(null as date),
        min(recut_on)
    from recut_versions
    group by loan_id
),

installments_versioned as (
    select
        {{ installments }}.*,
        version_ends.ends_after_on
    from {{ installments }}
    left join version_ends
        on {{ installments }}.loan_id = version_ends.loan_id
        and coalesce({{ installments }}.recut_on, date '1900-01-01')
        = coalesce(version_ends.recut_on, date '1900-01-01')
    where {{ installments }}.recut_on is null or {{ installments }}.recut_on <= {{ as_of }}
),

-- a row is in force unless a later re-cut took effect before it fell due
installments_in_force as (
    select * from installments_versioned
    where ends_after_on is null or due_on <= ends_after_on
),

recut_principals as (
    select
        recut_versions.loan_id,
        recut_versions.recut_on,
        sum(case when versioned.recut_on = recut_versions.recut_on
            then versioned.principal_due_amount else 0 end) as recut_principal_amount,
        sum(case
            when coalesce(versioned.recut_on, date '1900-01-01')
                = coalesce(recut_versions.replaced_recut_on, date '1900-01-01')
                and versioned.due_on > recut_versions.recut_on
                then versioned.principal_due_amount
            else 0
        end) as replaced_principal_amount,
        max(case when versioned.due_on <= recut_versions.recut_on and versioned.is_in_force
            then versioned.due_on end) as last_due_on
    from recut_versions
    inner join (
        select
            *,
            ends_after_on is null or due_on <= ends_after_on as is_in_force
        from installments_versioned
    ) as versioned
        on recut_versions.loan_id = versioned.loan_id
    group by recut_versions.loan_id, recut_versions.recut_on
),

prepayment_rows as (
    select
        recut_principals.loan_id,
        recut_principals.recut_on,
        recut_principals.replaced_principal_amount - recut_principals.recut_principal_amount
            as principal_due_amount,
        {{ accrued_interest(
            'recut_principals.replaced_principal_amount - recut_principals.recut_principal_amount',
            'loans.annual_rate',
            'coalesce(recut_principals.last_due_on, loans.drawn_on)',
            'recut_principals.recut_on') }} as interest_due_amount
    from recut_principals
    inner join {{ loans }} as loans on recut_principals.loan_id = loans.loan_id
    where recut_principals.replaced_principal_amount > recut_principals.recut_principal_amount
),

schedule_in_force as (
    select
        installment_id,
        loan_id,
        installment_no,
        recut_on,
        due_on,
        principal_due_amount,
        interest_due_amount,
        'installment' as schedule_row_type
    from installments_in_force
    union all
    select
        loan_id || '-P' || cast(recut_on as string),
        loan_id,
        cast(null as integer),
        recut_on,
        recut_on,
        principal_due_amount,
        interest_due_amount,
        'prepayment'
    from prepayment_rows
)
{%- endmacro %}


{% macro settlement_payoffs_ctes(schedule, payments, loans) -%}
-- the schedule summed by due day: what is due through the day, the principal still to fall
-- due after it, and the last installment due date on or before it (interest runs from there)
schedule_days as (
    select
        loan_id,
        due_on,
        sum(sum(principal_due_amount + interest_due_amount)) over loan_days as cum_due_after,
        sum(sum(principal_due_amount)) over (partition by loan_id) - sum(sum(principal_due_amount))
            over loan_days as principal_after_amount,
        max(max(case when schedule_row_type = 'installment' then due_on end)) over loan_days
            as last_installment_due_on
    from {{ schedule }}
    group by loan_id, due_on
    window loan_days as (partition by loan_id order by due_on rows unbounded preceding)
),

loan_principals as (
    select
        loan_id,
        sum(principal_due_amount) as principal_amount,
        sum(principal_due_amount + interest_due_amount) as schedule_total_amount
    from {{ schedule }}
    group by loan_id
),

payments_dated as (
    {{ asof_left_join(payments, 'schedule_days', ['loan_id'], 'paid_on', '>=', 'due_on', {
        'day_cum_due_after': 'cum_due_after',
        'day_principal_after_amount': 'principal_after_amount',
        'day_last_installment_due_on': 'last_installment_due_on',
    }) }}
),

settlement_payoffs as (
    select
        payments_dated.*,
        loan_principals.schedule_total_amount,
        coalesce(payments_dated.day_principal_after_amount, loan_principals.principal_amount)
            as principal_after_amount,
        coalesce(payments_dated.day_cum_due_after, 0)
        + coalesce(payments_dated.day_principal_after_amount, loan_principals.principal_amount)
        + {{ accrued_interest(
            'coalesce(payments_dated.day_principal_after_amount, loan_principals.principal_amount)',
            'loans.annual_rate',
            'coalesce(payments_dated.day_last_installment_due_on, loans.drawn_on)',
            'payments_dated.paid_on') }} as payoff_cum_amount
    from payments_dated
    inner join loan_principals on payments_dated.loan_id = loan_principals.loan_id
    inner join {{ loans }} as loans on payments_dated.loan_id = loans.loan_id
)
{%- endmacro %}
