"""The report framework: formatters, message catalogue, escaping, charts, CSV downloads,
the stylesheet and the site layout. Browser checks live in tests/e2e."""

import csv
import datetime as dt
import io
import math
import re
import string
from decimal import Decimal
from importlib import resources
from pathlib import Path
from urllib.parse import unquote

import duckdb
import jinja2
import numpy as np
import polars as pl
import pytest
from markupsafe import escape
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from creditline.reports import charts
from creditline.reports import formatting as fmt
from creditline.reports._demo import BAND_COLUMNS, HOSTILE_TEXT, demo_data, demo_page
from creditline.reports.environment import environment, render_page
from creditline.reports.marts import Reference, Warehouse
from creditline.reports.messages import LANGS, catalogue, missing_keys, translate
from creditline.reports.site import Page, relative_href, write_site
from creditline.reports.tables import BOM, CSV_URI_PREFIX, Column, csv_data_uri

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
TEMPLATES = resources.files("creditline.reports") / "templates"
AS_OF = dt.date(2025, 3, 31)


def reference_from_seeds() -> Reference:
    """What the reports read from a warehouse's reference schema, here loaded straight from
    the seed files (no dbt build)."""
    con = duckdb.connect()
    con.execute("create schema reference")
    for name in ("dpd_buckets", "reason_codes"):
        con.execute(
            f"create table reference.{name} as select * from read_csv(?, header = true)",
            [str(SEEDS / f"{name}.csv")],
        )
    return Warehouse(con).reference


