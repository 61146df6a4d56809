"""Tests of the synthetic portfolio generator (creditline.generate).

Small portfolios are generated once per module; the archetype checks are DuckDB queries on
the raw files that follow the archetype definitions in seeds/archetypes.csv.
"""

import os
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from creditline.errors import CreditlineError
from creditline.generate import DIRTY_RULES, TABLES, generate_portfolio

# The columns the generator writes (fee_paid, optional, it leaves out as an extract that does
# not split fees would).
CONTRACT = {
    "customers": [
        ("customer_id", pa.string()),
        ("created_at", pa.timestamp("us")),
        ("birth_year", pa.int32()),
        ("city_tier", pa.int32()),
        ("occupation", pa.string()),
        ("income_band", pa.string()),
        ("channel", pa.string()),
    ],
    "credit_lines": [
        ("line_id", pa.string()),
        ("customer_id", pa.string()),
        ("product_code", pa.string()),
        ("opened_at", pa.timestamp("us")),
        ("initial_limit", pa.float64()),
    ],
    "limit_events": [
        ("event_id", pa.string()),
        ("line_id", pa.string()),
        ("event_at", pa.timestamp("us")),
        ("event_type", pa.string()),
        ("limit_before", pa.float64()),
        ("limit_after", pa.float64()),
        ("reason_code", pa.string()),
        ("initiated_by", pa.string()),
    ],
    "loans": [
        ("loan_id", pa.string()),
        ("line_id", pa.string()),
        ("drawn_at", pa.timestamp("us")),
        ("principal", pa.float64()),
        ("term_months", pa.int32()),
        ("annual_rate", pa.float64()),
        ("repayment_method", pa.string()),
        ("penalty_rate", pa.float64()),
    ],
    "installments": [
        ("loan_id", pa.string()),
        ("installment_no", pa.int32()),
        ("due_date", pa.date32()),
        ("principal_due", pa.float64()),
        ("interest_due", pa.float64()),
        ("recut_on", pa.date32()),
    ],
    "repayments": [
        ("repayment_id", pa.string()),
        ("loan_id", pa.string()),
        ("paid_at", pa.timestamp("us")),
        ("amount", pa.float64()),
        ("repayment_type", pa.string()),
        ("penalty_paid", pa.float64()),
    ],
    "credit_scores": [
        ("customer_id", pa.string()),
        ("scored_at", pa.timestamp("us")),
        ("score", pa.int32()),
    ],
    "credit_inquiries": [
        ("inquiry_id", pa.string()),
        ("customer_id", pa.string()),
        ("inquired_at", pa.timestamp("us")),
        ("institution_type", pa.string()),
    ],
}
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ARCHETYPES = (
    "overdue_closed_recovered",
    "reopened_then_reclosed",
    "clean_closure_good_score",
    "zero_limit_closure",
    "exhausted_limit_closed",
    "paused_then_restored",
)


# ---------------------------------------------------------------- queries on raw output


