"""What changed this month, on the first screen of a page (issue 17): KPI tiles with a
13-month sparkline and the month-on-month change (an arrow, coloured good or bad where a
direction is better), and three to five sentences naming the largest moves of the report
month and the mart each comes from.

Every figure is a column of mart_portfolio_monthly (portfolio total); the change is the
difference of the report month's and the previous month's values, and a move's size is
that change relative to the previous value, so a rate and a count compare fairly.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from markupsafe import Markup, escape

from creditline.reports.formatting import (
    change_rounds_to_zero,
    format_value,
    month,
    signed_change,
)
from creditline.reports.marts import PORTFOLIO, Scope, Warehouse
from creditline.reports.messages import translate

SPARK_MONTHS = 13  # the report month and the twelve before it
MOVES_MIN, MOVES_MAX = 3, 5  # sentences under the tiles
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 28, 3  # px


@dataclass(frozen=True)
class Headline:
    """One KPI tile: the mart column it shows, how to format it and its change."""

    key: str  # data-figure name and message key headline.<key>
    column: str  # column of mart_portfolio_monthly
    fmt: str  # percent | money | integer
    change_unit: str  # pp | money | number
    higher_is: str | None  # "good" / "bad": colours the change
    definition: str | None = None

    @property
    def change_decimals(self) -> int:
        return 2 if self.change_unit == "pp" else 0


def monthly_totals(wh: Warehouse, scope: Scope, headlines: Sequence[Headline]) -> pl.DataFrame:
    """The portfolio totals of the SPARK_MONTHS months up to the report month, oldest first."""
    if not scope.has_data:
        return pl.DataFrame()
    columns = ", ".join(dict.fromkeys(h.column for h in headlines if h.column))
    frame = wh.read(
        PORTFOLIO,
        f"select month_start_on, {columns} from {{rel}} where grouping_level = 'total' "
        "and month_start_on <= ? order by month_start_on desc limit ?",
        [scope.report_month, SPARK_MONTHS],
    )
    return frame.reverse() if not frame.is_empty() else frame


def tile(h: Headline, value: Any, before: Any, series: Sequence[Any] = ()) -> dict[str, Any]:
    """A tile's figures: value, change from the previous month, its tone, and the series
    its sparkline draws (empty: no sparkline)."""
    change = None
    if value is not None and before is not None:
        change = float(value) - float(before)
    tone = None
    # a change shown as 0.00 pp is no change: no colour (issue 17: it was painted red)
    if (
        change is not None
        and h.higher_is
        and not change_rounds_to_zero(change, h.change_unit, h.change_decimals)
    ):
        tone = "good" if (change > 0) == (h.higher_is == "good") else "bad"
    return {"headline": h, "value": value, "before": before, "change": change, "tone": tone,
            "series": list(series)}  # fmt: skip


def tiles(frame: pl.DataFrame, headlines: Sequence[Headline], scope: Scope) -> list[dict]:
    """A tile per headline from the monthly totals (`monthly_totals`)."""
    rows = {r["month_start_on"]: r for r in frame.iter_rows(named=True)} if frame.height else {}
    now, before = rows.get(scope.report_month, {}), rows.get(scope.previous_month, {})
    return [
        tile(h, now.get(h.column), before.get(h.column),
             frame[h.column].to_list() if h.column in frame.columns else [])
        for h in headlines
    ]  # fmt: skip


def _value_text(t: dict[str, Any], lang: str) -> str:
    h = t["headline"]
    if h.fmt == "money":
        return format_value(t["value"], "money", lang, compact=True)
    if h.fmt == "percent":
        return format_value(t["value"], "percent", lang, decimals=2)
    return format_value(t["value"], "integer", lang)


def _change_text(t: dict[str, Any], lang: str) -> str | None:
    h = t["headline"]
    if t["change"] is None:
        return None
    return signed_change(t["change"], h.change_unit, h.change_decimals, lang,
                         compact=h.fmt == "money")  # fmt: skip


def sparkline(values: Sequence[Any], label: str) -> Markup | None:
    """The series as a small line (inline SVG, no axes), the last point marked; None with
    fewer than two values. `label` is its text alternative."""
    points = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return None
    low, high = min(v for _, v in points), max(v for _, v in points)
    span_x = max(len(values) - 1, 1)
    span_y = (high - low) or 1.0

    def xy(i: int, v: float) -> tuple[float, float]:
        x = SPARK_PAD + i * (SPARK_WIDTH - 2 * SPARK_PAD) / span_x
        y = SPARK_HEIGHT - SPARK_PAD - (v - low) * (SPARK_HEIGHT - 2 * SPARK_PAD) / span_y
        return round(x, 1), round(y, 1)

    coords = [xy(i, v) for i, v in points]
    path = " ".join(f"{x},{y}" for x, y in coords)
    last_x, last_y = coords[-1]
    return Markup(
        f'<svg class="sparkline" role="img" aria-label="{escape(label)}" width="{SPARK_WIDTH}" '
        f'height="{SPARK_HEIGHT}" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}">'
        f"<title>{escape(label)}</title>"
        f'<polyline points="{path}" fill="none" stroke="currentColor" stroke-width="1.5"/>'
        f'<circle cx="{last_x}" cy="{last_y}" r="2.5" fill="currentColor"/></svg>'
    )


def tile_texts(tiles_: Sequence[dict[str, Any]], scope: Scope, lang: str) -> list[dict]:
    """The tiles as a page shows them in `lang`: value, change and sparkline."""
    first = None
    out = []
    for t in tiles_:
        h = t["headline"]
        label = translate(f"headline.{h.key}", lang)
        months = len([v for v in t["series"] if v is not None])
        if t["series"] and scope.report_month:
            first = _months_back(scope.report_month, len(t["series"]) - 1)
        spark = sparkline(t["series"], translate(
            "headline.spark", lang, label=label, months=months,
            start=month(first, lang) if first else "–",
            end=month(scope.report_month, lang) if scope.report_month else "–",
        ))  # fmt: skip
        out.append({"key": h.key, "label": label, "value": _value_text(t, lang),
                    "change": _change_text(t, lang), "tone": t["tone"],
                    "definition": h.definition, "spark": spark})  # fmt: skip
    return out


def _months_back(month_start: dt.date, n: int) -> dt.date:
    index = month_start.year * 12 + month_start.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def moves(tiles_: Sequence[dict[str, Any]], scope: Scope, lang: str) -> list[str]:
    """The largest moves of the report month, largest first, relative to the previous
    month's value: MOVES_MIN to MOVES_MAX sentences (the figures that did not move fill in
    up to MOVES_MIN, said to be unchanged)."""
    if not scope.report_month or scope.previous_month is None:
        return []
    known = [t for t in tiles_ if t["change"] is not None]

    def size(t: dict[str, Any]) -> float:
        h = t["headline"]
        if change_rounds_to_zero(t["change"], h.change_unit, h.change_decimals):
            return 0.0
        before = abs(float(t["before"]))
        return abs(t["change"]) / before if before else float("inf")

    ranked = sorted(known, key=size, reverse=True)
    moved = [t for t in ranked if size(t) > 0][:MOVES_MAX]
    still = [t for t in ranked if size(t) == 0][: max(0, MOVES_MIN - len(moved))]
    sentences = []
    for t in [*moved, *still]:
        h = t["headline"]
        direction = "flat" if size(t) == 0 else "up" if t["change"] > 0 else "down"
        change = _change_text(t, lang) or ""
        sentences.append(translate(
            f"headline.move_{direction}", lang, label=translate(f"headline.{h.key}", lang),
            change=change.lstrip("+-−"), value=_value_text(t, lang),
            month=month(scope.report_month, lang), source=PORTFOLIO,
        ))  # fmt: skip
    return sentences


def context(wh_frame: pl.DataFrame, headlines: Sequence[Headline], scope: Scope, lang: str,
            extra: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:  # fmt: skip
    """A page's headline block in `lang`: `headline_tiles` and `headline_moves`; `extra`:
    tiles computed elsewhere (the watchlist), shown after the monthly ones."""
    monthly = tiles(wh_frame, headlines, scope)
    every = [*monthly, *extra]
    return {"headline_tiles": tile_texts(every, scope, lang),
            "headline_moves": moves(every, scope, lang)}  # fmt: skip
