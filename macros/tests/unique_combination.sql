{#- Fails for each combination of the columns that occurs more than once: the grain test
    for tables keyed by several columns. -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