def connect(root: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with one view per raw table (plus load_date from the folder)."""
    con = duckdb.connect()
    for name in TABLES:
        con.execute(
            f"create view {name} as select * from read_parquet("
            f"'{root}/{name}/*/*.parquet', hive_partitioning = true, union_by_name = true)"
        )
    return con


_PAID = """
create or replace temp table as_of as
    select max(last_day(cast(load_date as date))) as as_of_date from customers;
create or replace temp table inst as
    -- the schedule in force: a re-cut replaces the rows due after it; a settlement (typed, or
    -- this generator's untyped payments) ends the schedule on its day
    with settled as (
        select loan_id, min(cast(paid_at as date)) as settled_on from repayments
        where coalesce(repayment_type, 'settlement') = 'settlement' group by 1
    ),
    recut as (
        select loan_id, min(recut_on) as recut_on from installments
        where recut_on is not null group by 1
    ),
    in_force as (
        select i.* from installments i
        left join recut r using (loan_id) left join settled s using (loan_id)
        where (i.recut_on is not null or r.recut_on is null or i.due_date <= r.recut_on)
            and (s.settled_on is null or i.due_date <= s.settled_on)
    ),
    ordered as (
        select i.*, l.line_id, cl.customer_id,
            sum(principal_due + interest_due) over (
                partition by i.loan_id order by due_date, installment_no) - 0.005 as cum_due
        from in_force i join loans l using (loan_id) join credit_lines cl using (line_id)
    ),
    paid as (
        select loan_id, paid_at,
            sum(amount - penalty_paid) over (
                partition by loan_id order by paid_at, repayment_id) as cum_paid
        from repayments
    )
    select o.*, cast(p.paid_at as date) as paid_on
    from ordered o asof left join paid p on o.loan_id = p.loan_id and o.cum_due <= p.cum_paid;
create or replace temp table late as
    select customer_id, line_id, due_date,
        coalesce(paid_on, (select as_of_date from as_of) + 1) as end_on
    from inst
    where due_date < (select as_of_date from as_of)
      and (paid_on is null or paid_on > due_date);
create or replace temp table episodes as
    with marked as (
        select customer_id, due_date, end_on,
            case when due_date > max(end_on) over (
                partition by customer_id order by due_date, end_on
                rows between unbounded preceding and 1 preceding)
            then 1 else 0 end as is_new
        from late
    )
    select customer_id, 1 + sum(is_new) as n_episodes from marked group by customer_id;
create or replace temp table ev as
    select e.*, cl.customer_id from limit_events e join credit_lines cl using (line_id);
"""

_ARCHETYPE_SQL = {
    "overdue_closed_recovered": """
        select distinct c.customer_id
        from ev c
        where c.event_type = 'close' and c.reason_code = 'OVERDUE'
          and not exists (
              select 1 from inst i where i.customer_id = c.customer_id
                and i.due_date <= cast(c.event_at as date) and i.paid_on is null)
          and exists (
              select 1 from ev r where r.line_id = c.line_id and r.event_type = 'reopen'
                and r.event_at > c.event_at)
          and (select max(score) from credit_scores s where s.customer_id = c.customer_id
                 and s.scored_at > c.event_at and s.scored_at <= c.event_at + interval 90 day)
              >= (select arg_max(score, scored_at) from credit_scores s
                  where s.customer_id = c.customer_id and s.scored_at <= c.event_at)
    """,
    "reopened_then_reclosed": """
        select distinct r.customer_id
        from ev r join ev c on c.line_id = r.line_id
        join episodes p on p.customer_id = r.customer_id
        where r.event_type = 'reopen' and c.event_type = 'close'
          and c.event_at > r.event_at and c.event_at <= r.event_at + interval 365 day
          and n_episodes >= 2
    """,
    "clean_closure_good_score": """
        select distinct c.customer_id
        from ev c
        where c.event_type = 'close'
          and c.reason_code in ('INACTIVITY', 'POLICY_TIGHTENING', 'LINKED_PRODUCT')
          and (select arg_max(score, scored_at) from credit_scores s
               where s.customer_id = c.customer_id and s.scored_at <= c.event_at) >= 600
          and not exists (
              select 1 from late l where l.customer_id = c.customer_id
                and l.due_date + 1 <= cast(c.event_at as date))
    """,
    "zero_limit_closure": """
        select distinct d.customer_id
        from ev d
        where d.event_type = 'decrease' and d.limit_after = 0
          and exists (
              select 1 from ev c where c.line_id = d.line_id and c.event_type = 'close'
                and c.reason_code = 'RISK_REVIEW' and c.event_at >= d.event_at
                and cast(c.event_at as date) = cast(d.event_at as date))
          and not exists (
              select 1 from late l where l.customer_id = d.customer_id
                and l.due_date + 1 <= cast(d.event_at as date))
          and (select count(*) from credit_inquiries q
               where q.customer_id = d.customer_id and q.institution_type <> 'own_platform'
                 and q.inquired_at > d.event_at
                 and q.inquired_at <= d.event_at + interval 90 day)
            > (select count(*) from credit_inquiries q
               where q.customer_id = d.customer_id and q.institution_type <> 'own_platform'
                 and q.inquired_at < d.event_at
                 and q.inquired_at >= d.event_at - interval 90 day)
    """,
    "exhausted_limit_closed": """
        with closes as (
            select line_id, customer_id, event_at from ev where event_type = 'close'
        ),
        month_ends as (
            select c.line_id, c.customer_id, c.event_at,
                last_day(cast(c.event_at as date) - to_months(k)) as month_end
            from closes c, range(1, 4) as t(k)
        ),
        limits as (
            select m.*, (select arg_max(e.limit_after, e.event_at) from ev e
                         where e.line_id = m.line_id
                           and e.event_at < m.month_end + interval 1 day) as limit_in_force
            from month_ends m
        ),
        balances as (
            select l.*, (select coalesce(sum(i.principal_due), 0) from inst i
                         join loans n using (loan_id)
                         where i.line_id = l.line_id and n.drawn_at < l.month_end + interval 1 day
                           and (i.paid_on is null or i.paid_on > l.month_end)) as outstanding
            from limits l
        )
        select distinct customer_id from balances
        where limit_in_force > 0 and outstanding / limit_in_force >= 0.95
        group by customer_id, line_id, event_at having count(*) >= 3
    """,
    "paused_then_restored": """
        select distinct f.customer_id from ev f join ev u on u.line_id = f.line_id
        where f.event_type = 'freeze' and u.event_type = 'unfreeze' and u.event_at > f.event_at
    """,
}


def archetype_counts(root: Path) -> dict[str, int]:
    """Customers per archetype in a raw portfolio, by the seeds' definitions."""
    con = connect(root)
    con.execute(_PAID)
    return {
        name: con.execute(f"select count(*) from ({_ARCHETYPE_SQL[name]})").fetchone()[0]
        for name in ARCHETYPES
    }


def closure_reasons(root: Path) -> dict[str, int]:
    con = connect(root)
    rows = con.execute(
        "select reason_code, count(*) from limit_events where event_type = 'close' "
        "group by 1 order by 2 desc"
    ).fetchall()
    return dict(rows)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """The integration-test size: 3,000 customers over 24 months, seed 7."""
    root = tmp_path_factory.mktemp("raw")
    counts = generate_portfolio(root, customers=3_000, start="2023-01", months=24, seed=7)
    return root, counts


@pytest.fixture(scope="module")
def con(portfolio) -> duckdb.DuckDBPyConnection:
    connection = connect(portfolio[0])
    connection.execute(_PAID)
    return connection


def scalar(con, sql: str):
    return con.execute(sql).fetchone()[0]


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.parquet"))}


# ---------------------------------------------------------------- contract and layout


def test_every_file_has_the_contract_columns_in_order_with_their_types(portfolio):
    root, _ = portfolio
    for name, columns in CONTRACT.items():
        files = sorted((root / name).glob("load_date=*/*.parquet"))
        assert files, name
        expected = pa.schema(columns)
        for path in files:
            assert pq.read_schema(path).remove_metadata() == expected, path


def test_returned_counts_match_the_rows_on_disk(portfolio, con):
    _, counts = portfolio
    assert set(counts) == set(TABLES)
    for name in TABLES:
        assert scalar(con, f"select count(*) from {name}") == counts[name] > 0


def test_load_date_is_the_month_end_of_the_month_the_record_happened(con):
    record_dates = {
        "customers": "created_at",
        "credit_lines": "opened_at",
        "limit_events": "event_at",
        "loans": "drawn_at",
        "repayments": "paid_at",
        "credit_scores": "scored_at",
        "credit_inquiries": "inquired_at",
    }
    for name, column in record_dates.items():
        wrong = scalar(
            con,
            f"select count(*) from {name} "
            f"where cast(load_date as date) <> last_day(cast({column} as date))",
        )
        assert wrong == 0, name
    wrong = scalar(
        con,
        "select count(*) from installments i join loans l using (loan_id) "
        "where cast(i.load_date as date) <> "
        "coalesce(last_day(i.recut_on), cast(l.load_date as date))",
    )
    assert wrong == 0


def test_nothing_is_dated_after_the_as_of_date(con):
    as_of = "(select as_of_date from as_of)"
    assert str(scalar(con, f"select {as_of}")) == "2024-12-31"
    for name, column in [
        ("customers", "created_at"),
        ("credit_lines", "opened_at"),
        ("limit_events", "event_at"),
        ("loans", "drawn_at"),
        ("repayments", "paid_at"),
        ("credit_scores", "scored_at"),
        ("credit_inquiries", "inquired_at"),
    ]:
        assert scalar(con, f"select count(*) from {name} where {column} >= {as_of} + 1") == 0
        assert scalar(con, f"select count(*) from {name} where {column} < date '2023-01-01'") == 0


def test_ids_are_unique_even_across_chunks(tmp_path):
    generate_portfolio(tmp_path, customers=500, months=12, seed=3, chunk_size=150)
    con = connect(tmp_path)
    for name, key in [
        ("customers", "customer_id"),
        ("credit_lines", "line_id"),
        ("limit_events", "event_id"),
        ("loans", "loan_id"),
        ("repayments", "repayment_id"),
        ("credit_inquiries", "inquiry_id"),
        ("installments", "loan_id, installment_no, recut_on"),
        ("credit_scores", "customer_id, scored_at"),
    ]:
        total, distinct = con.execute(
            f"select count(*), count(distinct ({key})) from {name}"
        ).fetchone()
        assert total == distinct, name
    assert len(list((tmp_path / "loans").glob("*/part-00003.parquet"))) > 0


# ---------------------------------------------------------------- determinism and arguments


def test_same_arguments_write_byte_identical_files(tmp_path):
    generate_portfolio(tmp_path / "a", customers=400, months=12, seed=11, dirty_rate=0.02)
    generate_portfolio(tmp_path / "b", customers=400, months=12, seed=11, dirty_rate=0.02)
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")


def test_a_different_seed_writes_different_data(tmp_path):
    generate_portfolio(tmp_path / "a", customers=400, months=12, seed=11)
    generate_portfolio(tmp_path / "b", customers=400, months=12, seed=12)
    a, b = files_of(tmp_path / "a"), files_of(tmp_path / "b")
    assert a["loans/load_date=2023-06-30/part-00000.parquet"] != b.get(
        "loans/load_date=2023-06-30/part-00000.parquet"
    )


@pytest.mark.parametrize(
    "arguments",
    [
        {"customers": 0},
        {"months": 0},
        {"months": 121},
        {"start": "2023-13"},
        {"start": "January 2023"},
        {"dirty_rate": -0.1},
        {"dirty_rate": 0.6},
        {"chunk_size": 0},
        {"profile": "junk"},
    ],
)
def test_bad_arguments_raise_creditline_error(tmp_path, arguments):
    with pytest.raises(CreditlineError) as error:
        generate_portfolio(tmp_path, **{"customers": 10, "months": 2, **arguments})
    assert "\n" not in str(error.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_an_unwritable_out_dir_raises_creditline_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(CreditlineError):
            generate_portfolio(locked / "raw", customers=10, months=2)
    finally:
        locked.chmod(0o700)


def test_regeneration_replaces_the_table_folders_and_keeps_everything_else(tmp_path):
    generate_portfolio(tmp_path, customers=200, months=6, seed=1)
    stale = tmp_path / "loans" / "load_date=1999-12-31"
    stale.mkdir()
    (stale / "old.parquet").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("keep me")
    (tmp_path / "other_table").mkdir()
    generate_portfolio(tmp_path, customers=200, months=6, seed=1)
    assert not stale.exists()
    assert (tmp_path / "notes.txt").read_text() == "keep me"
    assert (tmp_path / "other_table").is_dir()


def test_progress_advances_to_the_total(tmp_path):
    calls = []
    generate_portfolio(
        tmp_path,
        customers=300,
        months=4,
        chunk_size=100,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls[-1] == (15, 15)
    assert [d for d, _ in calls] == list(range(1, 16))


# ---------------------------------------------------------------- loans, schedules, repayments


def test_schedule_parts_sum_to_the_principal_and_rounding_goes_to_the_last_installment():
    from creditline.synth.schedule import expand_schedule

    loan, k, principal, interest = expand_schedule(
        np.array([1_200.0, 1_000.0]), np.array([12, 3]), np.array([0.12, 0.18]), np.array([0, 1])
    )
    assert k.tolist() == list(range(1, 13)) + [1, 2, 3]
    assert round(principal[loan == 0].sum(), 2) == 1_200.0
    assert principal[loan == 1].tolist() == [333.33, 333.33, 333.34]
    assert interest[loan == 1].tolist() == [15.0, 10.0, 5.0]
    assert interest[0] == 12.0
    payment = principal[loan == 0][:-1] + interest[loan == 0][:-1]
    assert np.allclose(payment, 106.62)


def test_principal_due_sums_to_the_loan_principal(con):
    wrong = scalar(
        con,
        "select count(*) from (select loan_id, sum(principal_due) as due from installments "
        "where recut_on is null group by 1) join loans using (loan_id) "
        "where abs(due - principal) > 0.005",
    )
    assert wrong == 0
    assert scalar(con, "select count(*) from loans where term_months not in (3, 6, 12)") == 0
    counts = (
        "select loan_id, count(*) as n, max(installment_no) as top from installments "
        "where recut_on is null group by 1"
    )
    mismatched = scalar(
        con,
        f"select count(*) from ({counts}) join loans using (loan_id) "
        "where n <> term_months or top <> term_months",
    )
    assert mismatched == 0


def test_installments_fall_due_on_the_drawdown_day_of_month_later_months(con):
    wrong = scalar(
        con,
        "select count(*) from installments i join loans l using (loan_id) "
        "where i.due_date <> least(cast(l.drawn_at as date) + to_months(i.installment_no), "
        "last_day(cast(l.drawn_at as date) + to_months(i.installment_no)))",
    )
    assert wrong == 0


def test_repayments_fall_between_drawdown_and_as_of(con):
    early = scalar(
        con,
        "select count(*) from repayments r join loans l using (loan_id) "
        "where r.paid_at < l.drawn_at",
    )
    assert early == 0
    assert scalar(con, "select count(*) from repayments where amount <= 0") == 0
    orphans = scalar(con, "select count(*) from repayments anti join loans using (loan_id)")
    assert orphans == 0


def test_drawdowns_only_happen_on_open_lines_within_the_limit(con):
    state_at_draw = """
        select l.loan_id, l.principal, e.event_type, e.limit_after
        from loans l asof join limit_events e
          on l.line_id = e.line_id and l.drawn_at >= e.event_at
    """
    blocked = scalar(
        con, f"select count(*) from ({state_at_draw}) where event_type in ('freeze', 'close')"
    )
    assert blocked == 0
    assert scalar(con, f"select count(*) from ({state_at_draw}) where principal > limit_after") == 0


def test_most_installments_are_paid_on_time_and_some_are_late_or_missed(con):
    on_time, late, unpaid = con.execute(
        "select avg((paid_on <= due_date)::int), avg((paid_on > due_date)::int), "
        "avg((paid_on is null)::int) from inst where due_date <= (select as_of_date from as_of)"
    ).fetchone()
    assert on_time > 0.85
    assert 0.005 < late < 0.1
    assert 0.005 < unpaid < 0.1


# ---------------------------------------------------------------- limit events


def test_limit_before_equals_the_previous_limit_after_of_the_line(con):
    broken = scalar(
        con,
        "select count(*) from (select limit_before, lag(limit_after) over ("
        "partition by line_id order by event_at, event_id) as previous from limit_events) "
        "where previous is not null and abs(limit_before - previous) > 0.001",
    )
    assert broken == 0


def test_each_line_has_exactly_one_open_event_and_it_comes_first(con):
    lines = scalar(con, "select count(*) from credit_lines")
    opens = con.execute(
        "select count(*), count(distinct line_id) from limit_events where event_type = 'open'"
    ).fetchone()
    assert opens == (lines, lines)
    first_not_open = scalar(
        con,
        "select count(*) from (select line_id, arg_min(event_type, (event_at, event_id)) as first "
        "from limit_events group by 1) where first <> 'open'",
    )
    assert first_not_open == 0
    wrong = scalar(
        con,
        "select count(*) from limit_events e join credit_lines l using (line_id) "
        "where e.event_type = 'open' and (e.event_at <> l.opened_at "
        "or e.limit_before <> 0 or e.limit_after <> l.initial_limit "
        "or e.reason_code <> 'NEW_LINE' or e.initiated_by <> 'system')",
    )
    assert wrong == 0


def test_reopen_follows_close_and_unfreeze_follows_freeze(con):
    sequence = con.execute(
        "select event_type, previous, count(*) from (select event_type, lag(event_type) over ("
        "partition by line_id order by event_at, event_id) as previous from limit_events) "
        "where event_type in ('reopen', 'unfreeze') group by all"
    ).fetchall()
    pairs = {(kind, previous) for kind, previous, _ in sequence}
    assert pairs == {("reopen", "close"), ("unfreeze", "freeze")}
    assert (
        scalar(
            con, "select count(*) from limit_events where event_type = 'close' and limit_after <> 0"
        )
        == 0
    )
    assert (
        scalar(
            con,
            "select count(*) from limit_events where event_type in "
            "('freeze', 'unfreeze') and limit_after <> limit_before",
        )
        == 0
    )
    events_after_close = scalar(
        con,
        "select count(*) from (select event_type, lag(event_type) over (partition by line_id "
        "order by event_at, event_id) as previous from limit_events) "
        "where previous = 'close' and event_type <> 'reopen'",
    )
    assert events_after_close == 0


def test_zero_limit_closures_are_a_decrease_to_zero_then_a_risk_review_close(con):
    pairs = con.execute(
        "select event_type, next_type, next_reason, count(*) from (select *, "
        "lead(event_type) over w as next_type, lead(reason_code) over w as next_reason "
        "from limit_events window w as (partition by line_id order by event_at, event_id)) "
        "where event_type = 'decrease' and limit_after = 0 group by all"
    ).fetchall()
    assert [(p[1], p[2]) for p in pairs] == [("close", "RISK_REVIEW")]


def test_events_use_known_codes_and_initiators(con):
    reasons = {
        line.split(",")[0] for line in (SEEDS / "reason_codes.csv").read_text().splitlines()[1:]
    }
    used = {r for (r,) in con.execute("select distinct reason_code from limit_events").fetchall()}
    assert used <= reasons
    initiators = con.execute(
        "select event_type, reason_code, initiated_by from limit_events group by all"
    ).fetchall()
    for event_type, reason, initiated_by in initiators:
        if event_type == "open":
            assert initiated_by == "system"
        elif reason == "APPEAL_APPROVED":
            assert initiated_by == "manual_review"
        elif reason == "REOPEN_CAMPAIGN":
            assert initiated_by == "marketing"
        elif reason == "CUSTOMER_REQUEST":
            assert initiated_by == "customer"
        else:
            assert initiated_by == "risk_engine"


# ---------------------------------------------------------------- realism


def test_scores_are_monthly_within_range_and_mostly_550_to_750(con):
    low, high, typical = con.execute(
        "select min(score), max(score), avg((score between 550 and 750)::int) from credit_scores"
    ).fetchone()
    assert low >= 350 and high <= 950
    assert typical > 0.6
    per_month = scalar(
        con,
        "select max(n) from (select customer_id, date_trunc('month', scored_at), count(*) as n "
        "from credit_scores group by all)",
    )
    assert per_month == 1


def test_closure_reasons_look_like_a_real_book(portfolio):
    reasons = closure_reasons(portfolio[0])
    top_two = list(reasons)[:2]
    assert set(top_two) == {"OVERDUE", "HIGH_UTILIZATION"}
    for reason in ("INACTIVITY", "POLICY_TIGHTENING", "LINKED_PRODUCT", "RISK_REVIEW"):
        assert reasons.get(reason, 0) > 0, reason


def test_portfolio_scale_is_in_the_expected_range(portfolio):
    _, counts = portfolio
    assert 3_500 <= counts["credit_lines"] <= 4_500
    assert counts["loans"] >= 6 * 3_000
    assert counts["customers"] == 3_000


def test_every_archetype_occurs_at_least_twice_at_the_integration_size(portfolio):
    counts = archetype_counts(portfolio[0])
    assert all(n >= 2 for n in counts.values()), counts


# ---------------------------------------------------------------- dirty rows


def test_dirty_mode_adds_each_rule_kind_and_counts_reconcile(tmp_path):
    clean = generate_portfolio(tmp_path / "clean", customers=600, months=12, seed=5)
    dirty = generate_portfolio(
        tmp_path / "dirty", customers=600, months=12, seed=5, dirty_rate=0.05
    )
    assert set(DIRTY_RULES) >= {
        "duplicate",
        "null_key",
        "wrong_type",
        "negative_amount",
        "unknown_code",
        "orphan",
        "reopen_without_close",
        "score_out_of_range",
        "late_arrival",
        "settlement_short",
        "recut_principal_mismatch",
        "restated_before_drawn",
    }
    for name in TABLES:
        added = dirty[name] - clean[name]
        assert 0.02 * clean[name] <= added <= 0.06 * clean[name] + 10, name
    con = connect(tmp_path / "dirty")
    for name in TABLES:
        assert scalar(con, f"select count(*) from {name}") == dirty[name]
        assert scalar(con, f"select count(*) from {name} where {CONTRACT[name][0][0]} is null") > 0
        duplicated = scalar(
            con, f"select count(*) from (select * from {name} group by all having count(*) > 1)"
        )
        assert duplicated > 0, name
        late = scalar(
            con,
            f"select count(*) from {name} "
            "where cast(load_date as date) <> last_day(cast(load_date as date))",
        )
        assert late > 0, name
        assert list((tmp_path / "dirty" / name).glob("*/*-types.parquet")), name
        junk_column = [c for c, t in CONTRACT[name] if not pa.types.is_string(t)]
        junk = " or ".join(f"{c} in ('N/A', '2024-13-45')" for c in junk_column)
        assert scalar(con, f"select count(*) from {name} where {junk}") > 0, name
    for name, column in [
        ("credit_lines", "initial_limit"),
        ("limit_events", "limit_after"),
        ("loans", "principal"),
        ("installments", "principal_due"),
        ("repayments", "amount"),
    ]:
        assert scalar(con, f"select count(*) from {name} where try_cast({column} as double) < 0")
    for name, column, value in [
        ("customers", "occupation", "astronaut"),
        ("credit_lines", "product_code", "GOLD"),
        ("limit_events", "event_type", "suspend"),
        ("limit_events", "reason_code", "XYZ"),
        ("loans", "repayment_method", "balloon"),
        ("credit_inquiries", "institution_type", "pawnshop"),
    ]:
        assert scalar(con, f"select count(*) from {name} where {column} = '{value}'"), value
    for child, parent, key in [
        ("credit_lines", "customers", "customer_id"),
        ("limit_events", "credit_lines", "line_id"),
        ("loans", "credit_lines", "line_id"),
        ("installments", "loans", "loan_id"),
        ("repayments", "loans", "loan_id"),
        ("credit_scores", "customers", "customer_id"),
        ("credit_inquiries", "customers", "customer_id"),
    ]:
        orphans = scalar(
            con,
            f"select count(*) from {child} c anti join {parent} p using ({key}) "
            f"where c.{key} is not null",
        )
        assert orphans > 0, child
    reopen_without_close = scalar(
        con,
        "select count(*) from limit_events r where event_type = 'reopen' and not exists ("
        "select 1 from limit_events c where c.line_id = r.line_id and c.event_type = 'close')",
    )
    assert reopen_without_close > 0
    out_of_range = scalar(
        con,
        "select count(*) from credit_scores where try_cast(score as int) not between 350 and 950",
    )
    assert out_of_range > 0


def test_an_out_dir_that_is_a_file_raises_creditline_error(tmp_path):
    blocker = tmp_path / "raw"
    blocker.write_text("not a folder")
    with pytest.raises(CreditlineError):
        generate_portfolio(blocker, customers=10, months=2)


def test_a_one_month_portfolio_still_delivers_every_table(tmp_path):
    """The contract needs every table, even empty: a new book has no repayments yet."""
    counts = generate_portfolio(tmp_path, customers=50, months=1, seed=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(TABLES)
    for table in TABLES:
        files = list((tmp_path / table).glob("load_date=*/*.parquet"))
        assert files, table
        assert sum(pq.read_metadata(f).num_rows for f in files) == counts[table]
