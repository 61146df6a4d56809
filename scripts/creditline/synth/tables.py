"""Arrow tables in the raw contract's column order and types, and their partitioned files."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import codes as c
from .calendar import Calendar
from .early import penalty_rates
from .people import CHANNELS, INCOME_BANDS, OCCUPATIONS, People
from .simulate import History

TABLES = (
    "customers",
    "credit_lines",
    "limit_events",
    "loans",
    "installments",
    "repayments",
    "credit_scores",
    "credit_inquiries",
)
# repayment_type by repay.py's type number (the last: the extract does not say)
REPAYMENT_TYPES = ("installment", "settlement", "prepayment", None)
# Per-chunk number space of ids that are not derived from the customer number.
CHUNK_ID_SPACE = 10**9


@dataclass
class RawTable:
    """A table's rows and the load date (day number) of each row."""

    table: pa.Table
    load_day: np.ndarray


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Zero-padded string ids such as C00000001, built in Arrow."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def line_numbers(first_number: int, cust: np.ndarray, slot: np.ndarray) -> np.ndarray:
    return 2 * (first_number + cust.astype(np.int64) - 1) + slot + 1


def timestamps(day: np.ndarray, secs: np.ndarray) -> pa.Array:
    micros = (np.asarray(day, np.int64) * 86_400 + np.asarray(secs, np.int64)) * 1_000_000
    return pa.array(micros, pa.timestamp("us"))


def labels(values: tuple[str, ...], codes: np.ndarray) -> pa.Array:
    return pc.take(pa.array(values, pa.string()), pa.array(np.asarray(codes, np.int64)))


def money(x: np.ndarray) -> pa.Array:
    return pa.array(np.round(np.asarray(x, np.float64), 2), pa.float64())


