"""One more day of an existing synthetic portfolio, for the scheduled (daily) run.

`append_day` reads the raw files already under the root, works out each line's state and
each loan's position from them, and writes one new load-date partition
(`<table>/load_date=YYYY-MM-DD/append.parquet`) holding what happened that day:

- installments due that day are paid by most current borrowers;
- open lines draw new loans (with their schedules); new customers arrive with a line;
- some lines get a periodic limit increase; some customers are scored or inquired about;
- records that arrive late, dated days before the load date: installments of the last
  few days that were missed are paid "on their due day" and only reach the extract now,
  some delinquent loans cure with payments dated days earlier, and a few scores and limit
  increases are dated a few days back.

Every draw is a hash of (record key, seed, day), so the same day with the same seed writes
the same rows, and appending a day twice replaces its partition with identical files.
Ids of appended records carry a `D` and the load date (`ND20250101000001`), a number space
the monthly generator never uses.
"""

from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import CreditlineError

APPEND_FILE = "append.parquet"

_TYPES = {
    "customers": {
        "customer_id": pa.string(),
        "created_at": pa.timestamp("us"),
        "birth_year": pa.int32(),
        "city_tier": pa.int32(),
        "occupation": pa.string(),
        "income_band": pa.string(),
        "channel": pa.string(),
    },
    "credit_lines": {
        "line_id": pa.string(),
        "customer_id": pa.string(),
        "product_code": pa.string(),
        "opened_at": pa.timestamp("us"),
        "initial_limit": pa.float64(),
    },
    "limit_events": {
        "event_id": pa.string(),
        "line_id": pa.string(),
        "event_at": pa.timestamp("us"),
        "event_type": pa.string(),
        "limit_before": pa.float64(),
        "limit_after": pa.float64(),
        "reason_code": pa.string(),
        "initiated_by": pa.string(),
    },
    "loans": {
        "loan_id": pa.string(),
        "line_id": pa.string(),
        "drawn_at": pa.timestamp("us"),
        "principal": pa.float64(),
        "term_months": pa.int32(),
        "annual_rate": pa.float64(),
        "repayment_method": pa.string(),
    },
    "installments": {
        "loan_id": pa.string(),
        "installment_no": pa.int32(),
        "due_date": pa.date32(),
        "principal_due": pa.float64(),
        "interest_due": pa.float64(),
    },
    "repayments": {
        "repayment_id": pa.string(),
        "loan_id": pa.string(),
        "paid_at": pa.timestamp("us"),
        "amount": pa.float64(),
    },
    "credit_scores": {
        "customer_id": pa.string(),
        "scored_at": pa.timestamp("us"),
        "score": pa.int32(),
    },
    "credit_inquiries": {
        "inquiry_id": pa.string(),
        "customer_id": pa.string(),
        "inquired_at": pa.timestamp("us"),
        "institution_type": pa.string(),
    },
}


def _files(root: Path, table: str, before: date) -> list[str]:
    """The table's clean Parquet files loaded before `before` (not the all-string dirty ones)."""
    files = []
    for folder in sorted((root / table).glob("load_date=*")):
        if folder.name.removeprefix("load_date=") >= before.isoformat():
            continue
        files += [
            str(f)
            for f in sorted(folder.glob("*.parquet"))
            if not f.name.endswith("-types.parquet")
        ]
    return files


def _u(key: str, salt: str) -> str:
    """A uniform draw in [0, 1) from a key, the seed, the day and a salt."""
    return f"((hash({key}, $seed, $day, '{salt}') % 1000003) / 1000003.0)"


