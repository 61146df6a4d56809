-- What a closure itself does to the score: per closure reason category ('all' for every
-- closure) and horizon h (var lifecycle_score_effect_horizons_months), the change of the
-- customer's score from the closure to the month-end h months after the closure month, for
-- customers' first closures against matched never-closed lines (same month, product, score
-- band, score trend, DPD history, utilization band and months-on-book band: docs
-- closure_score_effect_design), and the difference-in-differences with its 95% interval
-- (docs stratified_difference). An association on observational data, not a proof.
{%- set horizons = var('lifecycle_score_effect_horizons_months') %}
{%- set strata = ['month_start_on', 'product_code', 'score_band', 'score_trend_band',
                  'dpd_history_band', 'utilization_band', 'mob_band'] %}
with episodes as (
    select * from {{ ref('fct_closure_episodes') }}
),

closure_events as (
    select * from {{ ref('int_closure_events_listed') }}
),

stratified_months as (
    select * from {{ ref('int_line_months_stratified') }}
),

horizons as (
    {%- for horizon in horizons %}
    select {{ horizon }} as horizon_months
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

customers_first_closed as (
    select distinct
        customer_id,
        customer_first_event_on
    from closure_events
),

-- the customer's first closure (no earlier closure or cut to zero of any of their lines);
-- two lines closed the same day count once, the first by time and id
first_closures as (
    select
        episodes.*,
        row_number() over (
            partition by episodes.customer_id
            order by episodes.closed_at, episodes.closure_episode_id
        ) as closure_rank
    from episodes
    inner join customers_first_closed
        on episodes.customer_id = customers_first_closed.customer_id
        and episodes.closed_on = customers_first_closed.customer_first_event_on
),

-- the closed line's stratum at its closure month; the score is the one at closure
closed_units as (
    select
        first_closures.closure_episode_id,
        first_closures.line_id,
        first_closures.closure_reason_category,
        first_closures.score_at_closure as baseline_score,
        stratified_months.month_start_on,
        stratified_months.product_code,
        coalesce({{ score_band('first_closures.score_at_closure') }}, 'unscored') as score_band,
        {{ score_trend_band(
            'first_closures.score_at_closure - stratified_months.score_months_before'
        ) }} as score_trend_band,
        stratified_months.dpd_history_band,
        stratified_months.utilization_band,
        stratified_months.mob_band
    from first_closures
    inner join stratified_months
        on first_closures.line_id = stratified_months.line_id
        and first_closures.closure_month_on = stratified_months.month_start_on
    where first_closures.closure_rank = 1 and first_closures.score_at_closure is not null
),

closed_changes as (
    select
        horizons.horizon_months,
        closed_units.closure_reason_category,
        {%- for column in strata %}
        closed_units.{{ column }},
        {%- endfor %}
        later.score - closed_units.baseline_score as treated_value
    from closed_units
    cross join horizons
    inner join stratified_months as later
        on closed_units.line_id = later.line_id
        and later.month_start_on = cast({{ dbt.dateadd(
            'month', 'horizons.horizon_months', 'closed_units.month_start_on') }} as date)
    where later.is_month_complete and later.score is not null
),

treated as (
    select closed_changes.*, closure_reason_category as reason_category from closed_changes
    union all
    select closed_changes.*, 'all' from closed_changes
),

-- never-closed lines: live at a complete month-end, the customer never closed or cut to
-- zero on or before it, in the stratum of at least one closure
control_units as (
    select stratified_months.*
    from stratified_months
    left join customers_first_closed
        on stratified_months.customer_id = customers_first_closed.customer_id
    where
        stratified_months.is_month_complete
        and stratified_months.line_status in ('open', 'frozen')
        and stratified_months.score is not null
        and (
            customers_first_closed.customer_first_event_on is null
            or customers_first_closed.customer_first_event_on > stratified_months.snapshot_on
        )
        and exists (
            select 1 from closed_units
            where
                closed_units.month_start_on = stratified_months.month_start_on
                and closed_units.product_code = stratified_months.product_code
                and closed_units.score_band = stratified_months.score_band
                and closed_units.score_trend_band = stratified_months.score_trend_band
                and closed_units.dpd_history_band = stratified_months.dpd_history_band
                and closed_units.utilization_band = stratified_months.utilization_band
                and closed_units.mob_band = stratified_months.mob_band
        )
),

controls as (
    select
        horizons.horizon_months,
        {%- for column in strata %}
        control_units.{{ column }},
        {%- endfor %}
        count(*) as control_count,
        sum(later.score - control_units.score) as control_sum,
        sum((later.score - control_units.score) * (later.score - control_units.score))
            as control_sum_of_squares
    from control_units
    cross join horizons
    inner join stratified_months as later
        on control_units.line_id = later.line_id
        and later.month_start_on = cast({{ dbt.dateadd(
            'month', 'horizons.horizon_months', 'control_units.month_start_on') }} as date)
    where later.is_month_complete and later.score is not null
    group by
        horizons.horizon_months,
        {%- for column in strata %}
        control_units.{{ column }}{{ ',' if not loop.last }}{% endfor %}
),

differences as (
    {{ stratified_difference(
        treated='treated',
        controls='controls',
        shared_keys=['horizon_months'],
        group_keys=['reason_category'],
        strata=strata
    ) }}
),

final as (
    select
        -- keys
        reason_category,
        horizon_months,
        -- samples
        treated_count as closed_count,
        matched_count,
        controls_count,
        -- score change from the closure to the horizon
        round(treated_mean, 6) as closed_mean_change,
        round(control_mean, 6) as control_mean_change,
        -- difference-in-differences
        round(difference, 6) as did_points,
        round(difference_lower, 6) as did_lower,
        round(difference_upper, 6) as did_upper,
        round(standard_error, 6) as standard_error
    from differences
)

select * from final
