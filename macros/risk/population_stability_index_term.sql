{#- One bin's term of the population stability index, (a - e) * ln(a / e), where a is the
    bin's share of the actual population and e its share of the baseline. Shares below
    var('risk_psi_floor_share') are raised to it so an empty bin gives a large, finite term.
    The PSI is the sum of the terms over all bins of the union of both populations. -#}
{% macro population_stability_index_term(actual_share, expected_share) -%}
    {{ return(adapter.dispatch('population_stability_index_term', 'creditline')(
        actual_share, expected_share)) }}
{%- endmacro %}

{% macro default__population_stability_index_term(actual_share, expected_share) -%}
    {%- set floor = var('risk_psi_floor_share') -%}
    (
        (case when coalesce({{ actual_share }}, 0) < {{ floor }} then {{ floor }} else {{ actual_share }} end
            - case when coalesce({{ expected_share }}, 0) < {{ floor }} then {{ floor }} else {{ expected_share }} end)
        * ln(
            (case when coalesce({{ actual_share }}, 0) < {{ floor }} then {{ floor }} else {{ actual_share }} end)
            / (case when coalesce({{ expected_share }}, 0) < {{ floor }} then {{ floor }} else {{ expected_share }} end)
        )
    )
{%- endmacro %}

{#- The usual reading of a PSI value: 'stable' below var('risk_psi_watch_threshold'),
    'shift' above var('risk_psi_shift_threshold'), 'watch' in between. -#}
{% macro population_stability_reading(psi) -%}
    case
        when {{ psi }} is null then null
        when {{ psi }} < {{ var('risk_psi_watch_threshold') }} then 'stable'
        when {{ psi }} <= {{ var('risk_psi_shift_threshold') }} then 'watch'
        else 'shift'
    end
{%- endmacro %}
