{#- The Sesame-style score band of a score (350-950). Boundaries match
    seeds/score_bands.csv; a data test keeps the two in step. -#}
{% macro score_band(score) -%}
    case
        when {{ score }} is null then null
        when {{ score }} < 550 then '350-549'
        when {{ score }} < 600 then '550-599'
        when {{ score }} < 650 then '600-649'
        when {{ score }} < 700 then '650-699'
        else '700-950'
    end
{%- endmacro %}
