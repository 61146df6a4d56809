"""The charts' geometry in real headless Chromium, from the shared small warehouse (issue 17):
labels never overprint and stay inside their chart, legends keep every entry within the
plot's width, and small series get an axis of their own, both on a desktop (the wide render,
filling the content width) and on a phone (the narrow one, which fits the screen with its
latest month in view). A wide table keeps its key column in view; printed, no page holds
only a caption."""

import io
import re
import unicodedata
from pathlib import Path

import duckdb
import pytest
from browser_support import DESKTOP, PHONE, require_chromium

from creditline.reports import charts

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


# Each render of a chart at the screen width that shows it.
RENDERS = {"wide": DESKTOP["width"], "narrow": PHONE["width"]}


def charts_on(browser_page, path: Path, render: str = "wide", selector: str = "figure.chart"):
    """The SVGs of one render (wide or narrow) of the charts `selector` finds, the page
    opened at the width that shows that render."""
    browser_page.open(path, RENDERS[render])
    return browser_page.page.locator(f"{selector} .chart-{render} svg[role=img]")


@pytest.mark.parametrize("render", sorted(RENDERS))
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", CHART_PAGES)
def test_axis_labels_never_overprint(browser_page, chart_site, page, lang, render):
    # issue 17: 36 month labels under "Closures by reason and month" overprinted into a smear
    svgs = charts_on(browser_page, page_file(chart_site, page, lang), render)
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


@pytest.mark.parametrize("render", sorted(RENDERS))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_closures_by_reason_names_every_reason_within_the_plot_width(
    browser_page, chart_site, built_warehouse, lang, render
):
    # issue 17: on a phone the legend lost two reasons off the chart's edge
    path = page_file(chart_site, "closures", lang)
    svg = charts_on(browser_page, path, render, "#chart-reasons")
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


# A case timeline is its plot and the y axes' labels and titles beside it: any wider, an
# event label ran past the plot's edge.
TIMELINE_AXES = 120  # px


@pytest.mark.parametrize("render", sorted(RENDERS))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_case_timeline_labels_neither_overprint_nor_leave_the_chart(
    browser_page, chart_site, lang, render
):
    # issue 17: event labels overprinted when two events shared a month, the last was cut
    # at the plot's edge and the first collided with a tick
    svgs = charts_on(browser_page, page_file(chart_site, "case_studies", lang), render)
    size = charts.WIDE if render == "wide" else charts.NARROW
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
        assert width <= size.width + TIMELINE_AXES, f"{svg.get_attribute('id')} is {width} px"
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


@pytest.mark.parametrize("render", sorted(RENDERS))
@pytest.mark.parametrize("chart", ["chart-flows", "chart-buckets"])
def test_each_flow_and_dpd_bucket_fills_an_axis_of_its_own(browser_page, chart_site, chart, render):
    # issue 17: the 90+ buckets were slivers on a stacked area of mostly 1-30 DPD, and flow
    # rates of 6% and 10% lay flat on a 0-100% axis
    path = page_file(chart_site, "portfolio_risk", "en")
    svg = charts_on(browser_page, path, render, f"#{chart}")
    panels = svg.evaluate(PANELS)
    for marks in panels:
        kinds = [m["kind"] for m in marks]
        assert kinds.count("line") <= 1 and kinds.count("area") <= 1, marks  # one series
        # the y axis reaches at most twice the series' largest value
        assert all(m["reach"] >= 0.5 for m in marks), marks
    assert len(panels) >= 4


PHONE_WIDTH = PHONE["width"]

