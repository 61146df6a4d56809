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
    for start, count in zip(first, counts, strict=True):
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
            shares.filter(pl.col("scoring_month_on") == month)
            .select("score_band", "share")
            .iter_rows()
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
        expected_psi = float(
            np.sum((actual_share - expected_share) * np.log(actual_share / expected_share))
        )
        assert psi == pytest.approx(expected_psi, abs=1e-9)
        assert reading == ("stable" if psi < 0.1 else "watch" if psi <= 0.25 else "shift")


def _decile_of(scores: np.ndarray, baseline_scores: np.ndarray) -> np.ndarray:
    """Decile 1..10 of each score against the baseline's cut points (risk_psi): cut k is
    numpy's inverted-CDF quantile k/10 of the baseline (the score at sorted position
    ceil(k n / 10)); bins are closed on the right, so a score equal to a cut is in the lower
    decile (searchsorted side='left' counts the cuts strictly below)."""
    cuts = np.quantile(baseline_scores, np.arange(1, 10) / 10, method="inverted_cdf")
    return np.searchsorted(cuts, scores, side="left") + 1


def test_score_population_holds_no_customer_with_an_earlier_write_off(warehouse):
    """Written off is for good: a customer with any line charged off at or before the scoring
    month-end is never in the score population as "not yet bad"."""
    scored_after_write_off = warehouse.sql(
        "select count(*) from intermediate.int_customer_months_scored as scored "
        "where exists (select 1 from core.fct_line_months as months "
        "where months.customer_id = scored.customer_id "
        "and months.month_start_on = scored.scoring_month_on "
        "and months.charged_off_principal_amount > 0)"
    ).fetchall()[0][0]
    assert scored_after_write_off == 0


def test_decile_psi_matches_an_independent_numpy_computation(warehouse):
    rows = _frame(
        warehouse,
        "select scoring_month_on, score from intermediate.int_customer_months_scored",
    )
    baseline_month = rows["scoring_month_on"].min()  # var risk_psi_baseline_month is empty
    baseline_scores = rows.filter(pl.col("scoring_month_on") == baseline_month)["score"].to_numpy()

    def decile_shares(month) -> np.ndarray:
        scores = rows.filter(pl.col("scoring_month_on") == month)["score"].to_numpy()
        counts = np.bincount(_decile_of(scores, baseline_scores), minlength=11)[1:]
        return np.maximum(counts / counts.sum(), PSI_FLOOR)

    expected_share = decile_shares(baseline_month)
    mart = _frame(
        warehouse,
        "select scoring_month_on, decile_population_stability_index, decile_psi_reading "
        "from risk.mart_score_band_performance where score_band = 'all'",
    )
    assert mart.height > 1
    for month, psi, reading in mart.iter_rows():
        actual_share = decile_shares(month)
        terms = (actual_share - expected_share) * np.log(actual_share / expected_share)
        expected_psi = float(np.sum(terms))
        assert psi == pytest.approx(expected_psi, abs=1e-9)
        assert reading == ("stable" if psi < 0.1 else "watch" if psi <= 0.25 else "shift")
    band_rows = warehouse.sql(
        "select count(*) from risk.mart_score_band_performance "
        "where score_band <> 'all' and decile_population_stability_index is not null"
    ).fetchall()[0][0]
    assert band_rows == 0


def test_roll_rate_rows_sum_to_one_by_count_and_balance(warehouse):
    sums = _frame(
        warehouse,
        "select month_start_on, product_code, from_bucket, "
        "sum(count_share) as c, sum(balance_share) as b "
        "from risk.mart_roll_rates group by all",
    )
    assert sums.height > 0
    assert np.allclose(sums["c"].to_numpy(), 1.0, atol=1e-9)
    balance = sums["b"].drop_nulls().to_numpy()
    assert np.allclose(balance, 1.0, atol=1e-9)


