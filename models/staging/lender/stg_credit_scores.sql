with

checked as (
    select * from {{ ref('base_credit_scores_checked') }}
),

accepted as (
    select
        -- ids
        customer_id,

        -- dates
        scored_at,
        cast(scored_at as date) as scored_on,

        -- scores
        score,

        -- lineage
        load_date

    from checked
    where quarantine_rule is null
)

select * from accepted