def seed_rows(name: str) -> list[dict[str, str]]:
    with open(SEEDS / f"{name}.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


REFERENCE = reference_from_seeds()
# The palettes as the report pages build them
DPD_BUCKETS = charts.palette_of(REFERENCE.dpd_buckets, charts.DPD_BUCKET_COLORS)
CLOSURE_REASONS = charts.palette_of(REFERENCE.closure_reasons, charts.CLOSURE_REASON_COLORS)


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    write_site([demo_page()], out, as_of=AS_OF)
    return out


@pytest.fixture(scope="module")
def demo_html(demo_site) -> dict[str, str]:
    return {
        "en": (demo_site / "framework_demo.html").read_text("utf-8"),
        "zh": (demo_site / "zh" / "framework_demo.html").read_text("utf-8"),
    }


MONTHS = [dt.date(2024, m, 1) for m in range(1, 13)]
TREND = pl.DataFrame(
    {
        "month_on": MONTHS * 2,
        "rate": [0.01 + 0.001 * i for i in range(12)] + [0.02 + 0.001 * i for i in range(12)],
        "bucket": ["M1"] * 12 + ["M2"] * 12,
    }
)


def line(lang: str = "en", **kwargs) -> str:
    args = dict(
        x="month_on",
        y="rate",
        series="bucket",
        palette=DPD_BUCKETS,
        title="Trend",
        x_title="Month",
        y_title="Rate",
        lang=lang,
    )
    return charts.line_chart(TREND, **(args | kwargs))


# --- formatting ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_integer_groups_thousands_in_both_languages(lang):
    assert fmt.integer(1234567, lang=lang) == "1,234,567"
    assert fmt.integer(-1234, lang=lang) == "-1,234"
    assert fmt.integer(999, lang=lang) == "999"
    assert fmt.integer(1234.5, lang=lang) == "1,235"  # half away from zero


def test_money_is_cny_with_thousands_separators():
    assert fmt.money(1234567) == "¥1,234,567"
    assert fmt.money(1234567, lang="zh") == "¥1,234,567"
    assert fmt.money(-1234.5, 2) == "-¥1,234.50"
    assert fmt.money(-0.4) == "¥0"  # no "-¥0"


def test_compact_money_uses_wan_and_yi_in_chinese_and_m_b_in_english():
    assert fmt.money(1_234_567, lang="zh", compact=True) == "¥123.5万"
    assert fmt.money(292_967_451.55, lang="zh", compact=True) == "¥2.9亿"
    assert fmt.money(9_999, lang="zh", compact=True) == "¥9,999"
    assert fmt.money(1_234_567, lang="en", compact=True) == "¥1.2M"
    assert fmt.money(3_456_000_000, lang="en", compact=True) == "¥3.5B"
    assert fmt.money(-1_234_567, lang="zh", compact=True) == "-¥123.5万"
    assert fmt.compact_number(45_600, lang="zh") == "4.6万"


def test_a_compact_value_and_its_change_use_the_same_units():
    # issue 17: "¥1.3亿" beside "+¥3,940,710"
    assert fmt.signed_change(3_940_710, "money", 0, lang="zh", compact=True) == "+¥394.1万"
    assert fmt.signed_change(-3_940_710, "money", 0, lang="en", compact=True) == "-¥3.9M"
    assert fmt.signed_change(400, "money", 0, lang="zh", compact=True) == "+¥400"


def test_table_amounts_are_in_wan_and_yi_in_chinese_and_in_full_in_english():
    assert fmt.amount(3_940_710, lang="zh") == "¥394.07万"
    assert fmt.amount(129_000_000, lang="zh") == "¥1.29亿"
    assert fmt.amount(9_999, lang="zh") == "¥9,999"
    assert fmt.amount(3_940_710, lang="en") == "¥3,940,710"
    assert fmt.amount(None, lang="zh") == "–"
    assert Column("x", "common.total", "amount").numeric


def test_a_chinese_money_axis_names_one_unit_an_english_one_shortens_each_tick():
    assert fmt.money_axis_unit(3.5e8, "zh") == (10**8, "亿")
    assert fmt.money_axis_unit(4.2e7, "zh") == (10**4, "万")
    assert fmt.money_axis_unit(8_000, "zh") == (1, "")
    assert fmt.money_axis_unit(3.5e8, "en") is None
    frame = pl.DataFrame({"m": MONTHS[:3], "v": [0.0, 1.2e8, 3.5e8]})
    ticks = {}
    for lang, title in (("en", "Amount"), ("zh", "金额")):
        svg = str(charts.line_chart(frame, x="m", y="v", title="T", x_title="M", y_title=title,
                                    y_format="money", lang=lang))  # fmt: skip
        ticks[lang] = re.findall(r">([^<]+)</text>", svg)
    assert "Amount (CNY)" in ticks["en"] and "350M" in ticks["en"] and "0M" not in ticks["en"]
    assert "金额（亿元）" in ticks["zh"] and "3.5" in ticks["zh"]
    assert not [t for t in ticks["zh"] if re.fullmatch(r"[\d.,]+[kMGB]", t)]


def test_percent_rounds_half_away_from_zero_like_a_spreadsheet():
    assert fmt.percent(0.1234) == "12.3%"
    assert fmt.percent(0.1234, 2, lang="zh") == "12.34%"
    assert fmt.percent(0.125, 0) == "13%"  # Python's round() would give 12
    assert fmt.percent(0.00125, 2) == "0.13%"
    assert fmt.percent(1) == "100.0%"


def test_basis_points_are_written_per_language():
    assert fmt.basis_points(0.0012) == "12 bp"
    assert fmt.basis_points(0.0012, lang="zh") == "12个基点"
    assert fmt.basis_points(-0.00015, 1) == "-1.5 bp"


def test_signed_change_shows_sign_and_unit():
    assert fmt.signed_change(0.012) == "+1.2 pp"
    assert fmt.signed_change(-0.012, lang="zh") == "-1.2个百分点"
    assert fmt.signed_change(0.0003, "bp", 0) == "+3 bp"
    assert fmt.signed_change(0.05, "percent") == "+5.0%"
    assert fmt.signed_change(-1234, "number", 0) == "-1,234"
    assert fmt.signed_change(2500, "money", 0) == "+¥2,500"


def test_signed_change_that_rounds_to_zero_has_no_sign():
    assert fmt.signed_change(-0.0001) == "0.0 pp"
    assert fmt.signed_change(0.0) == "0.0 pp"


def test_month_and_date_are_written_per_language():
    assert fmt.month(dt.date(2025, 3, 31)) == "Mar 2025"
    assert fmt.month(dt.date(2025, 3, 31), lang="zh") == "2025年3月"
    assert fmt.month("2025-12", lang="zh") == "2025年12月"
    assert fmt.month(dt.datetime(2024, 1, 15, 8, 30)) == "Jan 2024"
    assert fmt.date("2025-03-31") == "31 Mar 2025"
    assert fmt.date(dt.date(2025, 3, 1), lang="zh") == "2025年3月1日"


@pytest.mark.parametrize("missing", [None, float("nan"), math.inf, -math.inf, np.nan])
@pytest.mark.parametrize("name", sorted(fmt.FORMATTERS))
@pytest.mark.parametrize("lang", LANGS)
def test_missing_values_show_an_en_dash(missing, name, lang):
    assert fmt.format_value(missing, name, lang) == "–"


def test_formatters_accept_numpy_and_decimal_values():
    assert fmt.integer(np.int64(1234567)) == "1,234,567"
    assert fmt.percent(np.float64(0.1234)) == "12.3%"
    assert fmt.money(Decimal("1234.565"), 2) == "¥1,234.57"


# --- message catalogue -----------------------------------------------------------------


def test_every_language_has_exactly_the_same_message_keys():
    assert missing_keys() == {lang: set() for lang in LANGS}


@pytest.mark.parametrize("lang", LANGS)
def test_no_message_is_empty(lang):
    empty = [key for key, text in catalogue(lang).items() if not text.strip()]
    assert empty == []


def test_messages_use_the_same_placeholders_in_every_language():
    def names(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    # format.* keys are patterns: each language picks its own fields (year, month, day, ...).
    english = catalogue("en")
    differing = [
        k
        for k in english
        if not k.startswith("format.") and names(english[k]) != names(catalogue("zh")[k])
    ]
    assert differing == []


def test_chinese_catalogue_uses_the_words_risk_teams_use():
    expected = {
        "metric.vintage": "账龄分析",
        "metric.flow_rate": "迁徙率",
        "metric.roll_rate": "滚动率",
        "metric.fpd_rate": "首逾率",
        "metric.coincidental_delinquency": "即期逾期率",
        "metric.lagged_delinquency": "递延逾期率",
        "metric.npl_ratio": "不良率",
        "metric.charge_off": "核销",
        "metric.closure": "额度关闭",
        "metric.reopening": "再开通",
        "metric.freeze": "暂停/冻结",
        "metric.recovery": "信用修复",
        "metric.at_risk": "在险人数",
    }
    assert {k: translate(k, "zh") for k in expected} == expected


def test_bucket_and_reason_codes_order_and_labels_come_from_the_reference_seeds():
    buckets = sorted(seed_rows("dpd_buckets"), key=lambda r: int(r["bucket_order"]))
    assert DPD_BUCKETS.codes == tuple(r["dpd_bucket"] for r in buckets)
    for row in buckets:
        for lang in LANGS:
            assert DPD_BUCKETS.label(row["dpd_bucket"], lang) == row[f"label_{lang}"]
    reasons = sorted(seed_rows("reason_codes"), key=lambda r: int(r["category_order"]))
    closure = [r for r in reasons if r["is_closure_reason"] == "true"]
    assert CLOSURE_REASONS.codes == tuple(dict.fromkeys(r["reason_category"] for r in closure))
    for row in reasons:
        category = REFERENCE.reason_categories[row["reason_category"]]
        for lang in LANGS:
            assert category.label(lang) == row[f"category_label_{lang}"]
    assert REFERENCE.reason_labels("zh")["recovery"] == "信用修复"


def test_a_warehouse_without_reference_seeds_gives_empty_categories(tmp_path):
    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    reference = Warehouse(con).reference
    assert reference.dpd_buckets == () and reference.closure_reasons == ()
    assert charts.palette_of(reference.dpd_buckets, charts.DPD_BUCKET_COLORS).codes == ()


def test_a_palette_refuses_more_categories_than_colours():
    with pytest.raises(ValueError, match="add colours"):
        charts.palette_of(REFERENCE.dpd_buckets, charts.DPD_BUCKET_COLORS[:3])


def test_an_unknown_message_key_raises_instead_of_showing_the_key():
    with pytest.raises(KeyError, match="no.such.key"):
        translate("no.such.key", "en")


def test_templates_hold_no_bare_text_only_catalogue_calls():
    bare = {}
    for entry in TEMPLATES.iterdir():
        if not entry.name.endswith(".html.j2"):
            continue
        text = entry.read_text("utf-8")
        text = re.sub(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.S)
        text = re.sub(r"<style>.*?</style>|<[^>]*>", " ", text, flags=re.S)
        words = re.findall(r"[A-Za-z\u4e00-\u9fff]{2,}", text)
        if words:
            bare[entry.name] = words
    assert bare == {}


# --- escaping and strictness -----------------------------------------------------------


def test_hostile_data_shows_as_text_not_markup(demo_html):
    for html in demo_html.values():
        tree = HTMLParser(html)
        assert tree.css("script") == []
        assert tree.css_first("p.hostile").text() == HOSTILE_TEXT
        assert tree.css_first("p.hostile").attributes["data-note"] == HOSTILE_TEXT
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        cells = [td.text() for td in tree.css(".data-table td")]
        assert HOSTILE_TEXT in cells


def test_autoescape_is_on_for_html_templates():
    env = environment()
    assert env.autoescape("portfolio_risk.html.j2") is True
    assert env.autoescape("style.css") is False
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_an_undefined_template_variable_raises():
    with pytest.raises(jinja2.UndefinedError):
        render_page("_framework_demo.html.j2", {}, "en")


def test_filters_format_in_the_page_language():
    template = environment().from_string("{{ m|month }} {{ v|money(compact=true) }}")
    assert template.render(m=AS_OF, v=1_234_567, lang="zh") == "2025年3月 ¥123.5万"
    assert template.render(m=AS_OF, v=1_234_567, lang="en") == "Mar 2025 ¥1.2M"


# --- charts ----------------------------------------------------------------------------

CHART_CASES = {
    "line": lambda lang: line(lang),
    "line_with_band": lambda lang: charts.line_chart(
        TREND.with_columns(lo=pl.col("rate") * 0.9, hi=pl.col("rate") * 1.1),
        x="month_on",
        y="rate",
        series="bucket",
        palette=DPD_BUCKETS,
        band=("lo", "hi"),
        band_label="95%",
        title="Band",
        x_title="Month",
        y_title="Rate",
        lang=lang,
    ),
    "step": lambda lang: charts.step_chart(
        pl.DataFrame({"days": [0, 30, 90, 180], "share": [1.0, 0.8, 0.6, 0.5]}),
        x="days",
        y="share",
        title="Still closed",
        x_title="Days",
        y_title="Share",
        lang=lang,
    ),
    "stacked_area": lambda lang: charts.stacked_area_chart(
        pl.DataFrame(
            {"m": MONTHS[:3] * 2, "n": [3, 4, 5, 1, 2, 3], "r": ["overdue"] * 3 + ["fraud"] * 3}
        ),
        x="m",
        y="n",
        category="r",
        palette=CLOSURE_REASONS,
        title="Mix",
        x_title="Month",
        y_title="Closures",
        lang=lang,
    ),
    "stacked_bar": lambda lang: charts.stacked_bar_chart(
        pl.DataFrame(
            {"m": MONTHS[:3] * 2, "n": [3, 4, 5, 1, 2, 3], "r": ["policy"] * 3 + ["customer"] * 3}
        ),
        x="m",
        y="n",
        category="r",
        palette=CLOSURE_REASONS,
        normalize=True,
        y_format=".0%",
        title="Mix",
        x_title="Month",
        y_title="Share",
        lang=lang,
    ),
}


@pytest.mark.parametrize("kind", sorted(CHART_CASES))
def test_chart_is_inline_svg_with_role_title_and_text_alternative(kind):
    chart = CHART_CASES[kind]("en")
    for svg in (chart.markup, chart.narrow):
        root = HTMLParser(svg).css_first("svg")
        assert root.attributes["role"] == "img"
        assert root.attributes["id"].startswith("chart-")
        assert len(root.attributes["aria-label"]) > 20
        assert root.css_first("title").text()
        assert svg.startswith("<svg")
    wide_id = HTMLParser(chart.markup).css_first("svg").attributes["id"]
    assert HTMLParser(chart.narrow).css_first("svg").attributes["id"] == wide_id + "-narrow"
    # a page gets both, each in the box the stylesheet shows at its width
    page = HTMLParser(str(chart))
    assert [d.attributes["class"] for d in page.css("body > div")] == ["chart-wide", "chart-narrow"]


@pytest.mark.parametrize("kind", sorted(CHART_CASES))
@pytest.mark.parametrize("lang", LANGS)
def test_chart_makes_no_network_reference(kind, lang):
    svg = str(CHART_CASES[kind](lang))
    assert not re.search(r"https?:|//[a-z]|<image|@import|<script", svg, re.I)
    assert all(ref.startswith("#") for ref in re.findall(r"url\(([^)]*)\)", svg))


def test_chart_text_alternative_describes_range_and_series():
    root = HTMLParser(str(line("en"))).css_first("svg")
    assert root.attributes["aria-label"] == (
        "Trend. Line chart: Rate by Month, from Jan 2024 to Dec 2024. Series: 1-30 DPD, 31-60 DPD."
    )
    zh = HTMLParser(str(line("zh", title="趋势", x_title="月份", y_title="比率"))).css_first("svg")
    assert zh.attributes["aria-label"] == (
        "趋势。折线图：按月份展示比率，范围为2024年1月至2024年12月。系列：逾期1-30天、逾期31-60天。"
    )


def test_chart_labels_and_fonts_follow_the_language():
    svg = line("zh").markup
    labels = re.findall(r">([^<]+)</text>", svg)
    assert "2024年1月" in labels and "逾期1-30天" in labels
    # laid out with the measuring font, every text names the page's whole stack
    families = set(re.findall(r'font-family="([^"]*)"', svg))
    assert families == {str(escape(charts.FONT_STACK))}
    assert "Noto Sans CJK SC" in svg and "Microsoft YaHei" in svg and "PingFang SC" in svg
    assert "Jan 2024" in re.findall(r">([^<]+)</text>", str(line("en")))


def test_the_same_chart_renders_to_the_same_bytes():
    first = str(CHART_CASES["line_with_band"]("en"))
    line("zh")  # vl-convert numbers clip paths per process; ours must not depend on it
    assert str(CHART_CASES["line_with_band"]("en")) == first


def test_ids_are_unique_across_charts_on_one_page(demo_html):
    for html in demo_html.values():
        ids = [node.attributes["id"] for node in HTMLParser(html).css("[id]")]
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        charts_on_page = HTMLParser(html).css("figure.chart svg")
        assert len(charts_on_page) == 4  # two charts, each wide and narrow
        inner_ids = []
        for svg in charts_on_page:
            prefix = svg.attributes["id"]
            inner = [n.attributes["id"] for n in svg.css("[id]") if n.attributes["id"] != prefix]
            assert all(i.startswith(prefix + "-") for i in inner)
            inner_ids += inner
        assert inner_ids, "the line chart's clip paths have ids"


@pytest.mark.parametrize("kind", sorted(CHART_CASES))
def test_vega_aria_texts_inside_a_chart_are_dropped(kind):
    # issue 17: English "X-axis titled ..." and "x: ...; s: ..." on Chinese pages
    svg = CHART_CASES[kind]("zh").markup
    assert re.findall(r'\b(?:role|aria-[a-z]+)="', svg) == ['role="', 'aria-label="']
    assert not re.search(r"\bs: ", svg)
    assert HTMLParser(svg).css_first("svg").attributes["aria-label"].endswith("。")


def test_finish_svg_prefixes_every_id_and_reference():
    raw = (
        '<svg xmlns="http://www.w3.org/2000/svg"><defs><clipPath id="clip1"></clipPath>'
        '<clipPath id="clip12"></clipPath></defs><g clip-path="url(#clip1)"></g>'
        '<g clip-path="url(#clip12)"></g><use href="#clip1"/></svg>'
    )
    svg = str(charts.finish_svg(raw, title="T", alt="A", chart_id="c"))
    assert 'id="c-0"' in svg and 'id="c-1"' in svg
    assert "url(#c-0)" in svg and "url(#c-1)" in svg and 'href="#c-0"' in svg
    assert "clip1" not in svg and "http" not in svg


def test_dpd_palette_darkens_with_severity_so_greyscale_keeps_the_order():
    luminance = [charts.relative_luminance(c) for c in charts.DPD_BUCKET_COLORS]
    assert luminance == sorted(luminance, reverse=True)
    assert all(a - b > 0.005 for a, b in zip(luminance, luminance[1:], strict=False))
    assert len(DPD_BUCKETS.colors) == len(seed_rows("dpd_buckets"))


def test_closure_reason_palette_alternates_light_and_dark_neighbours():
    luminance = [charts.relative_luminance(c) for c in CLOSURE_REASONS.colors]
    assert len(luminance) == len(REFERENCE.closure_reasons)
    assert all(abs(a - b) > 0.25 for a, b in zip(luminance, luminance[1:], strict=False))


def test_series_differ_by_dash_and_shape_not_only_by_colour():
    assert len(set(charts.DASHES)) == len(charts.DASHES) >= len(CLOSURE_REASONS.codes)
    assert len(set(charts.SHAPES)) == len(charts.SHAPES) >= len(CLOSURE_REASONS.codes)
    svg = str(line("en"))
    assert len(set(re.findall(r'stroke-dasharray="([^"]+)"', svg))) >= 1  # M2 is dashed


def test_line_colours_keep_three_to_one_contrast_on_white():
    for color in charts.DPD_BUCKET_COLORS + charts.CLOSURE_REASON_COLORS:
        assert charts.contrast_on_white(charts.line_color(color)) >= 3.0


def test_a_category_outside_the_palette_is_refused():
    frame = TREND.with_columns(bucket=pl.lit("M9"))
    with pytest.raises(ValueError, match="M9"):
        charts.line_chart(
            frame,
            x="month_on",
            y="rate",
            series="bucket",
            palette=DPD_BUCKETS,
            title="t",
            x_title="x",
            y_title="y",
            lang="en",
        )


def test_heat_table_prints_every_value_and_shades_by_value():
    frame = pl.DataFrame(
        {
            "vintage": [dt.date(2024, 1, 1)] * 2 + [dt.date(2024, 2, 1)],
            "mob": [1, 2, 1],
            "rate": [0.01, 0.03, None],
        }
    )
    html = str(
        charts.heat_table(
            frame,
            row="vintage",
            column="mob",
            value="rate",
            lang="zh",
            row_title="放款月份",
            column_title="账龄",
            value_title="逾期率",
            row_fmt="month",
            column_fmt="integer",
        )
    )
    tree = HTMLParser(html)
    assert [th.text() for th in tree.css("thead th")][1:] == ["1", "2"]
    assert [th.text() for th in tree.css("tbody th")] == ["2024年1月", "2024年2月"]
    cells = tree.css("tbody td")
    assert [c.text() for c in cells] == ["1.0%", "3.0%", "–", "–"]  # None, and no row at all
    assert cells[0].attributes["style"] != cells[1].attributes["style"]
    assert "heat-missing" in cells[2].attributes["class"]
    assert "heat-missing" in cells[3].attributes["class"]


# --- tables and CSV --------------------------------------------------------------------


def decode_csv_uri(uri: str) -> list[list[str]]:
    assert uri.startswith(CSV_URI_PREFIX)
    text = unquote(uri[len(CSV_URI_PREFIX) :])
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :])))


