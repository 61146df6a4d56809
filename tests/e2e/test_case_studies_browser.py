"""The case-study page in a real browser, in both languages, built from the small warehouse."""

import datetime as dt

import pytest
from browser_support import require_chromium

from creditline.reports.case_studies import ARCHETYPES, case_studies_page
from creditline.reports.site import write_site

require_chromium()


@pytest.fixture(scope="module")
def case_site(built_warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("case_site_browser")
    write_site([case_studies_page(built_warehouse)], out, as_of=dt.date(2024, 12, 31))
    return out


@pytest.mark.parametrize(
    ("relative", "name"),
    [("case_studies.html", "case_studies-en"), ("zh/case_studies.html", "case_studies-zh")],
)
def test_case_study_page_renders_offline_without_errors(browser_page, case_site, relative, name):
    browser_page.assert_page_ok(case_site / relative, name)


@pytest.mark.parametrize(
    ("relative", "lang", "heading"),
    [("case_studies.html", "en", "Case studies"), ("zh/case_studies.html", "zh-CN", "案例研究")],
)
def test_each_archetype_shows_a_timeline_and_a_story(
    browser_page, case_site, relative, lang, heading
):
    browser_page.open(case_site / relative)
    page = browser_page.page
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text() == heading
    sections = page.locator("section.case-study")
    assert sections.count() == len(ARCHETYPES)
    for i in range(sections.count()):
        section = sections.nth(i)
        assert section.locator("figure.chart .chart-wide svg[role=img]").count() == 1
        assert section.locator(".case-narrative p").count() == 3
        box = section.locator("figure.chart .chart-wide svg").bounding_box()
        assert box and box["width"] > 200 and box["height"] > 200


def test_contents_links_jump_to_each_archetype(browser_page, case_site):
    browser_page.open(case_site / "case_studies.html")
    page = browser_page.page
    page.locator(".case-contents a").nth(3).click()
    assert page.url.endswith("#case-zero-limit-closure")
    assert page.locator("#case-zero-limit-closure").is_visible()
