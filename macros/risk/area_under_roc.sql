{#- A select giving, per group, the area under the ROC curve of a score against a binary
    outcome, reading a higher score as less risky: the probability that a random good scores
    above a random bad, ties counting one half (the Mann-Whitney form, computed on counts
    per distinct score). Columns: the group_by columns and auc (null without both bads and
    goods). Gini = 2 * auc - 1. -#}
{% macro area_under_roc(relation, group_by, score, is_bad) -%}
    {{ return(adapter.dispatch('area_under_roc', 'creditline')(
        relation, group_by, score, is_bad)) }}
{%- endmacro %}

{% macro default__area_under_roc(relation, group_by, score, is_bad) -%}
    {%- set groups = group_by | join(', ') -%}
    select
        {{ groups }},
        case
            when max(total_bads) > 0 and max(total_goods) > 0
                then {{ safe_ratio('sum(goods * (bads_below + 0.5 * bads))',
                                   'max(total_bads) * max(total_goods)') }}
        end as auc
    from (
        select
            {{ groups }},
            goods,
            bads,
            coalesce(sum(bads) over (
                partition by {{ groups }} order by score_value
                rows between unbounded preceding and 1 preceding
            ), 0) as bads_below,
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
