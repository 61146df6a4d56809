"""Issue 16, pauses and linked products: the freeze and cross-product marts recover what the
generator planted (scripts/creditline/synth/engine.py, month_end_review).

Planted:
- Linked product (engine.py lines 121-125): when one line has a fresh miss in month m
  (arrears_start == m), the customer's other line, if live (open or frozen) and not in arrears
  itself, is acted on at that month-end with probability 0.6 (closed with 0.45 or when frozen,
  else frozen). The month-end is at most 30 days after the missed due date, so within 30 days
  of day 0 the rule's own population (other line current at the review) shows about 0.6,
  plus the rare other rules acting at the same review; the mart's whole population shows
  more, because an other line in arrears of its own is frozen or closed by the Overdue rule
  (lines 113-117) with probability about 1.
- Unfreeze (lines 176-180): a frozen line calm (no arrears on either line, not charged off)
  for at least one month-end is unfrozen with probability 0.30 + 0.08 = 0.38 at each
  month-end. Multi-borrowing freezes are mostly calm: S after the first month-end ~ 0.62,
  after the second ~ 0.38, so the median is the second month-end after the freeze (59-62
  days from a month-end freeze).
- An overdue closure comes on a fresh miss still unpaid (lines 116, 119), while an unfreeze
  needs the arrears cured: 30+ DPD after an unfreeze is far rarer than after a closure for
  the same reason.
- Linked-product closures happen at the month-end of the other line's fresh miss, so nearly
  all had the other line delinquent (its missed due date) before them, 0-30 days earlier.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import duckdb
import pytest
from dbt_support import dbt_ok
from test_lifecycle import kaplan_meier

from creditline.generate import generate_portfolio

LINKED_ACTION_RATE = 0.6  # engine.py line 123
UNFREEZE_MONTHLY_RATE = 0.30 + 0.08  # engine.py lines 179-180


def _row(con: duckdb.DuckDBPyConnection, sql: str) -> dict:
    relation = con.sql(sql)
    rows = relation.fetchall()
    assert len(rows) == 1, sql
    return dict(zip(relation.columns, rows[0], strict=True))


def _linked_action_30d(con: duckdb.DuckDBPyConnection) -> dict:
    return _row(
        con,
        "select * from lifecycle.mart_cross_product_contagion where measure = "
        "'action_after_delinquency' and trigger_product = 'all' and horizon_days = 30 "
        "and action_type = 'any'",
    )


def _survival_after_first_month_end(con: duckdb.DuckDBPyConnection, category: str) -> dict:
    """The curve's last point within the first month-end after a month-end freeze."""
    return _row(
        con,
        "select * from lifecycle.mart_freeze_survival where reason_category = "
        f"'{category}' and days_from_freeze <= 31 order by days_from_freeze desc limit 1",
    )


# --- linked products ---------------------------------------------------------------------


def test_the_linked_product_rule_acts_on_about_six_in_ten_eligible_other_lines(warehouse):
    row = _linked_action_30d(warehouse)
    assert row["other_current_population_count"] >= 40
    assert row["other_current_rate_lower"] <= LINKED_ACTION_RATE <= row["other_current_rate_upper"]
    # the whole population adds other lines in arrears themselves, frozen or closed by the
    # Overdue rule: well above 0.6
    assert row["rate_lower"] > LINKED_ACTION_RATE
    assert row["population_count"] > row["other_current_population_count"]


def test_actions_on_the_other_line_accumulate_with_the_horizon(warehouse):
    rates = dict(
        warehouse.sql(
            "select horizon_days, rate from lifecycle.mart_cross_product_contagion "
            "where measure = 'action_after_delinquency' and trigger_product = 'all' "
            "and action_type = 'any'"
        ).fetchall()
    )
    assert rates[30] < rates[90] < rates[180]


def test_nearly_all_linked_product_closures_follow_delinquency_on_the_other_line(warehouse):
    row = _row(
        warehouse,
        "select count(*) as closures, "
        "avg(case when had_other_line_delinquency_before then 1.0 else 0.0 end) as share, "
        "quantile_cont(days_from_other_delinquency_to_closure, [0.25, 0.5, 0.75]) as quartiles "
        "from lifecycle.mart_linked_product_closures",
    )
    assert row["closures"] >= 15
    assert row["share"] >= 0.95
    lower, median, upper = row["quartiles"]
    # the month-end review of the missed due date's month: -1 (due on the month's last day)
    # to 30 days after the first day past due
    assert -1 <= lower <= median <= upper <= 30


def test_the_other_line_rolls_far_more_after_the_first_lines_delinquency(warehouse):
    rows = warehouse.sql(
        "select horizon_days, rate_lower, comparison_rate_upper, comparison_standardized_rate "
        "from lifecycle.mart_cross_product_contagion where measure = 'other_line_roll' "
        "and trigger_product = 'all'"
    ).fetchall()
    assert {row[0] for row in rows} == {90, 180}
    for _, rate_lower, comparison_upper, standardized in rows:
        assert rate_lower > comparison_upper
        assert rate_lower > 3 * standardized


