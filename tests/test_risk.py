"""Integration checks of the risk marts on the small generated portfolio: the SQL metrics are
recomputed independently in Python (numpy / Polars) from the same rows and must agree."""

import numpy as np
import polars as pl
import pytest

PSI_FLOOR = 0.0001  # var risk_psi_floor_share
SCORE_BANDS = ["350-549", "550-599", "600-649", "650-699", "700-950"]


def _frame(con, sql: str) -> pl.DataFrame:
    return con.sql(sql).pl()


def _ks(scores: np.ndarray, bad: np.ndarray) -> float:
    """Largest gap between the empirical CDFs of bads and goods, at every distinct score."""
    cuts = np.unique(scores)
    bad_scores, good_scores = np.sort(scores[bad]), np.sort(scores[~bad])
    cdf_bad = np.searchsorted(bad_scores, cuts, side="right") / bad_scores.size
    cdf_good = np.searchsorted(good_scores, cuts, side="right") / good_scores.size
    return float(np.max(np.abs(cdf_bad - cdf_good)))


def _auc(scores: np.ndarray, bad: np.ndarray) -> float:
    """Mann-Whitney U of goods over bads with mid-ranks for ties, divided by n_good * n_bad."""
    order = np.argsort(scores, kind="mergesort")
    sorted_scores = scores[order]
    ranks = np.empty(scores.size)
    ranks[order] = np.arange(1, scores.size + 1)
    # average the ranks of tied scores
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    for start, count in zip(first, counts):
        if count > 1:
            ranks[order[start : start + count]] = start + (count + 1) / 2
    n_good, n_bad = int((~bad).sum()), int(bad.sum())
    u_good = ranks[~bad].sum() - n_good * (n_good + 1) / 2
    return float(u_good / (n_good * n_bad))


def test_ks_and_auc_match_an_independent_python_computation(warehouse):
    rows = _frame(
        warehouse,
        "select scoring_month_on, score, is_bad from intermediate.int_customer_months_scored "
        "where has_full_outcome_window",
    )
    mart = _frame(
        warehouse,
        "select scoring_month_on, ks_statistic, auc, gini from risk.mart_score_band_performance "
        "where score_band = 'all' and has_full_outcome_window",
    )
    assert mart.height > 0, "no scoring month with a full outcome window"
    checked = 0
    for month, group in rows.group_by("scoring_month_on"):
        scores = group["score"].to_numpy().astype(float)
        bad = group["is_bad"].to_numpy().astype(bool)
        if bad.all() or not bad.any():
            continue
        expected = mart.filter(pl.col("scoring_month_on") == month[0]).row(0, named=True)
        assert expected["ks_statistic"] == pytest.approx(_ks(scores, bad), abs=1e-9)
        assert expected["auc"] == pytest.approx(_auc(scores, bad), abs=1e-9)
        assert expected["gini"] == pytest.approx(2 * _auc(scores, bad) - 1, abs=1e-9)
        checked += 1
    assert checked == mart.height


def test_psi_matches_an_independent_python_computation(warehouse):
    rows = _frame(
        warehouse,
        "select scoring_month_on, score_band from intermediate.int_customer_months_scored",
    )
    shares = (
        rows.group_by("scoring_month_on", "score_band")
        .len()
        .with_columns((pl.col("len") / pl.col("len").sum().over("scoring_month_on")).alias("share"))
    )
    baseline_month = rows["scoring_month_on"].min()  # var risk_psi_baseline_month is empty

    def share_vector(month) -> np.ndarray:
        month_shares = dict(
            shares.filter(pl.col("scoring_month_on") == month).select("score_band", "share").iter_rows()
        )
        return np.maximum(np.array([month_shares.get(b, 0.0) for b in SCORE_BANDS]), PSI_FLOOR)

    expected_share = share_vector(baseline_month)
    mart = _frame(
        warehouse,
        "select scoring_month_on, population_stability_index, psi_reading "
        "from risk.mart_score_band_performance where score_band = 'all'",
    )
    for month, psi, reading in mart.iter_rows():
        actual_share = share_vector(month)
        expected_psi = float(np.sum((actual_share - expected_share) * np.log(actual_share / expected_share)))
        assert psi == pytest.approx(expected_psi, abs=1e-9)
        assert reading == ("stable" if psi < 0.1 else "watch" if psi <= 0.25 else "shift")


def test_roll_rate_rows_sum_to_one_by_count_and_balance(warehouse):
    sums = _frame(
        warehouse,
        "select month_start_on, product_code, from_bucket, sum(count_share) as c, sum(balance_share) as b "
        "from risk.mart_roll_rates group by all",
    )
    assert sums.height > 0
    assert np.allclose(sums["c"].to_numpy(), 1.0, atol=1e-9)
    balance = sums["b"].drop_nulls().to_numpy()
    assert np.allclose(balance, 1.0, atol=1e-9)


