{#- One raw table's contract, read from the spec in the source's YAML (_lender__sources.yml:
    `data_type` and `meta` on each column, `meta.key` on the table). Returns
    {'key': [raw names], 'columns': [{'name', 'staged_as', 'data_type', 'required', 'optional',
    'codes', 'minimum', 'exclusive_minimum', 'maximum'}]} in the YAML's column order.
    Only at compile time: dbt fills `graph` after parsing. -#}
{% macro raw_contract(table_name, source_name='lender') -%}
    {%- set tables = graph.sources.values()
        | selectattr('source_name', 'equalto', source_name)
        | selectattr('name', 'equalto', table_name)
        | list -%}
    {%- if tables | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            "raw_contract: no source table '" ~ source_name ~ "." ~ table_name ~ "'") }}
    {%- endif -%}
    {%- set table = tables[0] -%}
    {%- set key = table.meta.get('key') -%}
    {%- if not key -%}
        {{ exceptions.raise_compiler_error("raw_contract: " ~ table_name ~ " has no meta.key") }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for column in table.columns.values() -%}
        {%- set meta = column.meta -%}
        {%- if not column.data_type -%}
            {{ exceptions.raise_compiler_error(
                "raw_contract: " ~ table_name ~ "." ~ column.name ~ " has no data_type") }}
        {%- endif -%}
        {%- do columns.append({
            'name': column.name,
            'staged_as': meta.get('staged_as', column.name),
            'data_type': column.data_type,
            'required': meta.get('required', false),
            'optional': meta.get('optional', false),
            'codes': meta.get('codes'),
            'minimum': meta.get('minimum'),
            'exclusive_minimum': meta.get('exclusive_minimum'),
            'maximum': meta.get('maximum'),
        }) -%}
    {%- endfor -%}
    {{ return({'key': key, 'columns': columns}) }}
{%- endmacro %}
