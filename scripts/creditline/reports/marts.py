"""Reading marts for the report pages: one read-only connection, and what a page needs to
know about the warehouse before it reads (which relations exist, which month it reports).

A relation that is not there (a warehouse built before a mart existed, or an empty file)
reads as an empty frame, so every page renders with "not enough data yet" instead of
failing. Report code only selects and filters here; every figure is a mart column.
"""

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import duckdb
import polars as pl

from creditline.errors import CreditlineError


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