@pytest.mark.parametrize("lang", LANGS)
def test_csv_download_decodes_back_to_the_table(demo_html, lang):
    link = HTMLParser(demo_html[lang]).css_first(".data-table a.csv-download")
    assert link.attributes["download"] == "closures_by_score_band.csv"
    rows = decode_csv_uri(link.attributes["href"])
    assert rows[0] == [translate(c.label, lang) for c in BAND_COLUMNS]
    bands = demo_data()["bands"]
    assert len(rows) == bands.height + 1
    for written, original in zip(rows[1:], bands.iter_rows(named=True), strict=True):
        assert written[0] == original["score_band"]
        assert int(written[1]) == original["line_count"]
        assert float(written[4]) == original["outstanding_amount"]
        rate = original["reopen_rate"]
        assert (written[3] == "") if rate is None else (float(written[3]) == rate)
    assert rows[1][5] == HOSTILE_TEXT
    assert rows[2][5] == "'=1+1"  # a spreadsheet must not run it as a formula


def test_csv_keeps_dates_iso_and_chinese_text():
    uri = csv_data_uri(
        [{"m": dt.date(2025, 3, 1), "r": "逾期"}],
        [Column("m", "common.month", "month"), Column("r", "common.closure_reason")],
        "zh",
    )
    assert decode_csv_uri(uri) == [["月份", "关闭原因"], ["2025-03-01", "逾期"]]


