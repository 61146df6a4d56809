{#- The name of the first rule a row breaks, or NULL when it breaks none. `rules` is an
    ordered list of (rule_name, condition_sql) pairs; a NULL condition counts as not broken. -#}
{% macro first_broken_rule(rules) -%}
    case
    {%- for rule_name, condition in rules %}
        when {{ condition }} then '{{ rule_name }}'
    {%- endfor %}
    end
{%- endmacro %}
