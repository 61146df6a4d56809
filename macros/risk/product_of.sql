{#- The product of a non-negative numeric expression over the rows of a group, as an
    aggregate: 0 when any factor is 0, null when any factor is null or there are no rows. -#}
{% macro product_of(expression) -%}
    {{ return(adapter.dispatch('product_of', 'creditline')(expression)) }}
{%- endmacro %}

{% macro default__product_of(expression) -%}
    case
        when count(*) = 0 or count(*) > count({{ expression }}) then null
        when min({{ expression }}) <= 0 then 0
        else exp(sum(ln(case when {{ expression }} > 0 then {{ expression }} end)))
    end
{%- endmacro %}

{% macro duckdb__product_of(expression) -%}
    case
        when count(*) = 0 or count(*) > count({{ expression }}) then null
        else product({{ expression }})
    end
{%- endmacro %}

{#- Spark's SQL has no product aggregate: fold the collected factors. -#}
{% macro spark__product_of(expression) -%}
    case
        when count(*) = 0 or count(*) > count({{ expression }}) then null
        else aggregate(collect_list(cast({{ expression }} as double)), cast(1 as double),
                       (product, factor) -> product * factor)
    end
{%- endmacro %}