def roll_transitions_from_line_months(con) -> pl.DataFrame:
    """Every month's roll transitions recounted from core.fct_line_months with the documented
    rule (risk_roll_population): a line is in the population at a month-end when nothing of it
    is written off and it holds a balance, is past due or is open; it moves to its state at the
    next month-end, whatever that is (written off, paid up, any bucket)."""
    months = _frame(
        con,
        "select line_id, product_code, month_start_on, line_status, dpd_month_end, "
        "dpd_bucket_month_end, outstanding_principal_amount::double as balance, "
        "charged_off_principal_amount::double as charged_off "
        "from core.fct_line_months",
    ).sort("line_id", "month_start_on")
    state = (
        pl.when(pl.col("charged_off") > 0)
        .then(pl.lit("written_off"))
        .when(pl.col("dpd_month_end") > 0)
        .then(pl.col("dpd_bucket_month_end"))
        .when(pl.col("balance") > 0)
        .then(pl.lit("M0"))
        .otherwise(pl.lit("no_balance"))
    )
    in_population = (pl.col("charged_off") == 0) & (
        (pl.col("balance") > 0)
        | (pl.col("dpd_month_end") > 0)
        | (pl.col("line_status") != "closed")
    )
    return (
        months.with_columns(state=state, in_population=in_population)
        .with_columns(
            from_bucket=pl.col("state").shift(1).over("line_id"),
            was_in_population=pl.col("in_population").shift(1).over("line_id"),
        )
        .filter(pl.col("was_in_population").fill_null(False))
        .rename({"state": "to_bucket"})
    )


def test_roll_rates_keep_the_whole_population_recounted_from_line_months(warehouse):
    """Property: for every month, product and from-state, the mart's denominator equals the
    lines of fct_line_months in that state at the previous month-end (not written off), and
    every transition count equals the recount."""
    transitions = roll_transitions_from_line_months(warehouse)
    keys = ["month_start_on", "product_code", "from_bucket", "to_bucket"]
    expected = pl.concat(
        [
            transitions.group_by(keys).len(),
            transitions.with_columns(product_code=pl.lit("all")).group_by(keys).len(),
        ]
    ).rename({"len": "expected"})
    mart = _frame(
        warehouse,
        "select month_start_on, product_code, from_bucket, to_bucket, line_count, "
        "from_bucket_line_count "
        "from risk.mart_roll_rates",
    )
    joined = expected.join(mart, on=keys, how="full", coalesce=True)
    assert joined.height > 0
    assert joined["expected"].to_list() == joined["line_count"].to_list()
    denominators = joined.group_by("month_start_on", "product_code", "from_bucket").agg(
        pl.col("expected").sum(), pl.col("from_bucket_line_count").unique()
    )
    assert (denominators["from_bucket_line_count"].list.len() == 1).all()
    assert (denominators["expected"] == denominators["from_bucket_line_count"].list.first()).all()
    # the lines that pay up and close, and those written off, are in the denominators
    assert set(joined["to_bucket"]) >= {"no_balance", "written_off", "M0", "M1", "M2"}


def test_forward_flows_count_every_line_reaching_the_next_bucket_or_worse(warehouse):
    order = {
        b: i
        for i, b in enumerate(
            ["no_balance", "M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+", "written_off"]
        )
    }
    transitions = roll_transitions_from_line_months(warehouse).with_columns(
        from_order=pl.col("from_bucket").replace_strict(order),
        to_order=pl.col("to_bucket").replace_strict(order),
    )
    expected = (
        transitions.filter(pl.col("from_bucket").is_in(["M0", "M1", "M2", "M3", "M4", "M5", "M6"]))
        .group_by("month_start_on", "from_bucket")
        .agg(((pl.col("to_order") > pl.col("from_order")).sum() / pl.len()).alias("expected"))
    )
    mart = _frame(
        warehouse,
        "select month_start_on, from_bucket, count_rate from risk.mart_roll_rate_flows "
        "where flow_type = 'forward' and product_code = 'all'",
    )
    joined = mart.join(expected, on=["month_start_on", "from_bucket"], how="full", coalesce=True)
    assert joined.height > 0
    assert np.allclose(joined["count_rate"].to_numpy(), joined["expected"].to_numpy(), atol=1e-12)
    # skips exist in the generated book, and they count as forward flows
    skips = transitions.filter(
        (pl.col("to_order") - pl.col("from_order") >= 2) & (pl.col("from_order") >= 1)
    )
    assert skips.height > 0


