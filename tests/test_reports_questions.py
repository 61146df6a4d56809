"""The articles' questions on the closure page (issue 16): each of the six sections has a
chart, a table with its CSV and a reading of the figures in both languages; every reading
quotes the mart's own figures; the page opens with a table of contents; no level code of a
mart shows on a Chinese page."""

import re

import pytest
from selectolax.lexbor import LexborHTMLParser

from creditline.reports.formatting import integer, number, percent

pytestmark = pytest.mark.integration

SECTIONS = {
    "reopen-drivers": "table-reopen-drivers",
    "reopen-limits": "table-reopen-limits",
    "freezes": "table-freeze-outcomes",
    "credit-seeking": "table-credit-seeking",
    "linked-products": "table-linked-products",
    "closure-score-effect": "table-closure-score-effect",
}
# Level codes of the question marts that must reach a reader only through the catalogue.
LEVEL_CODES = ("no_arrears_at_closure", "in_arrears", "not_back", "not_yet_repaid",
               "closed_same_reason", "action_after_delinquency", "other_line_roll",
               "cut_to_zero")  # fmt: skip


def page(site, lang: str) -> LexborHTMLParser:
    path = site / ("closures.html" if lang == "en" else "zh/closures.html")
    return LexborHTMLParser(path.read_text(encoding="utf-8"))


def readings(doc: LexborHTMLParser, name: str) -> list[str]:
    return [node.text(strip=True) for node in doc.css(f'[data-figure="{name}"]')]


def section_nodes(doc: LexborHTMLParser, section: str) -> list:
    """The nodes from the section's <h2> up to the next <h2>."""
    heading = doc.css_first(f"h2#{section}")
    assert heading is not None, f"no section #{section}"
    nodes, node = [], heading.next
    while node is not None and node.tag != "h2":
        nodes.append(node)
        node = node.next
    return nodes


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_question_has_a_chart_a_table_with_csv_and_a_reading(chart_site, lang):
    doc = page(chart_site, lang)
    for section, table_id in SECTIONS.items():
        nodes = section_nodes(doc, section)
        html = "".join(n.html or "" for n in nodes)
        assert "<svg" in html, f"{section} ({lang}) has no chart"
        assert 'class="reading"' in html, f"{section} ({lang}) has no reading"
        table = doc.css_first(f"#{table_id}")
        assert table is not None and table.css("tbody tr"), f"{section} ({lang}): empty table"
        assert table.css_first("a.csv-download[download]"), f"{section} ({lang}): no CSV"


def test_the_readings_quote_the_marts(chart_site, warehouse):
    doc = page(chart_site, "en")

    def row(sql: str) -> tuple:
        rows = warehouse.sql(sql).fetchall()
        assert len(rows) == 1, sql
        return rows[0]

    repaid, repaid_count = row(
        "select reopened_rate, closures_count from lifecycle.mart_reopen_drivers "
        "where factor = 'arrears_repaid' and factor_level = 'repaid' and horizon_days = 180"
    )
    [arrears] = [s for s in readings(doc, "drivers_reading") if "arrears" in s]
    assert f"the {integer(repaid_count)} whose arrears" in arrears
    assert f"at {percent(repaid, 1)} (95% CI" in arrears
    median, count = row(
        "select median_ratio, reopenings_count from lifecycle.mart_reopen_limit_distribution "
        "where segment_type = 'all' and measure = 'reopen_to_prior'"
    )
    assert readings(doc, "limits_reading")[0].startswith(
        f"Half of the {integer(count)} reopened lines came back at {percent(median, 0)} or less"
    )
    did, lower, upper = row(
        "select did_per_event, did_lower, did_upper "
        "from lifecycle.mart_post_closure_credit_seeking where event_type = 'closure' "
        "and institution_type = 'all' and window_start_day = 0"
    )
    assert f"customers made {number(did, 2)} more inquiries" in readings(doc, "seeking_reading")[0]
    assert f"95% CI {number(lower, 2)} to {number(upper, 2)}" in readings(doc, "seeking_reading")[0]
    months, effect = row(
        "select horizon_months, did_points from lifecycle.mart_closure_score_effect "
        "where reason_category = 'all' and did_points is not null "
        "order by horizon_months desc limit 1"
    )
    assert readings(doc, "effect_reading")[0].startswith(
        f"{months} months after a closure, closed customers' scores had moved "
        f"{number(effect, 1)} points"
    )
    share = row(
        "select avg(case when had_other_line_delinquency_before then 1.0 else 0 end) "
        "from lifecycle.mart_linked_product_closures"
    )[0]
    assert any(f", {percent(share, 1)} came after" in s for s in readings(doc, "linked_reading"))
    median_days = row(
        "select median_days_to_unfreeze from lifecycle.mart_freeze_survival "
        "where reason_category = 'all' limit 1"
    )[0]
    assert readings(doc, "freeze_reading")[0].startswith(
        f"Half of all frozen lines were unfrozen within {integer(median_days)} days."
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_closure_page_opens_with_a_table_of_contents_of_its_sections(chart_site, lang):
    doc = page(chart_site, lang)
    links = [a.attributes["href"] for a in doc.css("nav.toc a")]
    sections = ["#" + h.attributes["id"] for h in doc.css("main h2[id]")]
    assert links == sections and len(links) >= 10
    assert all(f"#{s}" in links for s in SECTIONS)


def test_no_level_code_of_the_question_marts_shows_on_a_chinese_page(chart_site):
    text = page(chart_site, "zh").css_first("main").text()
    shown = [code for code in LEVEL_CODES if re.search(rf"\b{code}\b", text)]
    assert not shown