# --- pauses ------------------------------------------------------------------------------


def test_the_median_pause_lifts_at_the_second_month_end_as_planted(warehouse):
    point = _survival_after_first_month_end(warehouse, "multi_borrowing")
    assert point["median_days_to_unfreeze"] in range(59, 63)
    planted = 1 - UNFREEZE_MONTHLY_RATE
    assert point["survival_lower"] <= planted <= point["survival_upper"]


def test_outcomes_after_an_unfreeze_are_better_than_after_a_closure_for_the_same_reason(
    warehouse,
):
    for category in ("overdue", "all"):
        rows = {
            (cohort, horizon): (lower, upper)
            for cohort, horizon, lower, upper in warehouse.sql(
                "select cohort, horizon_months, dpd30_rate_lower, dpd30_rate_upper "
                "from lifecycle.mart_freeze_outcomes where reason_category = ?",
                params=[category],
            ).fetchall()
        }
        for horizon in (6, 12):
            assert rows[("unfrozen", horizon)][1] < rows[("closed_same_reason", horizon)][0]


def _freeze_episodes_by_hand(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Freeze episodes from the limit events alone: a freeze of an open line to the line's
    next unfreeze or close, else censored at the as-of date."""
    as_of = con.sql("select as_of_on from intermediate.int_as_of_date").fetchall()[0][0]
    events = defaultdict(list)
    for row in con.sql(
        "select line_id, event_seq, event_id, event_on, event_type, status_before, "
        "reason_category from core.fct_limit_events order by line_id, event_seq"
    ).fetchall():
        events[row[0]].append(row[1:])
    episodes = {}
    for line_events in events.values():
        for i, (_, event_id, event_on, event_type, status_before, reason) in enumerate(line_events):
            if event_type != "freeze" or status_before != "open":
                continue
            end = next((e for e in line_events[i + 1 :] if e[3] in ("unfreeze", "close")), None)
            ended_on: date = end[2] if end else as_of
            episodes[event_id] = {
                "reason": reason,
                "end_type": {"unfreeze": "unfrozen", "close": "closed"}[end[3]]
                if end
                else "censored",
                "duration": (ended_on - event_on).days,
            }
    return episodes


def test_freeze_episodes_and_their_survival_recomputed_from_the_limit_events(warehouse):
    by_hand = _freeze_episodes_by_hand(warehouse)
    mart = {
        row[0]: {"reason": row[1], "end_type": row[2], "duration": row[3]}
        for row in warehouse.sql(
            "select freeze_episode_id, freeze_reason_category, end_type, duration_days "
            "from lifecycle.mart_freeze_episodes"
        ).fetchall()
    }
    assert len(by_hand) >= 100
    assert mart == by_hand
    overdue = [e for e in by_hand.values() if e["reason"] == "overdue"]
    expected = kaplan_meier(
        [e["duration"] for e in overdue], [e["end_type"] == "unfrozen" for e in overdue]
    )
    curve = warehouse.sql(
        "select days_from_freeze, at_risk_count, unfrozen_count, censored_count, "
        "survival_rate, survival_lower, survival_upper from lifecycle.mart_freeze_survival "
        "where reason_category = 'overdue' order by days_from_freeze"
    ).fetchall()
    assert len(curve) == len(expected)
    for got, want in zip(curve, expected, strict=True):
        assert got[:4] == (want["time"], want["at_risk"], want["reopened"], want["censored"])
        assert got[4] == pytest.approx(want["survival"], abs=1e-6)
        assert got[5] == pytest.approx(want["lower"], abs=1e-6)
        assert got[6] == pytest.approx(want["upper"], abs=1e-6)


# --- a bigger book: the planted rates within tighter intervals ----------------------------


@pytest.mark.integration
@pytest.mark.books
def test_a_bigger_book_pins_the_linked_rule_and_the_unfreeze_rate(tmp_path):
    raw = tmp_path / "raw"
    generate_portfolio(raw, customers=20_000, start="2023-01", months=24, seed=11)
    db = tmp_path / "w.duckdb"
    selection = ["+mart_cross_product_contagion", "+mart_freeze_survival"]
    args = ["build", "--select", *selection, "--indirect-selection", "cautious",
            "--exclude", "test_type:unit"]  # fmt: skip
    dbt_ok(args, db, raw, tmp_path / "target")
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = _linked_action_30d(con)
        assert row["other_current_population_count"] >= 300
        assert row["other_current_rate_lower"] <= LINKED_ACTION_RATE
        assert row["other_current_rate_upper"] >= LINKED_ACTION_RATE
        assert row["other_current_rate_upper"] - row["other_current_rate_lower"] < 0.1
        point = _survival_after_first_month_end(con, "multi_borrowing")
        assert point["survival_lower"] <= 1 - UNFREEZE_MONTHLY_RATE <= point["survival_upper"]
        assert point["median_days_to_unfreeze"] in range(59, 63)
    finally:
        con.close()
