{#- The order of the roll states (risk_roll_state), best to worst: no balance, M0 ... M7+, written
    off. A move to a higher order is a roll forward; written off is the last state. -#}
{% macro roll_state_order(state) -%}
    case {{ state }}
        when 'no_balance' then -1
        when 'M0' then 0
        when 'M1' then 1
        when 'M2' then 2
        when 'M3' then 3
        when 'M4' then 4
        when 'M5' then 5
        when 'M6' then 6
        when 'M7+' then 7
        when 'written_off' then 8
    end
{%- endmacro %}
