{#- The order of the roll states (risk_roll_state), best to worst: no balance, the DPD buckets
    (M0 ... M7+, their bucket_order), written off. A move to a higher order is a roll forward;
    written off is the last state. -#}
{% macro roll_state_order(state) -%}
    {%- set ladder = dpd_buckets() %}
    case {{ state }}
        when 'no_balance' then -1
        {%- for bucket in ladder %}
        when '{{ bucket.dpd_bucket }}' then {{ bucket.bucket_order }}
        {%- endfor %}
        when 'written_off' then {{ ladder[-1].bucket_order + 1 }}
    end
{%- endmacro %}
