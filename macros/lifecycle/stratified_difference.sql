{#- A select giving the exact-matched (stratified) difference of means between treated units
    and the controls of their strata, with its standard error and a normal interval
    (docs: stratified_difference).
      treated   relation: one row per treated unit: the shared_keys, group_keys and strata
                columns and `treated_value` (non-null)
      controls  relation: one row per shared_keys x strata: `control_count` (> 0),
                `control_sum` and `control_sum_of_squares` of the controls' values
      shared_keys  columns on both sides (a horizon, a window): one comparison each
      group_keys   columns of the treated only (reason, event type): one row each
      strata       the matching columns (exact match)
    Columns: shared_keys, group_keys, then
      treated_count     treated units
      matched_count     of those, units whose stratum has at least one control
      controls_count    controls in the strata of the matched units (each counted once)
      treated_mean      mean of treated_value over the matched units
      control_mean      mean over the matched units of their stratum's control mean
      difference        treated_mean - control_mean
      standard_error    sqrt(var_t / n + sum_s (n_s / n)^2 * s2_s / m_s): n matched units,
                        var_t their sample variance, n_s of them in stratum s, m_s controls
                        there with sample variance s2_s (a stratum with one control takes the
                        controls' pooled within-stratum variance)
      difference_lower, difference_upper  difference -+ z * standard_error
    z: normal quantile (default var('lifecycle_confidence_z')). Nested subqueries only. -#}
{% macro stratified_difference(treated, controls, shared_keys, group_keys, strata, z=none) -%}
    {%- set z = z if z is not none else var('lifecycle_confidence_z') -%}
    {%- set keys = shared_keys + group_keys -%}
    {%- set partition = shared_keys | join(', ') -%}
    {#- per stratum: the controls' mean and variance (pooled when one control) -#}
    {%- set control_strata -%}
        (
            select
                {%- for column in shared_keys + strata %}
                {{ column }},
                {%- endfor %}
                control_count,
                control_mean,
                coalesce(
                    control_variance,
                    sum((control_count - 1) * control_variance) over (partition by {{ partition }})
                    / nullif(sum(case when control_count > 1 then control_count - 1 else 0 end)
                        over (partition by {{ partition }}), 0)
                ) as control_variance
            from (
                select
                    *,
                    {{ safe_ratio('control_sum', 'control_count') }} as control_mean,
                    case when control_count > 1 then greatest(0.0, (
                        {{ to_double('control_sum_of_squares') }}
                        - {{ to_double('control_sum') }} * control_sum / control_count
                    ) / (control_count - 1)) end as control_variance
                from {{ controls }}
                where control_count > 0
            ) as control_moments
        ) as control_strata
        {%- for column in shared_keys + strata %}
        {{ 'on' if loop.first else 'and' }} treated_units.{{ column }} = control_strata.{{ column }}
        {%- endfor %}
    {%- endset -%}
    {%- set variance -%}
        (summaries.treated_variance / summaries.matched_count
            + weights.weighted_control_variance
            / (summaries.matched_count * summaries.matched_count))
    {%- endset -%}
    select
        {%- for key in keys %}
        summaries.{{ key }},
        {%- endfor %}
        summaries.treated_count,
        summaries.matched_count,
        cast(coalesce(weights.controls_count, 0) as bigint) as controls_count,
        summaries.treated_mean,
        summaries.control_mean,
        summaries.treated_mean - summaries.control_mean as difference,
        sqrt({{ variance }}) as standard_error,
        summaries.treated_mean - summaries.control_mean - {{ z }} * sqrt({{ variance }})
            as difference_lower,
        summaries.treated_mean - summaries.control_mean + {{ z }} * sqrt({{ variance }})
            as difference_upper
    from (
        select
            {%- for key in keys %}
            treated_units.{{ key }},
            {%- endfor %}
            count(*) as treated_count,
            count(control_strata.control_count) as matched_count,
            avg(case when control_strata.control_count is not null
                then {{ to_double('treated_units.treated_value') }} end) as treated_mean,
            avg(control_strata.control_mean) as control_mean,
            var_samp(case when control_strata.control_count is not null
                then {{ to_double('treated_units.treated_value') }} end) as treated_variance
        from {{ treated }} as treated_units
        left join {{ control_strata }}
        group by {% for key in keys %}treated_units.{{ key }}{{ ', ' if not loop.last }}{% endfor %}
    ) as summaries
    left join (
        select
            {%- for key in keys %}
            {{ key }},
            {%- endfor %}
            sum(stratum_treated_count * stratum_treated_count * control_variance / control_count)
                as weighted_control_variance,
            sum(control_count) as controls_count
        from (
            select
                {%- for key in keys + strata %}
                treated_units.{{ key }},
                {%- endfor %}
                count(*) as stratum_treated_count,
                max(control_strata.control_count) as control_count,
                max(control_strata.control_variance) as control_variance
            from {{ treated }} as treated_units
            inner join {{ control_strata }}
            group by
                {%- for key in keys + strata %} treated_units.{{ key }}{{ ',' if not loop.last }}
                {%- endfor %}
        ) as matched_strata
        group by {{ keys | join(', ') }}
    ) as weights
        {%- for key in keys %}
        {{ 'on' if loop.first else 'and' }} summaries.{{ key }} = weights.{{ key }}
        {%- endfor %}
{%- endmacro %}