def test_table_cells_are_formatted_and_numbers_right_aligned(demo_html):
    tree = HTMLParser(demo_html["zh"])
    first_row = [c.text() for c in tree.css(".data-table tbody tr")[0].css("th, td")]
    assert first_row[:5] == ["350-549", "12,840", "1,204", "4.1%", "¥18,250,432"]
    assert "num" in tree.css(".data-table tbody tr")[0].css("td")[0].attributes["class"]


# --- stylesheet and page ---------------------------------------------------------------


def stylesheet() -> str:
    return (TEMPLATES / "style.css").read_text("utf-8")


def media_block(css: str, query: str) -> str:
    start = css.index(query)
    depth, i = 0, css.index("{", start)
    for j in range(i, len(css)):
        depth += {"{": 1, "}": -1}.get(css[j], 0)
        if depth == 0:
            return css[i : j + 1]
    raise AssertionError(f"unbalanced {query}")


def test_print_css_hides_nav_keeps_figures_whole_and_prints_black():
    block = media_block(stylesheet(), "@media print")
    assert re.search(r"\.site-nav[^{]*\{[^}]*display:\s*none", block)
    assert re.search(r"figure, table[^{]*\{[^}]*break-inside:\s*avoid", block)
    assert "page-break-inside: avoid" in block
    assert "color: #000" in block


