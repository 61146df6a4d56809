"""Conformance books for the lifecycle marts (_lifecycle__docs.md, lifecycle_populations): a
few lines whose every figure was worked out by hand, built with dbt and checked exactly.

Every line is CASH, opened 2023-01-05 (so the month spine starts in January 2023); loans are
zero-interest, 100 per installment; charge_off_dpd is 180 (set with --vars). The as-of date
is 2024-06-30 (a late inquiry in each book).

Recovery book (mart_recovery_curves):

    A   line LA, loan NA of 300 drawn 2023-01-10, due Feb 10, Mar 10, Apr 10, never paid;
        the line is closed for OVERDUE on 2023-03-15 (closure month March = month 0).
        Month-end DPD counts from the oldest unpaid due date, Feb 10:
        Jan 31 owed 300, not due = current (k = -2) | Feb 28 DPD 18 = 1-30 (k = -1) |
        Mar 31 DPD 49 = 30+ (k = 0) | Apr 30 79 | May 31 110 | Jun 30 140 | Jul 31 171:
        30+ (k = 1..4) | charged off on Feb 10 + 181 days = Aug 10 (28 + 31 + 30 + 31 + 30 +
        31 = 181): written off from Aug (k = 5) and for good to Mar 2024 (k = 12), although
        the core's DPD reads 0 and the balance 0 after the write-off. Never "current" after
        the closure. Scores: 620 on 2022-12-01, 540 from 2023-04-01.
    B   line LB, never drawn (no balance every month), closed for SCORE_DROP on 2023-06-01.
        Scores: 700 on 2023-01-01 (the pre-closure score: the latest on or before the
        closure date - 90 days = 2023-03-03), 600 on 2023-05-20 (the shock), 650 on
        2023-08-15: back halfway and no further.
    C   line LC, never drawn, closed for SCORE_DROP on 2023-06-01. Scores: 700 on
        2023-01-01, 600 on 2023-05-20, 710 on 2023-09-10 (back in full).

Reopen book (mart_reopen_outcomes): two reopenings and three never-closed lines, nobody
scored, so every observation is in the cell CASH x 'unscored' x months-on-book 0-5 of its
month.

    R1  line closed for INACTIVITY 2023-03-02, reopened (GOOD_BEHAVIOUR) 2023-03-20: index
        month March 2023. Never drawn afterwards.
    R2  line closed for INACTIVITY 2023-03-03, reopened 2023-04-20: index month April (R2
        is closed at the March month-end, so it is no March comparable).
    N1  never closed; a loan drawn 2023-05-01 with its first installment due 2023-06-01
        never paid: 30+ DPD from Jun 1 + 31 days = 2023-07-02. Open and current (nothing due)
        at Mar 31 and Apr 30: a comparable in both months, and 30+ within 6 and 12 months
        of both index dates.
    N2  never closed, never drawn: a comparable in both months, never 30+.
    N3  never closed; a loan drawn 2023-02-01, due Mar 20 (paid Apr 5), Apr 20 and May 20
        (paid on time): 11 DPD at Mar 31, so not current then; current at Apr 30: a
        comparable in April only, never 30+.
"""

import math
from collections import defaultdict

import pytest
from dbt_support import built_book
from test_lifecycle import Z95, customer, event, line, loan, wilson

pytestmark = pytest.mark.integration  # builds hand-made books with dbt

CHARGE_OFF_VARS = "{charge_off_dpd: 180}"
AS_OF_INQUIRY = {
    "inquiry_id": "Q1",
    "customer_id": "C1",
    "inquired_at": "2024-06-30 12:00:00",
    "institution_type": "bank",
}


def opening(n: int, line_id: str) -> dict:
    return event(f"O{n}", line_id, "2023-01-05 10:00:00", "open", "0", "1000", "NEW_LINE", "system")


def add_loans(tables: dict[str, list[dict]], loans: list[tuple]) -> None:
    for loan_row, installments, repayments in loans:
        tables["loans"].append(loan_row)
        tables["installments"].extend(installments)
        tables["repayments"].extend(repayments)


