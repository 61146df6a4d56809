"""The matched comparisons of issue 16: borrowing elsewhere after a closure or a cut to zero
(mart_post_closure_credit_seeking) and what a closure itself does to the score
(mart_closure_score_effect), against the effects the generator plants.

Planted values (scripts/creditline/synth/simulate.py, constants at the top of the module):
- `_shop`: a cut or closure by risk at month-end m adds SHOPPING_BOOST = 1.4 inquiries a
  month at other lenders (Poisson rate) in each of months m+1..m+3. With the event at the
  month-end, the 30-day windows starting 0, 30 and 60 days after it cover those months
  (about 30/31 of a month each), so the planted difference per event is 1.4 x 30 / (days
  in the month) in each, about 1.38; the cuts to zero (RISK_REVIEW, engine.py "Risk
  review") go to weak customers without delinquency regardless of their inquiries, so the
  plain difference is the one to read.
- `_adjust_score`: a closure by risk adds CLOSURE_DENT_POINTS = -15 to `closure_dent`, which
  fades by CLOSURE_DENT_FADE = 0.9 a month whatever the customer does; `_score` adds it, so
  the score h months after the closure month carries -15 x 0.9^(h-1): -12.15 at 3 months,
  -8.86 at 6. The closure also moves the score through two channels the generator does not
  fix: the shopping boost (-3 points per extra inquiry the month before: about -4.2 at 3
  months, 0 at 6) and the closed line's lost drawdowns (no new installments to miss on it,
  which raises the scores of risky customers by an amount that depends on the book). The
  planted dent is therefore recovered as what it adds to the difference-in-differences:
  the policy-tightening closures (engine.py "Policy tightening": a random share of the lines
  below a score cut at one mid-period month, as good as random given the score band) of
  two books of the same seed generated with and without the dent (their random streams
  part once a decision differs, so the two estimates are treated as independent).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import duckdb
import pytest
from dbt_support import dbt_ok

from creditline.generate import generate_portfolio
from creditline.synth import simulate

Z95 = 1.959963984540054
STRATA = ["product_code", "score_band", "score_trend_band", "dpd_history_band",
          "utilization_band", "mob_band"]  # fmt: skip


def _planted_boost(event_on: date, window_start: int) -> float:
    """Expected extra inquiries in days window_start+1..window_start+30 after an event at a
    month-end: 1.4 a month, spread evenly over the days of each of the three next months."""
    total = 0.0
    month_start = event_on + timedelta(days=1)
    for _ in range(simulate.SHOPPING_BOOST_MONTHS):
        next_month = (month_start.replace(day=28) + timedelta(days=4)).replace(day=1)
        length = (next_month - month_start).days
        first = (month_start - event_on).days
        overlap = min(first + length, window_start + 31) - max(first, window_start + 1)
        total += simulate.SHOPPING_BOOST * max(overlap, 0) / length
        month_start = next_month
    return total


def test_more_inquiries_elsewhere_for_three_months_after_a_cut_to_zero(warehouse):
    rows = warehouse.sql(
        "select window_start_day, difference_per_event, difference_lower, difference_upper, "
        "matched_events_count from lifecycle.mart_post_closure_credit_seeking "
        "where event_type = 'cut_to_zero' and institution_type = 'all' order by 1"
    ).fetchall()
    events = [
        row[0]
        for row in warehouse.sql(
            "select event_on from intermediate.int_closure_events_listed "
            "where event_type = 'cut_to_zero' and event_on + 90 <= date '2024-12-31'"
        ).fetchall()
    ]
    by_window = {row[0]: row[1:] for row in rows}
    assert sorted(by_window) == list(range(-90, 180, 30))
    for start in (0, 30, 60):
        planted = sum(_planted_boost(e, start) for e in events) / len(events)
        difference, lower, upper, matched = by_window[start]
        assert matched >= 30
        assert 1.3 < planted < 1.45
        assert lower <= planted <= upper, (start, planted, lower, upper)
        assert lower > 0
    # before the cut, no difference to speak of
    assert all(by_window[start][1] <= 0 <= by_window[start][2] for start in (-90, -60))


def test_the_score_effect_is_recomputed_from_the_line_months(warehouse):
    """did_points for closures for policy at 3 months, recomputed in Python from
    fct_line_months, fct_closure_episodes and the closure events (first closures only)."""
    events = warehouse.sql(
        "select customer_id, min(event_on) from intermediate.int_closure_events_listed group by 1"
    ).fetchall()
    first_event = dict(events)
    months = warehouse.sql(
        "select line_id, customer_id, month_start_on, snapshot_on, is_month_complete, "
        "line_status, product_code, score, months_on_book, utilization_rate, max_dpd_in_month "
        "from core.fct_line_months"
    ).fetchall()
    by_line = {(m[0], m[2]): m for m in months}
    worst = {}
    for m in months:
        worst[(m[1], m[2])] = max(worst.get((m[1], m[2]), 0), m[10])

    def add_months(day: date, k: int) -> date:
        n = day.year * 12 + day.month - 1 + k
        return date(n // 12, n % 12 + 1, 1)

    def band(score):
        if score is None:
            return "unscored"
        for edge, name in ((550, "350-549"), (600, "550-599"), (650, "600-649"),
                           (700, "650-699")):  # fmt: skip
            if score < edge:
                return name
        return "700-950"

    def trend(change):
        if change is None:
            return "unknown"
        return ("down_50_plus" if change <= -50 else "down_20_49" if change <= -20
                else "flat" if change < 20 else "up_20_plus")  # fmt: skip

    def stratum(line_id, month, score):
        row = by_line[(line_id, month)]
        before = by_line.get((line_id, add_months(month, -3)))
        previous = by_line.get((line_id, add_months(month, -1)))
        util = previous[9] if previous else None
        dpd = max(worst.get((row[1], add_months(month, -k)), 0) for k in range(6))
        mob = row[8]
        return (
            month, row[6], band(score),
            trend(score - before[7] if before and before[7] is not None else None),
            "M0" if dpd <= 0 else "M2+" if dpd > 30 else "M1",
            "none" if util is None else "0-29%" if util < 0.3 else "30-69%" if util < 0.7
            else "70-94%" if util < 0.95 else "95%+",
            "0-5" if mob < 6 else "6-11" if mob < 12 else "12-23" if mob < 24 else "24+",
        )  # fmt: skip

    closures = warehouse.sql(
        "select customer_id, line_id, closure_month_on, closed_on, score_at_closure "
        "from lifecycle.fct_closure_episodes where closure_reason_category = 'policy' "
        "order by customer_id, closed_at, closure_episode_id"
    ).fetchall()
    treated, seen = [], set()
    for customer, line, month, closed_on, score in closures:
        if customer in seen or first_event[customer] != closed_on:
            continue
        seen.add(customer)
        later = by_line.get((line, add_months(month, 3)))
        if score is None or later is None or not later[4] or later[7] is None:
            continue
        treated.append((stratum(line, month, score), later[7] - score))
    cells = {s for s, _ in treated}
    controls: dict[tuple, list[float]] = {}
    for m in months:
        if not m[4] or m[5] not in ("open", "frozen") or m[7] is None:
            continue
        first = first_event.get(m[1])
        if first is not None and first <= m[3]:
            continue
        s = stratum(m[0], m[2], m[7])
        later = by_line.get((m[0], add_months(m[2], 3)))
        if s in cells and later is not None and later[4] and later[7] is not None:
            controls.setdefault(s, []).append(later[7] - m[7])
    matched = [(s, change) for s, change in treated if s in controls]
    did = sum(change - sum(controls[s]) / len(controls[s]) for s, change in matched) / len(matched)
    row = warehouse.sql(
        "select closed_count, matched_count, did_points from lifecycle.mart_closure_score_effect "
        "where reason_category = 'policy' and horizon_months = 3"
    ).fetchall()[0]
    assert row[0] == len(treated) and row[1] == len(matched)
    assert row[2] == pytest.approx(did, abs=1e-5)


@pytest.fixture(scope="module")
def books_with_and_without_dent(tmp_path_factory):
    """Two books of the same seed (12,000 customers, 24 months), generated with the planted
    closure dent and with it set to 0, each built up to mart_closure_score_effect (~70 s)."""
    built = {}
    for name, dent in (("with_dent", simulate.CLOSURE_DENT_POINTS), ("without_dent", 0.0)):
        work = tmp_path_factory.mktemp(name)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(simulate, "CLOSURE_DENT_POINTS", dent)
            generate_portfolio(work / "raw", customers=12_000, start="2023-01", months=24, seed=11)
        dbt_ok(["seed"], work / "w.duckdb", work / "raw", work / "target")
        dbt_ok(["run", "--select", "+mart_closure_score_effect"], work / "w.duckdb",
               work / "raw", work / "target")  # fmt: skip
        con = duckdb.connect(str(work / "w.duckdb"), read_only=True)
        built[name] = con.sql(
            "select horizon_months, did_points, standard_error, matched_count "
            "from lifecycle.mart_closure_score_effect where reason_category = 'policy'"
        ).fetchall()
        con.close()
    return built


@pytest.mark.integration
@pytest.mark.books
@pytest.mark.parametrize("horizon", [3, 6])
def test_a_policy_closure_lowers_the_score_by_the_planted_dent(
    books_with_and_without_dent, horizon
):
    planted = simulate.CLOSURE_DENT_POINTS * simulate.CLOSURE_DENT_FADE ** (horizon - 1)
    rows = {name: {r[0]: r[1:] for r in rows} for name, rows in books_with_and_without_dent.items()}
    did_on, se_on, matched_on = rows["with_dent"][horizon]
    did_off, se_off, _ = rows["without_dent"][horizon]
    assert matched_on >= 150
    effect = did_on - did_off
    half_width = Z95 * math.sqrt(se_on**2 + se_off**2)
    assert effect - half_width <= planted <= effect + half_width, (effect, half_width, planted)
    if horizon == 3:
        assert effect + half_width < 0