def test_phone_css_wraps_kpi_tiles_and_scrolls_tables():
    css = stylesheet()
    block = media_block(css, "@media (max-width: 480px)")
    assert ".kpi-grid" in block
    assert re.search(r"\.table-scroll \{[^}]*overflow-x: auto", css)


def test_stylesheet_font_stack_includes_cjk_fonts_and_no_web_fonts():
    css = stylesheet()
    for family in ('"Noto Sans CJK SC"', '"PingFang SC"', '"Microsoft YaHei"'):
        assert family in css
    assert "@font-face" not in css and "@import" not in css and "url(" not in css


@pytest.mark.parametrize("lang", LANGS)
def test_page_is_self_contained_with_no_scripts_or_remote_resources(demo_html, lang):
    html = demo_html[lang]
    tree = HTMLParser(html)
    assert tree.css("script") == [] and tree.css("link[rel=stylesheet]") == []
    assert tree.css_first("meta[name=viewport]") is not None
    assert tree.css_first("style") is not None
    for node in tree.css("[src], [href]"):
        ref = node.attributes.get("src") or node.attributes.get("href")
        assert not re.match(r"(https?:)?//", ref), ref


def test_html_lang_and_title_follow_the_language(demo_html):
    assert HTMLParser(demo_html["en"]).css_first("html").attributes["lang"] == "en"
    zh = HTMLParser(demo_html["zh"])
    assert zh.css_first("html").attributes["lang"] == "zh-CN"
    assert zh.css_first("title").text() == "报告框架示例 · 信贷额度报告"
    assert zh.css_first(".as-of").text() == "数据截至2025年3月31日"


