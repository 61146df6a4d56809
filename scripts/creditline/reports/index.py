"""The overview (index.html): headline figures of the report month with the change from the
previous month, a link to every report, to the dbt docs and to the data-quality summary.

Headline figures are columns of mart_portfolio_monthly (portfolio total) and the size of
mart_watchlist; the change is the difference of the two months' mart values.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from creditline.reports import headline
from creditline.reports.headline import Headline
from creditline.reports.marts import Scope, Warehouse
from creditline.reports.messages import translate
from creditline.reports.site import Page

SLUG = "index"
WATCHLIST = "risk.mart_watchlist"
MONTH_COLUMNS = ("month_start_on", "snapshot_month_on", "watch_month_on")


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
    """The portfolio totals of the last 13 months and the watchlist size."""
    watch_now, watch_before = _watchlist_counts(wh, scope)
    watch = Headline("watchlist", "", "integer", "number", "bad", "watchlist")
    return {
        "monthly": headline.monthly_totals(wh, scope, HEADLINES),
        "watchlist": headline.tile(watch, watch_now, watch_before),
        "has_watchlist": wh.has(WATCHLIST),
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
            **headline.context(data["monthly"], HEADLINES, scope, lang, [data["watchlist"]]),
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
