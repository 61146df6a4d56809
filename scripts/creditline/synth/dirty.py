"""Bad rows mixed into a chunk's clean tables so that staging's quarantine can be exercised.

Each bad row is an extra row (a copy of a valid row with one thing broken), except late
arrivals, which are valid rows moved to a load date a few days after their month-end. The
early-repayment ones copy a typed settlement (short), a whole re-cut (too much principal) or
an installment (restated before its loan was drawn).
Wrong types go to a separate file per table whose columns are all strings.
"""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .calendar import Calendar
from .tables import RawTable, ids

DIRTY_RULES = (
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
)

_KEY = {  # the row's own id (or first key column) and its prefix for fresh ids
    "customers": ("customer_id", "C"),
    "credit_lines": ("line_id", "L"),
    "limit_events": ("event_id", "E"),
    "loans": ("loan_id", "N"),
    "installments": ("loan_id", None),
    "repayments": ("repayment_id", "R"),
    "credit_scores": ("customer_id", None),
    "credit_inquiries": ("inquiry_id", "Q"),
}
_AMOUNT = {
    "credit_lines": "initial_limit",
    "limit_events": "limit_after",
    "loans": "principal",
    "installments": "principal_due",
    "repayments": "amount",
}
_UNKNOWN = {
    "customers": [("occupation", "astronaut")],
    "credit_lines": [("product_code", "GOLD")],
    "limit_events": [("event_type", "suspend"), ("reason_code", "XYZ")],
    "loans": [("repayment_method", "balloon")],
    "credit_inquiries": [("institution_type", "pawnshop")],
}
_PARENT = {  # foreign key and the prefix of an id that never exists
    "credit_lines": ("customer_id", "C"),
    "limit_events": ("line_id", "L"),
    "loans": ("line_id", "L"),
    "installments": ("loan_id", "N"),
    "repayments": ("loan_id", "N"),
    "credit_scores": ("customer_id", "C"),
    "credit_inquiries": ("customer_id", "C"),
}


def _rules_for(name: str) -> list[str]:
    rules = ["duplicate", "null_key", "wrong_type", "late_arrival"]
    if name in _AMOUNT:
        rules.append("negative_amount")
    if name in _UNKNOWN:
        rules.append("unknown_code")
    if name in _PARENT:
        rules.append("orphan")
    if name == "limit_events":
        rules.append("reopen_without_close")
    if name == "credit_scores":
        rules.append("score_out_of_range")
    if name == "repayments":
        rules.append("settlement_short")
    if name == "installments":
        rules += ["recut_principal_mismatch", "restated_before_drawn"]
    return rules


_SECOND = pa.scalar(1_000_000, pa.duration("us"))


def _settlement_short(rows: pa.Table, clean: pa.Table, rng, fresh: "_Ids") -> pa.Table:
    """A copy of a typed settlement a second before it, 1% short (plus a yuan): a record that
    says "paid off" and is not."""
    settled = clean.filter(pc.equal(clean["repayment_type"], "settlement"))
    if settled.num_rows == 0:
        return rows.slice(0, 0)
    picked = settled.take(rng.integers(0, settled.num_rows, min(rows.num_rows, settled.num_rows)))
    picked = _replace(picked, "repayment_id", fresh.take("R", picked.num_rows))
    picked = _replace(picked, "paid_at", pc.subtract(picked["paid_at"], _SECOND))
    short = pc.round(pc.subtract(pc.multiply(picked["amount"], 0.99), 1.0), 2)
    return _replace(picked, "amount", short)


def _recut_rows(clean: pa.Table, rows: pa.Table, rng) -> pa.Table:
    """Every row of some re-cuts (as many re-cuts as `rows` has rows, at most all)."""
    recut = clean.filter(pc.is_valid(clean["recut_on"]))
    if recut.num_rows == 0:
        return recut
    keys = pc.binary_join_element_wise(
        recut["loan_id"], pc.cast(recut["recut_on"], pa.string()), "/"
    )
    unique = pc.unique(keys)
    picked = unique.take(rng.integers(0, len(unique), min(rows.num_rows, len(unique))))
    return recut.filter(pc.is_in(keys, picked))


def _recut_principal_mismatch(rows: pa.Table, clean: pa.Table, rng) -> pa.Table:
    """A second re-cut a day after a real one, scheduling a quarter more principal than that
    one left."""
    picked = _recut_rows(clean, rows, rng)
    day = pa.scalar(1, pa.int32())
    later = pc.cast(pc.add(pc.cast(picked["recut_on"], pa.int32()), day), pa.date32())
    picked = _replace(picked, "recut_on", later)
    return _replace(
        picked, "principal_due", pc.round(pc.multiply(picked["principal_due"], 1.25), 2)
    )


def _restated_before_drawn(rows: pa.Table, clean: pa.Table, rng) -> pa.Table:
    """Installments restated 400 days before they fall due: before any loan of at most 12
    months was drawn."""
    picked = clean.take(pa.array(rng.integers(0, clean.num_rows, rows.num_rows)))
    days = pc.subtract(pc.cast(picked["due_date"], pa.int32()), pa.scalar(400, pa.int32()))
    early = pc.cast(days, pa.date32())
    return _replace(picked, "recut_on", early)


def _replace(table: pa.Table, column: str, values) -> pa.Table:
    i = table.schema.get_field_index(column)
    return table.set_column(
        i,
        column,
        pa.array(values, table.schema.field(i).type)
        if not isinstance(values, pa.Array)
        else values,
    )


class _Ids:
    """Fresh ids in a namespace the clean data never uses (an X after the prefix)."""

    def __init__(self, chunk: int):
        self.base, self.used = chunk * 10**8, 0

    def take(self, prefix: str, size: int) -> pa.Array:
        numbers = self.base + self.used + np.arange(size) + 1
        self.used += size
        return ids(prefix + "X", numbers, 13)