def test_loan_level_buckets_reconcile_with_the_account_level_ones(warehouse):
    """Both views sum to the receivable; loan level is never worse than account level; and
    the loan-level 30+ balance equals the past-due loans' balances recounted from the
    installments (principal due less principal paid by the snapshot, for loans past due then)."""
    buckets = ["m1", "m2", "m3", "m4", "m5", "m6", "m7_plus"]
    mart = _frame(
        warehouse,
        "select month_start_on, outstanding_principal_amount::double as receivable, "
        + ", ".join(
            f"{b}_balance_amount::double as acc_{b}, "
            f"loan_level_{b}_balance_amount::double as loan_{b}"
            for b in buckets
        )
        + ", loan_level_m0_balance_amount::double as loan_m0 "
        "from risk.mart_portfolio_monthly where grouping_level = 'total'",
    )
    assert mart.height > 0
    loan_total = mart["loan_m0"] + sum(mart[f"loan_{b}"] for b in buckets)
    assert np.allclose(loan_total.to_numpy(), mart["receivable"].to_numpy(), atol=0.005)
    for start in range(len(buckets)):
        worse = buckets[start:]
        assert (
            sum(mart[f"loan_{b}"] for b in worse) <= sum(mart[f"acc_{b}"] for b in worse) + 0.005
        ).all()
    assert (mart["loan_m2"] + mart["loan_m3"]).sum() > 0
    # independent recount of the latest month's loan-level 30+ balance
    latest = mart["month_start_on"].max()
    recount = warehouse.sql(
        f"""
        with snap as (
            select snapshot_on from intermediate.int_months_spined
            where month_start_on = '{latest}'
        ),
        past_due as (
            select loan_id, min(due_on) as oldest_unpaid_due_on
            from core.fct_installments, snap
            where due_on < snap.snapshot_on
                and (fully_paid_on is null or fully_paid_on > snap.snapshot_on)
            group by loan_id
        ),
        paid as (
            select r.loan_id, sum(r.principal_amount) as principal_paid
            from core.fct_repayments r, snap where r.paid_on <= snap.snapshot_on group by r.loan_id
        )
        select sum(l.principal_amount - coalesce(paid.principal_paid, 0))::double
        from past_due
        inner join core.fct_loans l on past_due.loan_id = l.loan_id
        left join paid on past_due.loan_id = paid.loan_id
        cross join snap
        where snap.snapshot_on - past_due.oldest_unpaid_due_on > 30
          and (l.charged_off_on is null or l.charged_off_on > snap.snapshot_on)
        """
    ).fetchall()[0][0]
    row = mart.filter(pl.col("month_start_on") == latest).row(0, named=True)
    assert sum(row[f"loan_{b}"] for b in buckets[1:]) == pytest.approx(recount or 0.0, abs=0.01)


def test_window_roll_rates_keep_lines_that_cure_and_close(warehouse):
    """The window table's rows hold every line in the roll population at some month-end of
    the look-back window and not written off at the observation month-end, closed or not."""
    rows = (
        _frame(
            warehouse,
            "select month_start_on from intermediate.int_line_months_windowed "
            "where not is_written_off and was_in_roll_population_window_before "
            "and is_month_complete "
            "and months_in_window_before = 6 and complete_months_window_after = 12",
        )
        .group_by("month_start_on")
        .len()
    )
    mart = _frame(
        warehouse,
        "select observation_month_on as month_start_on, sum(line_count) as n "
        "from risk.mart_roll_rate_windows group by 1",
    )
    joined = rows.join(mart, on="month_start_on", how="full", coalesce=True)
    assert joined.height > 0
    assert joined["len"].to_list() == joined["n"].to_list()
    closed = warehouse.sql(
        "select count(*) from intermediate.int_line_months_windowed where not is_written_off "
        "and was_in_roll_population_window_before and not is_in_roll_population "
        "and months_in_window_before = 6 and complete_months_window_after = 12"
    ).fetchall()[0][0]
    assert closed > 0, "no line that paid up and closed stayed in the window population"


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
            for c in [
                "ever_30_plus_count_rate",
                "ever_90_plus_count_rate",
                "ever_30_plus_principal_rate",
            ]
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
            (
                pl.col("balance").filter(pl.col("dpd_month_end") > 30).sum()
                / pl.col("balance").sum()
            ).alias("r30"),
            (
                pl.col("balance").filter(pl.col("dpd_month_end") > 90).sum()
                / pl.col("balance").sum()
            ).alias("r90"),
        )
    )
    mart = _frame(
        warehouse,
        "select month_start_on, dpd_30_plus_balance_rate, npl_ratio "
        "from risk.mart_portfolio_monthly "
        "where grouping_level = 'total'",
    )
    joined = mart.join(expected, on="month_start_on")
    assert joined.height == mart.height
    assert np.allclose(
        joined["dpd_30_plus_balance_rate"].fill_null(0).to_numpy(),
        joined["r30"].fill_nan(0).to_numpy(),
    )
    assert np.allclose(
        joined["npl_ratio"].fill_null(0).to_numpy(), joined["r90"].fill_nan(0).to_numpy()
    )


