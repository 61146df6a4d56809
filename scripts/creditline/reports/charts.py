"""Chart helpers: Vega-Lite specs built with altair, rendered offline to static SVG by
vl-convert, ready to inline in a page. No JavaScript is needed to see them.

Every helper returns `Markup` (an `<svg>` string) with `role="img"`, a `<title>`, an
`aria-label` text alternative (generated from the data unless `alt_text=` is given), and
every SVG id prefixed with the chart's id so two charts on one page never share an id.
The SVG is checked to hold no http(s) reference. Vega's own ARIA texts inside the chart
(English, with field names such as "s:") are dropped: under role="img" they are never read,
and the chart's text alternative is ours, in the page's language.
A y axis of yuan (`y_format="money"`) shortens each tick in English ("350M") and names one
unit for the whole axis in Chinese (万元 / 亿元, `formatting.money_axis_unit`).

Colours are defined once, in the colour sequences below, and given by position to the
categories the reports read from the warehouse's reference seeds (`palette_of`). They stay
readable in greyscale: lines vary dash pattern and point shape as well as hue; stacked
areas and bars use colours whose lightness alternates (DPD buckets darken with severity)
and are separated by white edges.
`heat_table` returns an HTML table, not SVG: the numbers stay text and copyable.
"""

import colorsys
import datetime as dt
import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
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
from creditline.reports.tables import rows_of

# The same stack as style.css: Latin faces first, then CJK faces so Chinese renders on
# Linux (Noto Sans CJK), macOS (PingFang) and Windows (Microsoft YaHei).
FONT_STACK = (
    '"Segoe UI", "Helvetica Neue", Arial, "Noto Sans", "Noto Sans CJK SC", '
    '"PingFang SC", "Microsoft YaHei", sans-serif'
)
TEXT_COLOR = "#1f2328"
GRID_COLOR = "#e3e6ea"
WIDTH = 560
HEIGHT = 240

# Dash patterns and point shapes, assigned by position next to the colour, so series stay
# apart in greyscale print. The first series is solid with circles.
DASHES: tuple[tuple[int, ...], ...] = (
    (1, 0), (6, 3), (2, 2), (8, 3, 2, 3), (1, 3), (10, 4), (4, 2, 1, 2), (12, 3, 3, 3),
    (3, 5), (7, 2, 2, 2, 2, 2),
)  # fmt: skip
SHAPES: tuple[str, ...] = (
    "circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "triangle-right",
    "triangle-left", "wedge", "stroke",
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
# hues in pairs, dark then light.
CLOSURE_REASON_COLORS: tuple[str, ...] = (
    "#b2182b", "#f4a582", "#2166ac", "#92c5de", "#4d4d4d", "#cfcfcf", "#762a83", "#c2a5cf",
    "#1b7837", "#a6dba0",
)  # fmt: skip

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
    "font": FONT_STACK,
    "background": "white",
    "view": {"stroke": None},
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
}


def render_svg(spec: dict[str, Any], lang: str) -> str:
    """A Vega-Lite spec to an SVG string, with no network access allowed."""
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


def finish_svg(svg: str, *, title: str, alt: str, chart_id: str | None = None) -> Markup:
    """Make vl-convert's SVG ready to inline: unique ids, role="img", <title>, aria-label.

    vl-convert numbers clip paths per process ("clip7"), so ids are renumbered in order of
    appearance and prefixed with the chart id; the default chart id is a hash of the
    renumbered SVG, so the same chart renders to the same bytes in any run. Inline SVG in
    HTML needs no namespace declarations; dropping them leaves the markup without any
    http(s) string, which the last check enforces.
    """
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


def _tick_step(n_months: int) -> int:
    for step in (1, 2, 3, 6, 12):
        if n_months / step <= 8:
            return step
    return 12 * math.ceil(n_months / 96)


