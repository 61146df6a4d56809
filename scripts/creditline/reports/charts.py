"""Chart helpers: Vega-Lite specs built with altair, rendered offline to static SVG by
vl-convert, ready to inline in a page. No JavaScript is needed to see them.

Every helper returns a `Chart`: the SVG twice, laid out wide for a desktop and paper and
narrow for a phone (`render_chart`; `{{ chart }}` inlines both), each with `role="img"`, a
`<title>`, an `aria-label` text alternative (generated from the data unless `alt_text=` is
given), every SVG id prefixed with the chart's id so two charts on one page never share an id,
and a `<title>` tooltip on every point and bar (no JavaScript needed); and the numbers it
plots as a table (one row per x, one column per series), which the page shows under the chart
with a CSV download.
The SVG is checked to hold no http(s) reference. Vega's own ARIA texts inside the chart
(English, with field names such as "s:") are dropped: under role="img" they are never read,
and the chart's text alternative is ours, in the page's language.
Labels are laid out for the plot's width before the reader's font is known (`text_width`, a
generous estimate): month axes label only as many months as fit, legends wrap into columns
no wider than the plot.
A y axis of yuan (`y_format="money"`) shortens each tick in English ("350M") and names one
unit for the whole axis in Chinese (万元 / 亿元, `formatting.money_axis_unit`).

Colours are defined once, in the colour sequences below, and given by position to the
categories the reports read from the warehouse's reference seeds (`palette_of`); a category
keeps its colour, dash and shape on every chart that uses the same palette. They stay
readable in greyscale: lines vary dash pattern and point shape as well as hue; stacked
areas and bars use colours whose lightness alternates (DPD buckets darken with severity)
and are separated by white edges.
`heat_table` returns an HTML table, not SVG: the numbers stay text and copyable.
`small_multiples` gives each series a panel with its own y axis, for series of very different
size. `interval_chart` is a forest plot: an estimate and its interval per category (rates with
Wilson intervals, differences with confidence intervals, medians with their quartiles).
"""

import atexit
import colorsys
import datetime as dt
import hashlib
import math
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc
from markupsafe import Markup, escape

from creditline.reports.formatting import (
    compact_units,
    format_value,
    is_missing,
    money_axis_unit,
)
from creditline.reports.marts import Category
from creditline.reports.messages import translate
from creditline.reports.tables import Column, rows_of

# The same stack as style.css: Latin faces first, then CJK faces so Chinese renders on
# Linux (Noto Sans CJK), macOS (PingFang) and Windows (Microsoft YaHei).
FONT_STACK = (
    '"Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", "Noto Sans", "Noto Sans CJK SC", '
    '"PingFang SC", "Microsoft YaHei", sans-serif'
)
# The font vl-convert lays labels out with: Liberation Sans (built into vl-convert, with
# Arial's widths, close to Segoe UI's and Helvetica's), Noto Sans CJK SC for Chinese. Measuring
# with the page's whole stack found Noto Sans CJK first, whose outlines are slow to measure: a
# third of the charts' time (docs/performance.md). The SVG then names the page's stack.
MEASURING_FONT = "Liberation Sans, Noto Sans CJK SC"
TEXT_COLOR = "#1f2328"
GRID_COLOR = "#e3e6ea"


@dataclass(frozen=True)
class Size:
    """A chart's plot area in px: the width its labels are laid out for, and its height."""

    width: int
    height: int


# Every chart is rendered twice (issue 17). WIDE (about 830 px with its axes) is scaled to the
# content width on a desktop, a tablet and a printed page; NARROW (about 360 px) is shown on
# a phone at its own size, its month labels and legend laid out for that width.
WIDE = Size(760, 260)
NARROW = Size(300, 220)

# Dash patterns and point shapes, assigned by position next to the colour, so series stay
# apart in greyscale print. The first series is solid with circles.
DASHES: tuple[tuple[int, ...], ...] = (
    (1, 0), (6, 3), (2, 2), (8, 3, 2, 3), (1, 3), (10, 4), (4, 2, 1, 2), (12, 3, 3, 3),
    (3, 5), (7, 2, 2, 2, 2, 2), (14, 4),
)  # fmt: skip
SHAPES: tuple[str, ...] = (
    "circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "triangle-right",
    "triangle-left", "wedge", "stroke", "arrow",
)  # fmt: skip


@dataclass(frozen=True)
class Palette:
    """Category codes in display order, a colour for each, and each code's label per
    language; a code without a label is shown as it is."""

    codes: tuple[str, ...]
    colors: tuple[str, ...]
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def label(self, code: str, lang: str) -> str:
        return self.labels.get(code, {}).get(lang, code)


def palette_of(categories: Sequence[Category], colors: Sequence[str]) -> Palette:
    """Categories read from the warehouse (codes in the seed's order, with their labels),
    coloured by position: the first category takes the first colour."""
    if len(categories) > len(colors):
        raise ValueError(
            f"{len(categories)} categories ({', '.join(c.code for c in categories)}) but only "
            f"{len(colors)} colours: add colours to the palette in charts.py"
        )
    return Palette(
        codes=tuple(c.code for c in categories),
        colors=tuple(colors[: len(categories)]),
        labels={c.code: c.labels for c in categories},
    )


# The colours of the categories read from the reference seeds, by position in the seed's
# order (colours are presentation; the codes and labels are the warehouse's).
# DPD buckets (seeds/dpd_buckets.csv, bucket_order): lightness falls with severity (M0
# palest, M7+ darkest).
DPD_BUCKET_COLORS: tuple[str, ...] = (
    "#d9f0d3", "#fee08b", "#fdae61", "#f46d43", "#d73027", "#a50026", "#6a1a4c", "#2d0f2b",
)  # fmt: skip

# Closure reason categories (seeds/reason_codes.csv, is_closure_reason, category_order):
# hues in pairs, dark then light. A reason has one colour on every chart, bars and lines
# alike (issue 17), so each colour works as both: even the light ones keep 3:1 contrast on
# white (line_color leaves them as they are), and neighbours still alternate in lightness.
CLOSURE_REASON_COLORS: tuple[str, ...] = (
    "#7a0e17", "#ee6a75", "#103c6f", "#5397e6", "#3c3c3c", "#949494", "#5e1d74", "#c376dd",
    "#0a4523", "#18aa55",
)  # fmt: skip
# "All closures" beside the reasons.
ALL_COLOR = "#000000"