def test_early_warning_counts_agree_with_the_flagged_line_months(warehouse):
    rows = _frame(
        warehouse,
        "select month_start_on, is_high_utilization, has_credit_event_in_horizon, "
        "has_lender_closure_in_horizon from intermediate.int_line_months_signaled "
        "where is_in_warning_population and is_month_complete",
    )
    expected = rows.group_by("month_start_on").agg(
        pl.len().alias("population"),
        pl.col("is_high_utilization").sum().alias("flagged"),
        (pl.col("is_high_utilization") & pl.col("has_credit_event_in_horizon")).sum().alias("hits"),
        (pl.col("is_high_utilization") & pl.col("has_lender_closure_in_horizon"))
        .sum()
        .alias("closed_hits"),
    )
    mart = _frame(
        warehouse,
        "select month_start_on, population_line_count, flagged_line_count, hit_line_count, "
        "precision_rate, lift, base_rate, lender_closure_hit_line_count, "
        "lender_closure_precision_rate, lender_closure_lift, lender_closure_base_rate "
        "from risk.mart_early_warning where signal_name = 'high_utilization'",
    )
    joined = mart.join(expected, on="month_start_on")
    assert joined.height == mart.height > 0
    assert (joined["population_line_count"] == joined["population"]).all()
    assert (joined["flagged_line_count"] == joined["flagged"]).all()
    observed = joined.filter(
        pl.col("hit_line_count").is_not_null() & (pl.col("flagged_line_count") > 0)
    )
    assert observed.height > 0
    assert (observed["hit_line_count"] == observed["hits"]).all()
    assert np.allclose(
        observed["lift"].to_numpy(), (observed["precision_rate"] / observed["base_rate"]).to_numpy()
    )
    # the lender's closures are a figure of their own, never folded into the credit hits
    assert (observed["lender_closure_hit_line_count"] == observed["closed_hits"]).all()
    closure_precision, closure_base = (
        observed["lender_closure_precision_rate"],
        observed["lender_closure_base_rate"],
    )
    assert np.allclose(
        observed["lender_closure_lift"].to_numpy(), (closure_precision / closure_base).to_numpy()
    )


def test_early_warning_population_and_events_leave_written_off_lines_and_closures_out(warehouse):
    """No line-month in the warning population has had principal written off, and a credit
    event is always more than ew_event_dpd DPD or a write-off, never a closure date alone."""
    written_off_in_population = warehouse.sql(
        "select count(*) from intermediate.int_line_months_signaled as signaled "
        "inner join core.fct_line_months as months using (line_id, month_start_on) "
        "where signaled.is_in_warning_population and months.charged_off_principal_amount > 0"
    ).fetchall()[0][0]
    assert written_off_in_population == 0
    events_not_credit = warehouse.sql(
        "select count(*) from intermediate.int_line_months_signaled "
        "where next_credit_event_on is not null "
        "and next_credit_event_on is distinct from next_delinquent_on "
        "and next_credit_event_on is distinct from next_written_off_on"
    ).fetchall()[0][0]
    assert events_not_credit == 0


def test_watchlist_holds_flagged_lines_of_the_latest_month_in_priority_order(warehouse):
    watch = _frame(warehouse, "select * from risk.mart_watchlist order by priority_rank")
    latest = warehouse.sql("select max(month_start_on) from core.fct_line_months").fetchall()[0][0]
    assert watch.height > 0
    assert (watch["month_start_on"] == latest).all()
    assert (watch["signal_count"] >= 1).all()
    assert watch["line_status"].is_in(["open", "frozen"]).all()
    assert watch["priority_score"].diff().drop_nulls().max() <= 1e-12
    assert watch["priority_rank"].to_list() == list(range(1, watch.height + 1))