# Where a figure's shown chart and its latest (right-most) month label stand on the page, the
# page's width, and whether the figure's box scrolls sideways.
CHART_PLACE = """figure => {
  const svg = [...figure.querySelectorAll('.chart-body svg')]
    .find(s => s.getBoundingClientRect().width > 0);
  const box = svg.getBoundingClientRect(), fig = figure.getBoundingClientRect();
  const labels = [...svg.querySelectorAll('.role-axis-label text')]
    .filter(t => t.getAttribute('opacity') !== '0').map(t => t.getBoundingClientRect());
  const body = figure.querySelector('.chart-body');
  return {render: svg.closest('.chart-wide') ? 'wide' : 'narrow', left: box.left,
          right: box.right, figure_left: fig.left, figure_right: fig.right,
          last_label: Math.max(...labels.map(r => r.right)), page: innerWidth,
          scrolls: body.scrollWidth > body.clientWidth + 1};
}"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_desktop_chart_fills_the_content_width(browser_page, chart_site, lang):
    # issue 17: charts used about 620 of the 1,110 px a desktop page has
    browser_page.open(page_file(chart_site, "portfolio_risk", lang), 1366)
    for figure in browser_page.page.locator("figure.chart:has(svg)").all()[:6]:
        place = figure.evaluate(CHART_PLACE)
        assert place["render"] == "wide", place
        assert abs(place["right"] - place["figure_right"]) <= 1, place
        assert abs(place["left"] - place["figure_left"]) <= 1, place


@pytest.mark.parametrize("page", CHART_PAGES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_on_a_phone_every_chart_fits_the_screen_with_its_latest_month(
    browser_page, chart_site, page, lang
):
    # issue 17: charts were fixed at 28rem and scrolled sideways with no cue, the report
    # month off-screen on every trend chart
    browser_page.open(page_file(chart_site, page, lang), PHONE_WIDTH)
    figures = browser_page.page.locator("figure.chart:has(svg)").all()
    assert len(figures) >= 4
    for figure in figures:
        place = figure.evaluate(CHART_PLACE)
        assert place["render"] == "narrow" and not place["scrolls"], place
        assert place["right"] <= place["figure_right"] + 1 <= place["page"] + 1, place
        assert place["last_label"] <= place["right"] + 1, place


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


# Each figure's title and the first thing under its caption: its chart's first axis label
# or its table's first header cell.
FIGURE_STARTS = """() => [...document.querySelectorAll('figure')].map(f => {
  const title = f.querySelector('.figure-title');
  const first = [...f.querySelectorAll('svg .role-axis-label text, table thead th')]
    .find(t => t.getAttribute('opacity') !== '0');
  return title && first ? [title.textContent, first.textContent] : null;
}).filter(Boolean)"""


def _flat(text: str) -> str:
    """Text without white space, compatibility forms folded (the PDF's text of a CJK face
    writes 月 as the Kangxi radical ⽉)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


# The PDF's text does not always give back the page's character: a CJK glyph shared by two
# code points reads as either (风 as the radical ⻛, 户 as 戶), a dash as a hyphen. A text is
# found where a run of the PDF's text has it, each non-ASCII character read as any one, and
# at least this share of those characters are the page's own.
SAME_CHARACTERS = 0.8


def _found(text: str, page: str) -> bool:
    """Whether a page's flattened PDF text holds `text` (see SAME_CHARACTERS)."""
    wanted = _flat(text)
    pattern = "".join(re.escape(c) if c.isascii() else "." for c in wanted)
    for match in re.finditer(f"(?=({pattern}))", page):  # overlapping runs too
        pairs = [(a, b) for a, b in zip(wanted, match.group(1), strict=True) if not a.isascii()]
        if sum(a == b for a, b in pairs) >= SAME_CHARACTERS * len(pairs):
            return True
    return False


def _first_page(pages: list[str], text: str) -> int | None:
    return next((i for i, page in enumerate(pages) if _found(text, page)), None)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", ["closures", "portfolio_risk"])
def test_printing_keeps_every_caption_on_the_page_of_its_figure(
    browser_page, chart_site, page, lang
):
    # issue 17: zh/closures printed two A4 pages holding only an orphaned caption
    from pypdf import PdfReader

    browser_page.open(page_file(chart_site, page, lang))
    starts = browser_page.page.evaluate(FIGURE_STARTS)
    pdf = browser_page.page.pdf(format="A4", print_background=True)
    pages = [_flat(p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(starts) >= 8
    apart = []
    for title, first in starts:
        at = _first_page(pages, title)
        assert at is not None, f"{title!r} is not in the printed text"
        if not _found(first, pages[at]):
            apart.append((at + 1, title))
    assert not apart, f"{page} ({lang}), {len(pages)} A4 pages; captions apart: {apart}"
