-- Every line has exactly one open event, and it is the line's first event.
select
    lines.line_id,
    count(events.event_id) filter (where events.event_type = 'open') as openings,
    min(events.event_seq) filter (where events.event_type = 'open') as opening_seq
from {{ ref('dim_credit_lines') }} as lines
left join {{ ref('fct_limit_events') }} as events on lines.line_id = events.line_id
group by lines.line_id
having openings <> 1 or opening_seq <> 1
