"""The overview (index.html): headline figures of the report month with the change from the
previous month, a link to every report, to the dbt docs and to the data-quality summary.

Headline figures are columns of mart_portfolio_monthly (portfolio total) and the size of
mart_watchlist; the change is the difference of the two months' mart values.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from creditline.reports.formatting import change_rounds_to_zero
from creditline.reports.marts import PORTFOLIO, Scope, Warehouse
from creditline.reports.messages import translate
from creditline.reports.site import Page

SLUG = "index"
WATCHLIST = "risk.mart_watchlist"
MONTH_COLUMNS = ("month_start_on", "snapshot_month_on", "watch_month_on")


@dataclass(frozen=True)
class Headline:
    """One KPI tile: the mart column it shows, how to format it and its change."""

    key: str  # data-figure name and message key headline.<key>
    column: str  # column of mart_portfolio_monthly
    fmt: str  # percent | money | integer
    change_unit: str  # pp | percent | number
    higher_is: str | None  # "good" / "bad": colours the change
    definition: str | None = None


HEADLINES = (
    Headline("exposure", "outstanding_principal_amount", "money", "money", None, "exposure"),
    Headline("dpd30_rate", "dpd_30_plus_balance_rate", "percent", "pp", "bad", "dpd30_rate"),
    Headline("dpd90_rate", "dpd_90_plus_balance_rate", "percent", "pp", "bad", "dpd90_rate"),
    Headline("closures", "new_closure_count", "integer", "number", None, "closure"),
    Headline("reopenings", "new_reopen_count", "integer", "number", None, "reopening"),
)


def _watchlist_counts(wh: Warehouse, scope: Scope) -> tuple[int | None, int | None]:
    """Lines on the watchlist in the report month and the previous one (None if unknown)."""
    if not wh.has(WATCHLIST):
        return None, None
    month_column = next((c for c in MONTH_COLUMNS if c in wh.columns(WATCHLIST)), None)
    if month_column is None:
        return wh.scalar(WATCHLIST, "select count(*) from {rel}"), None
    counts = {}
    for month in (scope.report_month, scope.previous_month):
        if month is not None:
            counts[month] = wh.scalar(
                WATCHLIST, f"select count(*) from {{rel}} where {month_column} = ?", [month]
            )
    # The watchlist holds only its latest month: a month it does not hold is unknown, not 0.
    before = counts.get(scope.previous_month) or None
    return counts.get(scope.report_month), before


def load(wh: Warehouse, scope: Scope) -> dict[str, Any]:
    """The two months' portfolio totals and the watchlist size."""
    current: dict[str, Any] = {}
    previous: dict[str, Any] = {}
    if scope.has_data:
        frame = wh.read(
            PORTFOLIO,
            "select * from {rel} where grouping_level = 'total' and month_start_on in (?, ?)",
            [scope.report_month, scope.previous_month or scope.report_month],
        )
        for row in frame.iter_rows(named=True):
            if row["month_start_on"] == scope.report_month:
                current = row
            elif row["month_start_on"] == scope.previous_month:
                previous = row
    watch_now, watch_before = _watchlist_counts(wh, scope)
    tiles = []
    for h in HEADLINES:
        value = current.get(h.column)
        before = previous.get(h.column)
        tiles.append(_tile(h, value, before))
    watch = Headline("watchlist", "", "integer", "number", "bad", "watchlist")
    tiles.append(_tile(watch, watch_now, watch_before))
    return {"tiles": tiles, "has_watchlist": wh.has(WATCHLIST)}


def _tile(h: Headline, value: Any, before: Any) -> dict[str, Any]:
    change = None
    if value is not None and before is not None:
        change = float(value) - float(before)
    decimals = 2 if h.change_unit == "pp" else 0
    tone = None
    # a change shown as 0.00 pp is no change: no colour (issue 17: it was painted red)
    if (
        change is not None
        and h.higher_is
        and not change_rounds_to_zero(change, h.change_unit, decimals)
    ):
        up_good = h.higher_is == "good"
        tone = "good" if (change > 0) == up_good else "bad"
    return {
        "key": h.key,
        "value": value,
        "fmt": h.fmt,
        "change": change,
        "change_unit": h.change_unit,
        "change_decimals": decimals,
        "tone": tone,
        "definition": h.definition,
    }


@dataclass(frozen=True)
class ReportLink:
    slug: str
    title_key: str
    summary_key: str


def page(
    data: dict[str, Any],
    scope: Scope,
    *,
    reports: Sequence[ReportLink],
    quality: dict[str, Any],
    docs_href: str | None,
    langs: Sequence[str],
) -> Page:
    """The overview page. docs_href: the dbt docs relative to the site root, or None."""

    def context(lang: str) -> dict[str, Any]:
        root = "" if lang == langs[0] else "../"
        return {
            "scope": scope,
            "tiles": data["tiles"],
            "has_watchlist": data["has_watchlist"],
            "reports": reports,
            "quality": quality,
            "stale_table_labels": [
                translate(f"raw_table.{name}", lang) for name in quality["stale_tables"]
            ],
            "docs_href": root + docs_href if docs_href else None,
            "report_month_end": _month_end(scope.report_month),
        }

    return Page(SLUG, "nav.home", "index.html.j2", context)


def _month_end(month: dt.date | None) -> dt.date | None:
    from creditline.reports.marts import month_end

    return month_end(month) if month else None
