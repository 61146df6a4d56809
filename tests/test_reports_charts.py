"""The report charts can be read exactly and consistently (issue 17): every chart carries a
table and a CSV of the numbers it plots and a tooltip on every point and bar; a closure
reason keeps one colour on every chart; captions say what a chart leaves out. Small
hand-made inputs for the chart helpers, the shared small warehouse for the pages. Browser
geometry (overprinting labels, panels): tests/e2e/test_report_charts_browser.py."""

import csv
import datetime as dt
import io
import re
from pathlib import Path
from urllib.parse import unquote

import duckdb
import polars as pl
import pytest
from selectolax.lexbor import LexborHTMLParser

from creditline.reports import charts
from creditline.reports.case_chart import place_event_labels
from creditline.reports.closures import KM_REASONS
from creditline.reports.messages import LANGS
from creditline.reports.portfolio_risk import VINTAGE_LINES
from creditline.reports.tables import CSV_URI_PREFIX

CHART_PAGES = ("portfolio_risk", "closures", "case_studies")
MONTHS = [dt.date(2023 + i // 12, i % 12 + 1, 1) for i in range(36)]


# --- the chart helpers -----------------------------------------------------------------


def test_event_labels_in_one_month_take_separate_rows_and_stay_inside_the_plot():
    width = 300
    placed, rows = place_event_labels(
        [(100, "Frozen: missed payment"), (100, "Closed: missed payment"),
         (-12, "Opened: new line"), (299, "Raised: good repayment behaviour")],
        width,
    )  # fmt: skip
    assert rows >= 2
    boxes = [(p["row"], p["left"], p["left"] + charts.text_width(p["label"], 10)) for p in placed]
    for i, (row, left, right) in enumerate(boxes):
        assert left >= 0 and right <= width, placed[i]
        for other_row, other_left, other_right in boxes[i + 1 :]:
            assert row != other_row or right <= other_left or other_right <= left
    last = next(p for p in placed if p["label"].startswith("Raised"))
    assert last["left"] + charts.text_width(last["label"], 10) <= last["x"]  # left of its rule


def test_a_legend_wraps_into_columns_no_wider_than_the_plot():
    labels = ["Overdue", "High utilization", "Multi-borrowing", "Linked-product risk", "Fraud",
              "Policy change", "Risk review", "Customer request", "Score drop"]  # fmt: skip
    legend = charts.legend(labels, 560)
    widest = max(charts.text_width(label) for label in labels)
    assert 1 < legend.columns < len(labels)
    assert legend.columns * (widest + charts.LEGEND_ENTRY_EXTRA) <= 560


@pytest.mark.parametrize("lang", LANGS)
def test_month_axis_labels_only_as_many_months_as_fit(lang):
    label = charts.text_width(charts.format_value(dt.date(2024, 12, 1), "month", lang))
    for months, width in ((36, 560), (24, 220), (12, 560), (60, 560)):
        step = charts._tick_step(months, width, lang)
        labels = -(-months // step)
        assert labels * (label + charts.MONTH_LABEL_GAP) <= width or step >= 12
    assert charts._tick_step(12, 560, "en") == 2


def test_closures_by_month_label_one_bar_in_a_quarter_or_fewer():
    frame = pl.DataFrame({"m": MONTHS * 2, "n": list(range(72)), "r": ["a"] * 36 + ["b"] * 36})
    chart = charts.stacked_bar_chart(
        frame, x="m", y="n", category="r", title="T", x_title="Month", y_title="N", lang="en"
    )
    labels = re.findall(r'role-axis-label"[^>]*>(.*?)</g>', str(chart))[0]
    shown = re.findall(r">([A-Z][a-z]{2} \d{4})</text>", labels)
    assert 3 <= len(shown) <= 12, shown
    assert all(s.startswith(("Jan", "Apr", "Jul", "Oct")) for s in shown), shown


def test_a_line_chart_tables_what_it_plots_and_titles_every_point():
    frame = pl.DataFrame(
        {
            "m": MONTHS[:3] * 2,
            "rate": [0.01, 0.02, None, 0.5, 0.6, 0.7],
            "s": ["low"] * 3 + ["high"] * 3,
        }
    ).drop_nulls("rate")
    chart = charts.line_chart(
        frame, x="m", y="rate", series="s", title="T", x_title="Month", y_title="Rate",
        lang="en", points=False,
    )  # fmt: skip
    assert [c.heading("en") for c in chart.columns] == ["Month", "low", "high"]
    assert chart.rows == [
        {"x": MONTHS[0], "y0": 0.01, "y1": 0.5},
        {"x": MONTHS[1], "y0": 0.02, "y1": 0.6},
        {"x": MONTHS[2], "y0": None, "y1": 0.7},
    ]
    titles = re.findall(r"<title>([^<]*)</title>", chart.markup)[1:]
    assert sorted(titles) == sorted(
        ["Jan 2023 · low: 1.00%", "Feb 2023 · low: 2.00%", "Jan 2023 · high: 50.00%",
         "Feb 2023 · high: 60.00%", "Mar 2023 · high: 70.00%"]
    )  # fmt: skip
    # hidden points carry the tooltips without drawing; Vega's own ARIA texts stay out
    assert 'opacity="0"' in chart.markup and "aria-" not in chart.markup.split(">", 1)[1]
    # the phone's render carries the same tooltips
    assert sorted(re.findall(r"<title>([^<]*)</title>", chart.narrow)[1:]) == sorted(titles)


def _panel_rows(svg: str) -> int:
    """How many rows the panels of a faceted chart stand in: the distinct y offsets of the
    groups under Vega's cell group, each a panel with its background."""
    cells = svg[svg.index("role-scope cell") :]
    panel = r'<g transform="translate\(([\d.]+),([\d.]+)\)"><path class="background" d="M0,0h[1-9]'
    return len({y for _, y in re.findall(panel, cells)})


def test_small_multiples_give_each_series_its_own_axis():
    frame = pl.DataFrame(
        {"m": MONTHS[:6] * 2, "rate": [0.06] * 6 + [0.9] * 6, "s": ["small"] * 6 + ["big"] * 6}
    )
    chart = charts.small_multiples(
        frame, x="m", y="rate", series="s", title="T", x_title="Month", y_title="Rate",
        lang="en",
    )  # fmt: skip
    svg = chart.markup
    assert svg.count('class="mark-line') == 2
    # wide, the panels sit side by side; on a phone, one under the other
    assert _panel_rows(svg) == 1 and _panel_rows(chart.narrow) == 2
    tops = re.findall(r">(\d+(?:\.\d)?)%</text>", svg)
    assert max(float(t) for t in tops) <= 100 and min(float(t) for t in tops) == 0
    assert "6.0%" in svg or "7.0%" in svg or "8.0%" in svg  # the small one's own scale


def test_a_heat_table_carries_its_matrix_for_the_csv_and_a_tooltip_per_cell():
    frame = pl.DataFrame(
        {"v": [dt.date(2024, 1, 1)] * 2 + [dt.date(2024, 2, 1)], "mob": [1, 2, 1],
         "rate": [0.01, 0.03, 0.02]}
    )  # fmt: skip
    heat = charts.heat_table(
        frame, row="v", column="mob", value="rate", lang="en", row_title="Vintage",
        column_title="MOB", value_title="Rate", row_fmt="month",
    )  # fmt: skip
    assert [c.heading("en") for c in heat.columns] == ["Vintage", "MOB 1", "MOB 2"]
    assert heat.rows[1] == {"row": dt.date(2024, 2, 1), "c0": 0.02, "c1": None}
    assert 'title="Jan 2024 · MOB 2: 3.0%"' in str(heat)


# --- the pages -------------------------------------------------------------------------


def html(site: Path, page: str, lang: str) -> LexborHTMLParser:
    path = site / (f"{page}.html" if lang == "en" else f"{lang}/{page}.html")
    return LexborHTMLParser(path.read_text(encoding="utf-8"))


def csv_rows(link) -> list[list[str]]:
    href = link.attributes["href"]
    assert href.startswith(CSV_URI_PREFIX)
    text = unquote(href.removeprefix(CSV_URI_PREFIX)).removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


MARK_TITLE = re.compile(r"^(.*?) · (.*)(?:: |：)(.*)$")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", CHART_PAGES)
def test_every_chart_has_a_table_and_csv_of_what_it_plots(chart_site, page, lang):
    # issue 17: trend charts, vintage curves and KM and recovery curves had no table, no
    # CSV and no tooltip: a monthly number could not be read exactly
    charted = [f for f in html(chart_site, page, lang).css("figure.chart") if f.css_first("svg")]
    assert len(charted) >= 4
    for figure in charted:
        name = figure.attributes.get("id") or figure.css_first(".figure-title").text()
        table = figure.css_first("details.chart-table table")
        assert table is not None, f"{name} has no table"
        header = [th.text(strip=True) for th in table.css("thead th")]
        body = [[c.text(strip=True) for c in tr.css("th, td")] for tr in table.css("tbody tr")]
        rows = csv_rows(figure.css_first("details.chart-table a.csv-download"))
        assert rows[0] == header, name
        assert len(rows) - 1 == len(body) >= 2, name
        for raw, shown in zip(rows[1:], body, strict=True):  # blank in the CSV, "–" shown
            assert [v == "" for v in raw] == [v == "–" for v in shown], (name, raw, shown)
        cells = {(row[0], header[j]): row[j] for row in body for j in range(1, len(header))}
        # every point and bar names its month (or x), series and value: a cell of the table
        titles = [t.text() for t in figure.css_first(".chart-wide svg").css("title")[1:]]
        assert titles, f"{name} has no tooltips"
        narrow = [t.text() for t in figure.css_first(".chart-narrow svg").css("title")[1:]]
        assert sorted(narrow) == sorted(titles), f"{name}: the phone's chart shows other marks"
        marks = set()
        for title in titles:
            x, series, value = MARK_TITLE.match(title).groups()
            assert cells[(x, series)] == value, (name, title)
            marks.add((x, series))
        plotted = {series for _, series in marks}
        assert marks == {k for k, v in cells.items() if k[1] in plotted and v != "–"}, name


def test_the_exposure_chart_csv_holds_the_mart_values(chart_site, built_warehouse):
    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        mart = con.sql(
            "select month_start_on, outstanding_principal_amount from risk.mart_portfolio_monthly "
            "where grouping_level = 'total' and is_month_complete order by 1"
        ).fetchall()
    finally:
        con.close()
    doc = html(chart_site, "portfolio_risk", "en")
    rows = csv_rows(doc.css_first("#chart-exposure details a.csv-download"))
    column = rows[0].index("Exposure")
    got = {r[0]: float(r[column]) for r in rows[1:]}
    assert got == {m.isoformat(): pytest.approx(float(v)) for m, v in mart}


@pytest.mark.parametrize("lang", LANGS)
def test_heat_tables_carry_a_csv_of_every_cell(chart_site, lang):
    doc = html(chart_site, "portfolio_risk", lang)
    for heat_id in ("heat-vintage", "heat-roll"):
        figure = doc.css_first(f"#{heat_id}")
        rows = csv_rows(figure.css_first("a.csv-download"))
        body = figure.css("tbody tr")
        assert len(rows) - 1 == len(body) >= 2
        for raw, tr in zip(rows[1:], body, strict=True):
            shaded = [td.attributes.get("data-value") or "" for td in tr.css("td")]
            assert [float(v) if v else None for v in raw[1:]] == [
                float(v) if v else None for v in shaded
            ]
        assert all(td.attributes.get("title") for td in figure.css("td[data-value]"))


def legend_styles(svg) -> dict[str, tuple[str, str | None]]:
    """Legend label -> (colour, dash pattern) of its symbol."""
    symbols = svg.css("g.role-legend-symbol path")
    labels = [t.text() for t in svg.css("g.role-legend-label text")]
    assert len(symbols) == len(labels)
    styles = {}
    for label, symbol in zip(labels, symbols, strict=True):
        fill = symbol.attributes.get("fill")
        colour = fill if fill not in (None, "none", "transparent") else symbol.attributes["stroke"]
        styles[label] = (colour, symbol.attributes.get("stroke-dasharray"))
    return styles


@pytest.mark.parametrize("lang", LANGS)
def test_a_closure_reason_has_one_colour_on_every_chart(chart_site, lang):
    # issue 17: a reason's colour changed between charts
    doc = html(chart_site, "closures", lang)
    charts_with_reasons = ("chart-reasons", "chart-km-reason", "chart-recovery-score",
                           "chart-recovery-dpd", "chart-score-change")  # fmt: skip
    colours: dict[str, set[str]] = {}
    dashes: dict[str, set[str | None]] = {}
    for chart in charts_with_reasons:
        svg = doc.css_first(f"#{chart} svg")
        assert svg is not None, chart
        for label, (colour, dash) in legend_styles(svg).items():
            colours.setdefault(label, set()).add(colour)
            if chart != "chart-reasons":  # bars have no dash
                dashes.setdefault(label, set()).add(dash)
    assert len(colours) >= 5
    assert {label: c for label, c in colours.items() if len(c) > 1} == {}
    assert {label: d for label, d in dashes.items() if len(d) > 1} == {}
    assert len({c for (c,) in colours.values()}) == len(colours)  # and no two share one


@pytest.mark.parametrize("lang", LANGS)
def test_kaplan_meier_by_reason_shows_the_largest_reasons_and_says_so(chart_site, lang):
    # issue 17: ten overlapping curves with bands
    figure = html(chart_site, "closures", lang).css_first("#chart-km-reason")
    assert len(legend_styles(figure.css_first("svg"))) == KM_REASONS
    assert str(KM_REASONS) in figure.css_first(".figure-title").text()


@pytest.mark.parametrize(("lang", "says"), [("en", "last {n} origination quarters"),
                                            ("zh", "最近{n}个放款季度")])  # fmt: skip
def test_vintage_curves_say_they_show_the_last_quarters_only(chart_site, lang, says):
    # issue 17: the chart showed the last 8 quarters without saying so
    figure = html(chart_site, "portfolio_risk", lang).css_first("#chart-vintage")
    lines = len(legend_styles(figure.css_first("svg")))
    assert lines == VINTAGE_LINES
    assert says.format(n=lines) in figure.css_first(".figure-title").text()
    assert says.format(n=lines) in figure.css_first("svg title").text()
