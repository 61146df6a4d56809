-- Borrowing elsewhere around a closure or a cut to zero: per event type, inquiry institution
-- type at other lenders ('all' for any of them) and 30-day window (from 90 days before the
-- event to 180 days after it: vars lifecycle_seeking_*), the inquiries per event against
-- matched never-closed customers in the same stratum (month, product, score band,
-- months-on-book band, DPD history: docs credit_seeking_design), the difference per event
-- with its 95% interval, and a difference-in-differences against the baseline windows
-- before the event (docs stratified_difference). An association, not a proof.
{%- set window_days = var('lifecycle_seeking_window_days') | int %}
{%- set days_before = var('lifecycle_seeking_days_before') | int %}
{%- set days_after = var('lifecycle_seeking_days_after') | int %}
{%- set window_starts = range(-days_before, days_after, window_days) | list %}
{#- baseline: the windows that end at least one window before the event #}
{%- set baseline_starts = window_starts | select('le', -2 * window_days) | list %}
{%- set strata = ['month_start_on', 'product_code', 'score_band', 'mob_band',
                  'dpd_history_band'] %}
{%- set window_columns = {} %}
{%- for start in window_starts %}
{%- do window_columns.update({start: 'inquiries_' ~ ('m' ~ (-start) if start < 0 else start)}) %}
{%- endfor %}
with closure_events as (
    select * from {{ ref('int_closure_events_listed') }}
),

stratified_months as (
    select * from {{ ref('int_line_months_stratified') }}
),

inquiries as (
    select * from {{ ref('stg_credit_inquiries') }}
    where inquired_on <= {{ as_of_date() }} and institution_type <> 'own_platform'
),

institution_types as (
    select allowed_value as institution_type
    from {{ ref('allowed_values') }}
    where
        table_name = 'credit_inquiries'
        and column_name = 'institution_type'
        and allowed_value <> 'own_platform'
    union all
    select 'all'
),

windows as (
    {%- for start in window_starts %}
    select {{ start }} as window_start_day
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- each event in the stratum of its line at the event month
treated_units as (
    select
        closure_events.event_id as unit_id,
        closure_events.event_type,
        closure_events.customer_id,
        closure_events.event_on as origin_on,
        {%- for column in strata %}
        stratified_months.{{ column }}{{ ',' if not loop.last }}{% endfor %}
    from closure_events
    inner join stratified_months
        on closure_events.line_id = stratified_months.line_id
        and closure_events.event_month_on = stratified_months.month_start_on
),

-- never-closed customers: a line live at a complete month-end (the origin), no closure or
-- cut to zero of the customer within the comparison window around it, in the stratum of
-- at least one event
control_units as (
    select
        stratified_months.line_month_id as unit_id,
        stratified_months.customer_id,
        stratified_months.snapshot_on as origin_on,
        {%- for column in strata %}
        stratified_months.{{ column }}{{ ',' if not loop.last }}{% endfor %}
    from stratified_months
    where
        stratified_months.is_month_complete
        and stratified_months.line_status in ('open', 'frozen')
        and not exists (
            select 1 from closure_events
            where
                closure_events.customer_id = stratified_months.customer_id
                and closure_events.event_on > cast({{ dbt.dateadd(
                    'day', -days_before, 'stratified_months.snapshot_on') }} as date)
                and closure_events.event_on <= cast({{ dbt.dateadd(
                    'day', days_after, 'stratified_months.snapshot_on') }} as date)
        )
        and exists (
            select 1 from treated_units
            where
                treated_units.month_start_on = stratified_months.month_start_on
                and treated_units.product_code = stratified_months.product_code
                and treated_units.score_band = stratified_months.score_band
                and treated_units.mob_band = stratified_months.mob_band
                and treated_units.dpd_history_band = stratified_months.dpd_history_band
        )
),

units as (
    select 'treated' as cohort, unit_id, customer_id, origin_on from treated_units
    union all
    select 'control', unit_id, customer_id, origin_on from control_units
),

-- inquiries on days origin + start + 1 to origin + start + window of each window
unit_inquiries as (
    select
        units.cohort,
        units.unit_id,
        inquiries.institution_type,
        {{ window_days }} * cast(floor(
            ({{ to_double(days_between('units.origin_on', 'inquiries.inquired_on')) }} - 1)
            / {{ window_days }}
        ) as integer) as window_start_day
    from units
    inner join inquiries
        on units.customer_id = inquiries.customer_id
        and inquiries.inquired_on > cast({{ dbt.dateadd(
            'day', -days_before, 'units.origin_on') }} as date)
        and inquiries.inquired_on <= cast({{ dbt.dateadd(
            'day', days_after, 'units.origin_on') }} as date)
),

-- one row per unit and institution type with an inquiry: the count in each window
unit_counts as (
    select
        cohort,
        unit_id,
        institution_type,
        {%- for start in window_starts %}
        count(case when window_start_day = {{ start }} then 1 end) as {{ window_columns[start] }},
        {%- endfor %}
        {{ safe_ratio(
            'count(case when window_start_day in (' ~ (baseline_starts | join(', ')) ~ ') then 1 end)',
            baseline_starts | length
        ) }} as inquiries_baseline
    from (
        select cohort, unit_id, institution_type, window_start_day from unit_inquiries
        union all
        select cohort, unit_id, 'all', window_start_day from unit_inquiries
    ) as typed_inquiries
    group by cohort, unit_id, institution_type
),

-- each event followed to the window's end, in every institution type (zeros included)
treated as (
    {%- for start in window_starts %}
    select
        treated_units.event_type,
        institution_types.institution_type,
        {{ start }} as window_start_day,
        {%- for column in strata %}
        treated_units.{{ column }},
        {%- endfor %}
        coalesce(unit_counts.{{ window_columns[start] }}, 0) as treated_value,
        coalesce(unit_counts.{{ window_columns[start] }} - unit_counts.inquiries_baseline, 0)
            as treated_change
    from treated_units
    cross join institution_types
    left join unit_counts
        on unit_counts.cohort = 'treated'
        and treated_units.unit_id = unit_counts.unit_id
        and institution_types.institution_type = unit_counts.institution_type
    where
        cast({{ dbt.dateadd('day', start + window_days, 'treated_units.origin_on') }} as date)
        <= {{ as_of_date() }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

control_strata as (
    select
        {%- for column in strata %}
        {{ column }},
        {%- endfor %}
        max(origin_on) as origin_on,
        count(*) as control_count
    from control_units
    group by {{ strata | join(', ') }}
),

-- per stratum, type and window: the controls' sums (units without inquiries add 0)
control_sums as (
    {%- for start in window_starts %}
    {%- set value = 'unit_counts.' ~ window_columns[start] %}
    {%- set change = value ~ ' - unit_counts.inquiries_baseline' %}
    select
        unit_counts.institution_type,
        {{ start }} as window_start_day,
        {%- for column in strata %}
        control_units.{{ column }},
        {%- endfor %}
        sum({{ value }}) as value_sum,
        sum({{ value }} * {{ value }}) as value_sum_of_squares,
        sum({{ change }}) as change_sum,
        sum(({{ change }}) * ({{ change }})) as change_sum_of_squares
    from unit_counts
    inner join control_units on unit_counts.unit_id = control_units.unit_id
    where unit_counts.cohort = 'control'
    group by
        unit_counts.institution_type,
        {%- for column in strata %}
        control_units.{{ column }}{{ ',' if not loop.last }}{% endfor %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

control_moments as (
    select
        institution_types.institution_type,
        windows.window_start_day,
        {%- for column in strata %}
        control_strata.{{ column }},
        {%- endfor %}
        control_strata.control_count,
        coalesce(control_sums.value_sum, 0) as value_sum,
        coalesce(control_sums.value_sum_of_squares, 0) as value_sum_of_squares,
        coalesce(control_sums.change_sum, 0) as change_sum,
        coalesce(control_sums.change_sum_of_squares, 0) as change_sum_of_squares
    from control_strata
    cross join institution_types
    cross join windows
    left join control_sums
        on institution_types.institution_type = control_sums.institution_type
        and windows.window_start_day = control_sums.window_start_day
        {%- for column in strata %}
        and control_strata.{{ column }} = control_sums.{{ column }}
        {%- endfor %}
    where
        cast({{ dbt.dateadd(
            'day', 'windows.window_start_day + ' ~ window_days, 'control_strata.origin_on'
        ) }} as date) <= {{ as_of_date() }}
),

control_values as (
    select
        *,
        value_sum as control_sum,
        value_sum_of_squares as control_sum_of_squares
    from control_moments
),

control_changes as (
    select
        *,
        change_sum as control_sum,
        change_sum_of_squares as control_sum_of_squares
    from control_moments
),

treated_changes as (
    select
        event_type,
        institution_type,
        window_start_day,
        {%- for column in strata %}
        {{ column }},
        {%- endfor %}
        treated_change as treated_value
    from treated
),

differences as (
    {{ stratified_difference(
        treated='treated',
        controls='control_values',
        shared_keys=['institution_type', 'window_start_day'],
        group_keys=['event_type'],
        strata=strata
    ) }}
),

differences_in_differences as (
    {{ stratified_difference(
        treated='treated_changes',
        controls='control_changes',
        shared_keys=['institution_type', 'window_start_day'],
        group_keys=['event_type'],
        strata=strata
    ) }}
),

final as (
    select
        -- keys
        differences.event_type,
        differences.institution_type,
        differences.window_start_day,
        differences.window_start_day + {{ window_days }} as window_end_day,
        differences.window_start_day in ({{ baseline_starts | join(', ') }}) as is_baseline_window,
        -- samples
        differences.treated_count as events_count,
        differences.matched_count as matched_events_count,
        differences.controls_count,
        -- inquiries per event in the window
        round(differences.treated_mean, 6) as treated_inquiries_per_event,
        round(differences.control_mean, 6) as control_inquiries_per_event,
        round(differences.difference, 6) as difference_per_event,
        round(differences.difference_lower, 6) as difference_lower,
        round(differences.difference_upper, 6) as difference_upper,
        round(differences.standard_error, 6) as standard_error,
        -- against the baseline windows before the event
        round(differences_in_differences.difference, 6) as did_per_event,
        round(differences_in_differences.difference_lower, 6) as did_lower,
        round(differences_in_differences.difference_upper, 6) as did_upper
    from differences
    inner join differences_in_differences
        on differences.event_type = differences_in_differences.event_type
        and differences.institution_type = differences_in_differences.institution_type
        and differences.window_start_day = differences_in_differences.window_start_day
)

select * from final
