{#- True when a present value is not among the allowed values a seed lists.
    With `column_name`, the seed is allowed_values (table_name, column_name, allowed_value);
    otherwise `seed` is a code list whose key column is `code_column`. -#}
{% macro is_unknown_code(expression, table_name=none, column_name=none, seed='allowed_values',
                         code_column='allowed_value') -%}
    ({{ expression }} is not null
        and cast({{ expression }} as string) not in (
            select cast({{ code_column }} as string)
            from {{ ref(seed) }}
            {%- if column_name is not none %}
            where table_name = '{{ table_name }}' and column_name = '{{ column_name }}'
            {%- endif %}
        ))
{%- endmacro %}