_STATE_SQL = """
create temp table lines as
with events as (
    select line_id, event_at, event_id, limit_after,
        case event_type when 'open' then 'open' when 'reopen' then 'open'
            when 'unfreeze' then 'open' when 'freeze' then 'frozen' when 'close' then 'closed'
        end as status_set
    from limit_events
    where event_id is not null and line_id is not null and event_at < $day::timestamp
),
ordered as (
    select *, last_value(status_set ignore nulls) over (
        partition by line_id order by event_at, event_id rows unbounded preceding) as status
    from events
)
select
    ordered.line_id,
    arg_max(status, (event_at, event_id)) as status,
    arg_max(limit_after, (event_at, event_id)) as limit_amount,
    max(event_at) as last_event_at
from ordered
group by ordered.line_id;

-- the schedule in force, near enough for a synthetic day: a re-cut replaces the rows due after
-- it, and nothing falls due after a settlement (typed, or this generator's untyped payments)
create temp table schedule as
with settled as (
    select loan_id, min(cast(paid_at as date)) as settled_on from repayments
    where coalesce(repayment_type, 'settlement') = 'settlement' group by loan_id
),
recut as (
    select loan_id, max(recut_on) as recut_on from installments
    where recut_on is not null group by loan_id
),
in_force as (
    select installments.* from installments
    left join recut using (loan_id)
    left join settled using (loan_id)
    where (installments.recut_on is not distinct from recut.recut_on
            or installments.due_date <= recut.recut_on)
        and (settled.settled_on is null or installments.due_date <= settled.settled_on)
)
select
    loan_id, installment_no, due_date,
    round(principal_due + interest_due, 2) as amount_due,
    sum(round(principal_due + interest_due, 2)) over (
        partition by loan_id order by due_date, installment_no rows unbounded preceding)
        as cum_due_after
from in_force
where loan_id is not null and principal_due >= 0 and interest_due >= 0;

create temp table paid as
select loan_id, sum(amount) as paid_amount
from repayments
where amount > 0 and paid_at < $day::timestamp
group by loan_id;

create temp table positions as
select
    schedule.*,
    schedule.cum_due_after - schedule.amount_due as cum_due_before,
    coalesce(paid.paid_amount, 0) as paid_amount
from schedule
left join paid on schedule.loan_id = paid.loan_id;
"""


def _tables_sql(day: date) -> dict[str, str]:
    tag = day.strftime("%Y%m%d")
    return {
        # installments due today on current loans, and the last days' missed ones whose
        # payment (dated on its due day) only reaches the extract today
        "repayments_due": f"""
            select loan_id, due_date, cum_due_after - paid_amount as amount,
                case when due_date = $day then 0 else 1 end as is_late
            from positions
            where due_date between $day - 6 and $day
                and paid_amount >= cum_due_before - 0.005
                and paid_amount < cum_due_after - 0.005
                and ((due_date = $day and {_u("loan_id", "due")} < 0.93)
                    or (due_date < $day and {_u("loan_id", "late")} < 0.35))
        """,
        # loans in arrears for more than a week (not yet charged off) that cure, with a
        # payment dated one to four days back
        "repayments_cure": f"""
            select loan_id, max(due_date) as due_date,
                max(cum_due_after) - any_value(paid_amount) as amount, 1 as is_late
            from positions
            where due_date < $day - 6 and paid_amount < cum_due_after - 0.005
            group by loan_id
            having min(due_date) > $day - 150 and {_u("loan_id", "cure")} < 0.03
        """,
        "new_loans": f"""
            select line_id, limit_amount,
                row_number() over (order by line_id) as n,
                {_u("line_id", "term")} as u_term,
                {_u("line_id", "size")} as u_size,
                {_u("line_id", "rate")} as u_rate,
                {_u("line_id", "secs")} as u_secs
            from lines
            where status = 'open' and limit_amount >= 1000
                and {_u("line_id", "draw")} < 0.012
        """,
        "increases": f"""
            select line_id, limit_amount, last_event_at,
                row_number() over (order by line_id) as n,
                cast({_u("line_id", "back")} * 4 as integer) as days_back
            from lines
            where status = 'open' and limit_amount between 1000 and 49000
                and {_u("line_id", "raise")} < 0.002
        """,
        "scores": f"""
            select customer_id, arg_max(score, scored_at) as last_score,
                max(scored_at) as last_scored_at,
                case when {_u("customer_id", "scoreback")} < 0.1 then 2 else 0 end as days_back,
                cast({_u("customer_id", "delta")} * 31 as integer) - 15 as delta
            from credit_scores
            where customer_id is not null and score between 350 and 950
            group by customer_id
            having {_u("customer_id", "score")} < 0.033
        """,
        "inquiries": f"""
            select customer_id, row_number() over (order by customer_id) as n,
                cast({_u("customer_id", "inst")} * 6 as integer) as institution,
                cast({_u("customer_id", "iqsecs")} * 50000 as integer) as secs
            from customers
            where customer_id is not null and created_at < $day::timestamp
                and {_u("customer_id", "inquiry")} < 0.004
        """,
        "tag": tag,
    }