def test_every_figure_and_table_states_population_period_and_definition(demo_html):
    tree = HTMLParser(demo_html["en"])
    for figure in tree.css("figure"):
        terms = [dt_.text() for dt_ in figure.css(".coverage dt")]
        assert terms[:3] == ["Population", "Period", "Definition"]
    ids = {n.attributes["id"] for n in tree.css("[id]")}
    links = [a.attributes["href"][1:] for a in tree.css('a[href^="#"]')]
    assert links and all(target in ids for target in links)


def test_empty_figure_says_not_enough_data(demo_html):
    note = HTMLParser(demo_html["zh"]).css_first("figure .not-enough-data")
    assert note.css_first(".not-enough-data__title").text() == "数据尚不足"


# --- site ------------------------------------------------------------------------------


def test_site_writes_english_at_the_root_and_chinese_under_zh(demo_site):
    written = sorted(str(p.relative_to(demo_site)) for p in demo_site.rglob("*.html"))
    assert written == [
        "framework_demo.html",
        "index.html",
        "zh/framework_demo.html",
        "zh/index.html",
    ]


@pytest.mark.parametrize(
    ("page", "other"),
    [("framework_demo.html", "zh/framework_demo.html"), ("zh/index.html", "index.html")],
)
def test_language_switch_links_to_the_same_page_in_the_other_language(demo_site, page, other):
    tree = HTMLParser((demo_site / page).read_text("utf-8"))
    href = tree.css_first(".lang-switch a").attributes["href"]
    assert ((demo_site / page).parent / href).resolve() == (demo_site / other).resolve()


