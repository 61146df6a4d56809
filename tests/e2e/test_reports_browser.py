"""Every report page in real headless Chromium, in both languages, from the shared small
warehouse: no console or page errors, every request file:// or data:, every chart laid out
and non-empty, at desktop and phone width (screenshots in test-artifacts/screenshots/)."""

import csv
import io
from pathlib import Path

import pytest
from browser_support import outside_the_files, require_chromium

from creditline.reports.build_site import render_reports

require_chromium()

PAGES = ("index", "portfolio_risk", "closures", "data_quality")
CHARTED = {"portfolio_risk": 8, "closures": 6}  # at least this many charts on a full warehouse


@pytest.fixture(scope="module")
def report_site(built_warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report-site")
    render_reports(built_warehouse, out, docs=True)
    return out


def page_file(site: Path, page: str, lang: str) -> Path:
    return site / (f"{page}.html" if lang == "en" else f"{lang}/{page}.html")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_report_page_renders_offline_without_errors(browser_page, report_site, page, lang):
    browser_page.assert_page_ok(page_file(report_site, page, lang), f"report-{page}-{lang}")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", sorted(CHARTED))
def test_every_chart_is_present_and_draws_marks(browser_page, report_site, page, lang):
    browser_page.open(page_file(report_site, page, lang))
    charts = browser_page.page.eval_on_selector_all(
        "figure.chart .chart-wide svg[role=img]",
        "els => els.map(e => [e.id, e.querySelectorAll('path, rect, line, symbol').length,"
        " e.getBoundingClientRect().width])",
    )
    assert len(charts) >= CHARTED[page], charts
    empty = [c for c in charts if c[1] < 5 or c[2] < 100]
    assert not empty, f"charts without marks: {empty}"


def test_dbt_docs_open_offline_on_the_project_overview(browser_page, report_site):
    browser_page.open(report_site / "dbt-docs" / "index.html")
    page = browser_page.page
    overview = page.locator("a[href='../index.html']").first
    overview.wait_for(state="attached")  # dbt's app has rendered the overview page
    page.wait_for_load_state("networkidle")
    # no tracker: a protocol-relative //host/sp.js from disk is file://host/..., not local
    assert outside_the_files(browser_page.requests) == [], browser_page.requests
    assert "Welcome!" not in page.locator("body").inner_text()
    target = page.evaluate("a => a.href", overview.element_handle())
    assert target == (report_site / "index.html").resolve().as_uri()


def test_overview_links_reach_every_report_and_the_docs(browser_page, report_site):
    browser_page.open(report_site / "index.html")
    page = browser_page.page
    hrefs = page.eval_on_selector_all(".report-list a", "els => els.map(a => a.href)")
    assert len(hrefs) >= 4
    for href in hrefs:
        assert href.startswith("file://")
        assert Path(href.removeprefix("file://")).is_file(), href


def test_roll_rate_csv_downloads_the_mart_rows(browser_page, report_site, tmp_path):
    browser_page.open(report_site / "zh" / "portfolio_risk.html")
    page = browser_page.page
    with page.expect_download() as info:
        page.locator("#table-roll a.csv-download").click()
    target = tmp_path / "roll.csv"
    info.value.save_as(target)
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert rows[0][:2] == ["上月末阶段", "本月末阶段"]
    assert len(rows) > 5
    shares = [float(r[4]) for r in rows[1:]]
    assert all(0 <= s <= 1 for s in shares)


def test_print_shows_charts_and_hides_navigation(browser_page, report_site):
    browser_page.open(report_site / "closures.html")
    page = browser_page.page
    page.emulate_media(media="print")
    assert not page.locator("nav.site-nav").is_visible()
    assert page.locator("figure.chart svg").first.is_visible()
