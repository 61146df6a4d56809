{#- A complete SELECT: every row of `left` with the columns of its ASOF match in `right`,
    i.e. `select left.*, <right columns> from left asof left join right on ...`.
    `left` and `right` are relation or CTE names; `keys` a list of columns equal on both
    sides; `left_time operator right_time` the inequality (operator '>=', '>', '<=' or '<'),
    e.g. 'snapshot_on', '>=', 'event_on': the right row with the greatest event_on on or
    before snapshot_on. `right_columns` maps output name -> right column, in output order;
    the names must not clash with left's columns. No match (or a null key or left_time)
    gives nulls. Assumes no two right rows share keys and right_time (the match would be
    either one). Build expressions over left and matched columns in the next CTE. -#}
{% macro asof_left_join(left, right, keys, left_time, operator, right_time, right_columns) -%}
    {%- if operator not in ['>=', '>', '<=', '<'] -%}
        {{ exceptions.raise_compiler_error(
            "asof_left_join: operator must be >=, >, <= or <, got " ~ operator) }}
    {%- endif -%}
    {{ return(adapter.dispatch('asof_left_join', 'creditline')(
        left, right, keys, left_time, operator, right_time, right_columns)) }}
{%- endmacro %}

{% macro default__asof_left_join(left, right, keys, left_time, operator, right_time,
                                 right_columns) -%}
    select
        {{ left }}.*
        {%- for name, column in right_columns.items() %},
        {{ right }}.{{ column }} as {{ name }}
        {%- endfor %}
    {%- set conditions = [] %}
    {%- for key in keys %}
        {%- do conditions.append(left ~ '.' ~ key ~ ' = ' ~ right ~ '.' ~ key) %}
    {%- endfor %}
    {%- do conditions.append(left ~ '.' ~ left_time ~ ' ' ~ operator ~ ' '
                             ~ right ~ '.' ~ right_time) %}
    from {{ left }}
    asof left join {{ right }}
        on {{ conditions | join('\n        and ') }}
{%- endmacro %}

{% macro spark__asof_left_join(left, right, keys, left_time, operator, right_time,
                               right_columns) -%}
    {#- left rows and right rows (packed in structs) in one stream per key, sorted by time;
        at equal times the side flag puts right rows first when they match (>=, <) and
        last when they do not (>, <=); each left row takes the nearest right struct
        looking back (>=, >) or forward (<=, <) -#}
    {%- set looks_back = operator in ['>=', '>'] -%}
    {%- set right_side = 0 if operator in ['>=', '<'] else 1 -%}
    {%- set left_side = 1 - right_side -%}
    select
        _asof_left.*
        {%- for name in right_columns %},
        _asof_match.{{ name }} as {{ name }}
        {%- endfor %}
    from (
        select
            _asof_left,
            _asof_side,
            case when _asof_time is not null then
                {{ 'last' if looks_back else 'first' }}(_asof_right, true) over (
                    {%- if keys %}
                    partition by
                        {%- for key in keys %} _asof_key_{{ loop.index }}{{ ',' if not loop.last }}{% endfor %}
                    {%- endif %}
                    order by _asof_time, _asof_side
                    rows between {{ 'unbounded preceding and current row' if looks_back
                                    else 'current row and unbounded following' }}
                )
            end as _asof_match
        from (
            select
                {%- for key in keys %}
                {{ left }}.{{ key }} as _asof_key_{{ loop.index }},
                {%- endfor %}
                {{ left }}.{{ left_time }} as _asof_time,
                {{ left_side }} as _asof_side,
                struct({{ left }}.*) as _asof_left,
                null as _asof_right
            from {{ left }}

            union all

            select
                {%- for key in keys %}
                {{ right }}.{{ key }},
                {%- endfor %}
                {{ right }}.{{ right_time }},
                {{ right_side }},
                null,
                struct(
                    {%- for name, column in right_columns.items() %}
                    {{ right }}.{{ column }} as {{ name }}{{ ',' if not loop.last }}
                    {%- endfor %}
                )
            from {{ right }}
            -- a right row with a null key or time matches nothing
            where
                {%- for column in keys + [right_time] %}
                {{ 'and ' if not loop.first }}{{ right }}.{{ column }} is not null
                {%- endfor %}
        ) as _asof_rows
    ) as _asof_matched
    where _asof_side = {{ left_side }}
{%- endmacro %}