def build_tables(
    people: People, history: History, repayments: dict, recut_rows: dict, cal: Calendar, chunk: int
) -> dict[str, RawTable]:
    """All eight tables of one chunk; load date = last day of the month the record happened
    (a re-cut's rows: the month of the re-cut)."""
    b = history.book
    base = chunk * CHUNK_ID_SPACE
    cust_ids = ids("C", people.first_number + np.arange(people.size), 8)
    out = {}

    out["customers"] = RawTable(
        pa.table(
            {
                "customer_id": cust_ids,
                "created_at": timestamps(people.created_day, people.created_secs),
                "birth_year": pa.array(people.birth_year, pa.int32()),
                "city_tier": pa.array(people.city_tier, pa.int32()),
                "occupation": labels(OCCUPATIONS, people.occupation),
                "income_band": labels(INCOME_BANDS, people.income),
                "channel": labels(CHANNELS, people.channel),
            }
        ),
        cal.month_end(people.created_month),
    )

    lc, ls = np.nonzero(b.open_month >= 0)
    out["credit_lines"] = RawTable(
        pa.table(
            {
                "line_id": ids("L", line_numbers(people.first_number, lc, ls), 9),
                "customer_id": cust_ids.take(pa.array(lc)),
                "product_code": labels(c.PRODUCTS, b.product[lc, ls]),
                "opened_at": timestamps(b.open_day[lc, ls], b.open_secs[lc, ls]),
                "initial_limit": money(b.initial_limit[lc, ls]),
            }
        ),
        cal.month_end(b.open_month[lc, ls]),
    )

    ev = history.events
    order = np.lexsort((ev["secs"], ev["day"]))
    ev = {k: v[order] for k, v in ev.items()}
    out["limit_events"] = RawTable(
        pa.table(
            {
                "event_id": ids("E", base + np.arange(order.size) + 1, 13),
                "line_id": ids("L", line_numbers(people.first_number, ev["cust"], ev["slot"]), 9),
                "event_at": timestamps(ev["day"], ev["secs"]),
                "event_type": labels(c.EVENT_TYPES, ev["etype"]),
                "limit_before": money(ev["before"]),
                "limit_after": money(ev["after"]),
                "reason_code": labels(c.REASONS, ev["reason"]),
                "initiated_by": labels(c.INITIATORS, ev["initiator"]),
            }
        ),
        cal.month_end(cal.month_of(ev["day"])),
    )

    ln = history.loans
    loan_ids = ids("N", base + np.arange(ln["principal"].size) + 1, 13)
    loan_load = cal.month_end(ln["month"])
    out["loans"] = RawTable(
        pa.table(
            {
                "loan_id": loan_ids,
                "line_id": ids("L", line_numbers(people.first_number, ln["cust"], ln["slot"]), 9),
                "drawn_at": timestamps(ln["day"], ln["secs"]),
                "principal": money(ln["principal"]),
                "term_months": pa.array(ln["term"], pa.int32()),
                "annual_rate": pa.array(ln["rate"], pa.float64()),
                "repayment_method": labels(c.METHODS, ln["method"]),
                "penalty_rate": pa.array(penalty_rates(ln["rate"]), pa.float64()),
            }
        ),
        loan_load,
    )

    it, rc = history.installments, recut_rows
    loan = np.concatenate([it["loan"], rc["loan"]])
    k = np.concatenate([it["k"], rc["k"]])
    recut_day = np.concatenate([np.full(it["k"].size, -1), rc["recut_day"]])
    due = cal.same_day_later(ln["day"][loan], ln["month"][loan], k)
    recut_on = pa.array(recut_day.astype(np.int32), pa.date32(), mask=recut_day < 0)
    out["installments"] = RawTable(
        pa.table(
            {
                "loan_id": loan_ids.take(pa.array(loan)),
                "installment_no": pa.array(k, pa.int32()),
                "due_date": pa.array(due.astype(np.int32), pa.date32()),
                "principal_due": money(np.concatenate([it["principal"], rc["principal"]])),
                "interest_due": money(np.concatenate([it["interest"], rc["interest"]])),
                "recut_on": recut_on,
            }
        ),
        np.where(recut_day < 0, loan_load[loan], cal.month_end(cal.month_of(recut_day))),
    )

    rp = repayments
    out["repayments"] = RawTable(
        pa.table(
            {
                "repayment_id": ids("R", base + np.arange(rp["loan"].size) + 1, 13),
                "loan_id": loan_ids.take(pa.array(rp["loan"])),
                "paid_at": timestamps(rp["day"], rp["secs"]),
                "amount": money(rp["amount"]),
                "repayment_type": pa.array(
                    np.array(REPAYMENT_TYPES, object)[rp["type"]].tolist(), pa.string()
                ),
                "penalty_paid": money(rp["penalty"]),
            }
        ),
        cal.month_end(cal.month_of(rp["day"])),
    )

    sc, sm = np.nonzero(b.scores > 0)
    first = sm == people.created_month[sc]
    day = np.where(first, people.created_day[sc], cal.month_start[sm] + people.score_day[sc])
    secs = np.where(
        first, people.created_secs[sc] + 3_600, 2 * 3_600 + (people.score_day[sc] * 397) % 14_400
    )
    out["credit_scores"] = RawTable(
        pa.table(
            {
                "customer_id": cust_ids.take(pa.array(sc)),
                "scored_at": timestamps(day, secs),
                "score": pa.array(b.scores[sc, sm], pa.int32()),
            }
        ),
        cal.month_end(sm),
    )

    iq = history.inquiries
    order = np.lexsort((iq["secs"], iq["day"]))
    iq = {k: v[order] for k, v in iq.items()}
    out["credit_inquiries"] = RawTable(
        pa.table(
            {
                "inquiry_id": ids("Q", base + np.arange(order.size) + 1, 13),
                "customer_id": cust_ids.take(pa.array(iq["cust"])),
                "inquired_at": timestamps(iq["day"], iq["secs"]),
                "institution_type": labels(c.INSTITUTIONS, iq["institution"]),
            }
        ),
        cal.month_end(cal.month_of(iq["day"])),
    )
    return out


def write_partitions(
    root: Path, name: str, raw: RawTable, part: str, empty_load_day: int | None = None
) -> int:
    """Write one file per load date under root/name/load_date=YYYY-MM-DD/part.parquet.
    With no rows and an `empty_load_day`, write one empty file there: the contract asks for
    every table, even empty (a one-month portfolio may have no repayments yet)."""
    if raw.table.num_rows == 0 and empty_load_day is not None:
        folder = root / name / f"load_date={np.datetime64(empty_load_day, 'D')}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(raw.table, folder / f"{part}.parquet")
        return 0
    order = np.argsort(raw.load_day, kind="stable")
    table = raw.table.take(pa.array(order))
    days, starts, counts = np.unique(raw.load_day[order], return_index=True, return_counts=True)
    for day, start, count in zip(days.tolist(), starts.tolist(), counts.tolist(), strict=True):
        folder = root / name / f"load_date={np.datetime64(day, 'D')}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table.slice(start, count), folder / f"{part}.parquet")
    return table.num_rows
