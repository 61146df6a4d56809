{#- Snapshots on Spark without Delta, Iceberg or Hudi. dbt-spark's snapshot ends in a MERGE,
    which plain Parquet tables do not support, and those formats' jars cannot be fetched
    here. This version keeps dbt's snapshot logic (its strategy and staging table) and only
    replaces the MERGE: the table is rewritten with the closed versions' dbt_valid_to set
    and the new versions appended, through a side table (Spark cannot overwrite a table that
    the same statement reads). A run costs a pass over the snapshot, which is small here
    (one row per line state change). -#}
{% materialization snapshot, adapter='spark' %}
    {%- set target_relation_exists, target_relation = get_or_create_relation(
            database=none, schema=model.schema,
            identifier=model.get('alias', model.get('name')), type='table') -%}
    {%- if not adapter.check_schema_exists(model.database, model.schema) -%}
        {%- do create_schema(model.schema) -%}
    {%- endif -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set strategy_macro = strategy_dispatch(config.get('strategy')) -%}
    {%- set strategy = strategy_macro(model, "snapshotted_data", "source_data", model['config'],
                                      target_relation_exists) -%}

    {%- if not target_relation_exists -%}
        {%- call statement('main') -%}
            {{ create_table_as(False, target_relation,
                               build_snapshot_table(strategy, model['compiled_code'])) }}
        {%- endcall -%}
    {%- else -%}
        {%- set columns = config.get("snapshot_table_column_names")
                          or get_snapshot_table_column_names() -%}
        {%- set staging_table = spark_build_snapshot_staging_table(
                strategy, sql, target_relation) -%}
        {%- set target_columns = adapter.get_columns_in_relation(target_relation)
                                 | map(attribute='name') | list -%}
        {%- set rewritten = api.Relation.create(
                identifier=target_relation.identifier ~ '__dbt_rewritten',
                schema=target_relation.schema, database=none, type='table') -%}
        {%- do adapter.drop_relation(rewritten) -%}
        {%- call statement('rewrite') -%}
            create table {{ rewritten }} using parquet as
            select
                {%- for column in target_columns %}
                {% if column == columns.dbt_valid_to -%}
                case
                    when staged.{{ columns.dbt_scd_id }} is not null
                        then staged.{{ columns.dbt_valid_to }}
                    else existing.{{ columns.dbt_valid_to }}
                end as {{ column }}
                {%- else -%}
                existing.{{ column }}
                {%- endif %}{{ ',' if not loop.last }}
                {%- endfor %}
            from {{ target_relation }} as existing
            left join {{ staging_table }} as staged
                on staged.{{ columns.dbt_scd_id }} = existing.{{ columns.dbt_scd_id }}
                and existing.{{ columns.dbt_valid_to }} is null
                and staged.dbt_change_type in ('update', 'delete')
            union all
            select {{ target_columns | join(', ') }}
            from {{ staging_table }}
            where dbt_change_type = 'insert'
        {%- endcall -%}
        {%- call statement('main') -%}
            insert overwrite table {{ target_relation }} select * from {{ rewritten }}
        {%- endcall -%}
        {%- do adapter.drop_relation(rewritten) -%}
    {%- endif -%}

    {%- do persist_docs(target_relation, model) -%}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {%- if staging_table is defined -%}
        {%- do post_snapshot(staging_table) -%}
    {%- endif -%}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
