-- Scoring month x score band, plus one 'all' row per month: the scored population, its bad
-- rate over the next risk_bad_horizon_months months (only for months whose outcome window is
-- complete), and the band's share against the baseline month. The 'all' row carries the
-- month's KS, AUC and Gini of the raw score against the outcome and two population stability
-- indices (PSI) against the baseline (var risk_psi_baseline_month, else the first month), each
-- with its reading: of the band mix, and of the mix over the baseline month's score deciles.
-- Population and outcome: int_customer_months_scored.
{%- set baseline_month = "cast('" ~ var('risk_psi_baseline_month') ~ "' as date)"
    if var('risk_psi_baseline_month') else 'scoring_month_on' %}
with scored as (
    select * from {{ ref('int_customer_months_scored') }}
),

score_bands as (
    select * from {{ ref('score_bands') }}
),

months as (
    select distinct
        scoring_month_on,
        is_month_complete,
        has_full_outcome_window
    from scored
),

-- one row: the month of var risk_psi_baseline_month, else the first scoring month
baseline as (
    select min({{ baseline_month }}) as baseline_month_on
    from scored
),

band_counts as (
    select
        scoring_month_on,
        score_band,
        count(*) as customer_count,
        count(case when is_bad then 1 end) as bad_customer_count
    from scored
    group by 1, 2
),

-- every band of the seed in every month, so an empty band still enters the PSI
band_grid as (
    select
        months.scoring_month_on,
        months.is_month_complete,
        months.has_full_outcome_window,
        score_bands.score_band,
        score_bands.band_order,
        coalesce(band_counts.customer_count, 0) as customer_count,
        coalesce(band_counts.bad_customer_count, 0) as bad_customer_count
    from months
    cross join score_bands
    left join band_counts
        on months.scoring_month_on = band_counts.scoring_month_on
        and score_bands.score_band = band_counts.score_band
),

band_shares as (
    select
        band_grid.*,
        {{ safe_ratio('customer_count',
                      'sum(customer_count) over (partition by scoring_month_on)') }}
            as customer_share
    from band_grid
),

with_baseline as (
    select
        band_shares.*,
        baseline.baseline_month_on,
        baseline_shares.customer_share as baseline_share
    from band_shares
    cross join baseline
    left join band_shares as baseline_shares
        on baseline_shares.scoring_month_on = baseline.baseline_month_on
        and band_shares.score_band = baseline_shares.score_band
),

band_rows as (
    select
        scoring_month_on,
        score_band,
        band_order,
        is_month_complete,
        has_full_outcome_window,
        baseline_month_on,
        customer_count,
        case when has_full_outcome_window then bad_customer_count end as bad_customer_count,
        case
            when has_full_outcome_window
                then {{ safe_ratio('bad_customer_count', 'customer_count') }}
        end as bad_rate,
        customer_share,
        baseline_share,
        case
            when baseline_share is not null
                then {{ population_stability_index_term('customer_share', 'baseline_share') }}
        end as psi_contribution
    from with_baseline
),

