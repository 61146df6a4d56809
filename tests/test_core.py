"""Integration tests of the core facts on the small generated portfolio: allocation and
days past due recomputed independently, by brute force, from the raw files."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

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


def fifo_fully_paid_dates(schedule, payments) -> dict[str, date | None]:
    """Allocate payments oldest row of the schedule first; the date each row is fully paid.
    `schedule`: (key, amount) in allocation order; `payments`: (paid_at, id, amount)."""
    paid_on: dict[str, date | None] = {}
    position, balance = 0, 0.0
    for key, due in schedule:
        while balance + 1e-9 < due and position < len(payments):
            balance = round(balance + payments[position][2], 2)
            position += 1
        if balance + 1e-9 >= due:
            balance = round(balance - due, 2)
            paid_on[key] = payments[position - 1][0].date()
        else:
            paid_on[key] = None
            balance = 0.0
    return paid_on


def cents(x: float) -> float:
    return float(Decimal(x).quantize(Decimal("0.01"), ROUND_HALF_UP))


def schedule_owed(loan_id, rows, drawn_on, rate, payments, tolerance=0.01, basis=365):
    """The schedule owed, by the rules of docs "Early repayment", written out by hand:
    re-cuts replace later rows, the principal they drop is a prepayment row, and a typed or
    recognised settlement replaces the rows after it. `rows`: (no, recut_on, due, principal,
    interest); `payments`: (paid_at, id, amount paid on the schedule, repayment_type).
    Returns [(key, amount)] in allocation order."""
    current = [r for r in rows if r[1] is None]
    items = []  # (due, kind order, no, key, principal, interest, is_installment)
    for recut in sorted({r[1] for r in rows if r[1] is not None}):
        kept = [r for r in current if r[2] <= recut]
        new = [r for r in rows if r[1] == recut]
        prepaid = round(sum(r[3] for r in current if r[2] > recut) - sum(r[3] for r in new), 2)
        if prepaid > 0:
            since = max((r[2] for r in kept), default=drawn_on)
            interest = cents(prepaid * rate * (recut - since).days / basis)
            items.append((recut, 1, 0, f"{loan_id}-P{recut}", prepaid, interest, False))
        current = kept + new
    for no, recut, due, principal, interest in current:
        key = f"{loan_id}-{no}" + (f"-R{recut}" if recut else "")
        items.append((due, 0, no, key, principal, interest, True))
    items.sort()
    total, cum = sum(i[4] + i[5] for i in items), 0.0
    for paid_at, _, amount, kind in payments:
        cum = round(cum + amount, 2)
        day = paid_at.date()
        through = round(sum(i[4] + i[5] for i in items if i[0] <= day), 2)
        after = round(sum(i[4] for i in items if i[0] > day), 2)
        since = max((i[0] for i in items if i[0] <= day and i[6]), default=drawn_on)
        payoff = round(through + after + cents(after * rate * (day - since).days / basis), 2)
        untyped = abs(cum - payoff) <= tolerance + 1e-9 and cum < total - tolerance
        if after > 0 and (kind == "settlement" or (kind is None and untyped)):
            interest = max(round(min(payoff, cum) - through - after, 2), 0.0)
            items = [i for i in items if i[0] <= day]
            items.append((day, 2, 0, f"{loan_id}-S", after, interest, False))
            break
    return [(i[3], round(i[4] + i[5], 2)) for i in items]


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
    # and every loan the early-repayment rules change
    loans += [
        r[0]
        for r in warehouse.sql(
            "select distinct loan_id from core.fct_installments "
            "where schedule_row_type <> 'installment' or recut_on is not null"
        ).fetchall()
    ]
    loans = sorted(set(loans))
    assert len(loans) > 500
    terms = {
        loan_id: (drawn_at.date(), rate)
        for loan_id, drawn_at, rate in raw(
            small_portfolio, "loans", "loan_id, drawn_at, annual_rate"
        )
    }
    schedule, payments = defaultdict(list), defaultdict(list)
    for loan_id, *row in raw(
        small_portfolio,
        "installments",
        "loan_id, installment_no, recut_on, due_date, principal_due, interest_due",
        f"loan_id in {tuple(loans)}",
    ):
        schedule[loan_id].append(tuple(row))
    for loan_id, paid_at, repayment_id, amount, kind in raw(
        small_portfolio,
        "repayments",
        "loan_id, paid_at, repayment_id, amount - penalty_paid, repayment_type",
        f"loan_id in {tuple(loans)}",
    ):
        payments[loan_id].append((paid_at, repayment_id, amount, kind))
    built = dict(
        warehouse.sql(
            f"select installment_id, fully_paid_on from core.fct_installments "
            f"where loan_id in {tuple(loans)}"
        ).fetchall()
    )
    expected = {}
    for loan_id in loans:
        paid = sorted(payments[loan_id])
        owed = schedule_owed(loan_id, schedule[loan_id], *terms[loan_id], paid)
        expected |= fifo_fully_paid_dates(owed, paid)
    assert built == expected
    assert any(paid is None for paid in expected.values())
    # prepayment and settlement rows were recomputed too
    assert any("-P" in key for key in expected) and any(key.endswith("-S") for key in expected)


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


def test_a_settled_loan_is_never_past_due_after_its_settlement(warehouse):
    """Settlements recorded as interest to the day, typed or not: the loan owes nothing after
    them (the whole book)."""
    counts = warehouse.sql("""
        select count(*), count(*) filter (where repayment_type is null)
        from core.fct_repayments r join core.fct_loans l using (loan_id)
        where r.paid_on = l.settled_on and r.repayment_type is distinct from 'installment'
    """).fetchall()[0]
    assert counts[0] > 100 and counts[1] > 10  # typed and recognised settlements
    owing_after = warehouse.sql("""
        select count(*) from core.fct_installments i join core.fct_loans l using (loan_id)
        where l.settled_on is not null
            and (i.due_on > l.settled_on or i.fully_paid_on > l.settled_on
                 or i.fully_paid_on is null
                 or (i.schedule_row_type = 'settlement' and i.days_past_due > 0))
    """).fetchall()[0][0]
    assert owing_after == 0
    late_months = warehouse.sql("""
        select count(*) from intermediate.int_loan_months_delinquent m
        join core.fct_loans l using (loan_id)
        where l.settled_on is not null and m.month_start_on > l.settled_on
            and (m.max_dpd_in_month > 0 or m.dpd_at_snapshot > 0)
    """).fetchall()[0][0]
    assert late_months == 0
    waived = warehouse.sql(
        "select min(interest_waived_amount), sum(interest_waived_amount) from core.fct_loans "
        "where settled_on is not null"
    ).fetchall()[0]
    assert waived[0] >= 0 and waived[1] > 0


def test_prepaid_loans_owe_the_re_cut_schedule_and_the_prepayment_is_paid_on_its_day(warehouse):
    rows = warehouse.sql("""
        select count(*), count(*) filter (where fully_paid_on = due_on and days_past_due = 0)
        from core.fct_installments where schedule_row_type = 'prepayment'
    """).fetchall()[0]
    assert rows[0] > 20 and rows[0] == rows[1]
    # every loan's principal is conserved across its re-cut, prepayment and settlement rows
    unbalanced = warehouse.sql("""
        select count(*) from core.fct_loans l
        join (select loan_id, sum(principal_due_amount) as scheduled
              from core.fct_installments group by loan_id) s using (loan_id)
        where s.scheduled <> l.principal_amount
    """).fetchall()[0][0]
    assert unbalanced == 0


def test_penalty_interest_charged_matches_what_the_generator_paid_on_cleared_loans(warehouse):
    """The generator pays penalty interest at 1.5x the rate on what is late; the warehouse
    accrues it independently from the allocation. On loans fully paid they agree to within
    a fen per installment for almost every loan (overpayments shift a few)."""
    total, agree, charged, paid = warehouse.sql("""
        select count(*),
            count(*) filter (where abs(penalty_interest_charged_amount
                                       - penalty_interest_paid_amount) <= 0.01 * term_months),
            sum(penalty_interest_charged_amount), sum(penalty_interest_paid_amount)
        from core.fct_loans where is_paid_off and penalty_interest_paid_amount > 0
    """).fetchall()[0]
    assert total > 100
    assert agree / total > 0.9
    assert abs(charged - paid) / paid < 0.05