def test_roll_rates_recount_from_line_months(warehouse):
    """Recount one month's transitions from core.fct_line_months with the documented rule."""
    months = _frame(
        warehouse,
        "select line_id, month_start_on, line_status, dpd_month_end, dpd_bucket_month_end, "
        "charged_off_principal_amount from core.fct_line_months",
    ).sort("line_id", "month_start_on")
    months = months.with_columns(
        is_written_off=(pl.col("charged_off_principal_amount") > 0) & (pl.col("dpd_month_end") > 180),
        is_open_or_delinquent=(pl.col("line_status") != "closed") | (pl.col("dpd_month_end") > 0),
    ).with_columns(
        in_population=pl.col("is_open_or_delinquent") & ~pl.col("is_written_off"),
    ).with_columns(
        from_bucket=pl.col("dpd_bucket_month_end").shift(1).over("line_id"),
        was_in_population=pl.col("in_population").shift(1).over("line_id"),
    )
    month = months["month_start_on"].max()
    expected = (
        months.filter(
            (pl.col("month_start_on") == month) & pl.col("was_in_population") & pl.col("is_open_or_delinquent")
        )
        .group_by("from_bucket", "dpd_bucket_month_end")
        .len()
        .rename({"dpd_bucket_month_end": "to_bucket", "len": "expected"})
    )
    mart = _frame(
        warehouse,
        f"select from_bucket, to_bucket, line_count from risk.mart_roll_rates "
        f"where product_code = 'all' and month_start_on = '{month}'",
    )
    joined = expected.join(mart, on=["from_bucket", "to_bucket"], how="full", coalesce=True)
    assert joined.height > 0
    assert joined["expected"].to_list() == joined["line_count"].to_list()


def test_vintage_cumulative_curves_never_decrease_and_stop_at_the_as_of_date(warehouse):
    curves = _frame(
        warehouse,
        "select origination_month_on, product_code, months_on_book, observed_on, "
        "ever_30_plus_count_rate, ever_90_plus_count_rate, ever_30_plus_principal_rate "
        "from risk.mart_vintage_curves order by 1, 2, 3",
    )
    as_of = warehouse.sql("select as_of_on from intermediate.int_as_of_date").fetchall()[0][0]
    assert curves.height > 0
    assert curves["observed_on"].max() <= as_of
    steps = curves.with_columns(
        [
            pl.col(c).diff().over("origination_month_on", "product_code").alias(f"step_{c}")
            for c in ["ever_30_plus_count_rate", "ever_90_plus_count_rate", "ever_30_plus_principal_rate"]
        ]
    )
    for c in ["ever_30_plus_count_rate", "ever_90_plus_count_rate", "ever_30_plus_principal_rate"]:
        assert steps[f"step_{c}"].drop_nulls().min() >= -1e-12
    # the latest vintage is observed for fewer months than the first one: censoring, not zeros
    per_vintage = curves.group_by("origination_month_on").agg(pl.col("months_on_book").max())
    assert per_vintage["months_on_book"].n_unique() > 1


def test_portfolio_delinquency_rates_recomputed_from_line_months(warehouse):
    facts = _frame(
        warehouse,
        "select month_start_on, outstanding_principal_amount::double as balance, dpd_month_end "
        "from core.fct_line_months",
    )
    expected = (
        facts.filter(pl.col("balance") > 0)
        .group_by("month_start_on")
        .agg(
            (pl.col("balance").filter(pl.col("dpd_month_end") > 30).sum() / pl.col("balance").sum()).alias("r30"),
            (pl.col("balance").filter(pl.col("dpd_month_end") > 90).sum() / pl.col("balance").sum()).alias("r90"),
        )
    )
    mart = _frame(
        warehouse,
        "select month_start_on, dpd_30_plus_balance_rate, npl_ratio from risk.mart_portfolio_monthly "
        "where grouping_level = 'total'",
    )
    joined = mart.join(expected, on="month_start_on")
    assert joined.height == mart.height
    assert np.allclose(joined["dpd_30_plus_balance_rate"].fill_null(0).to_numpy(), joined["r30"].fill_nan(0).to_numpy())
    assert np.allclose(joined["npl_ratio"].fill_null(0).to_numpy(), joined["r90"].fill_nan(0).to_numpy())


def test_early_warning_counts_agree_with_the_flagged_line_months(warehouse):
    rows = _frame(
        warehouse,
        "select month_start_on, is_high_utilization, has_event_in_horizon "
        "from intermediate.int_line_months_signaled where is_in_warning_population and is_month_complete",
    )
    expected = rows.group_by("month_start_on").agg(
        pl.len().alias("population"),
        pl.col("is_high_utilization").sum().alias("flagged"),
        (pl.col("is_high_utilization") & pl.col("has_event_in_horizon")).sum().alias("hits"),
    )
    mart = _frame(
        warehouse,
        "select month_start_on, population_line_count, flagged_line_count, hit_line_count, precision_rate, "
        "lift, base_rate from risk.mart_early_warning where signal_name = 'high_utilization'",
    )
    joined = mart.join(expected, on="month_start_on")
    assert joined.height == mart.height > 0
    assert (joined["population_line_count"] == joined["population"]).all()
    assert (joined["flagged_line_count"] == joined["flagged"]).all()
    observed = joined.filter(pl.col("hit_line_count").is_not_null() & (pl.col("flagged_line_count") > 0))
    assert observed.height > 0
    assert (observed["hit_line_count"] == observed["hits"]).all()
    assert np.allclose(
        observed["lift"].to_numpy(), (observed["precision_rate"] / observed["base_rate"]).to_numpy()
    )


def test_watchlist_holds_flagged_lines_of_the_latest_month_in_priority_order(warehouse):
    watch = _frame(warehouse, "select * from risk.mart_watchlist order by priority_rank")
    latest = warehouse.sql("select max(month_start_on) from core.fct_line_months").fetchall()[0][0]
    assert watch.height > 0
    assert (watch["month_start_on"] == latest).all()
    assert (watch["signal_count"] >= 1).all()
    assert watch["line_status"].is_in(["open", "frozen"]).all()
    assert watch["priority_score"].diff().drop_nulls().max() <= 1e-12
    assert watch["priority_rank"].to_list() == list(range(1, watch.height + 1))