def test_nav_links_stay_in_the_language_and_mark_the_current_page(demo_site):
    page = demo_site / "zh" / "framework_demo.html"
    tree = HTMLParser(page.read_text("utf-8"))
    links = tree.css("nav.site-nav a")
    targets = [(page.parent / a.attributes["href"]).resolve() for a in links]
    assert targets == [(demo_site / "zh" / "index.html").resolve(), page.resolve()]
    assert [a.text() for a in links] == ["概览", "报告框架示例"]
    assert links[1].attributes.get("aria-current") == "page"
    assert "aria-current" not in links[0].attributes


def test_overview_lists_every_report(demo_site):
    tree = HTMLParser((demo_site / "index.html").read_text("utf-8"))
    assert [a.attributes["href"] for a in tree.css(".report-list a")] == ["framework_demo.html"]


def test_relative_href_between_languages():
    assert relative_href("zh/a.html", "b.html") == "../b.html"
    assert relative_href("a.html", "zh/a.html") == "zh/a.html"
    assert relative_href("zh/a.html", "zh/index.html") == "index.html"


@pytest.mark.parametrize(
    "pages",
    [
        [Page("a", "nav.home", "_index.html.j2"), Page("a", "nav.home", "_index.html.j2")],
        [Page("Bad Name", "nav.home", "_index.html.j2")],
        [Page("zh", "nav.home", "_index.html.j2")],
        [Page("a", "no.such.title", "_index.html.j2")],
    ],
)
def test_write_site_refuses_bad_pages_before_writing(tmp_path, pages):
    with pytest.raises((ValueError, KeyError)):
        write_site(pages, tmp_path)
    assert list(tmp_path.iterdir()) == []