# Any other series (score bands, segments, cohorts): Okabe-Ito, safe for colour blindness.
SERIES_COLORS: tuple[str, ...] = (
    "#0b5394",
    "#d55e00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#e69f00",
    "#000000",
    "#8c6d31",
)


def relative_luminance(color: str) -> float:
    """WCAG relative luminance of a "#rrggbb" colour, 0 (black) to 1 (white)."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_on_white(color: str) -> float:
    """WCAG contrast ratio of a colour against white (1 to 21)."""
    return 1.05 / (relative_luminance(color) + 0.05)


def line_color(color: str, minimum: float = 3.0) -> str:
    """The colour, darkened in its own hue until a thin line of it has `minimum` contrast on
    white (pale palette colours suit filled areas, not lines)."""
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    h, lightness, sat = colorsys.rgb_to_hls(r, g, b)
    while lightness > 0 and contrast_on_white(color) < minimum:
        lightness = max(lightness - 0.02, 0)
        color = "#" + "".join(
            f"{round(c * 255):02x}" for c in colorsys.hls_to_rgb(h, lightness, sat)
        )
    return color


# --- rendering -------------------------------------------------------------------------


@cache
def _time_locale(lang: str) -> dict[str, Any]:
    """d3 time locale with month names from the message catalogue."""
    base = vlc.get_time_format_locale("en-US")
    base["months"] = [translate(f"month.long.{m}", lang) for m in range(1, 13)]
    base["shortMonths"] = [translate(f"month.short.{m}", lang) for m in range(1, 13)]
    return base


def _month_axis_format(lang: str) -> str:
    """The catalogue's month pattern ("{month_short} {year}") as a d3 time format."""
    pattern = translate("format.month", lang)
    return pattern.replace("{year}", "%Y").replace("{month_short}", "%b").replace("{month}", "%-m")


NUMBER_LOCALE = {
    "decimal": ".",
    "thousands": ",",
    "grouping": [3],
    "currency": ["¥", ""],
    "minus": "-",
}

CONFIG: dict[str, Any] = {
    "font": MEASURING_FONT,
    "background": "white",
    "view": {"stroke": None},
    # No generated ARIA texts (English, with field names): a mark's only label is the
    # `description` we give it, which `finish_svg` turns into its <title> tooltip.
    "aria": False,
    "axis": {
        "labelFontSize": 11,
        "titleFontSize": 12,
        "titleFontWeight": "normal",
        "labelColor": TEXT_COLOR,
        "titleColor": TEXT_COLOR,
        "gridColor": GRID_COLOR,
        "domainColor": "#8c959f",
        "tickColor": "#8c959f",
    },
    "legend": {
        "labelFontSize": 11,
        "titleFontSize": 11,
        "orient": "bottom",
        "titleFontWeight": "normal",
        "labelLimit": 240,
        "symbolStrokeWidth": 2,
    },
    "header": {"labelFontSize": 11, "labelColor": TEXT_COLOR, "labelFont": MEASURING_FONT},
}
AXIS_FONT = CONFIG["axis"]["labelFontSize"]
LEGEND_FONT = CONFIG["legend"]["labelFontSize"]


@cache
def _load_measuring_fonts() -> None:
    """Load vl-convert's font database with the one installed face it needs for Chinese
    (Liberation Sans is built in). It loads every installed face otherwise, searches them all
    for each label it measures, and reads the face from its file each time: with Chromium's
    fonts installed, half the charts' time (docs/performance.md). vl-convert reads the
    fonts once, at its first render, from the folders FONTCONFIG_FILE names; the variable is
    set for that moment only (a browser started later sees every font). Without fc-match
    vl-convert loads every face: slower, the same layout."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True
        ).stdout
    except OSError:
        return
    if not found or not Path(found).is_file():
        return
    folder = Path(tempfile.mkdtemp(prefix="creditline-fonts-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    (folder / Path(found).name).symlink_to(found)
    config = folder / "fonts.conf"
    config.write_text(f"<fontconfig><dir>{escape(str(folder))}</dir></fontconfig>")
    before = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(config)
    try:
        # an axis label to measure: the database loads at the first measurement
        label = {"data": {"values": [{"a": "额度 limit"}]}, "mark": "point"}
        vlc.vegalite_to_svg(label | {"encoding": {"x": {"field": "a", "type": "nominal"}}})
    finally:
        if before is None:
            del os.environ["FONTCONFIG_FILE"]
        else:
            os.environ["FONTCONFIG_FILE"] = before


def render_svg(spec: dict[str, Any], lang: str) -> str:
    """A Vega-Lite spec to an SVG string, with no network access allowed."""
    _load_measuring_fonts()
    return vlc.vegalite_to_svg(
        spec,
        allowed_base_urls=[],
        format_locale=NUMBER_LOCALE,
        time_format_locale=_time_locale(lang),
    )


_NAMESPACES = re.compile(r'\s+xmlns(?::xlink)?="http://www\.w3\.org/[^"]*"')
_IDS = re.compile(r'\bid="([^"]+)"')
# Vega's ARIA roles and texts on the marks and guides: always English ("X-axis titled ...",
# "x: ...; y: ...; s: ..."), and hidden anyway under the chart's role="img".
_VEGA_ARIA = re.compile(r'\s(?:role|aria-[a-z]+)="[^"]*"')
# A mark item Vega labelled with its `description`: <path aria-label="..." .../>.
_MARK_LABEL = re.compile(r'<(\w+)([^<>]*?)\saria-label="([^"]*)"([^<>]*?)/>')


def finish_svg(svg: str, *, title: str, alt: str, chart_id: str | None = None) -> Markup:
    """Make vl-convert's SVG ready to inline: unique ids, role="img", <title>, aria-label.

    vl-convert numbers clip paths per process ("clip7"), so ids are renumbered in order of
    appearance and prefixed with the chart id; the default chart id is a hash of the
    renumbered SVG, so the same chart renders to the same bytes in any run. Inline SVG in
    HTML needs no namespace declarations; dropping them leaves the markup without any
    http(s) string, which the last check enforces.
    """
    # a described mark's text becomes its <title>, the tooltip a browser shows on hover
    svg = _MARK_LABEL.sub(r"<\1\2\4><title>\3</title></\1>", svg)
    svg = svg.replace(f'font-family="{MEASURING_FONT}"', f'font-family="{escape(FONT_STACK)}"')
    svg = _VEGA_ARIA.sub("", _NAMESPACES.sub("", svg))
    ids = list(dict.fromkeys(_IDS.findall(svg)))
    # Longest first, so that "clip1" never rewrites part of "clip12".
    for n, old in sorted(enumerate(ids), key=lambda item: len(item[1]), reverse=True):
        token = f"\x00{n}\x00"
        svg = svg.replace(f'id="{old}"', f'id="{token}"')
        svg = svg.replace(f"url(#{old})", f"url(#{token})")
        svg = svg.replace(f'href="#{old}"', f'href="#{token}"')
    chart_id = chart_id or "chart-" + hashlib.sha1((title + svg).encode()).hexdigest()[:10]
    svg = re.sub("\x00(\\d+)\x00", lambda m: f"{chart_id}-{m.group(1)}", svg)
    opening = f'<svg id="{chart_id}" role="img" aria-label="{escape(alt)}" focusable="false"'
    svg = re.sub(r"^<svg\b", opening, svg, count=1)
    svg = re.sub(
        r"^(<svg[^>]*>)", lambda m: f"{m.group(1)}<title>{escape(title)}</title>", svg, count=1
    )
    if re.search(r"https?:|<image\b|@import", svg):
        raise ValueError(f"chart {chart_id} refers to a network resource")
    return Markup(svg)


def spec_of(chart: alt.TopLevelMixin, datasets: Mapping[str, list] | None = None) -> dict:
    """An altair chart as a Vega-Lite spec with the house config, its named data
    (`alt.Data(name=...)`) joined from `datasets`. The plotted rows go by name because altair
    deep-copies inline values at every step of building a chart, and the spec is not
    validated against the schema (the helpers here build valid specs, tested): the two took
    a third of a site's render time (docs/performance.md)."""
    spec = chart.to_dict(validate=False) | {"config": CONFIG}
    if datasets:
        spec["datasets"] = spec.get("datasets", {}) | dict(datasets)
    return spec


