{#- The DPD bucket ladder of seeds/dpd_buckets.csv (best to worst, one dict per seed row), for
    SQL that needs it when it compiles: the bucket of a days-past-due value, one column per
    bucket. A data test (tests/dbt/core/assert_bucket_macros_match_seeds.sql) fails when
    this list and the seed differ; the reports read the seed from the warehouse. -#}
{% macro dpd_buckets() -%}
    {{ return([
        {'dpd_bucket': 'M0', 'bucket_order': 0, 'min_dpd': 0, 'max_dpd': 0},
        {'dpd_bucket': 'M1', 'bucket_order': 1, 'min_dpd': 1, 'max_dpd': 30},
        {'dpd_bucket': 'M2', 'bucket_order': 2, 'min_dpd': 31, 'max_dpd': 60},
        {'dpd_bucket': 'M3', 'bucket_order': 3, 'min_dpd': 61, 'max_dpd': 90},
        {'dpd_bucket': 'M4', 'bucket_order': 4, 'min_dpd': 91, 'max_dpd': 120},
        {'dpd_bucket': 'M5', 'bucket_order': 5, 'min_dpd': 121, 'max_dpd': 150},
        {'dpd_bucket': 'M6', 'bucket_order': 6, 'min_dpd': 151, 'max_dpd': 180},
        {'dpd_bucket': 'M7+', 'bucket_order': 7, 'min_dpd': 181, 'max_dpd': 99999},
    ]) }}
{%- endmacro %}

{#- The column-name stem of a bucket in the marts: M0 -> m0, M7+ -> m7_plus. -#}
{% macro dpd_bucket_column(dpd_bucket) -%}
    {{ return(dpd_bucket | lower | replace('+', '_plus')) }}
{%- endmacro %}

{#- The DPD bucket (M0 current ... M7+ over 180 days) of a days-past-due expression: the
    first bucket whose max_dpd it does not exceed, the last bucket past all of them. -#}
{% macro dpd_bucket(days) -%}
    {%- set ladder = dpd_buckets() %}
    case
        when {{ days }} is null then null
        {%- for bucket in ladder[:-1] %}
        when {{ days }} <= {{ bucket.max_dpd }} then '{{ bucket.dpd_bucket }}'
        {%- endfor %}
        else '{{ ladder[-1].dpd_bucket }}'
    end
{%- endmacro %}
