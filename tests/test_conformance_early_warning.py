"""Conformance: the early-warning and score-performance populations on a hand-built book.

Six customers, one line each, written as raw rows and built with dbt; every figure below is
worked out by hand in the comments (as of 2024-06-30, fixed by a planted inquiry):

  A   high utilization at 2024-01-31 (960 of 1,000), paid on time, then closed by the
      lender for utilization on 2024-02-15: a lender closure, not a credit event.
  B   high utilization at 2024-01-31; the first installment, due 2024-02-01, is paid on
      2024-03-03, 31 days late (February 2024 has 29 days): more than ew_event_dpd (30), a
      credit event on 2024-03-03.
  B2  the same, paid on 2024-03-02: exactly 30 DPD, not more than 30, no event.
  C   never drawn (dormant), closed at the customer's request on 2024-02-20: neither figure.
  D   never drawn (dormant), closed by the lender for policy on 2024-03-01: a lender closure.
  W   drew 300 on 2023-01-10, first due 2023-02-10, never paid: written off on 2023-08-10
      (due + charge_off_dpd 180 + 1). The line stays open and, once the loan is written off,
      reads 0 DPD; it must never re-enter the warning or score populations.

Loans are zero-interest, three monthly installments (the only terms the raw contract takes
are 3, 6 and 12 months).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from dbt_support import built_book

pytestmark = pytest.mark.integration  # builds hand-made books with dbt

# The marts under test and everything they read (not their descendants).
SELECTION = [
    "+int_line_months_signaled",
    "+mart_early_warning",
    "+mart_watchlist",
    "+int_customer_months_scored",
    "+mart_score_band_performance",
]
JANUARY = date(2024, 1, 1)
# The settings the hand-worked figures assume, set here so a lender's own never change them.
BOOK_VARS = (
    "{charge_off_dpd: 180, ew_event_dpd: 30, ew_horizon_days: 90, ew_utilization_threshold: 0.9, "
    "ew_dormant_months: 6, risk_bad_dpd: 90, risk_bad_horizon_months: 12}"
)


def customer(customer_id: str) -> dict:
    return {
        "customer_id": customer_id,
        "created_at": "2022-12-01 09:00:00",
        "birth_year": 1988,
        "city_tier": 2,
        "occupation": "salaried",
        "income_band": "10k_20k",
        "channel": "app",
    }


def line(line_id: str, customer_id: str, opened_at: str) -> dict:
    return {
        "line_id": line_id,
        "customer_id": customer_id,
        "product_code": "CASH",
        "opened_at": opened_at,
        "initial_limit": "1000",
    }


def event(event_id: str, line_id: str, at: str, kind: str, before: str, after: str,
          reason: str, by: str = "risk_engine") -> dict:  # fmt: skip
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


def loan(loan_id: str, line_id: str, drawn_at: str, amount: int, dues: list[str],
         payments: list[tuple[str, int]]) -> tuple[dict, list[dict], list[dict]]:  # fmt: skip
    """A zero-interest loan of len(dues) equal installments and its repayments (day, amount),
    allocated oldest installment first."""
    loan_row = {
        "loan_id": loan_id,
        "line_id": line_id,
        "drawn_at": drawn_at,
        "principal": str(amount),
        "term_months": len(dues),
        "annual_rate": 0.0,
        "repayment_method": "equal_principal",
    }
    installments = [
        {"loan_id": loan_id, "installment_no": n + 1, "due_date": due,
         "principal_due": str(amount // len(dues)), "interest_due": "0"}
        for n, due in enumerate(dues)
    ]  # fmt: skip
    repayments = [
        {"repayment_id": f"{loan_id}-R{n + 1}", "loan_id": loan_id, "paid_at": f"{day} 12:00:00",
         "amount": str(paid)}
        for n, (day, paid) in enumerate(payments)
    ]  # fmt: skip
    return loan_row, installments, repayments


def early_warning_book() -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = defaultdict(list)
    opened = {
        "A": "2023-12-01 10:00:00",
        "B": "2023-12-01 10:00:00",
        "B2": "2023-12-01 10:00:00",
        "C": "2023-01-05 10:00:00",
        "D": "2023-01-05 10:00:00",
        "W": "2023-01-05 10:00:00",
    }
    for line_id, opened_at in opened.items():
        tables["customers"].append(customer(f"C{line_id}"))
        tables["credit_lines"].append(line(line_id, f"C{line_id}", opened_at))
        tables["limit_events"].append(
            event(f"O{line_id}", line_id, opened_at, "open", "0", "1000", "NEW_LINE", "system")
        )
        # one score, before the opening: no score drop anywhere
        tables["credit_scores"].append(
            {"customer_id": f"C{line_id}", "scored_at": "2022-12-01 10:00:00", "score": 650}
        )
    tables["limit_events"] += [
        event("XA", "A", "2024-02-15 09:00:00", "close", "1000", "0", "HIGH_UTILIZATION"),
        event(
            "XC", "C", "2024-02-20 09:00:00", "close", "1000", "0", "CUSTOMER_REQUEST", "customer"
        ),
        event("XD", "D", "2024-03-01 09:00:00", "close", "1000", "0", "POLICY_TIGHTENING"),
    ]
    february_dues = ["2024-02-01", "2024-03-01", "2024-04-01"]
    stories = [
        # A: 960 drawn, 320 a month paid on each due date
        loan("NA", "A", "2024-01-10 10:00:00", 960, ["2024-02-10", "2024-03-10", "2024-04-10"],
             [("2024-02-10", 320), ("2024-03-10", 320), ("2024-04-10", 320)]),
        # B: nothing until 2024-03-03 (installment 1 at 31 DPD, installment 2 at 2), then on time
        loan("NB", "B", "2024-01-10 10:00:00", 960, february_dues,
             [("2024-03-03", 640), ("2024-04-01", 320)]),
        # B2: the same a day earlier: installment 1 at 30 DPD
        loan("NB2", "B2", "2024-01-10 10:00:00", 960, february_dues,
             [("2024-03-02", 640), ("2024-04-01", 320)]),
        # W: never paid
        loan("NW", "W", "2023-01-10 10:00:00", 300, ["2023-02-10", "2023-03-10", "2023-04-10"], []),
    ]  # fmt: skip
    for loan_row, installments, repayments in stories:
        tables["loans"].append(loan_row)
        tables["installments"].extend(installments)
        tables["repayments"].extend(repayments)
    # the latest activity in the extract: it makes 2024-06-30 the as-of date
    tables["credit_inquiries"] = [
        {"inquiry_id": "Q1", "customer_id": "CC", "inquired_at": "2024-06-30 12:00:00",
         "institution_type": "bank"},
    ]  # fmt: skip
    return dict(tables)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """The hand-built book, built with dbt (the early-warning and score marts and parents)."""
    work = tmp_path_factory.mktemp("early_warning_book")
    with built_book(work, early_warning_book(), SELECTION, BOOK_VARS) as con:
        yield con


def rows(con, query: str, params: list | None = None) -> list[dict]:
    relation = con.execute(query, params or [])
    names = [column[0] for column in relation.description]
    return [dict(zip(names, values, strict=True)) for values in relation.fetchall()]


def test_the_as_of_date_is_the_planted_inquiry(book):
    assert book.sql("select as_of_on from intermediate.int_as_of_date").fetchall() == [
        (date(2024, 6, 30),)
    ]


def test_january_signals_and_outcomes_line_by_line(book):
    # January 2024 month-end 2024-01-31; horizon ew_horizon_days 90 -> 2024-04-30, on or before
    # the as-of date, so observed. Credit event = more than 30 DPD (due + 31) or a write-off;
    # the lender closure (initiated_by not 'customer') is a column of its own.
    got = {
        r["line_id"]: r
        for r in rows(
            book,
            "select * from intermediate.int_line_months_signaled where month_start_on = ?",
            [JANUARY],
        )
    }
    expected = {
        # line: (in population, high util, dormant, next credit event, next lender closure,
        #        credit event in horizon, lender closure in horizon)
        "A": (True, True, False, None, date(2024, 2, 15), False, True),
        # B: due 2024-02-01 + 31 days = 2024-03-03, the day it was paid, 31 DPD
        "B": (True, True, False, date(2024, 3, 3), None, True, False),
        # B2: paid 2024-03-02 at 30 DPD: never more than 30, no entry
        "B2": (True, True, False, None, None, False, False),
        # C: on book 12 months (6 or more), never drawn; closed by the customer: neither
        "C": (True, False, True, None, None, False, False),
        "D": (True, False, True, None, date(2024, 3, 1), False, True),
        # W: written off 2023-08-10, reads 0 DPD and open, but written off is for good
        "W": (False, False, True, None, None, False, False),
    }
    assert set(got) == set(expected)
    for line_id, values in expected.items():
        r = got[line_id]
        assert (
            r["is_in_warning_population"],
            r["is_high_utilization"],
            r["is_dormant"],
            r["next_credit_event_on"],
            r["next_lender_closed_on"],
            r["has_credit_event_in_horizon"],
            r["has_lender_closure_in_horizon"],
        ) == values, line_id
    assert got["W"]["dpd_month_end"] == 0 and got["W"]["line_status"] == "open"


def test_january_early_warning_figures_count_only_credit_events(book):
    figures = {
        r["signal_name"]: r
        for r in rows(
            book, "select * from risk.mart_early_warning where month_start_on = ?", [JANUARY]
        )
    }
    # population: A, B, B2, C, D (5; W is written off). Credit events: B only (1).
    # Lender closures within the horizon: A (02-15) and D (03-01) (2); C's is the customer's.
    high = figures["high_utilization"]
    # flagged A, B, B2; credit hit B: precision 1/3, base 1/5, lift (1/3) / (1/5)
    assert (high["population_line_count"], high["flagged_line_count"]) == (5, 3)
    assert (high["event_line_count"], high["hit_line_count"]) == (1, 1)
    assert high["base_rate"] == 1 / 5
    assert high["precision_rate"] == 1 / 3
    assert high["recall_rate"] == 1 / 1
    assert high["lift"] == (1 / 3) / (1 / 5)
    # lead time: the run started at 2024-01-31 (utilization 0 at 2023-12-31); 03-03 - 01-31
    assert high["median_lead_time_days"] == 32
    # apart: flagged and closed by the lender: A; precision 1/3, base 2/5, lift (1/3) / (2/5)
    assert (high["lender_closure_line_count"], high["lender_closure_hit_line_count"]) == (2, 1)
    assert high["lender_closure_base_rate"] == 2 / 5
    assert high["lender_closure_precision_rate"] == 1 / 3
    assert high["lender_closure_lift"] == (1 / 3) / (2 / 5)

    dormant = figures["dormant"]
    # flagged C, D; no credit event: precision 0, lift 0; the lender closed D: 1/2 over 2/5
    assert (dormant["flagged_line_count"], dormant["hit_line_count"]) == (2, 0)
    assert dormant["precision_rate"] == 0.0 and dormant["lift"] == 0.0
    assert dormant["lender_closure_hit_line_count"] == 1
    assert dormant["lender_closure_precision_rate"] == 1 / 2
    assert dormant["lender_closure_lift"] == (1 / 2) / (2 / 5)

    # every line of the population has one signal: precision = base rate, lift 1 on both
    anything = figures["any_signal"]
    assert (anything["flagged_line_count"], anything["hit_line_count"]) == (5, 1)
    assert anything["lift"] == (1 / 5) / (1 / 5)
    assert anything["lender_closure_lift"] == (2 / 5) / (2 / 5)
    assert figures["two_or_more_signals"]["flagged_line_count"] == 0


def test_written_off_line_never_reenters_the_warning_population(book):
    # W at the month-ends: 2023-01-31 not yet due (0 DPD), 2023-02-28 18 DPD: in. March to
    # July more than 30 DPD: out. Written off 2023-08-10: out from August for good, although
    # from September it reads 0 DPD and stays open.
    months = rows(
        book,
        "select month_start_on, is_in_warning_population, dpd_month_end, "
        "has_credit_event_in_horizon, next_delinquent_on, next_written_off_on "
        "from intermediate.int_line_months_signaled "
        "where line_id = 'W' order by month_start_on",
    )
    assert [m["month_start_on"] for m in months if m["is_in_warning_population"]] == [
        date(2023, 1, 1),
        date(2023, 2, 1),
    ]
    reading_current = [m for m in months if m["month_start_on"] >= date(2023, 9, 1)]
    assert len(reading_current) == 10 and all(m["dpd_month_end"] == 0 for m in reading_current)
    # both months in: more than 30 DPD on 2023-02-10 + 31 = 2023-03-13, within 90 days of
    # either month-end (2023-05-01, 2023-05-29); the write-off on 2023-08-10 comes later
    for m in months[:2]:
        assert m["next_delinquent_on"] == date(2023, 3, 13)
        assert m["next_written_off_on"] == date(2023, 8, 10)
        assert m["has_credit_event_in_horizon"] is True
    watchlist = rows(book, "select line_id from risk.mart_watchlist")
    assert "W" not in {r["line_id"] for r in watchlist}


def test_written_off_customer_never_reenters_the_score_population(book):
    # CW (score 650, line W open): month-end DPD 0, 18, 49, 79 from January to April 2023,
    # not more than risk_bad_dpd (90): in. May 110: already bad, out. From August the line is
    # written off, and from September it reads 0 DPD again: out for good.
    months = rows(
        book,
        "select scoring_month_on, is_bad, has_full_outcome_window "
        "from intermediate.int_customer_months_scored where customer_id = 'CW' "
        "order by scoring_month_on",
    )
    assert [m["scoring_month_on"] for m in months] == [
        date(2023, 1, 1),
        date(2023, 2, 1),
        date(2023, 3, 1),
        date(2023, 4, 1),
    ]
    # each is bad: 91 DPD on 2023-05-12 (and the write-off) within the next 12 month-ends;
    # the 12 months after April 2023 end in April 2024, complete by the as-of date
    assert all(m["has_full_outcome_window"] and m["is_bad"] for m in months)