-- the baseline month's score deciles (risk_psi): cut point k (k = 1 to 9) is the smallest
-- baseline score with at least k/10 of the baseline population at or below it, i.e. the score
-- at sorted position ceil(k n / 10) (numpy's quantile method 'inverted_cdf'), found with
-- integer arithmetic; a score's decile is 1 + the number of cut points strictly below it
-- (bins closed on the right: a score equal to a cut point is in the lower decile; tied cut
-- points leave a decile empty in every month, so its PSI term is 0)
baseline_scores as (
    select
        scored.score,
        row_number() over (order by scored.score) as score_position,
        count(*) over () as baseline_customer_count
    from scored
    inner join baseline on scored.scoring_month_on = baseline.baseline_month_on
),

decile_cuts as (
    select
        {%- for k in range(1, 10) %}
        min(case when score_position * 10 >= baseline_customer_count * {{ k }} then score end)
            as decile_cut_{{ k }}{{ ',' if not loop.last }}{% endfor %}
    from baseline_scores
),

scored_deciles as (
    select
        scored.scoring_month_on,
        1
        {%- for k in range(1, 10) %}
        + case when scored.score > decile_cuts.decile_cut_{{ k }} then 1 else 0 end
        {%- endfor %} as score_decile
    from scored
    cross join decile_cuts
),

deciles as (
    {%- for k in range(1, 11) %}
    select {{ k }} as score_decile{{ ' union all' if not loop.last }}
    {%- endfor %}
),

-- every decile in every month, so an empty decile still enters the PSI
decile_shares as (
    select
        months.scoring_month_on,
        deciles.score_decile,
        {{ safe_ratio(
            'count(scored_deciles.score_decile)',
            'sum(count(scored_deciles.score_decile)) over (partition by months.scoring_month_on)'
        ) }} as customer_share
    from months
    cross join deciles
    left join scored_deciles
        on months.scoring_month_on = scored_deciles.scoring_month_on
        and deciles.score_decile = scored_deciles.score_decile
    group by months.scoring_month_on, deciles.score_decile
),

decile_psi as (
    select
        decile_shares.scoring_month_on,
        sum(
            case
                when baseline_shares.customer_share is not null
                    then {{ population_stability_index_term(
                        'decile_shares.customer_share', 'baseline_shares.customer_share'
                    ) }}
            end
        ) as decile_population_stability_index
    from decile_shares
    cross join baseline
    left join decile_shares as baseline_shares
        on baseline_shares.scoring_month_on = baseline.baseline_month_on
        and decile_shares.score_decile = baseline_shares.score_decile
    group by decile_shares.scoring_month_on
),

ks as (
    {{ ks_statistic('scored', ['scoring_month_on'], 'score', 'is_bad') }}
),

auc as (
    {{ area_under_roc('scored', ['scoring_month_on'], 'score', 'is_bad') }}
),

month_rows as (
    select
        band_rows.scoring_month_on,
        'all' as score_band,
        0 as band_order,
        min(case when band_rows.is_month_complete then 1 else 0 end) = 1 as is_month_complete,
        min(case when band_rows.has_full_outcome_window then 1 else 0 end) = 1
            as has_full_outcome_window,
        min(band_rows.baseline_month_on) as baseline_month_on,
        sum(band_rows.customer_count) as customer_count,
        sum(band_rows.bad_customer_count) as bad_customer_count,
        {{ safe_ratio('sum(band_rows.bad_customer_count)', 'sum(band_rows.customer_count)') }}
            as bad_rate,
        1.0 as customer_share,
        1.0 as baseline_share,
        sum(band_rows.psi_contribution) as psi_contribution
    from band_rows
    group by band_rows.scoring_month_on
),

final as (
    select
        -- keys
        all_rows.scoring_month_on,
        all_rows.score_band,
        all_rows.band_order,
        all_rows.is_month_complete,
        all_rows.has_full_outcome_window,
        -- population and outcome
        cast(all_rows.customer_count as bigint) as customer_count,
        cast(all_rows.bad_customer_count as bigint) as bad_customer_count,
        all_rows.bad_rate,
        {{ wilson_interval('all_rows.bad_customer_count', 'all_rows.customer_count', 'lower') }}
            as bad_rate_lower_bound,
        {{ wilson_interval('all_rows.bad_customer_count', 'all_rows.customer_count', 'upper') }}
            as bad_rate_upper_bound,
        -- stability against the baseline month
        all_rows.baseline_month_on,
        all_rows.customer_share,
        all_rows.baseline_share,
        all_rows.psi_contribution,
        case when all_rows.score_band = 'all' then all_rows.psi_contribution end
            as population_stability_index,
        case
            when all_rows.score_band = 'all'
                then {{ population_stability_reading('all_rows.psi_contribution') }}
        end as psi_reading,
        case when all_rows.score_band = 'all' then decile_psi.decile_population_stability_index end
            as decile_population_stability_index,
        case
            when all_rows.score_band = 'all'
                then {{ population_stability_reading(
                    'decile_psi.decile_population_stability_index'
                ) }}
        end as decile_psi_reading,
        -- discrimination of the score (month rows only, complete outcome windows only)
        case when all_rows.score_band = 'all' then ks.ks_statistic end as ks_statistic,
        case when all_rows.score_band = 'all' then auc.auc end as auc,
        case when all_rows.score_band = 'all' then 2 * auc.auc - 1 end as gini
    from (
        select * from band_rows
        union all
        select * from month_rows
    ) as all_rows
    left join ks on all_rows.scoring_month_on = ks.scoring_month_on
    left join auc on all_rows.scoring_month_on = auc.scoring_month_on
    left join decile_psi on all_rows.scoring_month_on = decile_psi.scoring_month_on
)

select * from final
