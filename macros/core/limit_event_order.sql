{#- The order of a line's limit events: by time, then (same instant) in the order a line's
    states allow, then by id. Staging's sequence walk and core's event_seq share it, so the
    chain staging checks is the chain the facts hold. -#}
{% macro limit_event_order() -%}
    event_at,
    case event_type
        when 'open' then 1 when 'increase' then 2 when 'decrease' then 3
        when 'freeze' then 4 when 'unfreeze' then 5 when 'close' then 6
        when 'reopen' then 7
    end,
    event_id
{%- endmacro %}