def _x_encoding(kind: str, title: str, lang: str, values: Sequence[object]) -> alt.X:
    if kind == "month":
        months = {(v.year, v.month) for v in values if isinstance(v, dt.date)}
        axis = alt.Axis(
            format=_month_axis_format(lang),
            tickCount={"interval": "month", "step": _tick_step(len(months))},
            labelAngle=0,
            labelOverlap=True,
        )
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
    width: int = WIDTH,
    height: int = HEIGHT,
    alt_text: str | None = None,
    chart_id: str | None = None,
) -> Markup:
    """Lines of `y` by `x`, one per value of `series`, optionally with a band between the
    two `band` columns (a confidence interval). `x` may hold dates (a month axis), numbers
    or labels. `y_format` is a d3 format (".1%" for rates, ",d" for counts) or "money"."""
    rows = _prepare(data, x, y, series, band or ())
    y_axis, y_title = _y_axis(y_format, [r[y] for r in rows], y_title, lang)
    codes = [str(r[series]) if series else y_title for r in rows]
    styles, label = _series(codes, palette, lang)
    kind = _x_kind([r[x] for r in rows])
    values = [
        {
            "x": _json_value(r[x]),
            "y": _json_value(r[y]),
            "s": label[c],
            **({"lo": _json_value(r[band[0]]), "hi": _json_value(r[band[1]])} if band else {}),
        }
        for r, c in zip(rows, codes, strict=True)
    ]
    x_enc = _x_encoding(kind, x_title, lang, [r[x] for r in rows])
    show_legend = series is not None
    legend = alt.Legend(title=None) if show_legend else None
    line_colors = [line_color(c) for c in styles.colors]
    color_scale = alt.Scale(domain=styles.labels, range=line_colors)
    color = alt.Color("s:N", scale=color_scale, legend=legend, sort=styles.labels)
    y_enc = alt.Y("y:Q", title=y_title, axis=y_axis, scale=alt.Scale(zero=y_zero))
    base = alt.Chart(alt.Data(values=values)).encode(x=x_enc)
    line = base.mark_line(
        clip=True,
        interpolate="step-after" if step else "linear",
        strokeWidth=2,
        point=alt.OverlayMarkDef(size=36, filled=True) if points else False,
    ).encode(
        y=y_enc,
        color=color,
        strokeDash=alt.StrokeDash(
            "s:N",
            scale=alt.Scale(domain=styles.labels, range=styles.dashes),
            legend=legend,
            sort=styles.labels,
        ),
        shape=alt.Shape(
            "s:N",
            scale=alt.Scale(domain=styles.labels, range=styles.shapes),
            legend=legend if points else None,
            sort=styles.labels,
        ),
    )
    layers = [line]
    if band:
        # One constant-colour area per series: a colour channel on the band would merge
        # into, or suppress, the line legend.
        for series_label, series_color in zip(styles.labels, line_colors, strict=True):
            area = (
                base.transform_filter(alt.datum.s == series_label)
                .mark_area(
                    opacity=0.18,
                    clip=True,
                    color=series_color,
                    interpolate="step-after" if step else "linear",
                )
                .encode(y=alt.Y("lo:Q"), y2="hi:Q")
            )
            layers.insert(0, area)
    chart = alt.layer(*layers).properties(width=width, height=height)
    spec = chart.to_dict() | {"config": CONFIG}
    svg = render_svg(spec, lang)
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
    return finish_svg(svg, title=title, alt=alt_text, chart_id=chart_id)