def _broken(name, rule, rows: pa.Table, rng, fresh: _Ids, clean: pa.Table) -> pa.Table:
    key, prefix = _KEY[name]
    size = rows.num_rows
    if prefix is not None and rule not in ("duplicate", "null_key"):
        rows = _replace(rows, key, fresh.take(prefix, size))
    if rule == "null_key":
        return _replace(rows, key, pa.nulls(size, pa.string()))
    if rule == "negative_amount":
        column = _AMOUNT[name]
        return _replace(rows, column, pc.multiply(rows[column], -1.0))
    if rule == "unknown_code":
        options = _UNKNOWN[name]
        for j, (column, value) in enumerate(options):
            pick = np.arange(size) % len(options) == j
            current = rows[column].to_numpy(zero_copy_only=False)
            rows = _replace(rows, column, np.where(pick, value, current).tolist())
        return rows
    if rule == "orphan":
        column, parent = _PARENT[name]
        return _replace(rows, column, fresh.take(parent, size))
    if rule == "score_out_of_range":
        late = pc.add(rows["scored_at"], pa.scalar(3_600_000_000, pa.duration("us")))
        rows = _replace(rows, "scored_at", late)
        return _replace(rows, "score", np.where(rng.random(size) < 0.5, 1_200, 120))
    return rows


def _reopen_without_close(rows: pa.Table, clean: pa.Table, rng, fresh: _Ids) -> pa.Table:
    """A reopen event on a line that was never closed (placed a day after its open)."""
    closed = pc.unique(pc.filter(clean["line_id"], pc.equal(clean["event_type"], "close")))
    opens = pc.equal(clean["event_type"], "open")
    never = pc.invert(pc.is_in(clean["line_id"], closed))
    candidates = clean.filter(pc.and_(opens, never))
    if candidates.num_rows == 0:
        return rows.slice(0, 0)
    picked = candidates.take(rng.integers(0, candidates.num_rows, rows.num_rows))
    picked = _replace(picked, "event_id", fresh.take("E", picked.num_rows))
    picked = _replace(
        picked, "event_at", pc.add(picked["event_at"], pa.scalar(86_400_000_000, pa.duration("us")))
    )
    picked = _replace(picked, "event_type", ["reopen"] * picked.num_rows)
    picked = _replace(picked, "limit_before", picked["limit_after"])
    picked = _replace(picked, "reason_code", ["REOPEN_CAMPAIGN"] * picked.num_rows)
    return _replace(picked, "initiated_by", ["marketing"] * picked.num_rows)


def _wrong_types(name: str, rows: pa.Table, rng, fresh: _Ids) -> pa.Table:
    """All-string copies where one numeric, date or timestamp column holds junk."""
    key, prefix = _KEY[name]
    if prefix is not None:
        rows = _replace(rows, key, fresh.take(prefix, rows.num_rows))
    targets = [f.name for f in rows.schema if not pa.types.is_string(f.type)]
    strings = pa.table({f.name: pc.cast(rows[f.name], pa.string()) for f in rows.schema})
    pick = rng.integers(0, len(targets), rows.num_rows)
    for j, column in enumerate(targets):
        temporal = pa.types.is_temporal(rows.schema.field(column).type)
        junk = "2024-13-45" if temporal else "N/A"
        current = strings[column].to_numpy(zero_copy_only=False)
        strings = _replace(strings, column, np.where(pick == j, junk, current).tolist())
    return strings


def add_dirty_rows(
    tables: dict[str, RawTable], rate: float, rng: np.random.Generator, cal: Calendar, chunk: int
) -> tuple[dict[str, RawTable], dict[str, RawTable]]:
    """Mix about `rate` bad rows into every table, spread over the rules that apply to it.

    Returns the tables with the extra rows and, per table, the all-string wrong-type rows.
    """
    fresh = _Ids(chunk)
    last_month_end = int(cal.month_end(cal.months - 1))
    out, extras = {}, {}
    for name, raw in tables.items():
        clean, n = raw.table, raw.table.num_rows
        if n == 0:
            out[name] = raw
            continue
        rules = _rules_for(name)
        per = max(1, round(rate * n / len(rules)))
        pieces, days = [clean], [raw.load_day.copy()]
        for rule in rules:
            idx = np.sort(rng.integers(0, n, per))
            if rule == "late_arrival":
                movable = idx[raw.load_day[idx] < last_month_end]
                days[0][movable] += rng.integers(3, 11, movable.size)
                continue
            rows = clean.take(pa.array(idx))
            if rule == "wrong_type":
                extras[name] = RawTable(_wrong_types(name, rows, rng, fresh), raw.load_day[idx])
                continue
            if rule == "reopen_without_close":
                rows = _reopen_without_close(rows, clean, rng, fresh)
            elif rule == "settlement_short":
                rows = _settlement_short(rows, clean, rng, fresh)
            elif rule == "recut_principal_mismatch":
                rows = _recut_principal_mismatch(rows, clean, rng)
            elif rule == "restated_before_drawn":
                rows = _restated_before_drawn(rows, clean, rng)
            else:
                rows = _broken(name, rule, rows, rng, fresh, clean)
            pieces.append(rows)
            # a copy lands with the row it copies, or (re-cuts) the month of its re-cut
            if rule == "recut_principal_mismatch":
                days.append(
                    cal.month_end(
                        cal.month_of(
                            pc.cast(rows["recut_on"], pa.int32()).to_numpy().astype(np.int64)
                        )
                    )
                )
            else:
                days.append(raw.load_day[np.resize(idx, rows.num_rows)])
        out[name] = RawTable(pa.concat_tables(pieces), np.concatenate(days))
    return out, extras
