-- Every raw limit-event row once: typed, with the first rule it breaks (see _lender__docs.md).
-- The row rules come from the contract spec (_lender__sources.yml). The line's rules are
-- here: the line must be accepted, no event comes before the line opened, the events must
-- follow each other as a line's states allow (impossible_order), and each event's limit
-- before must be the limit after the one before it (broken_limit_chain); both are walked
-- per line as one state machine.
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
        -- one text per event for the walk: type/limit before/limit after
        event_type || '/' || cast(limit_before_amount as string) || '/'
        || cast(limit_after_amount as string) as walk_step,
        row_number() over (
            partition by line_id order by {{ limit_event_order() }}
        ) as event_seq
    from rules_checked
    where rule_but_sequence is null
),

{#- The walk's accumulator is one string, `<state><verdicts>/<limit>`: the line's state (N no
    open yet, A active, F frozen, C closed), one verdict per event so far (y accepted,
    n out of order, m limit chain broken), and the limit after the last accepted event. -#}
{%- set state = "substr(walk, 1, 1)" %}
{%- set verdicts = "split_part(walk, '/', 1)" %}
{%- set current_limit = "split_part(walk, '/', 2)" %}
{%- set step_type = "split_part(step, '/', 1)" %}
{%- set step_before = "split_part(step, '/', 2)" %}
{%- set step_after = "split_part(step, '/', 3)" %}
{%- set next_state %}
            case
                when {{ step_type }} = 'open' and {{ state }} = 'N' then 'A'
                when {{ step_type }} in ('increase', 'decrease') and {{ state }} in ('A', 'F')
                    then {{ state }}
                when {{ step_type }} = 'freeze' and {{ state }} in ('A', 'F') then 'F'
                when {{ step_type }} = 'unfreeze' and {{ state }} = 'F' then 'A'
                when {{ step_type }} = 'close' and {{ state }} in ('A', 'F') then 'C'
                when {{ step_type }} = 'reopen' and {{ state }} = 'C' then 'A'
            end
{%- endset %}

-- A rejected event leaves the state and the limit as they were, so one bad event does not
-- condemn the rest; an event whose limit_before is not the limit after the line's previous
-- accepted event breaks the chain (the open event starts it).
line_sequences_walked as (
    select
        line_id,
        -- sqlfluff's DuckDB dialect does not parse the lambda list_fold renders (lambda a, x: ...)
        /* noqa: PRS */ {{ list_fold(
            ordered_list_agg('walk_step', ['event_seq']),
            "'N/'", 'walk', 'step',
            "case
                when (" ~ next_state ~ ") is null
                    then " ~ verdicts ~ " || 'n/' || " ~ current_limit ~ "
                when " ~ current_limit ~ " != '' and " ~ step_before ~ " != " ~ current_limit ~ "
                    then " ~ verdicts ~ " || 'm/' || " ~ current_limit ~ "
                else (" ~ next_state ~ ") || substr(" ~ verdicts ~ ", 2) || 'y/' || " ~ step_after ~ "
            end"
        ) }} as walk
    from sequence_ordered
    group by line_id
),

-- Event k's verdict is character k + 1 of its line's walk.
sequence_verdicts as (
    select
        sequence_ordered.event_id,
        substr(line_sequences_walked.walk, sequence_ordered.event_seq + 1, 1) as verdict
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
                ('impossible_order', "sequence_verdicts.verdict = 'n'"),
                ('broken_limit_chain', "sequence_verdicts.verdict = 'm'"),
            ]) }}
        ) as quarantine_rule
    from rules_checked
    left join sequence_verdicts
        on rules_checked.rule_but_sequence is null
        and rules_checked.event_id = sequence_verdicts.event_id
),

{{ checked_rows_final('limit_events', 'sequence_checked') }}
