{#- One bound of the Wilson score interval for a binomial proportion successes / trials, at
    the two-sided normal quantile z (default var('lifecycle_confidence_z'), 1.96 for 95%).
    side is 'lower' or 'upper'. Null when trials is 0 or null; exactly 0 (lower) for 0
    successes and 1 (upper) for all, and clamped to [0, 1] so floating error never leaves
    the unit interval. -#}
{% macro wilson_interval(successes, trials, side, z=none) -%}
    {{ return(adapter.dispatch('wilson_interval', 'creditline')(successes, trials, side, z)) }}
{%- endmacro %}

{% macro default__wilson_interval(successes, trials, side, z=none) -%}
    {%- if side not in ('lower', 'upper') -%}
        {{ exceptions.raise_compiler_error(
            "wilson_interval: side must be 'lower' or 'upper', got " ~ side) }}
    {%- endif -%}
    {%- set z = z if z is not none else var('lifecycle_confidence_z') -%}
    {%- set n = to_double(trials) -%}
    {%- set p = '(' ~ to_double(successes) ~ ' / ' ~ n ~ ')' -%}
    {%- set z2 = '(' ~ z ~ ' * ' ~ z ~ ')' -%}
    case
        when {{ trials }} is null or {{ trials }} <= 0 then null
        -- the exact bound at the edges (0 of n, n of n), free of floating error
        {%- if side == 'lower' %}
        when {{ successes }} <= 0 then 0.0
        {%- else %}
        when {{ successes }} >= {{ trials }} then 1.0
        {%- endif %}
        else
            greatest(0.0, least(1.0,
                (
                    {{ p }} + {{ z2 }} / (2 * {{ n }})
                    {{ '-' if side == 'lower' else '+' }} {{ z }} * sqrt(
                        {{ p }} * (1 - {{ p }}) / {{ n }} + {{ z2 }} / (4 * {{ n }} * {{ n }})
                    )
                ) / (1 + {{ z2 }} / {{ n }})
            ))
    end
{%- endmacro %}
