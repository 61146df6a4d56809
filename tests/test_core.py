"""Integration tests of the core facts on the small generated portfolio: allocation and
days past due recomputed independently, by brute force, from the raw files."""

from collections import defaultdict
from datetime import date, timedelta

import duckdb
import pytest

pytestmark = pytest.mark.integration

FAR_FUTURE = date(9999, 12, 31)


def raw(small_portfolio, table: str, columns: str, where: str = "true") -> list[tuple]:
    path = f"{small_portfolio}/{table}/*/*.parquet"
    query = f"select {columns} from read_parquet('{path}', hive_partitioning=true) where {where}"
    return duckdb.sql(query).fetchall()


def sample_lines(warehouse, count: int) -> list[str]:
    """Lines that were ever past due, plus some that never were: a fixed sample."""
    return [
        row[0]
        for row in warehouse.sql(f"""
        select line_id from core.dim_credit_lines
        order by hash(line_id) limit {count}""").fetchall()
    ]


def fifo_fully_paid_dates(installments, repayments) -> dict[int, date | None]:
    """Allocate repayments oldest installment first; the date each one is fully paid."""
    paid_on: dict[int, date | None] = {}
    remaining = [(no, round(p + i, 2)) for no, p, i in sorted(installments)]
    payments = sorted(repayments)  # (paid_at, repayment_id, amount)
    position, balance = 0, 0.0
    for no, due in remaining:
        while balance + 1e-9 < due and position < len(payments):
            balance = round(balance + payments[position][2], 2)
            position += 1
        if balance + 1e-9 >= due:
            balance = round(balance - due, 2)
            paid_on[no] = payments[position - 1][0].date()
        else:
            paid_on[no] = None
            balance = 0.0
    return paid_on


def test_installments_are_paid_in_fifo_order_as_an_independent_allocation_says(
    warehouse, small_portfolio
):
    lines = sample_lines(warehouse, 400)
    loans = [
        r[0]
        for r in warehouse.sql(
            f"select loan_id from core.fct_loans where line_id in {tuple(lines)}"
        ).fetchall()
    ]
    assert len(loans) > 500
    schedule, payments = defaultdict(list), defaultdict(list)
    for loan_id, no, principal, interest in raw(
        small_portfolio,
        "installments",
        "loan_id, installment_no, principal_due, interest_due",
        f"loan_id in {tuple(loans)}",
    ):
        schedule[loan_id].append((no, principal, interest))
    for loan_id, paid_at, repayment_id, amount in raw(
        small_portfolio,
        "repayments",
        "loan_id, paid_at, repayment_id, amount",
        f"loan_id in {tuple(loans)}",
    ):
        payments[loan_id].append((paid_at, repayment_id, amount))
    built = {
        (loan, no): paid
        for loan, no, paid in warehouse.sql(
            f"select loan_id, installment_no, fully_paid_on from core.fct_installments "
            f"where loan_id in {tuple(loans)}"
        ).fetchall()
    }
    expected = {}
    for loan_id in loans:
        for no, paid in fifo_fully_paid_dates(schedule[loan_id], payments[loan_id]).items():
            expected[(loan_id, no)] = paid
    assert built == expected
    assert any(paid is None for paid in expected.values())


def daily_dpd(installments: list[tuple[date, date | None]], day: date) -> int:
    """DPD on a day: days since the oldest installment not fully paid by the end of it."""
    unpaid = [due for due, paid in installments if due < day and (paid is None or paid > day)]
    return (day - min(unpaid)).days if unpaid else 0


def test_line_month_dpd_matches_a_day_by_day_recomputation(warehouse):
    lines = sample_lines(warehouse, 300)
    as_of = warehouse.sql("select as_of_on from intermediate.int_as_of_date").fetchall()[0][0]
    rows = warehouse.sql(f"""
        select i.line_id, i.loan_id, i.due_on, i.fully_paid_on, l.charged_off_on
        from core.fct_installments i join core.fct_loans l using (loan_id)
        where i.line_id in {tuple(lines)}""").fetchall()
    loans = defaultdict(list)
    charged_off, line_of = {}, {}
    for line_id, loan_id, due, paid, charged in rows:
        loans[loan_id].append((due, paid))
        charged_off[loan_id], line_of[loan_id] = charged, line_id
    built = warehouse.sql(f"""
        select line_id, month_start_on, snapshot_on, dpd_month_end, max_dpd_in_month
        from core.fct_line_months where line_id in {tuple(lines)}""").fetchall()
    expected_month_end, expected_worst = defaultdict(int), defaultdict(int)
    months = {(m, s) for _, m, s, _, _ in built}
    for loan_id, installments in loans.items():
        late = [
            (due, paid)
            for due, paid in installments
            if (paid is None and due < as_of) or (paid is not None and paid > due)
        ]
        if not late:
            continue  # never past due: every month is 0, the default
        first_day = min(due for due, _ in late) + timedelta(days=1)
        last_day = max(paid or as_of for _, paid in late)
        for month_start, snapshot in months:
            stop = charged_off[loan_id]
            if snapshot < first_day or month_start > last_day:
                continue
            if stop is not None and month_start > stop:
                continue  # written off: no longer delinquent
            key = (line_of[loan_id], month_start)
            expected_month_end[key] = max(
                expected_month_end[key], daily_dpd(installments, snapshot)
            )
            worst, day = 0, max(month_start, first_day)
            while day <= min(snapshot, last_day):
                # on a payment day the installment paid counts the days it was late
                paid_today = [
                    (day - due).days for due, paid in installments if paid == day and due < day
                ]
                worst = max(worst, daily_dpd(installments, day), *paid_today)
                day += timedelta(days=1)
            expected_worst[key] = max(expected_worst[key], worst)
    mismatches = [
        (line, month, dpd, worst, expected_month_end[(line, month)], expected_worst[(line, month)])
        for line, month, _, dpd, worst in built
        if dpd != expected_month_end[(line, month)] or worst != expected_worst[(line, month)]
    ]
    assert mismatches == []
    assert max(expected_worst.values()) > 30
    assert as_of >= max(s for _, s in months)


def test_balances_reconcile_drawn_minus_repaid_for_the_whole_book(warehouse):
    drawn, repaid, charged = warehouse.sql("""
        select
            (select sum(principal_amount) from core.fct_loans),
            (select sum(principal_amount) from core.fct_repayments where not is_recovery),
            (select sum(charged_off_principal_amount) from core.fct_loans)""").fetchall()[0]
    on_book = warehouse.sql("""
        select sum(outstanding_principal_amount) from core.fct_line_months
        where month_start_on = (select max(month_start_on) from core.fct_line_months)
    """).fetchall()[0][0]
    assert drawn > 0 and charged > 0
    assert on_book == drawn - repaid - charged


def test_every_raw_row_is_accepted_or_quarantined(warehouse, small_portfolio):
    reconciliation = dict(
        (table, (raw_rows, accepted, quarantined))
        for table, raw_rows, accepted, quarantined in warehouse.sql(
            "select table_name, raw_rows, accepted_rows, quarantined_rows "
            "from staging.stg_row_reconciliation"
        ).fetchall()
    )
    assert len(reconciliation) == 8
    for table, (raw_rows, accepted, quarantined) in reconciliation.items():
        files = raw(small_portfolio, table, "count(*)")[0][0]
        assert raw_rows == files == accepted + quarantined, table