def recovery_book() -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = defaultdict(list)
    tables["customers"] = [customer("C1"), customer("C2"), customer("C3")]
    tables["credit_lines"] = [line("LA", "C1", "1000"), line("LB", "C2", "1000"),
                              line("LC", "C3", "1000")]  # fmt: skip
    tables["limit_events"] = [
        opening(1, "LA"),
        opening(2, "LB"),
        opening(3, "LC"),
        event("EA", "LA", "2023-03-15 09:00:00", "close", "1000", "0", "OVERDUE"),
        event("EB", "LB", "2023-06-01 09:00:00", "close", "1000", "0", "SCORE_DROP"),
        event("EC", "LC", "2023-06-01 09:00:00", "close", "1000", "0", "SCORE_DROP"),
    ]
    add_loans(tables, [
        loan("NA", "LA", "2023-01-10 10:00:00", ["2023-02-10", "2023-03-10", "2023-04-10"],
             [None, None, None]),
    ])  # fmt: skip
    scores = [
        ("C1", "2022-12-01", 620), ("C1", "2023-04-01", 540),
        ("C2", "2023-01-01", 700), ("C2", "2023-05-20", 600), ("C2", "2023-08-15", 650),
        ("C3", "2023-01-01", 700), ("C3", "2023-05-20", 600), ("C3", "2023-09-10", 710),
    ]  # fmt: skip
    tables["credit_scores"] = [
        {"customer_id": c, "scored_at": f"{day} 00:00:00", "score": s} for c, day, s in scores
    ]
    tables["credit_inquiries"] = [AS_OF_INQUIRY]
    return dict(tables)


def reopen_book() -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = defaultdict(list)
    names = ["R1", "R2", "N1", "N2", "N3"]
    tables["customers"] = [customer(f"C{n}") for n in range(1, 6)]
    tables["credit_lines"] = [line(name, f"C{n}", "1000") for n, name in enumerate(names, 1)]
    tables["limit_events"] = [opening(n, name) for n, name in enumerate(names, 1)] + [
        event("X1", "R1", "2023-03-02 09:00:00", "close", "1000", "0", "INACTIVITY"),
        event("Y1", "R1", "2023-03-20 09:00:00", "reopen", "0", "1000", "GOOD_BEHAVIOUR"),
        event("X2", "R2", "2023-03-03 09:00:00", "close", "1000", "0", "INACTIVITY"),
        event("Y2", "R2", "2023-04-20 09:00:00", "reopen", "0", "1000", "GOOD_BEHAVIOUR"),
    ]
    add_loans(tables, [
        loan("M1", "N1", "2023-05-01 10:00:00", ["2023-06-01", "2023-07-01", "2023-08-01"],
             [None, None, None]),
        loan("M3", "N3", "2023-02-01 10:00:00", ["2023-03-20", "2023-04-20", "2023-05-20"],
             ["2023-04-05", "2023-04-20", "2023-05-20"]),
    ])  # fmt: skip
    tables["credit_inquiries"] = [AS_OF_INQUIRY]
    return dict(tables)


@pytest.fixture(scope="module")
def recovery(tmp_path_factory):
    work = tmp_path_factory.mktemp("recovery_book")
    with built_book(work, recovery_book(), ["+mart_recovery_curves"], CHARGE_OFF_VARS) as con:
        yield con


@pytest.fixture(scope="module")
def reopen(tmp_path_factory):
    work = tmp_path_factory.mktemp("reopen_book")
    with built_book(work, reopen_book(), ["+mart_reopen_outcomes"], CHARGE_OFF_VARS) as con:
        yield con


STATES = ("current", "dpd_1_to_30", "dpd_30_plus", "written_off", "no_balance")


def curve(con, category: str) -> dict[int, dict]:
    relation = con.sql(
        f"select * from lifecycle.mart_recovery_curves where reason_category = '{category}'"
    )
    return {
        row["months_from_closure"]: row
        for row in (dict(zip(relation.columns, r, strict=True)) for r in relation.fetchall())
    }


def state_of_the_only_line(row: dict) -> str | None:
    """The state holding the curve's single line at that month (None: not on book)."""
    held = [s for s in STATES if row[f"{s}_count"] == 1]
    assert sum(row[f"{s}_count"] for s in STATES) == row["observed_count"]
    return held[0] if held else None


# --- a closure for overdue followed by write-off -----------------------------------------