def step_chart(data: Any, **kwargs: Any) -> Markup:
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
    width: int,
    height: int,
    alt_text: str | None,
    chart_id: str | None,
) -> Markup:
    rows = _prepare(data, x, y, category)
    codes = [str(r[category]) for r in rows]
    styles, label = _series(codes, palette, lang)
    kind = _x_kind([r[x] for r in rows])
    rank = {lab: i for i, lab in enumerate(styles.labels)}
    if mark == "bar" and kind == "month":
        # One bar per month, labelled under its middle: a band scale of month labels.
        x_of = lambda v: format_value(v, "month", lang)  # noqa: E731
        order = [x_of(v) for v in sorted({r[x] for r in rows if not is_missing(r[x])})]
        x_enc = alt.X("x:O", title=x_title, sort=order, axis=alt.Axis(labelAngle=0))
    else:
        x_of = _json_value
        x_enc = _x_encoding(kind, x_title, lang, [r[x] for r in rows])
    values = [
        {"x": x_of(r[x]), "y": _json_value(r[y]), "s": label[c], "o": rank[label[c]]}
        for r, c in zip(rows, codes, strict=True)
    ]
    stacks: dict[object, float] = {}  # the axis must reach the tallest stack
    for v in values:
        stacks[v["x"]] = stacks.get(v["x"], 0.0) + float(v["y"] or 0)
    y_axis, y_title = _y_axis(y_format, list(stacks.values()), y_title, lang)
    stack = "normalize" if normalize else "zero"
    y_enc = alt.Y("y:Q", title=y_title, stack=stack, axis=y_axis)
    color = alt.Color(
        "s:N",
        scale=alt.Scale(domain=styles.labels, range=styles.colors),
        legend=alt.Legend(title=None),
        sort=styles.labels,
    )
    chart = alt.Chart(alt.Data(values=values))
    if mark == "area":
        chart = chart.mark_area(stroke="white", strokeWidth=0.8, interpolate="linear")
    else:
        chart = chart.mark_bar(stroke="white", strokeWidth=0.6)
    chart = chart.encode(x=x_enc, y=y_enc, color=color, order=alt.Order("o:Q", sort="ascending"))
    spec = chart.properties(width=width, height=height).to_dict() | {"config": CONFIG}
    svg = render_svg(spec, lang)
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
    return finish_svg(svg, title=title, alt=alt_text, chart_id=chart_id)


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
    width: int = WIDTH,
    height: int = HEIGHT,
    alt_text: str | None = None,
    chart_id: str | None = None,
) -> Markup:
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
        width=width,
        height=height,
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
    width: int = WIDTH,
    height: int = HEIGHT,
    alt_text: str | None = None,
    chart_id: str | None = None,
) -> Markup:
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
        width=width,
        height=height,
        alt_text=alt_text,
        chart_id=chart_id,
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
) -> Markup:
    """A matrix (vintage by months on book, bucket by next bucket) as an HTML table whose
    cells are shaded by value; the formatted number is printed in every cell. Rows keep the
    data's order; columns follow `column_order` where given (keys it lacks go last), else
    their natural order."""
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
    head = "".join(
        f'<th scope="col">{escape(format_value(c, column_fmt, lang))}</th>' for c in col_keys
    )
    body = []
    for rk in row_keys:
        tds = []
        for ck in col_keys:
            v = cells.get((rk, ck))
            shown = escape(format_value(v, fmt, lang, **options))
            if is_missing(v):
                tds.append(f'<td class="heat-missing">{shown}</td>')
                continue
            share = 0.5 if hi == lo else (float(v) - lo) / (hi - lo)
            bg = heat_color(share)
            fg = "#ffffff" if relative_luminance(bg) < 0.3 else TEXT_COLOR
            tds.append(
                f'<td style="background-color:{bg};color:{fg}" '
                f'data-value="{escape(str(v))}">{shown}</td>'
            )
        body.append(
            f'<tr><th scope="row">{escape(format_value(rk, row_fmt, lang))}</th>{"".join(tds)}</tr>'
        )
    corner = f"{escape(row_title)} \\ {escape(column_title)}"
    return Markup(
        f'<div class="table-scroll" role="region" tabindex="0" aria-label="{escape(label)}">'
        f'<table class="heat-table"><thead><tr><th scope="col">{corner}</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _sort_key(value: object) -> tuple:
    return (0, value, "") if isinstance(value, int | float | dt.date) else (1, 0, str(value))
