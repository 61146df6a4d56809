{#- The query of a base_<table>_checked model: every raw row once, typed by safe casts,
    with the first rule it breaks. The contract spec (raw_contract) gives the typing and the
    row rules: missing_key and duplicate_key from the key, missing_required, wrong_type (a
    column that is not a string), negative_amount (money below zero), out_of_range and
    unknown_code. The model gives what is its own:
      parent       (model, key, [columns]): the parent whose accepted rows the row is joined
                   to, on the column `key` of both; the row sees them as parent_<column>
                   (parent_<key> is NULL when the parent is missing)
      row_rules    {rule: condition} added to a row rule (e.g. out_of_range on a parent column)
      later_rules  [(rule, condition)] checked, in order, after duplicate_key
    With final=false it stops after the CTEs (no `with`), the last one `rules_checked`
    holding the rule as `rule_column`, for a model that checks more before its final
    select (checked_rows_final). -#}
{% macro checked_raw_rows(
    table_name, parent=none, row_rules={}, later_rules=[], rule_column='quarantine_rule', final=true
) -%}
    {%- if not execute -%}
        {#- Parsing: the spec is read from the graph, which dbt fills after parsing; here dbt
            only records the source and the parent (a code seed is a depends_on comment),
            and a stand-in keeps the model's SQL a query (for sqlfluff too). -#}
        {%- do source('lender', table_name) -%}
        {%- if parent is not none %}{% do ref(parent[0]) %}{% endif -%}
        {{ return('select 1 as parsed' if final else 'rules_checked as (select 1 as parsed)') }}
    {%- endif -%}
    {%- set contract = raw_contract(table_name) -%}
    {%- set terms = {
        'missing_key': [], 'missing_required': [], 'wrong_type': [],
        'negative_amount': [], 'out_of_range': [], 'unknown_code': [],
    } -%}
    {%- set key_columns = [] -%}
    {%- set time_columns = [] -%}
    {%- set other_columns = [] -%}
    {%- for column in contract.columns -%}
        {%- set raw_value = 'raw_row.' ~ column.name -%}
        {%- set value = column.staged_as -%}
        {%- set is_money = column.data_type.startswith('decimal') -%}
        {%- if column.name in contract.key -%}
            {%- do key_columns.append(value) -%}
            {%- if not column.optional -%}
                {%- do terms.missing_key.append(raw_value ~ ' is null') -%}
            {%- endif -%}
        {%- elif column.required -%}
            {%- do terms.missing_required.append(raw_value ~ ' is null') -%}
        {%- endif -%}
        {%- if column.data_type != 'string' -%}
            {%- do terms.wrong_type.append(is_wrong_type(raw_value, value)) -%}
        {%- endif -%}
        {%- if is_money -%}
            {%- do terms.negative_amount.append(value ~ ' < 0') -%}
        {%- endif -%}
        {%- if column.minimum is not none and not (is_money and column.minimum <= 0) -%}
            {%- do terms.out_of_range.append(value ~ ' < ' ~ column.minimum) -%}
        {%- endif -%}
        {%- if column.exclusive_minimum is not none -%}
            {%- do terms.out_of_range.append(value ~ ' <= ' ~ column.exclusive_minimum) -%}
        {%- endif -%}
        {%- if column.maximum is not none -%}
            {%- do terms.out_of_range.append(value ~ ' > ' ~ column.maximum) -%}
        {%- endif -%}
        {%- if column.codes == 'allowed_values' -%}
            {%- do terms.unknown_code.append(is_unknown_code(value, table_name, column.name)) -%}
        {%- elif column.codes -%}
            {%- do terms.unknown_code.append(
                is_unknown_code(value, seed=column.codes, code_column=column.name)) -%}
        {%- endif -%}
        {%- if column.name in contract.key or column.name == 'load_date' -%}
        {%- elif column.data_type in ('timestamp', 'date') -%}
            {%- do time_columns.append(value) -%}
        {%- else -%}
            {%- do other_columns.append(value) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for rule, condition in row_rules.items() -%}
        {%- if rule not in terms -%}
            {{ exceptions.raise_compiler_error(
                "checked_raw_rows: '" ~ rule ~ "' is not a row rule of " ~ terms.keys() | list) }}
        {%- endif -%}
        {%- do terms[rule].append(condition) -%}
    {%- endfor -%}
    {%- set rules = [] -%}
    {%- for rule, conditions in terms.items() if conditions -%}
        {%- do rules.append((rule, conditions | join(' or '))) -%}
    {%- endfor -%}
    {%- set checked_from = 'parents_joined' if parent is not none else 'typed' -%}
{%- if final %}
with

{% endif -%}
source as (
    {{ with_optional_columns(source('lender', table_name),
                             contract.columns | selectattr('optional') | map(attribute='name') | list) }}
),
{%- if parent is not none %}

accepted_parents as (
    select
        {%- for column in [parent[1]] + (parent[2] if parent | length > 2 else []) %}
        {{ column }} as parent_{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref(parent[0]) }}
),
{%- endif %}

typed as (
    select
        {{ struct_of(contract.columns | map(attribute='name') | join(', ')) }} as raw_row,
        {%- for column in contract.columns %}
        {{ safe_cast(column.name, column.data_type) }} as {{ column.staged_as }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from source
),
{%- if parent is not none %}

parents_joined as (
    select
        typed.*,
        accepted_parents.*
    from typed
    left join accepted_parents
        on typed.{{ parent[1] }} = accepted_parents.parent_{{ parent[1] }}
),
{%- endif %}

row_rules_checked as (
    select
        *,
        {{ first_broken_rule(rules) }} as row_rule
    from {{ checked_from }}
),

duplicates_ranked as (
    select
        *,
        row_number() over (
            partition by {{ key_columns | join(', ') }}, row_rule is null
            order by {{ (['load_date'] + time_columns + other_columns) | join(', ') }}
        ) as key_rank
    from row_rules_checked
),

rules_checked as (
    select
        *,
        coalesce(
            row_rule,
            {{ first_broken_rule([('duplicate_key', 'key_rank > 1')] + later_rules) }}
        ) as {{ rule_column }}
    from duplicates_ranked
)
{%- if final -%}
,

{{ checked_rows_final(table_name) }}
{%- endif -%}
{%- endmacro %}

{#- The last CTE and select of a base_<table>_checked model: the typed columns in contract
    order, quarantine_rule and, for quarantined rows, the raw record. -#}
{% macro checked_rows_final(table_name, relation='rules_checked') -%}
    {%- if not execute -%}
        {#- Parsing (and sqlfluff): a stand-in that keeps the model's SQL a query. -#}
        {{ return('final as (select 1 as parsed from ' ~ relation ~ ')\n\nselect * from final') }}
    {%- endif -%}
final as (
    select
        {%- for column in raw_contract(table_name).columns %}
        {{ column.staged_as }},
        {%- endfor %}
        quarantine_rule,
        {{ raw_record_json('raw_row') }} as raw_record
    from {{ relation }}
)

select * from final
{%- endmacro %}


{#- The raw rows of a table with its optional columns always there: one the files lack reads
    as NULL. DuckDB's UNION ALL BY NAME adds it (a NULL-typed column takes the file's type when
    the files have it). On Spark the raw view gets them when it is registered
    (register_raw_sources). -#}
{% macro with_optional_columns(relation, optional_columns) -%}
    {{ return(adapter.dispatch('with_optional_columns', 'creditline')(
        relation, optional_columns)) }}
{%- endmacro %}

{% macro default__with_optional_columns(relation, optional_columns) -%}
    {%- if optional_columns -%}
    select * from (
        select {% for column in optional_columns %}null as {{ column }}{{ ', ' if not loop.last }}{% endfor %}
        where false
    )
    union all by name
    select * from {{ relation }}
    {%- else -%}
    select * from {{ relation }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__with_optional_columns(relation, optional_columns) -%}
    select * from {{ relation }}
{%- endmacro %}