def test_overdue_closure_is_30_plus_then_written_off_for_good_never_current(recovery):
    overdue = curve(recovery, "overdue")
    states = [state_of_the_only_line(overdue[k]) for k in range(-6, 13)]
    assert states == (
        [None] * 4  # Sep-Dec 2022: the line is not open yet, no state
        + ["current", "dpd_1_to_30"]  # Jan 2023 (owed, not due), Feb (DPD 18)
        + ["dpd_30_plus"] * 5  # Mar (closure month, DPD 49) to Jul 2023 (DPD 171)
        + ["written_off"] * 8  # Aug 2023 (charged off Aug 10) to Mar 2024
    )
    assert [overdue[k]["observed_count"] for k in (-6, -3, -2, 0, 12)] == [0, 0, 1, 1, 1]
    assert overdue[-3]["current_rate"] is None  # no line on book: no share
    # the figure to quote: 30+ or written off stays 1 after the write-off
    assert [overdue[k]["dpd_30_plus_or_written_off_rate"] for k in (0, 4, 5, 12)] == [1.0] * 4
    assert (overdue[12]["dpd_30_plus_rate"], overdue[12]["written_off_rate"]) == (0.0, 1.0)


def test_every_closed_line_is_in_exactly_one_state_and_the_shares_sum_to_1(recovery):
    everyone = curve(recovery, "all")
    # month +1 (Apr / Jul 2023): LA 30+ (DPD 79); LB and LC never drawn: no balance
    assert everyone[1]["closures_count"] == everyone[1]["observed_count"] == 3
    assert (everyone[1]["dpd_30_plus_count"], everyone[1]["no_balance_count"]) == (1, 2)
    assert everyone[1]["dpd_30_plus_rate"] == 1 / 3
    # month +12 (Mar / Jun 2024): LA written off, LB and LC no balance
    assert (everyone[12]["written_off_count"], everyone[12]["no_balance_count"]) == (1, 2)
    assert everyone[12]["dpd_30_plus_or_written_off_rate"] == 1 / 3
    for k, row in everyone.items():
        if row["observed_count"]:
            assert sum(row[f"{s}_rate"] for s in STATES) == pytest.approx(1, abs=1e-12), k


# --- a score-drop closure whose score returns halfway ------------------------------------


def test_score_drop_closure_back_halfway_is_not_recovered_against_the_pre_shock_score(recovery):
    episodes = {
        e: (at_closure, before)
        for e, at_closure, before in recovery.sql(
            "select closure_episode_id, score_at_closure, score_90d_before_closure "
            "from lifecycle.fct_closure_episodes"
        ).fetchall()
    }
    # the pre-closure score: the latest on or before closure date - 90 days
    assert episodes == {"EA": (620, 620), "EB": (600, 700), "EC": (600, 700)}
    score_drop = curve(recovery, "score_drop")
    # month 0 (June 2023): both at 600, 100 below 700
    assert (score_drop[0]["mean_score_change"], score_drop[0]["at_or_above_pre_closure_rate"]) == (
        -100.0, 0.0)  # fmt: skip
    # month +2 (Aug 31): B at 650 (against the score at closure, 600, it would read "back"),
    # C still 600: (650 - 700 + 600 - 700) / 2 = -75, nobody back
    assert score_drop[2]["mean_score_change"] == -75.0
    assert score_drop[2]["at_or_above_pre_closure_count"] == 0
    # month +12 (June 2024): B 650 - 700 = -50, C 710 - 700 = +10: mean and median -20;
    # one of the two back (C)
    assert score_drop[12]["scored_count"] == 2
    assert score_drop[12]["mean_score_change"] == -20.0
    assert score_drop[12]["median_score_change"] == -20.0
    assert score_drop[12]["at_or_above_pre_closure_rate"] == 0.5
    # months to recover: C back at month 3 (Sep 30: 710), B never (censored at the as-of
    # month, June 2024 = 12 months): Kaplan–Meier S(3) = 1 - 1/2 = 0.5 <= 0.5 -> median 3
    assert (score_drop[12]["recovery_population_count"], score_drop[12]["recovered_count"]) == (
        2, 1)  # fmt: skip
    assert score_drop[12]["median_months_to_recover"] == 3


def test_overall_score_change_is_measured_from_each_pre_closure_score(recovery):
    everyone = curve(recovery, "all")
    # month +12: A 540 - 620 = -80, B -50, C +10: mean -40, median -50, 1 of 3 back
    row = everyone[12]
    assert (row["scored_count"], row["mean_score_change"], row["median_score_change"]) == (
        3, -40.0, -50.0)  # fmt: skip
    assert row["at_or_above_pre_closure_count"] == 1
    # Kaplan–Meier over A (censored at 15: March 2023 to June 2024), B (censored at 12) and
    # C (back at 3): S(3) = 1 - 1/3 = 2/3 > 0.5, so no median
    assert (row["recovery_population_count"], row["recovered_count"]) == (3, 1)
    assert row["median_months_to_recover"] is None


