-- closure_reason_categories() and reopen_reason_categories() are the reason categories the
-- reason_codes seed marks is_closure_reason / is_reopen_reason, in its category_order.
with macro_categories as (
    {%- for kind, categories in [('closure', closure_reason_categories()),
                                 ('reopen', reopen_reason_categories())] %}
    {%- set kind_loop = loop %}
    {%- for category in categories %}
    select '{{ kind }}' as kind, '{{ category }}' as reason_category, {{ loop.index }} as position
    {{ 'union all' if not (loop.last and kind_loop.last) }}
    {%- endfor %}
    {%- endfor %}
),

seed_categories as (
    select distinct
        case when is_closure_reason then 'closure' else 'reopen' end as kind,
        reason_category,
        category_order
    from {{ ref('reason_codes') }}
    where is_closure_reason or is_reopen_reason
),

seed_positions as (
    select
        kind,
        reason_category,
        dense_rank() over (partition by kind order by category_order) as position
    from seed_categories
),

seed_rows_not_in_macros as (
    select * from seed_positions
    except
    select * from macro_categories
),

macro_rows_not_in_seed as (
    select * from macro_categories
    except
    select * from seed_positions
)

select 'in the seed, not in the macro' as problem, * from seed_rows_not_in_macros
union all
select 'in the macro, not in the seed', * from macro_rows_not_in_seed
