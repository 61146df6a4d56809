"""Data tables: column specs, rows from a Polars frame, and the CSV download a table carries.

The CSV is embedded in the page as a `data:text/csv;charset=utf-8,` link, so it downloads
offline. It starts with a UTF-8 byte-order mark (Excel then reads Chinese correctly), its
header row holds the translated column labels, and its cells hold the raw values (rates as
fractions, full precision, ISO dates), not the rounded display text.
"""

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from creditline.reports.formatting import format_value
from creditline.reports.messages import translate

CSV_URI_PREFIX = "data:text/csv;charset=utf-8,"
BOM = "\ufeff"
NUMERIC_FORMATS = frozenset(
    {
        "number",
        "integer",
        "compact_number",
        "money",
        "amount",
        "percent",
        "basis_points",
        "signed_change",
    }
)


@dataclass(frozen=True)
class Column:
    """One table column: the row key, the message key of its header, and how to format it.

    fmt is a formatter name from `formatting.FORMATTERS` ("percent", "money", "month", ...);
    options go to that formatter (for example {"decimals": 2}). `title`, when given, is the
    header as it stands, already in the page's language (a chart's series named by the data).
    """

    key: str
    label: str
    fmt: str = "text"
    options: Mapping[str, Any] = field(default_factory=dict)
    title: str | None = None

    @classmethod
    def titled(cls, key: str, title: str, fmt: str = "text", options=None) -> "Column":
        """A column whose header is `title` as given, not a catalogue key."""
        return cls(key, "", fmt, options or {}, title)

    def heading(self, lang: str) -> str:
        return self.title if self.title is not None else translate(self.label, lang)

    @property
    def numeric(self) -> bool:
        """Numeric columns are right-aligned with tabular figures."""
        return self.fmt in NUMERIC_FORMATS

    def format(self, value: object, lang: str) -> str:
        return format_value(value, self.fmt, lang, **self.options)


def rows_of(data: Any) -> list[dict[str, Any]]:
    """Rows as dicts, from a Polars DataFrame (or anything with `iter_rows(named=True)`) or an
    iterable of mappings."""
    if hasattr(data, "iter_rows"):
        return list(data.iter_rows(named=True))
    return [dict(row) for row in data]


def _csv_cell(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        # A spreadsheet would run this as a formula; a leading quote keeps it text.
        return "'" + value
    return value


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column], lang: str) -> str:
    """The table as CSV text (no BOM): translated labels, then raw values."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.heading(lang) for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(row.get(c.key)) for c in columns])
    return out.getvalue()


def csv_data_uri(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column], lang: str) -> str:
    """A `data:` URI that downloads the table as a UTF-8 CSV with a BOM."""
    return CSV_URI_PREFIX + quote(BOM + csv_text(rows, columns, lang), safe="")