# --- reopen-outcome intervals for a line counted in several comparison months -----------


def outcome(con, cohort: str) -> dict:
    relation = con.sql(
        "select * from lifecycle.mart_reopen_outcomes "
        f"where segment_type = 'all' and cohort = '{cohort}'"
    )
    return dict(zip(relation.columns, relation.fetchall()[0], strict=True))


def test_comparables_are_the_qualifying_line_months(reopen):
    observations = sorted(
        reopen.sql(
            "select line_id, index_on, has_dpd30_12m "
            "from intermediate.int_reopen_observations_followed where cohort = 'never_closed'"
        ).fetchall()
    )
    assert [(line_id, str(on), has) for line_id, on, has in observations] == [
        ("N1", "2023-03-31", True), ("N1", "2023-04-30", True),
        ("N2", "2023-03-31", False), ("N2", "2023-04-30", False),
        ("N3", "2023-04-30", False),
    ]  # fmt: skip


def test_reopen_intervals_are_clustered_by_line(reopen):
    never_closed = outcome(reopen, "never_closed")
    # 5 observations of 3 lines; 30+ within 12 months: N1 2 of 2, N2 0 of 2, N3 0 of 1
    assert (never_closed["observations_count"], never_closed["lines_count"]) == (5, 3)
    assert (never_closed["dpd30_12m_observed_count"], never_closed["dpd30_12m_count"]) == (5, 2)
    assert never_closed["dpd30_12m_rate"] == 0.4  # the rate counts every observation
    # p = 2/5 = 0.4; residuals k_i - p n_i: N1 2 - 0.8 = 1.2, N2 0 - 0.8 = -0.8,
    # N3 0 - 0.4 = -0.4; sum of squares 1.44 + 0.64 + 0.16 = 2.24;
    # design effect = 2.24 * n / (k (n - k)) = 2.24 * 5 / (2 * 3) = 1.8667 (28/15)
    assert never_closed["dpd30_12m_design_effect"] == pytest.approx(28 / 15, abs=1e-12)
    # Wilson at p = 0.4 with n / deff = 5 * 15/28 = 75/28 = 2.68 observations
    n_eff, z2 = 75 / 28, Z95 * Z95
    centre = (0.4 + z2 / (2 * n_eff)) / (1 + z2 / n_eff)
    half = Z95 * math.sqrt(0.4 * 0.6 / n_eff + z2 / (4 * n_eff * n_eff)) / (1 + z2 / n_eff)
    assert never_closed["dpd30_12m_rate_lower"] == pytest.approx(centre - half, abs=1e-12)
    assert never_closed["dpd30_12m_rate_upper"] == pytest.approx(centre + half, abs=1e-12)
    # wider than the plain Wilson interval of 2 of 5, which treats the 5 line-months as
    # 5 independent lines
    plain_lower, plain_upper = wilson(2, 5)
    assert never_closed["dpd30_12m_rate_lower"] < plain_lower
    assert never_closed["dpd30_12m_rate_upper"] > plain_upper
    # 30+ within 6 months: the same events (Jul 2 is within 6 months of both Mar 31, Apr 30)
    assert never_closed["dpd30_6m_design_effect"] == pytest.approx(28 / 15, abs=1e-12)
    # nobody closed: 0 of 5, no variance to adjust, the plain interval [0, z²/(n + z²)]
    assert never_closed["closed_12m_design_effect"] == 1.0
    assert never_closed["closed_12m_rate_lower"] == 0.0
    assert never_closed["closed_12m_rate_upper"] == pytest.approx(z2 / (5 + z2), abs=1e-12)


def test_reopenings_of_distinct_lines_keep_the_plain_interval(reopen):
    reopened = outcome(reopen, "reopened")
    # R1 and R2, one reopening each, neither 30+ nor closed again: 0 of 2
    assert (reopened["observations_count"], reopened["lines_count"]) == (2, 2)
    assert (reopened["dpd30_12m_observed_count"], reopened["dpd30_12m_count"]) == (2, 0)
    assert reopened["dpd30_12m_design_effect"] == 1.0
    assert reopened["dpd30_12m_rate_upper"] == pytest.approx(wilson(0, 2)[1], abs=1e-12)