def append_day(root: Path, day: date, *, seed: int = 42) -> dict[str, int]:
    """Write one day of new records for the portfolio under root; returns rows per table."""
    root = Path(root)
    if not (root / "loans").is_dir():
        raise CreditlineError(f"no portfolio to extend under {root} (run 'creditline generate')")
    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")
        for table in _TYPES:
            files = _files(root, table, day)
            if not files:
                raise CreditlineError(f"no {table} files loaded before {day} under {root}")
            con.execute(
                f"create view {table} as select * from read_parquet({files!r}, "
                "union_by_name = true)"
            )
        params = {"seed": seed, "day": day}
        for statement in _STATE_SQL.split(";"):
            if statement.strip():
                con.execute(statement, {k: v for k, v in params.items() if f"${k}" in statement})
        rows = _build(con, day, params)
    finally:
        con.close()
    counts = {}
    for table, data in rows.items():
        folder = root / table / f"load_date={day.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        schema = pa.schema(list(_TYPES[table].items()))
        pq.write_table(pa.Table.from_pylist(data, schema=schema), folder / APPEND_FILE)
        counts[table] = len(data)
    return counts


def _query(con, sql: str, params: dict) -> list[dict]:
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    cursor = con.execute(sql, used)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _build(con, day: date, params: dict) -> dict[str, list[dict]]:
    from datetime import datetime, timedelta

    sql = _tables_sql(day)
    tag = sql["tag"]
    midnight = datetime(day.year, day.month, day.day)
    out = {table: [] for table in _TYPES}

    # repayments: due today, late-arriving missed ones, cures
    payments = _query(con, sql["repayments_due"], params) + _query(
        con, sql["repayments_cure"], params
    )
    payments.sort(key=lambda r: r["loan_id"])
    for n, p in enumerate(payments, start=1):
        if p["amount"] <= 0:
            continue
        if p["is_late"] and p["due_date"] >= day - timedelta(days=6):
            paid_day = p["due_date"]
        elif p["is_late"]:
            paid_day = day - timedelta(days=1 + n % 4)
        else:
            paid_day = day
        out["repayments"].append(
            {
                "repayment_id": f"RD{tag}{n:07d}",
                "loan_id": p["loan_id"],
                "paid_at": datetime(paid_day.year, paid_day.month, paid_day.day)
                + timedelta(seconds=8 * 3600 + (n * 7919) % 50000),
                "amount": round(float(p["amount"]), 2),
            }
        )

    # new loans on open lines, with equal-principal or equal-installment schedules
    for row in _query(con, sql["new_loans"], params):
        n = row["n"]
        term = (3, 6, 12)[min(int(row["u_term"] * 3), 2)]
        principal = max(100.0, round(float(row["limit_amount"]) * (0.05 + 0.3 * row["u_size"]), -2))
        rate = round(0.0365 + 0.1460 * row["u_rate"], 4)
        method = "equal_principal" if n % 3 == 0 else "equal_installment"
        loan_id = f"ND{tag}{n:06d}"
        drawn_at = midnight + timedelta(seconds=9 * 3600 + int(row["u_secs"] * 40000))
        out["loans"].append(
            {
                "loan_id": loan_id,
                "line_id": row["line_id"],
                "drawn_at": drawn_at,
                "principal": principal,
                "term_months": term,
                "annual_rate": rate,
                "repayment_method": method,
            }
        )
        out["installments"] += _schedule(loan_id, day, principal, term, rate)

    # periodic limit increases, a few dated days back (after the line's last event)
    for row in _query(con, sql["increases"], params):
        at = midnight - timedelta(days=row["days_back"]) + timedelta(hours=3, seconds=row["n"])
        if at <= row["last_event_at"]:
            at = midnight + timedelta(hours=3, seconds=row["n"])
        before = float(row["limit_amount"])
        out["limit_events"].append(
            {
                "event_id": f"ED{tag}{row['n']:07d}",
                "line_id": row["line_id"],
                "event_at": at,
                "event_type": "increase",
                "limit_before": before,
                "limit_after": min(before + 1000.0, 50000.0),
                "reason_code": "PERIODIC_REVIEW",
                "initiated_by": "system",
            }
        )

    # scores: about one customer in thirty a day, a tenth of them dated two days back
    for row in _query(con, sql["scores"], params):
        at = midnight - timedelta(days=row["days_back"]) + timedelta(hours=2, minutes=17)
        if at <= row["last_scored_at"]:
            at = midnight + timedelta(hours=2, minutes=17)
        out["credit_scores"].append(
            {
                "customer_id": row["customer_id"],
                "scored_at": at,
                "score": int(min(max(row["last_score"] + row["delta"], 350), 950)),
            }
        )

    institutions = (
        "bank",
        "credit_card",
        "consumer_finance",
        "online_lender",
        "microloan",
        "own_platform",
    )
    for row in _query(con, sql["inquiries"], params):
        out["credit_inquiries"].append(
            {
                "inquiry_id": f"QD{tag}{row['n']:07d}",
                "customer_id": row["customer_id"],
                "inquired_at": midnight + timedelta(seconds=8 * 3600 + row["secs"]),
                "institution_type": institutions[min(row["institution"], 5)],
            }
        )

    _new_customers(con, day, tag, midnight, out)
    return out


