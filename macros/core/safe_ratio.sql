{#- The one way to divide: numerator / denominator in double precision (never an integer or
    fixed-point division, which Spark truncates), null when the denominator is 0 or null. -#}
{% macro safe_ratio(numerator, denominator) -%}
    ({{ to_double(numerator) }} / nullif({{ to_double(denominator) }}, 0))
{%- endmacro %}
