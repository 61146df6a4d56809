-- Every raw limit-event row once: typed, with the first rule it breaks (see _lender__docs.md).
-- The event-sequence part of impossible_order walks each line's events as a state machine.

with

source as (
    select * from {{ source('lender', 'limit_events') }}
),

accepted_lines as (
    select line_id, opened_at from {{ ref('stg_credit_lines') }}
),

typed as (
    select
        {{ struct_of('event_id, line_id, event_at, event_type, limit_before, limit_after, reason_code, initiated_by, load_date') }} as raw_row,

        -- ids
        {{ safe_cast('event_id', 'string') }} as event_id,
        {{ safe_cast('line_id', 'string') }} as line_id,

        -- dates
        {{ safe_cast('event_at', 'timestamp') }} as event_at,

        -- attributes
        {{ safe_cast('event_type', 'string') }} as event_type,
        {{ safe_cast('reason_code', 'string') }} as reason_code,
        {{ safe_cast('initiated_by', 'string') }} as initiated_by,

        -- amounts
        {{ safe_cast('limit_before', 'decimal(18, 2)') }} as limit_before_amount,
        {{ safe_cast('limit_after', 'decimal(18, 2)') }} as limit_after_amount,

        -- lineage
        {{ safe_cast('load_date', 'date') }} as load_date

    from source
),

row_rules_checked as (
    select
        *,
        {{ first_broken_rule([
            ('missing_key', 'raw_row.event_id is null'),
            ('missing_required', 'raw_row.line_id is null or raw_row.event_at is null'
                ~ ' or raw_row.event_type is null or raw_row.limit_before is null'
                ~ ' or raw_row.limit_after is null or raw_row.reason_code is null'
                ~ ' or raw_row.initiated_by is null or raw_row.load_date is null'),
            ('wrong_type', is_wrong_type('raw_row.event_at', 'event_at')
                ~ ' or ' ~ is_wrong_type('raw_row.limit_before', 'limit_before_amount')
                ~ ' or ' ~ is_wrong_type('raw_row.limit_after', 'limit_after_amount')
                ~ ' or ' ~ is_wrong_type('raw_row.load_date', 'load_date')),
            ('negative_amount', 'limit_before_amount < 0 or limit_after_amount < 0'),
            ('unknown_code', is_unknown_code('event_type', 'limit_events', 'event_type')
                ~ ' or ' ~ is_unknown_code('initiated_by', 'limit_events', 'initiated_by')
                ~ ' or ' ~ is_unknown_code('reason_code', seed='reason_codes', code_column='reason_code')),
        ]) }} as row_rule
    from typed
),

duplicates_ranked as (
    select
        *,
        row_number() over (
            partition by event_id, row_rule is null
            order by
                load_date, event_at, line_id, event_type, limit_before_amount,
                limit_after_amount, reason_code, initiated_by
        ) as key_rank
    from row_rules_checked
),

parents_joined as (
    select
        duplicates_ranked.*,
        accepted_lines.line_id is not null as has_line,
        duplicates_ranked.event_at < accepted_lines.opened_at as is_before_line_opened
    from duplicates_ranked
    left join accepted_lines
        on duplicates_ranked.line_id = accepted_lines.line_id
),

rules_checked_but_sequence as (
    select
        *,
        coalesce(
            row_rule,
            {{ first_broken_rule([
                ('duplicate_key', 'key_rank > 1'),
                ('orphan', 'not has_line'),
                ('impossible_order', 'is_before_line_opened'),
            ]) }}
        ) as rule_but_sequence
    from parents_joined
),

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
    from rules_checked_but_sequence
    where rule_but_sequence is null
),

-- The walk's accumulator is one string: its first character is the line's state
-- (N no open yet, A active, F frozen, C closed), then one verdict per event so far
-- (y accepted, n rejected). A rejected event leaves the state as it was.
line_sequences_walked as (
    select
        line_id,
        {{ list_fold(
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

rules_checked as (
    select
        rules_checked_but_sequence.*,
        coalesce(
            rule_but_sequence,
            {{ first_broken_rule([
                ('impossible_order', 'sequence_verdicts.is_out_of_sequence'),
            ]) }}
        ) as quarantine_rule
    from rules_checked_but_sequence
    left join sequence_verdicts
        on rules_checked_but_sequence.rule_but_sequence is null
        and rules_checked_but_sequence.event_id = sequence_verdicts.event_id
),

final as (
    select
        event_id,
        line_id,
        event_at,
        event_type,
        limit_before_amount,
        limit_after_amount,
        reason_code,
        initiated_by,
        load_date,
        quarantine_rule,
        {{ raw_record_json('raw_row') }} as raw_record
    from rules_checked
)

select * from final
