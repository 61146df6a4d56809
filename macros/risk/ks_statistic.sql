{#- A select giving, per group, the Kolmogorov-Smirnov statistic of a score against a
    binary outcome: the largest gap between the cumulative score distributions of bads and
    goods, taken at every distinct score (ties move together). Columns: the group_by
    columns, bad_count, good_count, ks_statistic (null without both bads and goods). -#}
{% macro ks_statistic(relation, group_by, score, is_bad) -%}
    {{ return(adapter.dispatch('ks_statistic', 'creditline')(relation, group_by, score, is_bad)) }}
{%- endmacro %}

{% macro default__ks_statistic(relation, group_by, score, is_bad) -%}
    {%- set groups = group_by | join(', ') -%}
    select
        {{ groups }},
        max(total_bads) as bad_count,
        max(total_goods) as good_count,
        case
            when max(total_bads) > 0 and max(total_goods) > 0
                then max(abs(
                    {{ safe_ratio('cum_bads', 'total_bads') }}
                    - {{ safe_ratio('cum_goods', 'total_goods') }}
                ))
        end as ks_statistic
    from (
        select
            {{ groups }},
            sum(bads) over (partition by {{ groups }} order by score_value rows unbounded preceding)
                as cum_bads,
            sum(goods) over (partition by {{ groups }} order by score_value rows unbounded preceding)
                as cum_goods,
            sum(bads) over (partition by {{ groups }}) as total_bads,
            sum(goods) over (partition by {{ groups }}) as total_goods
        from (
            select
                {{ groups }},
                {{ score }} as score_value,
                sum(case when {{ is_bad }} then 1 else 0 end) as bads,
                sum(case when {{ is_bad }} then 0 else 1 end) as goods
            from {{ relation }}
            where {{ score }} is not null and {{ is_bad }} is not null
            group by {{ groups }}, {{ score }}
        ) as score_counts
    ) as cumulative
    group by {{ groups }}
{%- endmacro %}
