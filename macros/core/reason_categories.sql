{#- The reason categories of seeds/reason_codes.csv that get their own closure and reopening
    columns (is_closure_reason, is_reopen_reason), in the seed's category_order; the rest
    count as 'other'. A data test (tests/dbt/core/assert_reason_category_macros_match_seed.sql)
    fails when these lists and the seed differ; the reports read the seed from the warehouse. -#}
{% macro closure_reason_categories() -%}
    {{ return(['overdue', 'utilization', 'multi_borrowing', 'score_drop', 'inactivity',
               'linked_product', 'fraud', 'policy', 'risk_assessment', 'customer']) }}
{%- endmacro %}

{% macro reopen_reason_categories() -%}
    {{ return(['recovery', 'marketing', 'appeal']) }}
{%- endmacro %}
