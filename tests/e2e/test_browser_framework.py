"""The report framework in a real browser: the demo page in both languages, offline."""

import csv
import datetime as dt
import io

import pytest
from browser_support import PHONE, require_chromium

from creditline.reports._demo import demo_data, demo_page
from creditline.reports.site import write_site

require_chromium()


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    write_site([demo_page()], out, as_of=dt.date(2025, 3, 31))
    return out


@pytest.mark.parametrize(
    ("relative", "name"),
    [
        ("framework_demo.html", "framework_demo-en"),
        ("zh/framework_demo.html", "framework_demo-zh"),
        ("index.html", "index-en"),
        ("zh/index.html", "index-zh"),
    ],
)
def test_demo_site_pages_render_offline_without_errors(browser_page, demo_site, relative, name):
    browser_page.assert_page_ok(demo_site / relative, name)


def test_demo_page_shows_two_charts_and_the_hostile_string_as_text(browser_page, demo_site):
    browser_page.open(demo_site / "framework_demo.html")
    page = browser_page.page
    assert page.locator("figure.chart .chart-wide svg[role=img]").count() == 2
    assert page.locator("main script").count() == 0
    assert page.locator("p.hostile").inner_text().startswith("<script>alert(1)</script>")
    assert browser_page.dialogs == []


def platform_fonts(page, selector: str) -> set[str]:
    """The fonts Chromium really drew a node's text with (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {f["familyName"] for f in fonts if f["glyphCount"] > 0}


def test_chinese_page_draws_chinese_text_with_a_cjk_font(browser_page, demo_site):
    browser_page.open(demo_site / "zh" / "framework_demo.html")
    page = browser_page.page
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "报告框架示例"
    fonts = platform_fonts(page, "h1")
    assert any("CJK" in f for f in fonts), f"Chinese heading drawn with {fonts}"
    chart_fonts = platform_fonts(page, "figure.chart svg text")  # an axis label: 2024年1月
    assert any("CJK" in f for f in chart_fonts), f"chart labels drawn with {chart_fonts}"


def test_language_switch_opens_the_same_page_in_the_other_language(browser_page, demo_site):
    browser_page.open(demo_site / "framework_demo.html")
    browser_page.page.locator(".lang-switch a").click()
    assert browser_page.page.url.endswith("/zh/framework_demo.html")
    browser_page.page.locator(".lang-switch a").click()
    assert browser_page.page.url.endswith("/framework_demo.html")
    assert "/zh/" not in browser_page.page.url


def test_csv_download_holds_the_table_with_a_bom(browser_page, demo_site, tmp_path):
    browser_page.open(demo_site / "zh" / "framework_demo.html")
    page = browser_page.page
    with page.expect_download() as info:
        page.locator(".data-table a.csv-download").click()
    download = info.value
    assert download.suggested_filename == "closures_by_score_band.csv"
    raw = tmp_path / "table.csv"
    download.save_as(raw)
    data = raw.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["信用分段", "额度数"]
    assert [r[0] for r in rows[1:]] == demo_data()["bands"]["score_band"].to_list()


def test_print_media_hides_navigation_and_download_links(browser_page, demo_site):
    browser_page.open(demo_site / "framework_demo.html")
    page = browser_page.page
    page.emulate_media(media="print")
    assert not page.locator("nav.site-nav").is_visible()
    assert not page.locator("a.csv-download").first.is_visible()
    assert page.locator("figure.chart svg").first.is_visible()


def test_phone_width_wraps_kpi_tiles_and_scrolls_tables_inside_their_box(browser_page, demo_site):
    browser_page.open(demo_site / "framework_demo.html", width=PHONE["width"])
    page = browser_page.page
    tops = page.eval_on_selector_all(
        ".kpi-tile", "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
    )
    assert len(set(tops)) > 1, "KPI tiles should wrap onto more than one row on a phone"
    box = page.locator(".data-table .table-scroll").first
    widths = box.evaluate("e => [e.clientWidth, e.scrollWidth]")
    assert widths[1] > widths[0], "the wide table scrolls inside its own box"
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= PHONE["width"]