# The plotted rows of a chart, by name (spec_of).
POINTS = alt.Data(name="points")


def render_chart(
    spec: Callable[[Size], dict[str, Any]],
    *,
    lang: str,
    title: str,
    alt_text: str,
    chart_id: str | None,
    rows: list[dict[str, Any]],
    columns: list[Column],
) -> "Chart":
    """A chart from `spec`, the Vega-Lite spec laid out for a plot of a given size: rendered
    WIDE and NARROW, the narrow SVG's id the wide one's with "-narrow"."""
    wide = finish_svg(render_svg(spec(WIDE), lang), title=title, alt=alt_text, chart_id=chart_id)
    wide_id = re.match(r'<svg id="([^"]+)"', wide).group(1)  # type: ignore[union-attr]
    narrow = finish_svg(
        render_svg(spec(NARROW), lang), title=title, alt=alt_text, chart_id=f"{wide_id}-narrow"
    )
    return Chart(wide, rows, columns, narrow)


# --- data preparation ------------------------------------------------------------------


def _x_kind(values: Sequence[object]) -> str:
    present = [v for v in values if not is_missing(v)]
    if present and all(isinstance(v, dt.date) for v in present):
        return "month"
    if present and all(isinstance(v, int | float) for v in present):
        return "quantitative"
    return "ordinal"


