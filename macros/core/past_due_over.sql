{#- The one reading of "30+" and "90+": *more than* 30 (90) days past due, i.e. DPD bucket M2
    (M4) or worse. Every mart and the FPD use these, so a threshold is never >= in one place
    and > in another. `past_due_over(days, n)` is the general form for a var threshold such
    as ew_event_dpd or risk_bad_dpd ("more than n days"). -#}
{% macro past_due_over(days, threshold) -%}
    ({{ days }} > {{ threshold }})
{%- endmacro %}

{% macro is_dpd_30_plus(days) -%}
    {{ past_due_over(days, 30) }}
{%- endmacro %}

{% macro is_dpd_90_plus(days) -%}
    {{ past_due_over(days, 90) }}
{%- endmacro %}
