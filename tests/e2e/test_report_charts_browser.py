"""The charts' geometry in real headless Chromium, from the shared small warehouse (issue 17):
labels never overprint and stay inside their chart, legends keep every entry within the
plot's width, and small series get an axis of their own. On a phone a chart opens at its
latest month and a wide table keeps its key column in view; printed, no page holds only a
caption."""

import io
from pathlib import Path

import duckdb
import pytest
from browser_support import require_chromium

require_chromium()

CHART_PAGES = ("portfolio_risk", "closures", "case_studies")
OVERLAP_TOLERANCE = 1  # px
# A text's box is the font's full line box (about 1.45em with the CJK faces), taller than
# its glyphs: two rows 1.2em apart already share 3 px of it. Overprinting is judged on the
# middle 60% of each box, where the glyphs are.
INK = 0.6


def page_file(site: Path, page: str, lang: str) -> Path:
    return site / (f"{page}.html" if lang == "en" else f"{lang}/{page}.html")


# The visible texts of a chart (Vega keeps a label it hid for overlap with opacity 0), each
# with its box on the page and the kind of text it is (axis label, legend label, mark).
TEXT_BOXES = """svg => [...svg.querySelectorAll('text')]
  .filter(t => t.getAttribute('opacity') !== '0' && t.textContent.trim())
  .map(t => { const r = t.getBoundingClientRect();
              return {text: t.textContent, role: t.parentNode.getAttribute('class'),
                      x0: r.left, x1: r.right, y0: r.top, y1: r.bottom}; })"""
SVG_BOX = """svg => { const r = svg.getBoundingClientRect();
  return {x0: r.left, x1: r.right, y0: r.top, y1: r.bottom}; }"""


def _ink(box: dict) -> tuple[float, float]:
    margin = (box["y1"] - box["y0"]) * (1 - INK) / 2
    return box["y0"] + margin, box["y1"] - margin


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    """Pairs of texts that overprint: their boxes cross by more than the tolerance, across
    and (where the glyphs are) down."""
    pairs = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            (a0, a1), (b0, b1) = _ink(a), _ink(b)
            across = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            down = min(a1, b1) - max(a0, b0)
            if across > OVERLAP_TOLERANCE and down > OVERLAP_TOLERANCE:
                pairs.append((a["text"], b["text"]))
    return pairs


def charts_on(browser_page, path: Path, selector: str = "figure.chart svg[role=img]"):
    browser_page.open(path)
    return browser_page.page.locator(selector)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", CHART_PAGES)
def test_axis_labels_never_overprint(browser_page, chart_site, page, lang):
    # issue 17: 36 month labels under "Closures by reason and month" overprinted into a smear
    svgs = charts_on(browser_page, page_file(chart_site, page, lang))
    assert svgs.count() >= 5
    for i in range(svgs.count()):
        svg = svgs.nth(i)
        boxes = [b for b in svg.evaluate(TEXT_BOXES) if "role-axis-label" in (b["role"] or "")]
        assert boxes, svg.get_attribute("id")
        clashes = overlapping(boxes)
        assert not clashes, f"{page} ({lang}) chart {svg.get_attribute('id')}: {clashes}"