def _json_value(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if is_missing(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()  # type: ignore[union-attr]
    if not isinstance(value, int | float | str | bool):
        return float(value)  # type: ignore[arg-type]  # Decimal
    return value


@dataclass
class _Series:
    labels: list[str]
    colors: list[str]
    dashes: list[list[int]]
    shapes: list[str]


def _series(codes_seen: Sequence[str], palette: Palette | None, lang: str) -> tuple[_Series, dict]:
    """Display order, labels and styles of the series present in the data."""
    if palette is not None:
        unknown = [c for c in codes_seen if c not in palette.codes]
        if unknown:
            raise ValueError(f"categories {unknown} are not in the palette {palette.codes}")
        order = [c for c in palette.codes if c in set(codes_seen)]
        colors = [palette.colors[palette.codes.index(c)] for c in order]
        positions = [palette.codes.index(c) for c in order]
        label = {c: palette.label(c, lang) for c in order}
    else:
        order = list(dict.fromkeys(codes_seen))
        if len(order) > len(SERIES_COLORS):
            raise ValueError(f"{len(order)} series; at most {len(SERIES_COLORS)} stay readable")
        colors = list(SERIES_COLORS[: len(order)])
        positions = list(range(len(order)))
        label = {c: c for c in order}
    styles = _Series(
        labels=[label[c] for c in order],
        colors=colors,
        dashes=[list(DASHES[p % len(DASHES)]) for p in positions],
        shapes=[SHAPES[p % len(SHAPES)] for p in positions],
    )
    return styles, label


@dataclass(frozen=True)
class Chart:
    """A chart ready for a page: `markup` (inline SVG, or the HTML table of `heat_table`),
    `narrow` (the SVG for a phone), and the numbers it shows, `rows` under `columns`, for the
    table and CSV download beside it (raw values: the CSV keeps full precision).
    `{{ chart }}` in a template inlines both SVGs; the stylesheet shows one."""

    markup: Markup
    rows: list[dict[str, Any]]
    columns: list[Column]
    narrow: Markup | None = None  # the same chart laid out for a phone (render_chart)

    def __html__(self) -> str:
        if self.narrow is None:
            return str(self.markup)
        return (
            f'<div class="chart-wide">{self.markup}</div>'
            f'<div class="chart-narrow">{self.narrow}</div>'
        )

    def __str__(self) -> str:
        return self.__html__()


# --- layout of labels ------------------------------------------------------------------

MONTH_LABEL_GAP = 12  # px kept free between two month labels
LEGEND_ENTRY_EXTRA = 30  # px a legend entry needs beside its label: symbol, gap, padding


def text_width(text: str, font_size: float = AXIS_FONT) -> float:
    """A generous estimate of a label's width in px: wide (CJK) characters 1em, capitals
    0.7em, anything else 0.6em (the faces measured run 0.5-0.65em). Labels are laid out
    before the reader's font is known; too wide only costs a little space."""
    ems = sum(
        1.0 if unicodedata.east_asian_width(c) in "WF" else 0.7 if c.isupper() else 0.6
        for c in text
    )
    return ems * font_size


def legend(labels: Sequence[str], width: int) -> alt.Legend:
    """A legend under the plot, wrapped into as many columns as fit the plot's `width`: it
    never widens the chart, so no entry is lost off its edge (issue 17)."""
    widest = max((text_width(label, LEGEND_FONT) for label in labels), default=0.0)
    columns = int(width // (widest + LEGEND_ENTRY_EXTRA))
    return alt.Legend(title=None, columns=max(1, min(columns, len(labels))))


def _tick_step(n_months: int, width: int, lang: str = "en") -> int:
    """Months from one labelled month to the next on an axis `width` px wide: 1, 2, 3, 6 or
    a multiple of 12, the smallest that leaves room for every label (issue 17: 36 month
    labels overprinted)."""
    label = text_width(format_value(dt.date(2024, 12, 1), "month", lang)) + MONTH_LABEL_GAP
    fits = max(1, int(width // label))
    for step in (1, 2, 3, 6, 12):
        if math.ceil(n_months / step) <= fits:
            return step
    return 12 * math.ceil(n_months / (12 * fits))


def _is_labelled(month: dt.date, step: int) -> bool:
    """Whether a month is labelled when every `step`-th one is: on the calendar, as a time
    axis places its ticks (quarters from January; every other year from an even one)."""
    if step <= 12:
        return (month.month - 1) % step == 0
    return month.month == 1 and month.year % (step // 12) == 0


def month_span(values: Sequence[object]) -> int:
    """How many months the axis covers, first to last."""
    months = [v.year * 12 + v.month for v in values if isinstance(v, dt.date)]
    return max(months) - min(months) + 1 if months else 0


def month_axis(n_months: int, width: int, lang: str) -> alt.Axis:
    """A month axis `width` px wide over `n_months`: a label every `_tick_step` months. The
    end labels sit flush inside the plot (centred, the first would run into the y axis's
    labels); one that then crowds its neighbour is dropped."""
    return alt.Axis(
        format=_month_axis_format(lang),
        tickCount={"interval": "month", "step": _tick_step(n_months, width, lang)},
        labelAngle=0,
        labelOverlap="greedy",
        labelSeparation=MONTH_LABEL_GAP // 2,
    )


def _x_encoding(
    kind: str, title: str | None, lang: str, values: Sequence[object], width: int
) -> alt.X:
    if kind == "month":
        axis = month_axis(month_span(values), width, lang)
        return alt.X("x:T", timeUnit="utcyearmonth", title=title, axis=axis)
    if kind == "quantitative":
        return alt.X("x:Q", title=title, axis=alt.Axis(format=",d", labelOverlap=True))
    return alt.X("x:O", title=title, sort=None, axis=alt.Axis(labelAngle=0))


def money_axis(values: Sequence[object], title: str, lang: str) -> tuple[alt.Axis, str]:
    """A y axis of yuan and its title, from the values it must reach: "Amount (CNY)" with
    ticks "350M" in English; "金额（亿元）" with ticks "3.5" in Chinese, one unit for the
    whole axis as Chinese analysts read amounts."""
    largest = max((abs(float(v)) for v in values if not is_missing(v)), default=0.0)
    unit = money_axis_unit(largest, lang)
    if unit is None:  # each tick in the unit that fits it, as the KPI tiles write amounts
        label, suffix = "format(datum.value, ',')", ""
        for threshold, tick_suffix in reversed(compact_units(lang)):
            label = (
                f"abs(datum.value) >= {threshold} ? "
                f"format(datum.value / {threshold}, ',.2~f') + '{tick_suffix}' : {label}"
            )
    else:
        divisor, suffix = unit
        label = f"format(datum.value / {divisor}, ',.2~f')"
    axis = alt.Axis(labelExpr=label)
    return axis, translate("format.money_axis_title", lang, title=title, unit=suffix)


def _y_axis(y_format: str, values: Sequence[object], title: str, lang: str):
    """The y axis and its title: a d3 format, or "money" (see `money_axis`)."""
    if y_format == "money":
        return money_axis(values, title, lang)
    return alt.Axis(format=y_format), title


def _format_x(value: object, kind: str, lang: str) -> str:
    if kind == "month":
        return format_value(value, "month", lang)
    if kind == "quantitative":
        return format_value(value, "number", lang)
    return str(value)


def _alt_text(
    kind_key: str,
    *,
    lang: str,
    title: str,
    x_title: str,
    y_title: str,
    xs: Sequence[object],
    x_kind: str,
    labels: Sequence[str],
    band_label: str | None = None,
) -> str:
    present = [v for v in xs if not is_missing(v)]
    ordered = sorted(present) if x_kind != "ordinal" else present
    text = translate(
        "chart.alt",
        lang,
        title=title,
        kind=translate(f"chart.kind.{kind_key}", lang),
        x=x_title,
        y=y_title,
        start=_format_x(ordered[0], x_kind, lang) if ordered else "–",
        end=_format_x(ordered[-1], x_kind, lang) if ordered else "–",
        series=translate("list.separator", lang).join(labels) if labels else y_title,
    )
    if band_label:
        text += translate("chart.alt_band", lang, band=band_label)
    return text


def _prepare(data: Any, x: str, y: str, series: str | None, extra: Sequence[str] = ()):
    rows = rows_of(data)
    for name in (x, y, *(c for c in (series, *extra) if c)):
        if rows and name not in rows[0]:
            raise KeyError(f"column {name!r} is not in the chart data ({', '.join(rows[0])})")
    return rows


# --- the table of a chart --------------------------------------------------------------


def _value_format(y_format: str) -> tuple[str, dict[str, Any]]:
    """How a table writes the values a chart plots with `y_format`: yuan as amounts, rates
    with one decimal more than the axis, counts as integers."""
    if y_format == "money":
        return "amount", {}
    decimals = re.search(r"\.(\d+)", y_format)
    places = int(decimals.group(1)) if decimals else 0
    if y_format.endswith("%"):
        return "percent", {"decimals": places + 1}
    if y_format.endswith("d"):
        return "integer", {}
    return "number", {"decimals": places}


def _x_column(kind: str, title: str, values: Sequence[object]) -> Column:
    if kind == "month":
        return Column.titled("x", title, "month")
    if kind == "quantitative":
        if all(float(v).is_integer() for v in values if not is_missing(v)):  # type: ignore[arg-type]
            return Column.titled("x", title, "integer")
        return Column.titled("x", title, "number", {"decimals": 2})
    return Column.titled("x", title)


def series_table(
    points: Sequence[dict[str, Any]],
    x_column: Column,
    series: Sequence[str],
    value_format: tuple[str, dict[str, Any]],
    lang: str,
    *,
    band: bool = False,
    ordered: bool = True,
) -> tuple[list[dict[str, Any]], list[Column]]:
    """The plotted points ({"x", "s" series label, "y", "lo", "hi"}) as a table: one row per
    x (sorted unless `ordered` is false), one column per series in legend order, with its
    band's bounds beside it."""
    fmt, options = value_format
    columns = [x_column]
    for i, name in enumerate(series):
        columns.append(Column.titled(f"y{i}", name, fmt, options))
        if band:
            columns.append(
                Column.titled(f"lo{i}", translate("chart.lower", lang, series=name), fmt, options)
            )
            columns.append(
                Column.titled(f"hi{i}", translate("chart.upper", lang, series=name), fmt, options)
            )
    blank = dict.fromkeys((c.key for c in columns), None)
    index = {name: i for i, name in enumerate(series)}
    by_x: dict[object, dict[str, Any]] = {}
    for point in points:
        i = index[point["s"]]
        row = by_x.setdefault(point["x"], blank | {"x": point["x"]})
        row[f"y{i}"] = point["y"]
        if band:
            row[f"lo{i}"], row[f"hi{i}"] = point["lo"], point["hi"]
    keys = sorted(by_x, key=_sort_key) if ordered else list(by_x)
    return [by_x[k] for k in keys], columns


def mark_title(x_text: str, series: str, value_text: str, lang: str) -> str:
    """A mark's tooltip: "Mar 2024 · Overdue: 12"."""
    return translate("chart.mark_title", lang, x=x_text, series=series, value=value_text)


def _points(
    rows: Sequence[dict[str, Any]],
    x: str,
    y: str,
    labels: Sequence[str],
    band: tuple[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Each plotted row as a point with its series label (raw values)."""
    return [
        {"x": r[x], "s": s, "y": r[y], **({"lo": r[band[0]], "hi": r[band[1]]} if band else {})}
        for r, s in zip(rows, labels, strict=True)
    ]


def _vega_values(
    points: Sequence[dict[str, Any]], columns: Sequence[Column], lang: str, x_of=None
) -> list[dict[str, Any]]:
    """The points as Vega data, each with "d", its tooltip, in the table's formats."""
    x_column, value_column = columns[0], columns[1]
    x_of = x_of or _json_value
    return [
        {
            "x": x_of(p["x"]),
            "y": _json_value(p["y"]),
            "s": p["s"],
            "d": mark_title(
                x_column.format(p["x"], lang), p["s"], value_column.format(p["y"], lang), lang
            ),
            **({"lo": _json_value(p["lo"]), "hi": _json_value(p["hi"])} if "lo" in p else {}),
        }
        for p in points
    ]


# --- the chart helpers -----------------------------------------------------------------


def line_chart(
    data: Any,
    *,
    x: str,
    y: str,
    title: str,
    x_title: str,
    y_title: str,
    lang: str,
    series: str | None = None,
    palette: Palette | None = None,
    band: tuple[str, str] | None = None,
    band_label: str | None = None,
    y_format: str = ".1%",
    y_zero: bool = True,
    step: bool = False,
    points: bool = True,
    alt_text: str | None = None,
    chart_id: str | None = None,
) -> Chart:
    """Lines of `y` by `x`, one per value of `series`, optionally with a band between the
    two `band` columns (a confidence interval). `x` may hold dates (a month axis), numbers
    or labels. `y_format` is a d3 format (".1%" for rates, ",d" for counts) or "money".
    Every point carries its tooltip; with `points=False` the points are not drawn, yet
    still there to be hovered."""
    rows = _prepare(data, x, y, series, band or ())
    value_title = y_title
    y_axis, y_title = _y_axis(y_format, [r[y] for r in rows], y_title, lang)
    codes = [str(r[series]) if series else value_title for r in rows]
    styles, label = _series(codes, palette, lang)
    kind = _x_kind([r[x] for r in rows])
    plotted = _points(rows, x, y, [label[c] for c in codes], band)
    table_rows, columns = series_table(
        plotted,
        _x_column(kind, x_title, [r[x] for r in rows]),
        styles.labels,
        _value_format(y_format),
        lang,
        band=band is not None,
        ordered=kind != "ordinal",
    )
    values = _vega_values(plotted, columns, lang)
    show_legend = series is not None
    line_colors = [line_color(c) for c in styles.colors]
    color_scale = alt.Scale(domain=styles.labels, range=line_colors)
    y_enc = alt.Y("y:Q", title=y_title, axis=y_axis, scale=alt.Scale(zero=y_zero))
    interpolate = "step-after" if step else "linear"

    def spec(size: Size) -> dict[str, Any]:
        x_enc = _x_encoding(kind, x_title, lang, [r[x] for r in rows], size.width)
        key = legend(styles.labels, size.width) if show_legend else None
        color = alt.Color("s:N", scale=color_scale, legend=key, sort=styles.labels)
        base = alt.Chart(POINTS).encode(x=x_enc)
        line = base.mark_line(clip=True, interpolate=interpolate, strokeWidth=2).encode(
            y=y_enc,
            color=color,
            strokeDash=alt.StrokeDash(
                "s:N",
                scale=alt.Scale(domain=styles.labels, range=styles.dashes),
                legend=key,
                sort=styles.labels,
            ),
        )
        dots = base.mark_point(
            filled=True, size=36, clip=True, opacity=1 if points else 0, aria=True
        ).encode(
            y=y_enc,
            # hidden points stay out of the legend, which then shows the lines' dashes
            color=color if points else alt.Color("s:N", scale=color_scale, legend=None),
            description="d:N",
        )
        if points:
            dots = dots.encode(
                shape=alt.Shape(
                    "s:N",
                    scale=alt.Scale(domain=styles.labels, range=styles.shapes),
                    legend=key,
                    sort=styles.labels,
                )
            )
        layers = [line, dots]
        if band:
            # One constant-colour area per series: a colour channel on the band would merge
            # into, or suppress, the line legend.
            for series_label, series_color in zip(styles.labels, line_colors, strict=True):
                area = (
                    base.transform_filter(alt.datum.s == series_label)
                    .mark_area(opacity=0.18, clip=True, color=series_color, interpolate=interpolate)
                    .encode(y=alt.Y("lo:Q"), y2="hi:Q")
                )
                layers.insert(0, area)
        chart = alt.layer(*layers).properties(width=size.width, height=size.height)
        return spec_of(chart, {POINTS.name: values})

    alt_text = alt_text or _alt_text(
        "step" if step else "line",
        lang=lang,
        title=title,
        x_title=x_title,
        y_title=y_title,
        xs=[r[x] for r in rows],
        x_kind=kind,
        labels=styles.labels if show_legend else [],
        band_label=band_label,
    )
    return render_chart(
        spec,
        lang=lang,
        title=title,
        alt_text=alt_text,
        chart_id=chart_id,
        rows=table_rows,
        columns=columns,
    )


def step_chart(data: Any, **kwargs: Any) -> Chart:
    """A step line (a survival curve: the value holds until the next event), no points."""
    kwargs.setdefault("points", False)
    kwargs.setdefault("y_zero", True)
    return line_chart(data, step=True, **kwargs)


def _stacked(
    mark: str,
    data: Any,
    *,
    x: str,
    y: str,
    category: str,
    title: str,
    x_title: str,
    y_title: str,
    lang: str,
    palette: Palette | None,
    normalize: bool,
    y_format: str,
    alt_text: str | None,
    chart_id: str | None,
) -> Chart:
    rows = _prepare(data, x, y, category)
    codes = [str(r[category]) for r in rows]
    styles, label = _series(codes, palette, lang)
    kind = _x_kind([r[x] for r in rows])
    rank = {lab: i for i, lab in enumerate(styles.labels)}
    plotted = _points(rows, x, y, [label[c] for c in codes])
    value_format = _value_format(",d" if normalize else y_format)  # a table holds the counts
    table_rows, columns = series_table(
        plotted,
        _x_column(kind, x_title, [r[x] for r in rows]),
        styles.labels,
        value_format,
        lang,
        ordered=kind != "ordinal",
    )
    bars_by_month = mark == "bar" and kind == "month"
    months = sorted({r[x] for r in rows if not is_missing(r[x])}) if bars_by_month else []
    # One bar per month, labelled under its middle: a band scale of month labels.
    x_of = (lambda v: format_value(v, "month", lang)) if bars_by_month else _json_value
    values = [v | {"o": rank[v["s"]]} for v in _vega_values(plotted, columns, lang, x_of)]
    stacks: dict[object, float] = {}  # the axis must reach the tallest stack
    for v in values:
        stacks[v["x"]] = stacks.get(v["x"], 0.0) + float(v["y"] or 0)
    y_axis, y_title = _y_axis(y_format, list(stacks.values()), y_title, lang)
    stack = "normalize" if normalize else "zero"
    y_enc = alt.Y("y:Q", title=y_title, stack=stack, axis=y_axis)

    def spec(size: Size) -> dict[str, Any]:
        if bars_by_month:  # only as many month labels as fit the width
            step = _tick_step(len(months), size.width, lang)
            shown = [x_of(m) for m in months if _is_labelled(m, step)]
            axis = alt.Axis(labelAngle=0, values=shown)
            x_enc = alt.X("x:O", title=x_title, sort=[x_of(m) for m in months], axis=axis)
        else:
            x_enc = _x_encoding(kind, x_title, lang, [r[x] for r in rows], size.width)
        color = alt.Color(
            "s:N",
            scale=alt.Scale(domain=styles.labels, range=styles.colors),
            legend=legend(styles.labels, size.width),
            sort=styles.labels,
        )
        chart = alt.Chart(POINTS)
        if mark == "area":  # one shape per series: its tooltip names the series
            chart = chart.mark_area(
                stroke="white", strokeWidth=0.8, interpolate="linear", aria=True
            )
            described = alt.Description("s:N")
        else:
            chart = chart.mark_bar(stroke="white", strokeWidth=0.6, aria=True)
            described = alt.Description("d:N")
        chart = chart.encode(
            x=x_enc,
            y=y_enc,
            color=color,
            order=alt.Order("o:Q", sort="ascending"),
            description=described,
        )
        return spec_of(
            chart.properties(width=size.width, height=size.height), {POINTS.name: values}
        )

    alt_text = alt_text or _alt_text(
        f"stacked_{mark}",
        lang=lang,
        title=title,
        x_title=x_title,
        y_title=y_title,
        xs=[r[x] for r in rows],
        x_kind=kind,
        labels=styles.labels,
    )
    return render_chart(
        spec,
        lang=lang,
        title=title,
        alt_text=alt_text,
        chart_id=chart_id,
        rows=table_rows,
        columns=columns,
    )


def stacked_area_chart(
    data: Any,
    *,
    x: str,
    y: str,
    category: str,
    title: str,
    x_title: str,
    y_title: str,
    lang: str,
    palette: Palette | None = None,
    normalize: bool = False,
    y_format: str = ",d",
    alt_text: str | None = None,
    chart_id: str | None = None,
) -> Chart:
    """Areas of `y` stacked by `category` over `x` (with `normalize=True`, shares of 100%)."""
    return _stacked(
        "area",
        data,
        x=x,
        y=y,
        category=category,
        title=title,
        x_title=x_title,
        y_title=y_title,
        lang=lang,
        palette=palette,
        normalize=normalize,
        y_format=y_format,
        alt_text=alt_text,
        chart_id=chart_id,
    )


def stacked_bar_chart(
    data: Any,
    *,
    x: str,
    y: str,
    category: str,
    title: str,
    x_title: str,
    y_title: str,
    lang: str,
    palette: Palette | None = None,
    normalize: bool = False,
    y_format: str = ",d",
    alt_text: str | None = None,
    chart_id: str | None = None,
) -> Chart:
    """Bars of `y` stacked by `category` for each `x` (with `normalize=True`, shares)."""
    return _stacked(
        "bar",
        data,
        x=x,
        y=y,
        category=category,
        title=title,
        x_title=x_title,
        y_title=y_title,
        lang=lang,
        palette=palette,
        normalize=normalize,
        y_format=y_format,
        alt_text=alt_text,
        chart_id=chart_id,
    )


INTERVAL_ROW = 26  # px per category row of an interval chart (a point and its whisker)


def interval_chart(
    data: Any,
    *,
    category: str,
    value: str,
    interval: tuple[str, str],
    title: str,
    value_title: str,
    category_title: str,
    interval_label: str,
    lang: str,
    series: str | None = None,
    palette: Palette | None = None,
    value_format: str = ".0%",
    reference: float | None = None,
    alt_text: str | None = None,
    chart_id: str | None = None,
) -> Chart:
    """An estimate and its interval per category (a forest plot): a point at `value`, a
    whisker from `interval[0]` to `interval[1]`, one row per `category` in the data's order;
    with `series`, the series of a category sit side by side in its row. `reference` draws a
    rule at that value (0 for a difference). For rates with Wilson intervals, differences
    with confidence intervals and medians with their quartiles."""
    rows = _prepare(data, category, value, series, interval)
    codes = [str(r[series]) if series else value_title for r in rows]
    styles, label = _series(codes, palette, lang)
    plotted = _points(rows, category, value, [label[c] for c in codes], interval)
    table_rows, columns = series_table(
        plotted,
        Column.titled("x", category_title),
        styles.labels,
        _value_format(value_format),
        lang,
        band=True,
        ordered=False,
    )
    values = _vega_values(plotted, columns, lang)
    categories = list(dict.fromkeys(str(r[category]) for r in rows))
    per_row = len(styles.labels) if series else 1
    height = max(INTERVAL_ROW * per_row, INTERVAL_ROW) * len(categories)
    colors = [line_color(c) for c in styles.colors]
    # the axis trims trailing zeros ("-60", not "-60.0"); the table keeps the decimals
    trims = re.fullmatch(r",?\.\d+f", value_format)
    axis_format = value_format[:-1] + "~f" if trims else value_format
    x_axis, x_title = _y_axis(axis_format, [r[v] for r in rows for v in (value, *interval)],
                              value_title, lang)  # fmt: skip
    x_axis.tickCount, x_axis.labelOverlap = 6, True
    x_scale = alt.Scale(zero=reference is not None or value_format.endswith("%"))

    def spec(size: Size) -> dict[str, Any]:
        key = legend(styles.labels, size.width) if series else None
        color = alt.Color("s:N", scale=alt.Scale(domain=styles.labels, range=colors),
                          legend=key, sort=styles.labels)  # fmt: skip
        y_axis = alt.Axis(labelLimit=size.width // 2)
        base = alt.Chart(POINTS).encode(y=alt.Y("x:N", title=None, sort=categories, axis=y_axis))
        if series:
            base = base.encode(yOffset=alt.YOffset("s:N", sort=styles.labels))
        whisker = base.mark_rule(strokeWidth=2).encode(
            x=alt.X("lo:Q", title=x_title, axis=x_axis, scale=x_scale), x2="hi:Q", color=color
        )
        dots = base.mark_point(filled=True, size=60, opacity=1, aria=True).encode(
            x=alt.X("y:Q", scale=x_scale),
            color=color,
            shape=alt.Shape("s:N", scale=alt.Scale(domain=styles.labels, range=styles.shapes),
                            legend=key, sort=styles.labels),
            description="d:N",
        )  # fmt: skip
        layers = [whisker, dots]
        if reference is not None:
            rule = alt.Chart(alt.Data(values=[{"r": reference}])).mark_rule(
                color=TEXT_COLOR, strokeDash=[4, 3]
            )
            layers.insert(0, rule.encode(x="r:Q"))
        chart = alt.layer(*layers).properties(width=size.width, height=height)
        return spec_of(chart, {POINTS.name: values})

    alt_text = alt_text or _alt_text(
        "interval",
        lang=lang,
        title=title,
        x_title=category_title,
        y_title=value_title,
        xs=categories,
        x_kind="ordinal",
        labels=styles.labels if series else [],
    ) + translate("chart.alt_whisker", lang, interval=interval_label)
    return render_chart(
        spec,
        lang=lang,
        title=title,
        alt_text=alt_text,
        chart_id=chart_id,
        rows=table_rows,
        columns=columns,
    )


PANEL_AXIS = 60  # px beside each small multiple for its own y axis


def small_multiples(
    data: Any,
    *,
    x: str,
    y: str,
    series: str,
    title: str,
    x_title: str,
    y_title: str,
    lang: str,
    palette: Palette | None = None,
    area: bool = False,
    y_format: str = ".1%",
    panel_height: int = 110,
    alt_text: str | None = None,
    chart_id: str | None = None,
) -> Chart:
    """One panel per value of `series` (two columns wide, one narrow), each with its own y axis from
    zero to its own largest value: series of very different size (6% and 90% flow rates; the
    1-30 DPD balance and the 180+ one) each stay legible where one shared axis flattens the
    small ones (issue 17). `area=True` shades under each line (amounts)."""
    rows = _prepare(data, x, y, series)
    codes = [str(r[series]) for r in rows]
    styles, label = _series(codes, palette, lang)
    if y_format == "money":
        # Every panel reads in the axis unit: the one that fits the smallest panel's top.
        tops: dict[str, float] = {}
        for r, c in zip(rows, codes, strict=True):
            tops[c] = max(tops.get(c, 0.0), 0.0 if is_missing(r[y]) else abs(float(r[y])))
        y_axis, axis_title = money_axis([min(tops.values(), default=0.0)], y_title, lang)
    else:
        y_axis, axis_title = _y_axis(y_format, [], y_title, lang)
    kind = _x_kind([r[x] for r in rows])
    plotted = _points(rows, x, y, [label[c] for c in codes])
    table_rows, table_columns = series_table(
        plotted,
        _x_column(kind, x_title, [r[x] for r in rows]),
        styles.labels,
        _value_format(y_format),
        lang,
        ordered=kind != "ordinal",
    )
    values = _vega_values(plotted, table_columns, lang)
    color = alt.Color(
        "s:N",
        scale=alt.Scale(domain=styles.labels, range=[line_color(c) for c in styles.colors]),
        legend=None,
    )

    def spec(size: Size) -> dict[str, Any]:
        columns = 2 if size.width >= WIDE.width else 1
        panel_width = size.width // columns - PANEL_AXIS
        base = alt.Chart().encode(
            x=_x_encoding(kind, None, lang, [r[x] for r in rows], panel_width),
            y=alt.Y("y:Q", title=axis_title, axis=y_axis, scale=alt.Scale(zero=True)),
            color=color,
        )
        layers = [base.mark_area(opacity=0.25, clip=True)] if area else []
        layers.append(base.mark_line(strokeWidth=2, clip=True))
        layers.append(  # not drawn: there for their tooltips
            base.mark_point(filled=True, size=36, opacity=0, clip=True, aria=True).encode(
                description="d:N"
            )
        )
        chart = (
            alt.layer(*layers, data=POINTS)
            .properties(width=panel_width, height=panel_height)
            .facet(facet=alt.Facet("s:N", sort=styles.labels, title=None), columns=columns)
            .resolve_scale(y="independent")
        )
        return spec_of(chart, {POINTS.name: values})

    alt_text = alt_text or _alt_text(
        "small_multiples",
        lang=lang,
        title=title,
        x_title=x_title,
        y_title=y_title,
        xs=[r[x] for r in rows],
        x_kind=kind,
        labels=styles.labels,
    )
    return render_chart(
        spec,
        lang=lang,
        title=title,
        alt_text=alt_text,
        chart_id=chart_id,
        rows=table_rows,
        columns=table_columns,
    )


# --- heat table (HTML) -----------------------------------------------------------------

_HEAT_STOPS = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")


def heat_color(share: float) -> str:
    """A colour on the sequential blue scale for a position 0..1 (darker is higher)."""
    share = min(max(share, 0.0), 1.0) * (len(_HEAT_STOPS) - 1)
    i = min(int(share), len(_HEAT_STOPS) - 2)
    f = share - i
    a, b = (_HEAT_STOPS[i], _HEAT_STOPS[i + 1])
    mixed = [round(int(a[k : k + 2], 16) * (1 - f) + int(b[k : k + 2], 16) * f) for k in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def heat_table(
    data: Any,
    *,
    row: str,
    column: str,
    value: str,
    lang: str,
    row_title: str,
    column_title: str,
    value_title: str,
    fmt: str = "percent",
    fmt_options: dict[str, Any] | None = None,
    row_fmt: str = "text",
    column_fmt: str = "text",
    domain: tuple[float, float] | None = None,
    column_order: Sequence[Any] | None = None,
) -> Chart:
    """A matrix (vintage by months on book, bucket by next bucket) as an HTML table whose
    cells are shaded by value; the formatted number is printed in every cell, and named in
    its tooltip. Rows keep the data's order; columns follow `column_order` where given (keys
    it lacks go last), else their natural order. The Chart's rows are the matrix as it is
    shown, for its CSV."""
    rows = _prepare(data, row, value, column)
    row_keys = list(dict.fromkeys(r[row] for r in rows))
    col_keys = sorted(dict.fromkeys(r[column] for r in rows), key=_sort_key)
    if column_order is not None:
        rank = {key: i for i, key in enumerate(column_order)}
        col_keys.sort(key=lambda key: rank.get(key, len(rank)))
    cells = {(r[row], r[column]): r[value] for r in rows}
    numbers = [v for v in cells.values() if not is_missing(v)]
    lo, hi = domain or ((min(numbers), max(numbers)) if numbers else (0.0, 1.0))
    options = fmt_options or {}
    label = translate("chart.heat_alt", lang, value=value_title, row=row_title, column=column_title)
    col_texts = [format_value(c, column_fmt, lang) for c in col_keys]
    head = "".join(f'<th scope="col">{escape(text)}</th>' for text in col_texts)
    body = []
    for rk in row_keys:
        row_text = format_value(rk, row_fmt, lang)
        tds = []
        for ck, col_text in zip(col_keys, col_texts, strict=True):
            v = cells.get((rk, ck))
            shown = format_value(v, fmt, lang, **options)
            if is_missing(v):
                tds.append(f'<td class="heat-missing">{escape(shown)}</td>')
                continue
            share = 0.5 if hi == lo else (float(v) - lo) / (hi - lo)
            bg = heat_color(share)
            fg = "#ffffff" if relative_luminance(bg) < 0.3 else TEXT_COLOR
            tip = translate(
                "chart.cell_title", lang, row=row_text, column_title=column_title,
                column=col_text, value=shown,
            )  # fmt: skip
            tds.append(
                f'<td style="background-color:{bg};color:{fg}" title="{escape(tip)}" '
                f'data-value="{escape(str(v))}">{escape(shown)}</td>'
            )
        body.append(f'<tr><th scope="row">{escape(row_text)}</th>{"".join(tds)}</tr>')
    corner = f"{escape(row_title)} \\ {escape(column_title)}"
    markup = Markup(
        f'<div class="table-scroll" role="region" tabindex="0" aria-label="{escape(label)}">'
        f'<table class="heat-table"><thead><tr><th scope="col">{corner}</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )
    csv_columns = [Column.titled("row", row_title, row_fmt)] + [
        Column.titled(f"c{i}", f"{column_title} {text}", fmt, options)
        for i, text in enumerate(col_texts)
    ]
    csv_rows = [
        {"row": rk} | {f"c{i}": cells.get((rk, ck)) for i, ck in enumerate(col_keys)}
        for rk in row_keys
    ]
    return Chart(markup, csv_rows, csv_columns)


def _sort_key(value: object) -> tuple:
    return (0, value, "") if isinstance(value, int | float | dt.date) else (1, 0, str(value))
