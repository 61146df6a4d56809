"""Conformance book for the vintage curves, first/second/third payment delinquency and the
DPD definition options (grace period, tolerance): a few loans whose every figure was worked
out by hand, built with dbt twice (default vars, then a grace of 3 days and a tolerance of
1.00) and checked exactly.

Loans are zero-interest, 100 per installment, each on its own line (opened 2023-01-05).
The as-of date is 2024-06-30 (a late inquiry). charge_off_dpd is 180: a loan is written off
on the due date of its oldest unpaid installment + 181 days.

Vintage 2023-01, CASH (900 of principal):
    W1  300, drawn 2023-01-10, due Feb 1, Mar 1, Apr 1. Pays Feb 1 on time, then nothing.
        Month-end DPD (from Mar 1): Mar 31 30 (exactly 30: not 30+) | Apr 30 60 | ... |
        written off on Mar 1 + 181 = Aug 29 with 300 - 100 = 200 of principal left.
    W2  600, drawn 2023-01-15, due Feb 15, Mar 15, Apr 15, all paid on time.

FPD cohort 2023-03, CASH (due Apr 1, May 1, Jun 1; installment DPD in brackets):
    F1  paid May 1, May 1, Jun 1   (30, 0, 0)  Apr 1 + 30 = May 1: exactly 30, not FPD30
    F2  paid May 2, May 2, Jun 1   (31, 1, 0)  31 days: FPD30
    F3  never paid                 (456, 426, 395 at the as-of date)
    F4  paid Apr 1, Jun 10, Jun 10 (0, 40, 9)  first bad at the second installment
    F5  paid on time               (0, 0, 0)

Grace and tolerance cohort 2023-05, CONSUMER (installment DPD without / with the options):
    G1  due Jun 1, Jul 1, Aug 1; paid Jun 4, Jul 1, Aug 1     (3, 0, 0) / (0, 0, 0)
        3 days late: within a grace of 3, never past due
    G2  due Jun 1, Jul 1, Aug 1; paid Jul 20, Jul 20, Aug 1   (49, 19, 0) / (49, 19, 0)
        past the grace: DPD from the due date (29 at the Jun 30 month-end, not 26)
    G3  due Jun 29, Jul 29, Aug 29; paid Jul 5, Jul 29, Aug 29  (6, 0, 0) / (6, 0, 0)
        the Jun 30 month-end is day 1 after the due date: 1 DPD without a grace, 0 within it
    T1  due Jun 1, Jul 1, Aug 1; paid 99.50 on Jun 1, then 100 on Jul 1 and Aug 1: 0.50
        short for good. Without a tolerance oldest-due-first allocation rolls the shortfall:
        installment 1 reaches 100 only on Jul 1 (30 DPD), installment 2 reaches 200 only on
        Aug 1 (31 DPD), installment 3 never reaches 300 (334 DPD at the as-of date) and the
        loan is written off on Aug 1 + 181 = 2024-01-29 with 0.50 of principal: (30, 31, 334).
        With a tolerance of 1.00 each installment is cleared on its due date (99.50 >= 99,
        199.50 >= 199, 299.50 >= 299): (0, 0, 0), never written off.
    T2  the same, 99.00 on Jun 1 (1.00 short: at the tolerance, still within it):
        (30, 31, 334) / (0, 0, 0)
    T3  the same, 98.99 on Jun 1 (1.01 short: over the tolerance): (30, 31, 334) both ways,
        written off on 2024-01-29 with 1.01 both ways
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from dbt_support import built_book
from test_lifecycle import customer, event, line, loan

pytestmark = pytest.mark.integration  # builds hand-made books with dbt

DEFAULT_VARS = "{charge_off_dpd: 180, dpd_grace_days: 0, dpd_tolerance_amount: 0}"
GRACE_AND_TOLERANCE_VARS = "{charge_off_dpd: 180, dpd_grace_days: 3, dpd_tolerance_amount: 1.00}"
SELECTION = ["+mart_vintage_curves", "+mart_first_payment_delinquency", "+fct_line_months"]


def short_paid_loan(loan_id: str, first_paid_amount: str):
    """Three installments of 100 due Jun 1, Jul 1, Aug 1 2023, each paid on its due date,
    the first with `first_paid_amount` instead of 100."""
    dues = ["2023-06-01", "2023-07-01", "2023-08-01"]
    loan_row, installments, repayments = loan(
        loan_id, f"L{loan_id}", "2023-05-10 10:00:00", dues, [None, dues[1], dues[2]]
    )
    first = {
        "repayment_id": f"{loan_id}-R1",
        "loan_id": loan_id,
        "paid_at": f"{dues[0]} 12:00:00",
        "amount": first_paid_amount,
    }
    return loan_row, installments, [first, *repayments]


def vintage_fpd_book() -> dict[str, list[dict]]:
    stories = {
        # vintage 2023-01, CASH
        "W1": loan(
            "W1",
            "LW1",
            "2023-01-10 10:00:00",
            ["2023-02-01", "2023-03-01", "2023-04-01"],
            ["2023-02-01", None, None],
        ),
        "W2": loan(
            "W2",
            "LW2",
            "2023-01-15 10:00:00",
            ["2023-02-15", "2023-03-15", "2023-04-15"],
            ["2023-02-15", "2023-03-15", "2023-04-15"],
            600,
        ),
        # FPD cohort 2023-03, CASH
        **{
            loan_id: loan(
                loan_id,
                f"L{loan_id}",
                "2023-03-05 10:00:00",
                ["2023-04-01", "2023-05-01", "2023-06-01"],
                paid,
            )
            for loan_id, paid in [
                ("F1", ["2023-05-01", "2023-05-01", "2023-06-01"]),
                ("F2", ["2023-05-02", "2023-05-02", "2023-06-01"]),
                ("F3", [None, None, None]),
                ("F4", ["2023-04-01", "2023-06-10", "2023-06-10"]),
                ("F5", ["2023-04-01", "2023-05-01", "2023-06-01"]),
            ]
        },
        # grace and tolerance cohort 2023-05, CONSUMER
        **{
            loan_id: loan(loan_id, f"L{loan_id}", "2023-05-10 10:00:00", dues, paid)
            for loan_id, dues, paid in [
                (
                    "G1",
                    ["2023-06-01", "2023-07-01", "2023-08-01"],
                    ["2023-06-04", "2023-07-01", "2023-08-01"],
                ),
                (
                    "G2",
                    ["2023-06-01", "2023-07-01", "2023-08-01"],
                    ["2023-07-20", "2023-07-20", "2023-08-01"],
                ),
                (
                    "G3",
                    ["2023-06-29", "2023-07-29", "2023-08-29"],
                    ["2023-07-05", "2023-07-29", "2023-08-29"],
                ),
            ]
        },
        "T1": short_paid_loan("T1", "99.50"),
        "T2": short_paid_loan("T2", "99.00"),
        "T3": short_paid_loan("T3", "98.99"),
    }
    tables: dict[str, list[dict]] = defaultdict(list)
    for loan_id, (loan_row, installments, repayments) in stories.items():
        customer_id, line_id = f"C{loan_id}", f"L{loan_id}"
        product = "CONSUMER" if loan_id[0] in "GT" else "CASH"
        tables["customers"].append(customer(customer_id))
        tables["credit_lines"].append(line(line_id, customer_id, "1000", product))
        tables["limit_events"].append(
            event(
                f"O{loan_id}",
                line_id,
                "2023-01-05 10:00:00",
                "open",
                "0",
                "1000",
                "NEW_LINE",
                "system",
            )
        )
        tables["loans"].append(loan_row)
        tables["installments"].extend(installments)
        tables["repayments"].extend(repayments)
    tables["credit_scores"] = [
        {"customer_id": c["customer_id"], "scored_at": "2023-01-01 00:00:00", "score": 650}
        for c in tables["customers"]
    ]
    # the latest activity in the extract: it makes 2024-06-30 the as-of date
    tables["credit_inquiries"] = [
        {
            "inquiry_id": "Q1",
            "customer_id": "CW1",
            "inquired_at": "2024-06-30 12:00:00",
            "institution_type": "bank",
        }
    ]
    return dict(tables)


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    """The book with the default DPD reading: no grace, no tolerance."""
    work = tmp_path_factory.mktemp("strict_book")
    with built_book(work, vintage_fpd_book(), SELECTION, DEFAULT_VARS) as con:
        yield con


@pytest.fixture(scope="module")
def lenient(tmp_path_factory):
    """The same book with a grace of 3 days and a tolerance of 1.00."""
    work = tmp_path_factory.mktemp("lenient_book")
    with built_book(work, vintage_fpd_book(), SELECTION, GRACE_AND_TOLERANCE_VARS) as con:
        yield con


def records(con, query: str) -> list[dict]:
    result = con.sql(query)
    return [dict(zip(result.columns, row, strict=True)) for row in result.fetchall()]


def fpd_cells(con, month: str, product: str) -> dict[int, dict]:
    return {
        row["installment_no"]: row
        for row in records(
            con,
            "select * from risk.mart_first_payment_delinquency "
            f"where origination_month_on = '{month}' and product_code = '{product}'",
        )
    }


def conditional_30d(cell: dict) -> tuple[int, int]:
    """(observed, bad) of the conditional 30-day figure of one FPD/SPD/TPD cell."""
    return cell["conditional_observed_30d_loan_count"], cell["conditional_unpaid_30d_loan_count"]


def installment_dpd(con) -> dict[tuple[str, int], int]:
    return {
        (loan_id, number): dpd
        for loan_id, number, dpd in con.sql(
            "select loan_id, installment_no, days_past_due from core.fct_installments"
        ).fetchall()
    }


def line_month(con, line_id: str, month: str) -> dict:
    (row,) = records(
        con,
        "select dpd_month_end, max_dpd_in_month, overdue_amount from core.fct_line_months "
        f"where line_id = '{line_id}' and month_start_on = '{month}'",
    )
    return row


# --- vintage -----------------------------------------------------------------------------


def test_a_written_off_loan_stays_point_in_time_30_plus_at_count_and_principal(strict):
    cells = {
        row["months_on_book"]: row
        for row in records(
            strict,
            "select * from risk.mart_vintage_curves "
            "where origination_month_on = '2023-01-01' and product_code = 'CASH'",
        )
    }
    # MOB 0 (Jan 2023) to MOB 17 (Jun 2024, complete on the as-of date 2024-06-30)
    assert sorted(cells) == list(range(18))
    assert {(c["loan_count"], c["principal_amount"]) for c in cells.values()} == {(2, 900)}
    point_in_time = {
        mob: (
            c["dpd_30_plus_loan_count"],
            c["dpd_30_plus_principal_amount"],
            c["written_off_loan_count"],
            c["written_off_principal_amount"],
        )
        for mob, c in cells.items()
    }
    # MOB 0-2: W1 is current, then exactly 30 DPD at Mar 31 (30+ means more than 30)
    for mob in (0, 1, 2):
        assert point_in_time[mob] == (0, 0, 0, 0)
    # MOB 3-6 (Apr-Jul): W1 60, 91, 121, 152 DPD at the month-ends: 30+ on the book
    for mob in (3, 4, 5, 6):
        assert point_in_time[mob] == (1, 300, 0, 0)
    # MOB 7 (Aug): written off on Aug 29 with 200 left (300 - the 100 repaid on Feb 1); from
    # then on it has no delinquency rows, yet it stays 30+ at its original 300 in every cell
    # (before the fix these cells read 0 from MOB 8)
    for mob in range(7, 18):
        assert point_in_time[mob] == (1, 300, 1, 200)
    assert cells[17]["dpd_30_plus_count_rate"] == pytest.approx(1 / 2)  # 1 of 2 loans
    assert cells[17]["dpd_30_plus_principal_rate"] == pytest.approx(300 / 900)
    assert cells[17]["written_off_count_rate"] == pytest.approx(1 / 2)
    assert cells[17]["written_off_principal_rate"] == pytest.approx(200 / 900)
    # ever 30+: first more than 30 in April (MOB 3), never again counted twice
    assert [cells[m]["ever_30_plus_loan_count"] for m in (2, 3, 17)] == [0, 1, 1]
    # the charge-off in the core: Mar 1 + 181 days, 200 of principal
    assert strict.sql(
        "select charged_off_on, charged_off_principal_amount from core.fct_loans "
        "where loan_id = 'W1'"
    ).fetchall() == [(date(2023, 8, 29), Decimal("200.00"))]


def test_no_vintage_cell_of_the_book_counts_fewer_30_plus_loans_than_written_off(strict):
    assert strict.sql(
        "select count(*) from risk.mart_vintage_curves "
        "where dpd_30_plus_loan_count < written_off_loan_count"
    ).fetchall() == [(0,)]


# --- FPD / SPD / TPD ---------------------------------------------------------------------


def test_fpd30_is_more_than_30_days_so_30_days_late_is_not_bad_and_31_is(strict):
    dpd = installment_dpd(strict)
    assert dpd["F1", 1] == 30  # paid May 1: Apr 1 + 30
    assert dpd["F2", 1] == 31  # paid May 2
    fpd = fpd_cells(strict, "2023-03-01", "CASH")[1]
    # observed: all 5 (Apr 1 + 30 days is long before the as-of date)
    # FPD30: F2 (31) and F3 (never paid); F1's exactly 30 is not bad -> 2 of 5
    assert (fpd["observed_30d_loan_count"], fpd["unpaid_30d_loan_count"]) == (5, 2)
    assert fpd["unpaid_30d_rate"] == pytest.approx(2 / 5)
    # FPD7 and FPD1: F1 (30), F2 (31), F3 -> 3 of 5; F4 and F5 paid on time
    assert (fpd["unpaid_7d_loan_count"], fpd["unpaid_1d_loan_count"]) == (3, 3)
    # the first installment has no earlier one: conditional = cumulative
    assert conditional_30d(fpd) == (5, 2)


def test_conditional_spd_and_tpd_count_only_loans_whose_earlier_installments_were_paid(strict):
    cells = fpd_cells(strict, "2023-03-01", "CASH")
    spd, tpd = cells[2], cells[3]
    # SPD30 cumulative: F3 (unpaid) and F4 (40 days) of 5 observed -> 2/5
    assert (spd["observed_30d_loan_count"], spd["unpaid_30d_loan_count"]) == (5, 2)
    assert spd["unpaid_30d_rate"] == pytest.approx(2 / 5)
    # SPD30 conditional: of the loans not FPD30 (F1 at exactly 30, F4, F5) only F4 -> 1/3
    assert conditional_30d(spd) == (3, 1)
    assert spd["conditional_unpaid_30d_rate"] == pytest.approx(1 / 3)
    # TPD30 cumulative: F3 -> 1/5 (F4's third installment was 9 days late)
    assert (tpd["observed_30d_loan_count"], tpd["unpaid_30d_loan_count"]) == (5, 1)
    # TPD30 conditional: of the loans with installments 1 and 2 at most 30 days late
    # (F1: 30, 0; F5) none -> 0/2
    assert conditional_30d(tpd) == (2, 0)
    assert tpd["conditional_unpaid_30d_rate"] == 0
    # SPD1: F2's second installment was paid 1 day late, not more than 1 -> F3, F4 = 2/5
    assert spd["unpaid_1d_loan_count"] == 2


# --- grace period and tolerance ------------------------------------------------------------


def written_off(con) -> dict[str, tuple[date, Decimal]]:
    return {
        loan_id: (on, amount)
        for loan_id, on, amount in con.sql(
            "select loan_id, charged_off_on, charged_off_principal_amount from core.fct_loans "
            "where charged_off_on is not null and loan_id in ('G1', 'G2', 'G3', 'T1', 'T2', 'T3')"
        ).fetchall()
    }


def test_without_grace_or_tolerance_every_day_and_every_fen_is_past_due(strict):
    dpd = installment_dpd(strict)
    assert [dpd[loan_id, n] for loan_id in ("G1", "G2", "G3") for n in (1, 2, 3)] == [
        3, 0, 0,  # G1: paid Jun 4
        49, 19, 0,  # G2: Jun 1 -> Jul 20, Jul 1 -> Jul 20
        6, 0, 0,  # G3: Jun 29 -> Jul 5
    ]  # fmt: skip
    # T1-T3: the shortfall rolls: 100 reached Jul 1 (30), 200 Aug 1 (31), 300 never
    # (Aug 1 2023 -> Jun 30 2024 = 334)
    assert {tuple(dpd[loan_id, n] for n in (1, 2, 3)) for loan_id in ("T1", "T2", "T3")} == {
        (30, 31, 334)
    }
    assert line_month(strict, "LG1", "2023-06-01") == {
        "dpd_month_end": 0, "max_dpd_in_month": 3, "overdue_amount": 0}  # fmt: skip
    # G3 due Jun 29: 1 DPD at the Jun 30 month-end, its 100 overdue
    assert line_month(strict, "LG3", "2023-06-01") == {
        "dpd_month_end": 1, "max_dpd_in_month": 1, "overdue_amount": 100}  # fmt: skip
    # T1 0.50 short: M1 month after month (29 at Jun 30; 30 at Jul 31 on installment 2;
    # 31 reached on Aug 1 on installment 2, 30 at Aug 31 on installment 3), 0.50 overdue
    assert [line_month(strict, "LT1", m) for m in ("2023-06-01", "2023-07-01", "2023-08-01")] == [
        {"dpd_month_end": 29, "max_dpd_in_month": 29, "overdue_amount": Decimal("0.50")},
        {"dpd_month_end": 30, "max_dpd_in_month": 30, "overdue_amount": Decimal("0.50")},
        {"dpd_month_end": 30, "max_dpd_in_month": 31, "overdue_amount": Decimal("0.50")},
    ]
    # ... and written off on Aug 1 + 181 days = 2024-01-29 with the principal left unpaid
    assert written_off(strict) == {
        "T1": (date(2024, 1, 29), Decimal("0.50")),
        "T2": (date(2024, 1, 29), Decimal("1.00")),
        "T3": (date(2024, 1, 29), Decimal("1.01")),
    }
    cells = fpd_cells(strict, "2023-05-01", "CONSUMER")
    # first installments 3, 49, 6, 30, 30, 30 DPD: FPD1 all 6; FPD7 G2 and T1-T3; FPD30 only
    # G2 (30 is not more than 30)
    assert [cells[1][f"unpaid_{k}d_loan_count"] for k in (1, 7, 30)] == [6, 4, 1]
    # second installments 0, 19, 0, 31, 31, 31: SPD30 T1-T3
    assert cells[2]["unpaid_30d_loan_count"] == 3


def test_grace_keeps_a_payment_within_it_current_and_counts_dpd_from_the_due_date_past_it(
    lenient,
):
    dpd = installment_dpd(lenient)
    # G1 paid on day 3 = the grace: never past due; G2 and G3 past it: DPD from the due date
    assert [dpd[loan_id, n] for loan_id in ("G1", "G2", "G3") for n in (1, 2, 3)] == [
        0, 0, 0,
        49, 19, 0,
        6, 0, 0,
    ]  # fmt: skip
    assert line_month(lenient, "LG1", "2023-06-01") == {
        "dpd_month_end": 0, "max_dpd_in_month": 0, "overdue_amount": 0}  # fmt: skip
    # G2 unpaid past the grace: 29 DPD at Jun 30 (from Jun 1), not 29 - 3
    assert line_month(lenient, "LG2", "2023-06-01")["dpd_month_end"] == 29
    assert line_month(lenient, "LG2", "2023-07-01")["max_dpd_in_month"] == 49
    # G3: the Jun 30 month-end is day 1 after Jun 29, in the grace -> current; in July it
    # passes the grace on Jul 3 (DPD 4) and is paid on Jul 5 at DPD 6
    assert line_month(lenient, "LG3", "2023-06-01") == {
        "dpd_month_end": 0, "max_dpd_in_month": 0, "overdue_amount": 0}  # fmt: skip
    assert line_month(lenient, "LG3", "2023-07-01") == {
        "dpd_month_end": 0, "max_dpd_in_month": 6, "overdue_amount": 0}  # fmt: skip
    assert "G1" not in written_off(lenient)


def test_a_shortfall_at_or_under_the_tolerance_is_current_and_over_it_is_not(lenient):
    dpd = installment_dpd(lenient)
    # T1 0.50 and T2 1.00 short: each installment cleared on its due date (running totals
    # 99.50 / 99.00 >= 100 - 1.00, then 199.xx >= 199, 299.xx >= 299): never past due.
    # T3 1.01 short: 98.99 < 99, so it rolls exactly as without a tolerance
    assert [tuple(dpd[loan_id, n] for n in (1, 2, 3)) for loan_id in ("T1", "T2", "T3")] == [
        (0, 0, 0), (0, 0, 0), (30, 31, 334)]  # fmt: skip
    installments = {
        (row["loan_id"], row["installment_no"]): row
        for row in records(
            lenient,
            "select loan_id, installment_no, fully_paid_on, cleared_on, unpaid_amount "
            "from core.fct_installments where loan_id in ('T1', 'T3')",
        )
    }
    # current, not forgiven: T1's installment 1 is fully paid only on Jul 1 (199.50 >= 100)
    # and installment 3 still owes 0.50 (299.50 of 300), yet both were cleared on their due dates
    assert installments["T1", 1]["cleared_on"] == date(2023, 6, 1)
    assert installments["T1", 1]["fully_paid_on"] == date(2023, 7, 1)
    assert installments["T1", 3]["cleared_on"] == date(2023, 8, 1)
    assert installments["T1", 3]["fully_paid_on"] is None
    assert installments["T1", 3]["unpaid_amount"] == Decimal("0.50")
    assert installments["T3", 3]["cleared_on"] is None
    for month in ("2023-06-01", "2023-07-01", "2023-08-01"):
        assert line_month(lenient, "LT1", month) == {
            "dpd_month_end": 0, "max_dpd_in_month": 0, "overdue_amount": 0}  # fmt: skip
    # T3: 29 DPD at Jun 30 with 100 - 98.99 = 1.01 overdue; cleared Jul 1 (30 DPD that day),
    # then installment 2 is past the grace from Jul 5: 30 DPD at Jul 31
    assert [line_month(lenient, "LT3", m) for m in ("2023-06-01", "2023-07-01")] == [
        {"dpd_month_end": 29, "max_dpd_in_month": 29, "overdue_amount": Decimal("1.01")},
        {"dpd_month_end": 30, "max_dpd_in_month": 30, "overdue_amount": Decimal("1.01")},
    ]
    # only T3 is written off, on the same day as without the options (the grace does not
    # move the charge-off: DPD past it counts from the due date)
    assert written_off(lenient) == {"T3": (date(2024, 1, 29), Decimal("1.01"))}


def test_fpd_reads_the_grace_and_the_tolerance(lenient):
    cells = fpd_cells(lenient, "2023-05-01", "CONSUMER")
    # first installments now 0, 49, 6, 0, 0, 30 DPD; all 6 observed (more than 3 days, the
    # grace, between the due date and the as-of date)
    assert cells[1]["observed_1d_loan_count"] == 6
    # FPD1: G2, G3, T3; FPD7: G2, T3; FPD30: G2 (T3's 30 is not more than 30)
    assert [cells[1][f"unpaid_{k}d_loan_count"] for k in (1, 7, 30)] == [3, 2, 1]
    # second installments 0, 19, 0, 0, 0, 31: SPD30 T3 only
    assert cells[2]["unpaid_30d_loan_count"] == 1


# --- the generated portfolio ---------------------------------------------------------------


def test_no_vintage_cell_of_the_generated_book_counts_fewer_30_plus_loans_than_written_off(
    warehouse,
):
    curves = warehouse.sql(
        "select origination_month_on, product_code, months_on_book, observed_on, "
        "dpd_30_plus_loan_count, written_off_loan_count, written_off_principal_amount "
        "from risk.mart_vintage_curves"
    ).pl()
    loans = warehouse.sql(
        "select origination_month_on, product_code, charged_off_on, charged_off_principal_amount "
        "from core.fct_loans where charged_off_on is not null"
    ).pl()
    assert loans.height > 0
    # recount the write-offs by each cell's month-end, per product and for 'all'
    by_product = curves.join(loans, on=["origination_month_on", "product_code"], how="left")
    all_products = curves.filter(pl.col("product_code") == "all").join(
        loans.drop("product_code"), on="origination_month_on", how="left"
    )
    keys = ["origination_month_on", "product_code", "months_on_book"]
    recount = (
        pl.concat([by_product, all_products.select(by_product.columns)])
        .with_columns(
            (pl.col("charged_off_on") <= pl.col("observed_on")).fill_null(False).alias("is_off")
        )
        .group_by(keys)
        .agg(
            pl.col("is_off").sum().alias("written_off"),
            pl.when(pl.col("is_off"))
            .then(pl.col("charged_off_principal_amount"))
            .sum()
            .alias("written_off_principal"),
        )
    )
    cells = curves.join(recount, on=keys, how="left")
    assert cells.height == curves.height
    assert cells.filter(pl.col("written_off") > 0).height > 0
    assert cells.filter(pl.col("dpd_30_plus_loan_count") < pl.col("written_off")).height == 0
    assert (cells["written_off_loan_count"] == cells["written_off"]).all()
    assert (
        (
            cells["written_off_principal_amount"].cast(pl.Float64)
            - cells["written_off_principal"].cast(pl.Float64)
        ).abs()
        < 0.005
    ).all()