def reasons_with_closures(warehouse: Path, lang: str) -> list[str]:
    """The labels of the closure reasons with at least one closure in the book (read from
    the warehouse, not from the page)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        reasons = con.sql(
            f"select distinct reason_category, category_label_{lang} from reference.reason_codes "
            "where is_closure_reason"
        ).fetchall()
        totals = con.sql(
            "select "
            + ", ".join(f"sum(new_closures_{code}_count)" for code, _ in reasons)
            + " from risk.mart_portfolio_monthly where grouping_level = 'total'"
        ).fetchall()[0]
    finally:
        con.close()
    return [label for (_, label), total in zip(reasons, totals, strict=True) if total]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_closures_by_reason_names_every_reason_within_the_plot_width(
    browser_page, chart_site, built_warehouse, lang
):
    # issue 17: on a phone the legend lost two reasons off the chart's edge
    svg = charts_on(browser_page, page_file(chart_site, "closures", lang), "#chart-reasons svg")
    legend = [b["text"] for b in svg.evaluate(TEXT_BOXES) if "role-legend-label" in b["role"]]
    reasons = reasons_with_closures(built_warehouse, lang)
    assert len(reasons) >= 5, reasons
    assert sorted(legend) == sorted(reasons)
    plot = svg.evaluate(
        "svg => svg.querySelector('.role-frame > g > path.background').getBoundingClientRect()"
        ".toJSON()"
    )
    entries = svg.evaluate(
        "svg => svg.querySelector('.role-legend').getBoundingClientRect().toJSON()"
    )
    # the legend wraps under the plot: wherever the plot is on screen, so is every reason
    assert entries["width"] <= plot["width"] + 1, (entries, plot)
    assert not overlapping([b for b in svg.evaluate(TEXT_BOXES) if "legend" in b["role"]])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_case_timeline_labels_neither_overprint_nor_leave_the_chart(browser_page, chart_site, lang):
    # issue 17: event labels overprinted when two events shared a month, the last was cut
    # at the plot's edge and the first collided with a tick
    svgs = charts_on(browser_page, page_file(chart_site, "case_studies", lang))
    assert svgs.count() >= 4
    events = 0
    for i in range(svgs.count()):
        svg = svgs.nth(i)
        boxes = svg.evaluate(TEXT_BOXES)
        events += sum(1 for b in boxes if "role-mark" in (b["role"] or ""))
        assert not overlapping(boxes), (svg.get_attribute("id"), overlapping(boxes))
        frame = svg.evaluate(SVG_BOX)
        outside = [
            b["text"]
            for b in boxes
            if b["x0"] < frame["x0"] - 1
            or b["x1"] > frame["x1"] + 1
            or b["y0"] < frame["y0"] - 1
            or b["y1"] > frame["y1"] + 1
        ]
        assert not outside, (svg.get_attribute("id"), outside)
        width = svg.evaluate("svg => svg.viewBox.baseVal.width")
        assert width <= 700, f"{svg.get_attribute('id')} is {width} px wide: a label ran off"
    assert events >= 10  # the event labels were measured


# Each panel of a chart (the root view, or one cell of a faceted chart): the line and area
# marks drawn in it, with the top of each (its largest value) as a share of the panel's
# height above its baseline. Vega draws each series of a panel in a group of its own, so
# the panel is the item directly under the cell or root group.
PANELS = """svg => {
  const panels = new Map();
  for (const mark of svg.querySelectorAll('.mark-line path, .mark-area path')) {
    let item = mark;
    while (!item.parentElement.matches('g.cell, g.role-frame')) item = item.parentElement;
    const plot = item.querySelector(':scope > path.background').getBoundingClientRect();
    const box = mark.getBoundingClientRect();
    if (!panels.has(item)) panels.set(item, []);
    const kind = mark.parentElement.classList.contains('mark-line') ? 'line' : 'area';
    panels.get(item).push({kind: kind, reach: (plot.bottom - box.top) / plot.height});
  }
  return [...panels.values()];
}"""


@pytest.mark.parametrize("chart", ["chart-flows", "chart-buckets"])
def test_each_flow_and_dpd_bucket_fills_an_axis_of_its_own(browser_page, chart_site, chart):
    # issue 17: the 90+ buckets were slivers on a stacked area of mostly 1-30 DPD, and flow
    # rates of 6% and 10% lay flat on a 0-100% axis
    svg = charts_on(browser_page, page_file(chart_site, "portfolio_risk", "en"), f"#{chart} svg")
    panels = svg.evaluate(PANELS)
    for marks in panels:
        kinds = [m["kind"] for m in marks]
        assert kinds.count("line") <= 1 and kinds.count("area") <= 1, marks  # one series
        # the y axis reaches at most twice the series' largest value
        assert all(m["reach"] >= 0.5 for m in marks), marks
    assert len(panels) >= 4


PHONE_WIDTH = 390


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_on_a_phone_a_trend_chart_opens_at_its_latest_month_and_says_it_scrolls(
    browser_page, chart_site, lang
):
    browser_page.open(page_file(chart_site, "portfolio_risk", lang), width=PHONE_WIDTH)
    page = browser_page.page
    body = page.locator("figure.chart .chart-body").first
    edges = body.evaluate(
        "b => [b.getBoundingClientRect().right, b.querySelector('svg').getBoundingClientRect()"
        ".right, b.scrollWidth, b.clientWidth]"
    )
    box_right, svg_right, scroll_width, client_width = edges
    assert scroll_width > client_width, "the chart is wider than a phone: it scrolls"
    assert abs(svg_right - box_right) <= 1, "the chart's right end (latest month) is in view"
    assert page.locator("figure.chart .chart-scroll-hint").first.is_visible()


def test_a_wide_table_keeps_its_key_column_in_view_when_scrolled(browser_page, chart_site):
    browser_page.open(page_file(chart_site, "closures", "en"), width=PHONE_WIDTH)
    page = browser_page.page
    box = page.locator("#table-reopen-drivers .table-scroll")
    box.scroll_into_view_if_needed()
    before = box.evaluate("b => b.querySelector('tbody td').getBoundingClientRect().left")
    box.evaluate("b => { b.scrollLeft = 250; }")
    after = box.evaluate(
        "b => [b.scrollLeft, b.querySelector('tbody td').getBoundingClientRect().left,"
        " b.querySelector('tbody td:nth-child(2)').getBoundingClientRect().left,"
        " b.getBoundingClientRect().left]"
    )
    scrolled, key_left, second_left, box_left = after
    assert scrolled > 0, "the table scrolls sideways on a phone"
    assert abs(key_left - before) <= 1 and abs(key_left - box_left) <= 2, "the key column stays"
    assert page.locator("#table-reopen-drivers .scroll-hint").is_visible()


# A page holding only an orphaned caption (a table's title and coverage line, its table on
# the next page) prints under 250 characters; a page with content, at least twice that.
MIN_PAGE_TEXT = 300


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", ["closures", "portfolio_risk"])
def test_printing_leaves_no_page_holding_only_a_caption(browser_page, chart_site, page, lang):
    from pypdf import PdfReader

    browser_page.open(page_file(chart_site, page, lang))
    pdf = browser_page.page.pdf(format="A4", print_background=True)
    texts = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    short = [(i + 1, t[:120]) for i, t in enumerate(texts[:-1]) if len(t) < MIN_PAGE_TEXT]
    assert not short, f"{page} ({lang}), {len(texts)} A4 pages; nearly empty: {short}"
