-- Every raw limit-event row once: typed, with the first rule it breaks (see _lender__docs.md).
-- The row rules come from the contract spec (_lender__sources.yml). The line's rules are
-- here: the line must be accepted, no event comes before the line opened, and the events
-- must follow each other as a line's states allow (impossible_order, walked per line as a
-- state machine).
-- depends_on: {{ ref('allowed_values') }}
-- depends_on: {{ ref('reason_codes') }}

with

{{ checked_raw_rows(
    'limit_events',
    rule_column='rule_but_sequence',
    final=false,
    parent=('stg_credit_lines', 'line_id', ['opened_at']),
    later_rules=[
        ('orphan', 'parent_line_id is null'),
        ('impossible_order', 'event_at < parent_opened_at'),
    ],
) }},

-- The events that break no other rule, numbered per line in the order they happened.
sequence_ordered as (
    select
        event_id,
        line_id,
        event_type,
        row_number() over (
            partition by line_id
            order by
                event_at,
                case event_type
                    when 'open' then 1 when 'increase' then 2 when 'decrease' then 3
                    when 'freeze' then 4 when 'unfreeze' then 5 when 'close' then 6
                    when 'reopen' then 7
                end,
                event_id
        ) as event_seq
    from rules_checked
    where rule_but_sequence is null
),

-- The walk's accumulator is one string: its first character is the line's state
-- (N no open yet, A active, F frozen, C closed), then one verdict per event so far
-- (y accepted, n rejected). A rejected event leaves the state as it was.
line_sequences_walked as (
    select
        line_id,
        -- sqlfluff's DuckDB dialect does not parse the lambda list_fold renders (lambda a, x: ...)
        /* noqa: PRS */ {{ list_fold(
            ordered_list_agg('event_type', ['event_seq']),
            "'N'", 'walk', 'event_type',
            "case
                when event_type = 'open' and substr(walk, 1, 1) = 'N'
                    then 'A' || substr(walk, 2) || 'y'
                when event_type in ('increase', 'decrease') and substr(walk, 1, 1) != 'C'
                    then walk || 'y'
                when event_type = 'freeze' and substr(walk, 1, 1) != 'C'
                    then 'F' || substr(walk, 2) || 'y'
                when event_type = 'unfreeze' and substr(walk, 1, 1) = 'F'
                    then 'A' || substr(walk, 2) || 'y'
                when event_type = 'close' and substr(walk, 1, 1) != 'C'
                    then 'C' || substr(walk, 2) || 'y'
                when event_type = 'reopen' and substr(walk, 1, 1) = 'C'
                    then 'A' || substr(walk, 2) || 'y'
                else walk || 'n'
            end"
        ) }} as walk
    from sequence_ordered
    group by line_id
),

-- Event k's verdict is character k + 1 of its line's walk.
sequence_verdicts as (
    select
        sequence_ordered.event_id,
        substr(line_sequences_walked.walk, sequence_ordered.event_seq + 1, 1) = 'n'
            as is_out_of_sequence
    from sequence_ordered
    inner join line_sequences_walked
        on sequence_ordered.line_id = line_sequences_walked.line_id
),

sequence_checked as (
    select
        rules_checked.*,
        coalesce(
            rule_but_sequence,
            {{ first_broken_rule([
                ('impossible_order', 'sequence_verdicts.is_out_of_sequence'),
            ]) }}
        ) as quarantine_rule
    from rules_checked
    left join sequence_verdicts
        on rules_checked.rule_but_sequence is null
        and rules_checked.event_id = sequence_verdicts.event_id
),

{{ checked_rows_final('limit_events', 'sequence_checked') }}
