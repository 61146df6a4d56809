-- Do customers borrow elsewhere after a closure or a cut to zero? Inquiries at other
-- lenders (all institution types) per event, in 30-day windows around the event, against
-- matched never-closed customers. Read the baseline windows first: where they differ
-- (is_baseline_window and an interval excluding 0), read did_per_event instead.
select
    event_type,
    window_start_day,
    is_baseline_window,
    matched_events_count,
    round(treated_inquiries_per_event, 3) as treated_inquiries_per_event,
    round(control_inquiries_per_event, 3) as control_inquiries_per_event,
    round(difference_per_event, 3) as difference_per_event,
    round(difference_lower, 3) as difference_lower,
    round(difference_upper, 3) as difference_upper,
    round(did_per_event, 3) as did_per_event
from {{ ref('mart_post_closure_credit_seeking') }}
where institution_type = 'all'
order by event_type, window_start_day
