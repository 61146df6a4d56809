"""Conformance book for the roll-rate populations (risk_roll_population): three lines whose
every month-end state was worked out by hand, built with dbt and checked exactly.

Every line is CASH, opened 2023-01-05; loans are zero-interest, 100 per installment. The
as-of date is 2024-06-30 (a late inquiry). Month-end states (roll_state):

    L1  loan N1 drawn 2023-01-10, due Feb 1, Mar 1, Apr 1, all three paid on Apr 20, and the
        customer closes the line on Apr 25.
        Jan 31 M0 (300 owed) | Feb 28 DPD 27 = M1 | Mar 31 DPD 58 = M2 |
        Apr 30 no balance, nothing due, closed = no_balance  -> a cure from M2 by payoff;
        from May on it is closed with nothing left: out of the population.
    L2  loan N2 drawn 2023-05-01, due Jun 1, Jul 1, Aug 1, never paid.
        Jan-Apr no_balance (open, never drawn) | May 31 M0 | Jun 30 DPD 29 = M1 |
        Jul 31 DPD 60 = M2 | Aug 31 DPD 91 = M4 (a 31-day month: M2 skips M3) |
        Sep 30 DPD 121 = M5 | Oct 31 DPD 152 = M6 |
        charged off on Jun 1 + 181 days = Nov 29 (charge_off_dpd 180): Nov 30 written_off,
        and written off for good in every later month although nothing happens any more
        (the core's DPD reads 0 once the loan is written off).
    L3  loan N3 drawn 2023-03-10, due Apr 10, May 10, Jun 10, each paid on its due date.
        Jan 31, Feb 28 no_balance | Mar 31 M0 (300) | Apr 30 M0 (200) | May 31 M0 (100) |
        from Jun 30 no_balance (open, paid up).
"""

from collections import defaultdict

import pytest
from dbt_support import built_book
from test_lifecycle import customer, event, line, loan

pytestmark = pytest.mark.integration  # builds hand-made books with dbt

CHARGE_OFF_VARS = "{charge_off_dpd: 180}"


def roll_book() -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = defaultdict(list)
    tables["customers"] = [customer("C1"), customer("C2"), customer("C3")]
    tables["credit_lines"] = [
        line("L1", "C1", "1000"),
        line("L2", "C2", "1000"),
        line("L3", "C3", "1000"),
    ]
    tables["limit_events"] = [
        event(f"O{n}", f"L{n}", "2023-01-05 10:00:00", "open", "0", "1000", "NEW_LINE", "system")
        for n in (1, 2, 3)
    ] + [
        event(
            "E1", "L1", "2023-04-25 09:00:00", "close", "1000", "0", "CUSTOMER_REQUEST", "customer"
        )
    ]
    for loan_row, installments, repayments in [
        loan(
            "N1",
            "L1",
            "2023-01-10 10:00:00",
            ["2023-02-01", "2023-03-01", "2023-04-01"],
            ["2023-04-20", "2023-04-20", "2023-04-20"],
        ),
        loan(
            "N2",
            "L2",
            "2023-05-01 10:00:00",
            ["2023-06-01", "2023-07-01", "2023-08-01"],
            [None, None, None],
        ),
        loan(
            "N3",
            "L3",
            "2023-03-10 10:00:00",
            ["2023-04-10", "2023-05-10", "2023-06-10"],
            ["2023-04-10", "2023-05-10", "2023-06-10"],
        ),
    ]:
        tables["loans"].append(loan_row)
        tables["installments"].extend(installments)
        tables["repayments"].extend(repayments)
    tables["credit_scores"] = [
        {"customer_id": c, "scored_at": "2023-01-01 00:00:00", "score": 650}
        for c in ("C1", "C2", "C3")
    ]
    # the latest activity in the extract: it makes 2024-06-30 the as-of date
    tables["credit_inquiries"] = [
        {
            "inquiry_id": "Q1",
            "customer_id": "C3",
            "inquired_at": "2024-06-30 12:00:00",
            "institution_type": "bank",
        }
    ]
    return dict(tables)


@pytest.fixture(scope="module")
def roll(tmp_path_factory):
    work = tmp_path_factory.mktemp("roll_book")
    selection = ["+mart_roll_rate_flows", "+mart_portfolio_monthly"]
    with built_book(work, roll_book(), selection, CHARGE_OFF_VARS) as con:
        yield con


