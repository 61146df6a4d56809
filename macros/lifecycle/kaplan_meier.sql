{#- A select giving, per group, the Kaplan–Meier estimate of the survival function of a
    time-to-event with right-censoring, one row per distinct observed time (an event, a
    censoring or both). Columns: the group_by columns, then
      time_value       the observed time (in the unit of `duration`)
      at_risk_count    subjects with duration >= time_value (censored at t are at risk at t)
      event_count      events at time_value
      censored_count   censorings at time_value
      survival         S(t) = prod over event times u <= t of (1 - d_u / n_u)
      greenwood_variance  S(t)^2 * sum d_u / (n_u (n_u - d_u))   (Greenwood)
      survival_lower, survival_upper  the pointwise interval on the log-log scale
                       (Kalbfleisch–Prentice): S^exp(+-z * se), se = sqrt(sum d/(n(n-d))) / |ln S|,
                       so both bounds stay in [0, 1]; [1, 1] before the first event and
                       [0, 0] once S reaches 0
      median_time      the smallest time_value with S <= 0.5 in the group (null if the curve
                       never gets there): the same value on every row of the group
    relation: a relation or CTE name; group_by: list of column names; duration: expression
    (>= 0); event: boolean expression, true for an event, false for a censoring; z: normal
    quantile (default var('lifecycle_confidence_z')). Rows with a null duration or event
    are left out. -#}
{% macro kaplan_meier(relation, group_by, duration, event, z=none) -%}
    {{ return(adapter.dispatch('kaplan_meier', 'creditline')(
        relation, group_by, duration, event, z)) }}
{%- endmacro %}

{% macro default__kaplan_meier(relation, group_by, duration, event, z=none) -%}
    {%- set z = z if z is not none else var('lifecycle_confidence_z') -%}
    {%- set groups = group_by | join(', ') -%}
    select
        {{ groups }},
        time_value,
        at_risk_count,
        event_count,
        censored_count,
        survival,
        case when survival > 0 then survival * survival * greenwood_sum else 0.0 end
            as greenwood_variance,
        case
            when cumulative_events = 0 then 1.0
            when survival <= 0 then 0.0
            else exp(log_survival * exp({{ z }} * sqrt(greenwood_sum) / abs(log_survival)))
        end as survival_lower,
        case
            when cumulative_events = 0 then 1.0
            when survival <= 0 then 0.0
            else exp(log_survival * exp(-{{ z }} * sqrt(greenwood_sum) / abs(log_survival)))
        end as survival_upper,
        min(case when survival <= 0.5 then time_value end) over (partition by {{ groups }})
            as median_time
    from (
        select
            {{ groups }},
            time_value,
            at_risk_count,
            event_count,
            censored_count,
            log_survival,
            greenwood_sum,
            cumulative_events,
            case when is_exhausted = 1 then 0.0 else exp(log_survival) end as survival
        from (
            select
                {{ groups }},
                time_value,
                at_risk_count,
                event_count,
                censored_count,
                sum(log_factor) over curve as log_survival,
                sum(greenwood_term) over curve as greenwood_sum,
                sum(event_count) over curve as cumulative_events,
                max(is_exhausting) over curve as is_exhausted
            from (
                select
                    {{ groups }},
                    time_value,
                    at_risk_count,
                    event_count,
                    censored_count,
                    -- ln(1 - d/n), 0 where every subject at risk has the event (S drops to 0)
                    case
                        when event_count < at_risk_count
                            then ln(1.0 - {{ to_double('event_count') }} / at_risk_count)
                        else 0.0
                    end as log_factor,
                    case
                        when event_count < at_risk_count
                            then {{ to_double('event_count') }}
                                / ({{ to_double('at_risk_count') }} * (at_risk_count - event_count))
                        else 0.0
                    end as greenwood_term,
                    case when event_count > 0 and event_count = at_risk_count then 1 else 0 end
                        as is_exhausting
                from (
                    select
                        {{ groups }},
                        time_value,
                        event_count,
                        leaving_count - event_count as censored_count,
                        sum(leaving_count) over (
                            partition by {{ groups }} order by time_value desc
                            rows between unbounded preceding and current row
                        ) as at_risk_count
                    from (
                        select
                            {{ groups }},
                            {{ duration }} as time_value,
                            sum(case when {{ event }} then 1 else 0 end) as event_count,
                            count(*) as leaving_count
                        from {{ relation }}
                        where {{ duration }} is not null and {{ event }} is not null
                        group by {{ groups }}, {{ duration }}
                    ) as observed_times
                ) as with_risk_sets
            ) as with_terms
            window curve as (
                partition by {{ groups }} order by time_value rows unbounded preceding
            )
        ) as cumulative
    ) as curve_points
{%- endmacro %}