def _new_customers(con, day: date, tag: str, midnight, out: dict) -> None:
    """About one new customer a day per thousand, each opening one line with its first score."""
    from datetime import timedelta

    existing = con.execute("select count(*) from customers").fetchall()[0][0]
    count = max(1, existing // 1000)
    for n in range(1, count + 1):
        created = midnight + timedelta(seconds=9 * 3600 + n * 97)
        customer_id, line_id = f"CD{tag}{n:05d}", f"LD{tag}{n:05d}"
        limit = float(2000 + (n * 1700) % 18000)
        out["customers"].append(
            {
                "customer_id": customer_id,
                "created_at": created,
                "birth_year": 1970 + (n * 7) % 35,
                "city_tier": 1 + n % 4,
                "occupation": ("salaried", "self_employed", "civil_servant", "freelancer")[n % 4],
                "income_band": ("under_5k", "5k_10k", "10k_20k", "over_20k")[n % 4],
                "channel": ("app", "merchant", "partner", "campaign")[n % 4],
            }
        )
        opened = created + timedelta(minutes=20)
        out["credit_lines"].append(
            {
                "line_id": line_id,
                "customer_id": customer_id,
                "product_code": ("CASH", "CONSUMER")[n % 2],
                "opened_at": opened,
                "initial_limit": limit,
            }
        )
        out["limit_events"].append(
            {
                "event_id": f"ED{tag}N{n:06d}",
                "line_id": line_id,
                "event_at": opened,
                "event_type": "open",
                "limit_before": 0.0,
                "limit_after": limit,
                "reason_code": "NEW_LINE",
                "initiated_by": "system",
            }
        )
        out["credit_scores"].append(
            {
                "customer_id": customer_id,
                "scored_at": created + timedelta(hours=1),
                "score": 560 + (n * 37) % 160,
            }
        )


def _schedule(loan_id: str, day: date, principal: float, term: int, rate: float) -> list[dict]:
    """Equal-principal schedule (rounding on the last installment), due on the drawdown's day
    of month in each later month (clamped to the month's length)."""
    import calendar

    rows, left = [], principal
    part = round(principal / term, 2)
    for k in range(1, term + 1):
        month = day.month - 1 + k
        year, month = day.year + month // 12, month % 12 + 1
        due = date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
        principal_due = round(left, 2) if k == term else part
        rows.append(
            {
                "loan_id": loan_id,
                "installment_no": k,
                "due_date": due,
                "principal_due": principal_due,
                "interest_due": round(left * rate / 12, 2),
            }
        )
        left = round(left - principal_due, 2)
    return rows