def transitions(con, month: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(from, to) -> (line_count, from_bucket_line_count) for one month, all products."""
    rows = con.sql(
        "select from_bucket, to_bucket, line_count, from_bucket_line_count "
        "from risk.mart_roll_rates "
        f"where product_code = 'all' and month_start_on = '{month}'"
    ).fetchall()
    return {(f, t): (n, d) for f, t, n, d in rows}


def flow(con, month: str, flow_type: str, from_bucket: str) -> float | None:
    rows = con.sql(
        "select count_rate from risk.mart_roll_rate_flows where product_code = 'all' "
        f"and month_start_on = '{month}' and flow_type = '{flow_type}' "
        f"and from_bucket = '{from_bucket}'"
    ).fetchall()
    return rows[0][0] if rows else None


def test_line_states_month_by_month_are_the_hand_worked_ones(roll):
    states = dict(
        ((line_id, str(month)[:7]), state)
        for line_id, month, state in roll.sql(
            "select line_id, month_start_on, roll_state from intermediate.int_line_months_windowed"
        ).fetchall()
    )
    assert [states["L1", m] for m in ("2023-01", "2023-02", "2023-03", "2023-04", "2023-05")] == [
        "M0",
        "M1",
        "M2",
        "no_balance",
        "no_balance",
    ]
    assert [states["L2", f"2023-{m:02d}"] for m in range(4, 13)] == [
        "no_balance",
        "M0",
        "M1",
        "M2",
        "M4",
        "M5",
        "M6",
        "written_off",
        "written_off",
    ]
    # written off for good: nothing happens after the write-off, the state never returns
    assert {states["L2", f"2024-{m:02d}"] for m in range(1, 7)} == {"written_off"}
    assert [states["L3", f"2023-{m:02d}"] for m in range(1, 8)] == [
        "no_balance",
        "no_balance",
        "M0",
        "M0",
        "M0",
        "no_balance",
        "no_balance",
    ]


def test_a_cure_from_m2_by_payoff_and_closure_stays_in_the_denominator(roll):
    # April: L1 M2 -> no_balance (paid up Apr 20, closed Apr 25); L2 no_balance stays; L3 M0 stays
    assert transitions(roll, "2023-04-01") == {
        ("M2", "no_balance"): (1, 1),
        ("no_balance", "no_balance"): (1, 1),
        ("M0", "M0"): (1, 1),
    }
    assert flow(roll, "2023-04-01", "cure", "M2") == 1.0
    assert flow(roll, "2023-04-01", "paid_off", "M2") == 1.0
    assert flow(roll, "2023-04-01", "forward", "M2") == 0.0
    # May: L1 is closed with nothing left at Apr 30, so it has left the book; L2 draws
    assert transitions(roll, "2023-05-01") == {("no_balance", "M0"): (1, 1), ("M0", "M0"): (1, 1)}


def test_a_skip_from_m2_to_m4_is_a_forward_flow(roll):
    # August: L2 M2 (60 DPD at Jul 31) -> M4 (91 DPD at Aug 31); L3 paid up in June stays no_balance
    assert transitions(roll, "2023-08-01") == {
        ("M2", "M4"): (1, 1),
        ("no_balance", "no_balance"): (1, 1),
    }
    assert flow(roll, "2023-08-01", "forward", "M2") == 1.0
    assert flow(roll, "2023-08-01", "cure", "M2") == 0.0
    # nobody was in M3 at Jul 31: no M3 flow that month
    assert flow(roll, "2023-08-01", "forward", "M3") is None


def test_a_write_off_rolls_forward_once_then_leaves_for_good(roll):
    # November: L2 M6 -> written_off, which is the M6 forward flow
    assert transitions(roll, "2023-11-01") == {
        ("M6", "written_off"): (1, 1),
        ("no_balance", "no_balance"): (1, 1),
    }
    assert flow(roll, "2023-11-01", "forward", "M6") == 1.0
    # December on: only L3 (no balance, open) is in the population; L2 never re-enters as current
    for month in ("2023-12-01", "2024-03-01", "2024-06-01"):
        assert transitions(roll, month) == {("no_balance", "no_balance"): (1, 1)}


def test_the_portfolio_keeps_counting_the_written_off_line(roll):
    rows = dict(
        (str(month)[:7], (lines, principal, new))
        for month, lines, principal, new in roll.sql(
            "select month_start_on, written_off_line_count, written_off_principal_amount, "
            "new_charged_off_principal_amount from risk.mart_portfolio_monthly "
            "where grouping_level = 'total'"
        ).fetchall()
    )
    # L2's 300 is written off on Nov 29: a new charge-off in November, then a stock for good
    assert rows["2023-10"] == (0, 0, 0)
    assert rows["2023-11"] == (1, 300, 300)
    assert rows["2023-12"] == (1, 300, 0)
    assert rows["2024-06"] == (1, 300, 0)