# --- the generated portfolio --------------------------------------------------------------


def recovery_state(charged_off: float, outstanding: float, dpd: int) -> str:
    """The documented precedence (recovery_state), independently of the mart's SQL."""
    if charged_off > 0:
        return "written_off"
    if outstanding == 0 and dpd == 0:
        return "no_balance"
    if dpd > 30:
        return "dpd_30_plus"
    return "dpd_1_to_30" if dpd > 0 else "current"


@pytest.mark.integration
def test_generated_recovery_states_recompute_from_the_line_months_and_sum_to_1(warehouse):
    followed = warehouse.sql("""
        select e.closure_episode_id, e.line_id, e.closure_month_on, e.score_90d_before_closure
        from lifecycle.fct_closure_episodes as e
        inner join intermediate.int_months_spined as m
            on m.month_start_on = e.closure_month_on + interval 12 month and m.is_month_complete
    """).fetchall()
    line_months = {
        (line_id, month): (charged_off, outstanding, dpd, score)
        for line_id, month, charged_off, outstanding, dpd, score in warehouse.sql("""
            select line_id, month_start_on, charged_off_principal_amount,
                   outstanding_principal_amount, dpd_month_end, score
            from core.fct_line_months""").fetchall()
    }
    assert len(followed) > 50
    expected: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for _, line_id, closure_month, pre_closure_score in followed:
        for k in range(-6, 13):
            month_index = closure_month.year * 12 + closure_month.month - 1 + k
            month = closure_month.replace(year=month_index // 12, month=month_index % 12 + 1)
            found = line_months.get((line_id, month))
            if found is None:
                continue
            charged_off, outstanding, dpd, score = found
            expected[k][recovery_state(charged_off, outstanding, dpd)] += 1
            if score is not None and pre_closure_score is not None:
                expected[k]["scored"] += 1
                expected[k]["back"] += score >= pre_closure_score
    built = curve(warehouse, "all")
    assert sorted(built) == list(range(-6, 13))
    for k, row in built.items():
        assert {s: row[f"{s}_count"] for s in STATES} == {s: expected[k][s] for s in STATES}, k
        assert (row["scored_count"], row["at_or_above_pre_closure_count"]) == (
            expected[k]["scored"], expected[k]["back"]), k  # fmt: skip
        if row["observed_count"]:
            assert abs(sum(row[f"{s}_rate"] for s in STATES) - 1) < 1e-9, k
    # written off is for good: no closed line is written off at +1 and not at +12
    assert built[12]["written_off_count"] >= built[1]["written_off_count"]


@pytest.mark.integration
def test_generated_reopen_intervals_recompute_with_lines_as_clusters(warehouse):
    per_line: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for cohort, line_id, observable, has in warehouse.sql("""
            select cohort, line_id, is_dpd30_12m_observable, has_dpd30_12m
            from intermediate.int_reopen_observations_followed""").fetchall():
        if observable:
            per_line[cohort][line_id][0] += 1
            per_line[cohort][line_id][1] += bool(has)
    assert per_line["never_closed"] and any(n > 1 for n, _ in per_line["never_closed"].values())
    for cohort, lines in per_line.items():
        n = sum(n_i for n_i, _ in lines.values())
        k = sum(k_i for _, k_i in lines.values())
        p = k / n
        if 0 < k < n and len(lines) > 1:
            residuals = sum((k_i - p * n_i) ** 2 for n_i, k_i in lines.values())
            deff = max(1.0, residuals * n / (k * (n - k)))
        else:
            deff = 1.0 if k in (0, n) else float(n)
        n_eff, z2 = n / deff, Z95 * Z95
        centre = (p + z2 / (2 * n_eff)) / (1 + z2 / n_eff)
        half = Z95 * math.sqrt(p * (1 - p) / n_eff + z2 / (4 * n_eff * n_eff)) / (1 + z2 / n_eff)
        row = outcome(warehouse, cohort)
        assert (row["dpd30_12m_observed_count"], row["dpd30_12m_count"]) == (n, k)
        assert row["dpd30_12m_design_effect"] == pytest.approx(deff, rel=1e-9)
        assert row["dpd30_12m_rate_lower"] == pytest.approx(max(0.0, centre - half), abs=1e-9)
        assert row["dpd30_12m_rate_upper"] == pytest.approx(min(1.0, centre + half), abs=1e-9)
