"""Reading marts for the report pages: one read-only connection, and what a page needs to
know about the warehouse before it reads (which relations exist, which month it reports).

A relation that is not there (a warehouse built before a mart existed, or an empty file)
reads as an empty frame, so every page renders with "not enough data yet" instead of
failing. Report code only selects and filters here; every figure is a mart column.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import duckdb
import polars as pl

from creditline.errors import CreditlineError
from creditline.reports.messages import LANGS


@dataclass(frozen=True)
class Scope:
    """What a report covers: the data's as-of date and the report month (first day).

    report_month is the latest complete month of mart_portfolio_monthly, or the month
    given with `--as-of`; trends end with it. None when the warehouse holds no month yet.
    """

    as_of: dt.date | None
    report_month: dt.date | None
    previous_month: dt.date | None
    first_month: dt.date | None

    @property
    def has_data(self) -> bool:
        return self.report_month is not None


class Warehouse:
    """A read-only connection with the helpers report data functions share."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    @cached_property
    def relations(self) -> frozenset[str]:
        rows = self.con.sql(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "union all select schema_name || '.' || view_name from duckdb_views() "
            "where not internal"
        ).fetchall()
        return frozenset(r[0] for r in rows)

    def has(self, relation: str) -> bool:
        return relation in self.relations

    def columns(self, relation: str) -> list[str]:
        if not self.has(relation):
            return []
        schema, table = relation.split(".")
        rows = self.con.sql(
            "select column_name from duckdb_columns() where schema_name = ? and table_name = ?"
            " order by column_index",
            params=[schema, table],
        ).fetchall()
        return [r[0] for r in rows]

    def read(self, relation: str, query: str, params: list[Any] | None = None) -> pl.DataFrame:
        """Run `query` (which reads `relation`, written as {rel}) into a Polars frame; an
        empty frame when the relation does not exist."""
        if not self.has(relation):
            return pl.DataFrame()
        text = query.replace("{rel}", relation)
        try:
            return self.con.sql(text, params=params or None).pl()
        except duckdb.Error as exc:
            message = str(exc).splitlines()[0]
            raise CreditlineError(f"cannot read {relation}: {message}") from exc

    def scalar(self, relation: str, query: str, params: list[Any] | None = None) -> Any:
        frame = self.read(relation, query, params)
        return None if frame.is_empty() else frame.item(0, 0)

    @cached_property
    def reference(self) -> "Reference":
        """The DPD ladder and the reason categories, read once from the reference seeds."""
        return read_reference(self)


# --- the reference seeds (seeds/*.csv, schema `reference`) ------------------------------

DPD_BUCKETS = "reference.dpd_buckets"
REASON_CODES = "reference.reason_codes"
_LABELS = ", ".join(f"label_{lang}" for lang in LANGS)


@dataclass(frozen=True)
class Category:
    """A code of a reference seed with its label in each language (the seed's label_<lang>)."""

    code: str
    labels: Mapping[str, str]

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.code


@dataclass(frozen=True)
class Reference:
    """What the reports take from the reference seeds instead of spelling it out: the DPD
    ladder best to worst, the closure reason categories (is_closure_reason) in their
    category_order, and every reason category by code (for labels)."""

    dpd_buckets: tuple[Category, ...]
    closure_reasons: tuple[Category, ...]
    reason_categories: Mapping[str, Category]

    def reason_labels(self, lang: str) -> dict[str, str]:
        """Reason category code -> its label in `lang`."""
        return {code: c.label(lang) for code, c in self.reason_categories.items()}


def bucket_column(code: str) -> str:
    """The column-name stem of a DPD bucket in the marts (M0 -> m0, M7+ -> m7_plus): the
    rule of the dpd_bucket_column macro."""
    return code.lower().replace("+", "_plus")


def _categories(frame: pl.DataFrame) -> tuple[Category, ...]:
    return tuple(
        Category(row["code"], {lang: row[f"label_{lang}"] for lang in LANGS})
        for row in frame.iter_rows(named=True)
    )


def read_reference(wh: Warehouse) -> Reference:
    """The reference seeds as the reports use them; empty when the warehouse has none."""
    buckets = wh.read(
        DPD_BUCKETS, f"select dpd_bucket as code, {_LABELS} from {{rel}} order by bucket_order"
    )
    categories = wh.read(
        REASON_CODES,
        "select reason_category as code, "
        + ", ".join(f"min(category_label_{lang}) as label_{lang}" for lang in LANGS)
        + ", bool_or(is_closure_reason) as is_closure_reason from {rel} "
        "group by reason_category order by min(category_order), reason_category",
    )
    closure = (
        categories.filter(pl.col("is_closure_reason")) if not categories.is_empty() else categories
    )
    every = _categories(categories)
    return Reference(
        dpd_buckets=_categories(buckets),
        closure_reasons=_categories(closure),
        reason_categories={c.code: c for c in every},
    )


def parse_month(text: str | dt.date | None) -> dt.date | None:
    """ "2025-03" (or a date) -> date(2025, 3, 1); a bad value is a user error."""
    if text is None or isinstance(text, dt.date):
        return text.replace(day=1) if isinstance(text, dt.date) else None
    try:
        year, month = str(text).strip().split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise CreditlineError(f"--as-of must be a month as YYYY-MM, not {text!r}") from None


PORTFOLIO = "risk.mart_portfolio_monthly"
AS_OF = "intermediate.int_as_of_date"


def scope_of(wh: Warehouse, as_of_month: str | dt.date | None = None) -> Scope:
    """The warehouse's as-of date and the month the reports cover."""
    as_of = wh.scalar(AS_OF, "select max(as_of_on) from {rel}")
    months = wh.read(
        PORTFOLIO,
        "select month_start_on, is_month_complete from {rel} where grouping_level = 'total' "
        "order by month_start_on",
    )
    wanted = parse_month(as_of_month)
    if months.is_empty():
        if wanted is not None:
            raise CreditlineError(
                f"--as-of {wanted:%Y-%m}: the warehouse holds no month of data yet"
            )
        return Scope(as_of, None, None, None)
    all_months = months["month_start_on"].to_list()
    if wanted is not None:
        if wanted not in all_months:
            raise CreditlineError(
                f"--as-of {wanted:%Y-%m} is outside the warehouse's months "
                f"({all_months[0]:%Y-%m} to {all_months[-1]:%Y-%m})"
            )
        report = wanted
    else:
        complete = months.filter(pl.col("is_month_complete"))["month_start_on"].to_list()
        report = complete[-1] if complete else all_months[-1]
    earlier = [m for m in all_months if m < report]
    return Scope(as_of, report, earlier[-1] if earlier else None, all_months[0])


def month_end(month_start: dt.date) -> dt.date:
    """The last day of the month that starts on `month_start`."""
    following = (month_start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)
