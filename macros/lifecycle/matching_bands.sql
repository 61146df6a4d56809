{#- The coarsened matching variables of the matched comparisons (docs: matching_strata).
    score_trend_band: the score change over the previous var('lifecycle_matching_trend_months')
    months: 'down_50_plus' (-50 or worse), 'down_20_49', 'flat' (-19 to +19), 'up_20_plus',
    'unknown' (no score then). -#}
{% macro score_trend_band(score_change) -%}
    case
        when {{ score_change }} is null then 'unknown'
        when {{ score_change }} <= -50 then 'down_50_plus'
        when {{ score_change }} <= -20 then 'down_20_49'
        when {{ score_change }} < 20 then 'flat'
        else 'up_20_plus'
    end
{%- endmacro %}

{#- utilization_band: on-book principal over the limit at a month-end: '0-29%', '30-69%',
    '70-94%', '95%+' (the engine's "limit used up"), 'none' (no positive limit). -#}
{% macro utilization_band(utilization_rate) -%}
    case
        when {{ utilization_rate }} is null then 'none'
        when {{ utilization_rate }} < 0.3 then '0-29%'
        when {{ utilization_rate }} < 0.7 then '30-69%'
        when {{ utilization_rate }} < 0.95 then '70-94%'
        else '95%+'
    end
{%- endmacro %}

{#- dpd_history_band: the worst days past due over a look-back: 'M0' (never past due),
    'M1' (1-30), 'M2+' (more than 30: is_dpd_30_plus). -#}
{% macro dpd_history_band(worst_dpd) -%}
    case
        when {{ worst_dpd }} is null or {{ worst_dpd }} <= 0 then 'M0'
        when {{ is_dpd_30_plus(worst_dpd) }} then 'M2+'
        else 'M1'
    end
{%- endmacro %}
