{#- Fails on every row where the boolean expression is false (null counts as true, so a
    metric that is legitimately null does not fail; pair with not_null where needed).
    On a column, the expression may use the column's name. -#}
{% test expression_is_true(model, expression, column_name=none, where_clause=none) %}
select *
from {{ model }}
where not ({{ expression }})
{% if where_clause %}and ({{ where_clause }}){% endif %}
{% endtest %}
