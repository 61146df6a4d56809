"""The lifecycle marts: closure episodes, cohorts, Kaplan–Meier survival, recovery curves and
reopen outcomes.

Two kinds of checks. On the small generated portfolio (the session warehouse), the survival
curves and Wilson intervals are recomputed independently in Python from the rows of
fct_closure_episodes, and clean closures are checked against the installments by brute
force. On a hand-made raw extract with planted stories (a clean closure of a good customer,
a line closed, reopened and closed again, a linked-product closure, a zero-limit closure,
two separate overdue episodes), the marts must find exactly those stories.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

import duckdb
import pytest
from dbt_support import dbt_ok
from raw_fixtures import write_raw

Z95 = 1.959963984540054
AS_OF = date(2024, 6, 30)
# The lifecycle marts and everything they read; not their descendants (the case marts
# also need seeds this selection does not load).
LIFECYCLE_SELECTION = ["+path:models/marts/lifecycle"]


# --- independent computations -----------------------------------------------------------


def kaplan_meier(durations: list[int], events: list[bool]) -> list[dict]:
    """Kaplan–Meier by hand: one point per distinct observed time, Greenwood variance and
    the log-log (Kalbfleisch–Prentice) interval."""
    points, survival, greenwood, seen_event = [], 1.0, 0.0, False
    for time in sorted(set(durations)):
        at_risk = sum(1 for d in durations if d >= time)
        reopened = sum(1 for d, e in zip(durations, events, strict=True) if d == time and e)
        censored = sum(1 for d, e in zip(durations, events, strict=True) if d == time and not e)
        if reopened:
            seen_event = True
            survival *= 1 - reopened / at_risk
            greenwood += reopened / (at_risk * (at_risk - reopened)) if reopened < at_risk else 0
        if not seen_event:
            lower = upper = 1.0
        elif survival <= 0:
            lower = upper = 0.0
        else:
            se = math.sqrt(greenwood) / abs(math.log(survival))
            lower, upper = survival ** math.exp(Z95 * se), survival ** math.exp(-Z95 * se)
        points.append(
            {
                "time": time,
                "at_risk": at_risk,
                "reopened": reopened,
                "censored": censored,
                "survival": survival,
                "lower": lower,
                "upper": upper,
            }
        )
    return points


def wilson(successes: int, trials: int) -> tuple[float, float]:
    p, z2 = successes / trials, Z95 * Z95
    centre = p + z2 / (2 * trials)
    half = Z95 * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    return (centre - half) / (1 + z2 / trials), (centre + half) / (1 + z2 / trials)


def rows(con, query: str) -> list[dict]:
    relation = con.sql(query)
    return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


# --- generated portfolio ----------------------------------------------------------------


@pytest.mark.integration
def test_survival_curves_match_an_independent_kaplan_meier_on_the_episodes(warehouse):
    episodes = rows(
        warehouse,
        """
        select closure_reason_category, coalesce(score_band_at_closure, 'unscored') as band,
               is_clean_closure, time_to_reopen_days, is_reopened
        from lifecycle.fct_closure_episodes""",
    )
    assert len(episodes) > 200 and any(e["is_reopened"] for e in episodes)
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for episode in episodes:
        groups[("all", "all")].append(episode)
        groups[("reason_category", episode["closure_reason_category"])].append(episode)
        groups[("score_band_at_closure", episode["band"])].append(episode)
        clean = "clean" if episode["is_clean_closure"] else "not_clean"
        groups[("clean_closure", clean)].append(episode)

    built = defaultdict(list)
    for row in rows(
        warehouse,
        """
            select * from lifecycle.mart_reopen_survival
            order by group_type, group_value, time_to_reopen_days""",
    ):
        built[(row["group_type"], row["group_value"])].append(row)
    assert set(built) == set(groups)

    for key, members in groups.items():
        expected = kaplan_meier(
            [m["time_to_reopen_days"] for m in members], [m["is_reopened"] for m in members]
        )
        got = built[key]
        assert [r["time_to_reopen_days"] for r in got] == [p["time"] for p in expected], key
        for row, point in zip(got, expected, strict=True):
            assert (row["at_risk_count"], row["reopened_count"], row["censored_count"]) == (
                point["at_risk"],
                point["reopened"],
                point["censored"],
            ), key
            assert row["survival_rate"] == pytest.approx(point["survival"], abs=1e-6)
            assert row["survival_lower"] == pytest.approx(point["lower"], abs=1e-6)
            assert row["survival_upper"] == pytest.approx(point["upper"], abs=1e-6)
        below_half = [p["time"] for p in expected if p["survival"] <= 0.5]
        assert got[0]["median_time_to_reopen_days"] == (below_half[0] if below_half else None)


@pytest.mark.integration
def test_cohort_rates_and_wilson_intervals_match_the_episodes(warehouse):
    as_of = warehouse.sql("select as_of_on from intermediate.int_as_of_date").fetchall()[0][0]
    episodes = rows(
        warehouse,
        """
        select closure_month_on, closed_on, time_to_reopen_days, is_reopened
        from lifecycle.fct_closure_episodes""",
    )
    by_month = defaultdict(list)
    for episode in episodes:
        by_month[episode["closure_month_on"]].append(episode)
    totals = rows(
        warehouse,
        """
        select * from lifecycle.mart_closure_cohorts where reason_category = 'all'""",
    )
    assert {t["horizon_days"] for t in totals} == {30, 90, 180, 365}
    checked_nulls = 0
    for total in totals:
        members = by_month[total["closure_month_on"]]
        horizon = total["horizon_days"]
        assert total["closures_count"] == len(members)
        if any(m["closed_on"] + timedelta(days=horizon) > as_of for m in members):
            assert total["reopened_rate"] is None and total["reopened_count"] is None
            checked_nulls += 1
            continue
        reopened = sum(
            1 for m in members if m["is_reopened"] and m["time_to_reopen_days"] <= horizon
        )
        assert total["reopened_count"] == reopened
        assert total["reopened_rate"] == pytest.approx(reopened / len(members))
        lower, upper = wilson(reopened, len(members))
        assert total["reopened_rate_lower"] == pytest.approx(lower, abs=1e-12)
        assert total["reopened_rate_upper"] == pytest.approx(upper, abs=1e-12)
    assert checked_nulls > 0


def test_wilson_interval_gives_the_published_value_for_8_of_10(tmp_path):
    """Wilson (1927) / Newcombe (1998): 8 of 10 gives 0.4902 to 0.9433."""
    lower, upper = wilson(8, 10)
    assert (round(lower, 4), round(upper, 4)) == (0.4902, 0.9433)


@pytest.mark.integration
def test_clean_closures_have_no_late_installment_up_to_the_closure_date(warehouse):
    as_of = warehouse.sql("select as_of_on from intermediate.int_as_of_date").fetchall()[0][0]
    late_from = defaultdict(list)  # customer -> first days each installment was 1+ DPD
    for customer, due_on, paid_on in warehouse.sql("""
            select customer_id, due_on, fully_paid_on from core.fct_installments
            where due_on < coalesce(fully_paid_on, date '9999-12-31')""").fetchall():
        if paid_on is None and due_on >= as_of:
            continue
        late_from[customer].append(due_on + timedelta(days=1))
    episodes = rows(
        warehouse,
        """
        select customer_id, closed_on, is_clean_closure from lifecycle.fct_closure_episodes""",
    )
    mismatches = [
        e
        for e in episodes
        if e["is_clean_closure"]
        != (not any(day <= e["closed_on"] for day in late_from[e["customer_id"]]))
    ]
    assert mismatches == []
    assert any(e["is_clean_closure"] for e in episodes)
    assert any(not e["is_clean_closure"] for e in episodes)


@pytest.mark.integration
def test_recovery_curves_cover_every_month_around_the_closure(warehouse):
    curves = rows(warehouse, "select * from lifecycle.mart_recovery_curves")
    months = sorted({c["months_from_closure"] for c in curves})
    assert months == list(range(-6, 13))
    all_rows = {c["months_from_closure"]: c for c in curves if c["reason_category"] == "all"}
    # from the closure month on, every closed line is on book and has a state
    assert all_rows[0]["observed_count"] == all_rows[0]["closures_count"]
    assert all_rows[12]["closures_count"] == all_rows[-6]["closures_count"] > 0


# --- planted stories --------------------------------------------------------------------


def customer(customer_id: str, occupation: str = "salaried") -> dict:
    return {
        "customer_id": customer_id,
        "created_at": "2022-12-01 09:00:00",
        "birth_year": 1988,
        "city_tier": 2,
        "occupation": occupation,
        "income_band": "10k_20k",
        "channel": "app",
    }


def line(line_id: str, customer_id: str, limit: str, product: str = "CASH") -> dict:
    return {
        "line_id": line_id,
        "customer_id": customer_id,
        "product_code": product,
        "opened_at": "2023-01-05 10:00:00",
        "initial_limit": limit,
    }


def event(
    event_id: str,
    line_id: str,
    at: str,
    kind: str,
    before: str,
    after: str,
    reason: str,
    by: str = "risk_engine",
) -> dict:
    return {
        "event_id": event_id,
        "line_id": line_id,
        "event_at": at,
        "event_type": kind,
        "limit_before": before,
        "limit_after": after,
        "reason_code": reason,
        "initiated_by": by,
    }


def loan(
    loan_id: str,
    line_id: str,
    drawn_at: str,
    dues: list[str],
    paid: list[str | None],
    amount: int = 300,
) -> tuple[dict, list[dict], list[dict]]:
    """A zero-interest loan with one installment per due date, each paid in full on its
    paid date (None = never paid)."""
    per = amount // len(dues)
    loan_row = {
        "loan_id": loan_id,
        "line_id": line_id,
        "drawn_at": drawn_at,
        "principal": str(per * len(dues)),
        "term_months": len(dues),
        "annual_rate": 0.0,
        "repayment_method": "equal_principal",
    }
    installments = [
        {
            "loan_id": loan_id,
            "installment_no": n + 1,
            "due_date": due,
            "principal_due": str(per),
            "interest_due": "0",
        }
        for n, due in enumerate(dues)
    ]
    repayments = [
        {
            "repayment_id": f"{loan_id}-R{n + 1}",
            "loan_id": loan_id,
            "paid_at": f"{day} 12:00:00",
            "amount": str(per),
        }
        for n, day in enumerate(paid)
        if day is not None
    ]
    return loan_row, installments, repayments


def planted_extract() -> dict[str, list[dict]]:
    """Five customers, each one story (as of 2024-06-30):

    C1  good score (680), never late, line L1 closed for inactivity on 2023-06-10; an
        installment paid late *after* the closure in the same month must not spoil the
        clean flag. Never reopened: censored.
    C2  line L2: 14 DPD on the closure date 2023-03-15 (closed OVERDUE), reopened
        2023-07-01 at 2,000 of the old 5,000, a new loan unpaid from 2023-08-05 (30+ DPD, more
        than 30 days, on 2023-09-05), closed again 2023-10-01: two episodes, the second censored.
    C3  line L3 never late, but the customer's other line L4 was 10 days late before L3
        was closed for linked-product risk: not a clean closure.
    C4  line L5 cut to zero then closed (RISK_REVIEW) 2023-04-20, reopened by a campaign on
        2023-06-01 at 3,000 of the last positive 6,000.
    C5  line L6 late in February and in April 2023 but not in March: two overdue episodes
        before its closure on 2023-05-15.
    """
    tables: dict[str, list[dict]] = defaultdict(list)
    tables["customers"] = [
        customer("C1"),
        customer("C2", "freelancer"),
        customer("C3"),
        customer("C4", "student"),
        customer("C5", "self_employed"),
    ]
    tables["credit_lines"] = [
        line("L1", "C1", "10000"),
        line("L2", "C2", "5000"),
        line("L3", "C3", "8000"),
        line("L4", "C3", "4000", "CONSUMER"),
        line("L5", "C4", "6000"),
        line("L6", "C5", "5000"),
    ]
    opens = [
        event(f"O{n}", f"L{n}", "2023-01-05 10:00:00", "open", "0", limit, "NEW_LINE", "system")
        for n, limit in [
            (1, "10000"),
            (2, "5000"),
            (3, "8000"),
            (4, "4000"),
            (5, "6000"),
            (6, "5000"),
        ]
    ]
    tables["limit_events"] = opens + [
        event("E1", "L1", "2023-06-10 09:00:00", "close", "10000", "0", "INACTIVITY"),
        event("E2", "L2", "2023-03-15 09:00:00", "close", "5000", "0", "OVERDUE"),
        event("E3", "L2", "2023-07-01 09:00:00", "reopen", "0", "2000", "GOOD_BEHAVIOUR"),
        event("E4", "L2", "2023-10-01 09:00:00", "close", "2000", "0", "OVERDUE"),
        event("E5", "L3", "2023-05-10 09:00:00", "close", "8000", "0", "LINKED_PRODUCT"),
        event("E6", "L5", "2023-04-20 09:00:00", "decrease", "6000", "0", "RISK_REVIEW"),
        event("E7", "L5", "2023-04-20 09:00:01", "close", "0", "0", "RISK_REVIEW"),
        event(
            "E8", "L5", "2023-06-01 09:00:00", "reopen", "0", "3000", "REOPEN_CAMPAIGN", "marketing"
        ),
        event("E9", "L6", "2023-05-15 09:00:00", "close", "5000", "0", "OVERDUE"),
    ]
    stories = [
        # C1: on time before the closure; due 2023-06-12, paid 2023-06-20 (after it)
        loan(
            "N1",
            "L1",
            "2023-04-12 10:00:00",
            ["2023-05-12", "2023-06-12", "2023-07-12"],
            ["2023-05-12", "2023-06-20", "2023-07-12"],
        ),
        # C2: due 2023-03-01, paid 2023-03-20 (14 DPD on 2023-03-15), then on time
        loan(
            "N2",
            "L2",
            "2023-02-01 10:00:00",
            ["2023-03-01", "2023-04-01", "2023-05-01"],
            ["2023-03-20", "2023-04-01", "2023-05-01"],
        ),
        # C2 after the reopening: never paid
        loan(
            "N3",
            "L2",
            "2023-07-05 10:00:00",
            ["2023-08-05", "2023-09-05", "2023-10-05"],
            [None, None, None],
        ),
        # C3: L3 on time; L4 due 2023-03-01 paid 2023-03-11 (10 DPD)
        loan(
            "N4",
            "L3",
            "2023-02-01 10:00:00",
            ["2023-03-01", "2023-04-01", "2023-05-01"],
            ["2023-03-01", "2023-04-01", "2023-05-01"],
        ),
        loan(
            "N5",
            "L4",
            "2023-02-01 10:00:00",
            ["2023-03-01", "2023-04-01", "2023-05-01"],
            ["2023-03-11", "2023-04-01", "2023-05-01"],
        ),
        # C5: due Feb 1 paid Feb 5; Mar 1 on time; Apr 1 paid Apr 10
        loan(
            "N6",
            "L6",
            "2023-01-10 10:00:00",
            ["2023-02-01", "2023-03-01", "2023-04-01"],
            ["2023-02-05", "2023-03-01", "2023-04-10"],
        ),
    ]
    for loan_row, installments, repayments in stories:
        tables["loans"].append(loan_row)
        tables["installments"].extend(installments)
        tables["repayments"].extend(repayments)
    tables["credit_scores"] = [
        {"customer_id": "C1", "scored_at": "2023-01-01 00:00:00", "score": 680},
        {"customer_id": "C1", "scored_at": "2023-06-01 00:00:00", "score": 690},
        {"customer_id": "C2", "scored_at": "2022-12-01 10:00:00", "score": 640},
        {"customer_id": "C2", "scored_at": "2023-03-10 00:00:00", "score": 560},
        {"customer_id": "C3", "scored_at": "2023-01-01 00:00:00", "score": 610},
        {"customer_id": "C4", "scored_at": "2023-01-01 00:00:00", "score": 600},
        {"customer_id": "C5", "scored_at": "2023-01-01 00:00:00", "score": 580},
    ]
    tables["credit_inquiries"] = [
        {
            "inquiry_id": "Q1",
            "customer_id": "C2",
            "inquired_at": "2023-02-10 10:00:00",
            "institution_type": "bank",
        },
        {
            "inquiry_id": "Q2",
            "customer_id": "C2",
            "inquired_at": "2023-03-01 10:00:00",
            "institution_type": "online_lender",
        },
        # the latest activity in the extract: it makes 2024-06-30 the as-of date
        {
            "inquiry_id": "Q3",
            "customer_id": "C4",
            "inquired_at": "2024-06-30 12:00:00",
            "institution_type": "bank",
        },
    ]
    return dict(tables)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """The planted extract built with dbt (lifecycle marts and their parents)."""
    work = tmp_path_factory.mktemp("planted")
    raw = write_raw(work / "raw", planted_extract(), load_date="2024-06-30")
    db = work / "planted.duckdb"
    # The as-of date comes from the data: its latest activity, the planted inquiry Q3.
    dbt_ok(
        ["build", "--select", *LIFECYCLE_SELECTION, "--indirect-selection", "cautious"],
        db,
        raw,
        work / "target",
    )
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def episodes_by_id(con) -> dict[str, dict]:
    return {
        row["closure_episode_id"]: row
        for row in rows(con, "select * from lifecycle.fct_closure_episodes")
    }


@pytest.mark.integration
def test_planted_close_events_are_exactly_the_episodes_in_order(planted):
    episodes = episodes_by_id(planted)
    assert sorted(
        (e["line_id"], e["closure_seq"], e["closure_episode_id"]) for e in episodes.values()
    ) == [
        ("L1", 1, "E1"),
        ("L2", 1, "E2"),
        ("L2", 2, "E4"),
        ("L3", 1, "E5"),
        ("L5", 1, "E7"),
        ("L6", 1, "E9"),
    ]


@pytest.mark.integration
def test_good_customer_closed_for_inactivity_is_a_clean_censored_closure(planted):
    e1 = episodes_by_id(planted)["E1"]
    assert e1["is_clean_closure"] is True
    assert e1["worst_dpd_before_closure"] == 0
    assert e1["score_at_closure"] == 690 and e1["score_band_at_closure"] == "650-699"
    assert e1["is_reopened"] is False and e1["censored_on"] == AS_OF
    assert e1["time_to_reopen_days"] == (AS_OF - date(2023, 6, 10)).days
    assert e1["has_dpd30_within_365d_after_reopen"] is None


@pytest.mark.integration
def test_closed_reopened_and_closed_again_line_tells_its_whole_story(planted):
    episodes = episodes_by_id(planted)
    first, second = episodes["E2"], episodes["E4"]
    assert first["is_clean_closure"] is False
    assert first["worst_dpd_6m_before_closure"] == 14
    assert first["overdue_episodes_before_closure"] == 1
    assert (first["score_at_closure"], first["score_90d_before_closure"]) == (560, 640)
    assert first["inquiries_30d_before_closure"] == 1
    assert first["customer_segment"] == "freelancer"
    assert first["reopened_on"] == date(2023, 7, 1)
    assert first["time_to_reopen_days"] == (date(2023, 7, 1) - date(2023, 3, 15)).days
    assert first["reopen_limit_ratio"] == pytest.approx(0.4)
    assert first["reclosed_on"] == date(2023, 10, 1)
    assert first["is_reclosed_within_365d"] is True
    assert first["first_dpd30_after_reopen_on"] == date(2023, 9, 5)
    assert first["has_dpd30_within_365d_after_reopen"] is True
    assert second["closure_seq"] == 2 and second["is_reopened"] is False
    assert second["censored_on"] == AS_OF


@pytest.mark.integration
def test_late_payment_on_another_product_makes_a_closure_unclean(planted):
    e5 = episodes_by_id(planted)["E5"]
    assert e5["closure_reason_category"] == "linked_product"
    assert e5["is_clean_closure"] is False
    assert e5["worst_dpd_before_closure"] == 10


@pytest.mark.integration
def test_zero_limit_closure_measures_the_reopen_limit_against_the_last_positive_limit(planted):
    e7 = episodes_by_id(planted)["E7"]
    assert e7["limit_before_closure_amount"] == 0
    assert e7["last_positive_limit_amount"] == 6000
    assert e7["reopen_limit_ratio"] == pytest.approx(0.5)
    assert e7["reopen_reason_category"] == "marketing"
    assert e7["is_clean_closure"] is True


@pytest.mark.integration
def test_two_late_months_with_a_clean_month_between_are_two_overdue_episodes(planted):
    e9 = episodes_by_id(planted)["E9"]
    assert e9["overdue_episodes_before_closure"] == 2
    assert e9["worst_dpd_before_closure"] == 9


@pytest.mark.integration
def test_planted_cohorts_count_the_closures_and_censor_nothing_observed(planted):
    totals = {
        (r["closure_month_on"], r["horizon_days"]): r
        for r in rows(
            planted,
            """
        select * from lifecycle.mart_closure_cohorts where reason_category = 'all'""",
        )
    }
    march = totals[(date(2023, 3, 1), 365)]
    assert (march["closures_count"], march["clean_closures_count"]) == (1, 0)
    assert march["reopened_count"] == 1 and march["reopened_rate"] == 1.0
    assert totals[(date(2023, 3, 1), 90)]["reopened_count"] == 0
    april = totals[(date(2023, 4, 1), 30)]
    assert (april["closures_count"], april["reopened_count"]) == (1, 0)
    assert totals[(date(2023, 4, 1), 90)]["reopened_count"] == 1
    assert sum(r["closures_count"] for (_, h), r in totals.items() if h == 30) == 6


@pytest.mark.integration
def test_planted_survival_curve_has_the_two_reopenings(planted):
    curve = rows(
        planted,
        """
        select * from lifecycle.mart_reopen_survival where group_type = 'all'
        order by time_to_reopen_days""",
    )
    assert curve[0]["at_risk_count"] == 6
    assert [
        (r["time_to_reopen_days"], r["reopened_count"]) for r in curve if r["reopened_count"]
    ] == [(42, 1), (108, 1)]
    assert curve[-1]["survival_rate"] == pytest.approx(round(5 / 6 * 4 / 5, 6))


@pytest.mark.integration
def test_planted_reopen_outcomes_count_only_windows_the_data_has_seen(planted):
    reopened = rows(
        planted,
        """
        select * from lifecycle.mart_reopen_outcomes
        where segment_type = 'all' and cohort = 'reopened'""",
    )[0]
    assert reopened["observations_count"] == 2
    assert reopened["dpd30_6m_observed_count"] == 2
    assert reopened["dpd30_6m_count"] == 1
    # L2 was closed again 3 months after its reopening, but its 12-month window ends on
    # 2024-07-01, after the as-of date: it stays out of the 12-month rates until then.
    assert reopened["closed_12m_observed_count"] == 1
    assert reopened["closed_12m_count"] == 0
    assert reopened["dpd30_12m_observed_count"] == 1
