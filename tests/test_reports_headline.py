"""What changed this month (issue 17): the headline tiles' sparklines, tones and the
sentences naming the largest moves, on hand-made figures and on the rendered pages."""

import datetime as dt
import re

import pytest
from selectolax.lexbor import LexborHTMLParser

from creditline.reports import headline
from creditline.reports.headline import Headline, moves, sparkline, tile
from creditline.reports.marts import Scope

DEC, NOV = dt.date(2024, 12, 1), dt.date(2024, 11, 1)
SCOPE = Scope(as_of=dt.date(2024, 12, 31), report_month=DEC, previous_month=NOV,
              first_month=dt.date(2024, 1, 1))  # fmt: skip
RATE = Headline("dpd30_rate", "dpd_30_plus_balance_rate", "percent", "pp", "bad")
NPL = Headline("npl_ratio", "npl_ratio", "percent", "pp", "bad")
CLOSURES = Headline("closures", "new_closure_count", "integer", "number", None)
EXPOSURE = Headline("exposure", "outstanding_principal_amount", "money", "money", None)


def test_moves_are_ranked_by_the_change_relative_to_last_month():
    tiles = [
        tile(RATE, 0.0150, 0.0140),  # +7% of its value
        tile(CLOSURES, 30, 20),  # +50%
        tile(EXPOSURE, 1_000_000, 990_000),  # +1%
        tile(NPL, 0.0060, 0.0075),  # -20%
    ]
    said = moves(tiles, SCOPE, "en")
    assert said == [
        "Closures this month rose 10 to 30 in Dec 2024 (risk.mart_portfolio_monthly).",
        "NPL ratio fell 0.15 pp to 0.60% in Dec 2024 (risk.mart_portfolio_monthly).",
        "30+ DPD rate rose 0.10 pp to 1.50% in Dec 2024 (risk.mart_portfolio_monthly).",
        "Exposure rose ¥10.0K to ¥1.0M in Dec 2024 (risk.mart_portfolio_monthly).",
    ]


def test_too_few_moves_are_filled_with_the_figures_that_did_not_move():
    tiles = [tile(RATE, 0.01501, 0.01500), tile(CLOSURES, 30, 30), tile(NPL, 0.0070, 0.0060)]
    said = moves(tiles, SCOPE, "zh")
    assert len(said) == 3 and "上升0.10个百分点" in said[0]
    assert all("持平" in s for s in said[1:])


def test_a_change_that_rounds_to_zero_has_no_colour():
    assert tile(RATE, 0.01501, 0.01500)["tone"] is None
    assert tile(RATE, 0.0160, 0.0150)["tone"] == "bad"
    assert tile(CLOSURES, 40, 30)["tone"] is None  # closures are neither good nor bad


def test_a_sparkline_draws_every_known_month_and_marks_the_last():
    svg = str(sparkline([1, 2, None, 4, 3], "30+ DPD rate, 5 months"))
    points = re.search(r'points="([^"]+)"', svg).group(1).split()
    assert len(points) == 4 and 'role="img"' in svg and "<title>30+ DPD rate" in svg
    assert points[-1].split(",")[0] == re.search(r'cx="([^"]+)"', svg).group(1)
    assert sparkline([1], "one month") is None


PAGES = ("index", "portfolio_risk", "closures")


@pytest.mark.integration
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_each_page_opens_with_tiles_sparklines_and_three_to_five_moves(chart_site, page, lang):
    path = chart_site / (f"{page}.html" if lang == "en" else f"{lang}/{page}.html")
    doc = LexborHTMLParser(path.read_text(encoding="utf-8"))
    tiles = doc.css('[data-figure="headline"] .kpi-tile')
    monthly = [t for t in tiles if t.attributes.get("data-figure") != "watchlist"]
    assert len(monthly) >= 4
    for node in monthly:
        spark = node.css_first("svg.sparkline polyline")
        assert spark is not None, node.attributes.get("data-figure")
        assert len(spark.attributes["points"].split()) == headline.SPARK_MONTHS
    said = [li.text(strip=True) for li in doc.css('ul.moves[data-figure="moves"] li')]
    assert headline.MOVES_MIN <= len(said) <= headline.MOVES_MAX
    assert all("risk.mart_portfolio_monthly" in s for s in said)


@pytest.mark.integration
def test_the_first_move_is_the_largest_relative_change_in_the_mart(chart_site, warehouse):
    from creditline.reports.portfolio_risk import HEADLINES

    rows = warehouse.sql(
        "select * from risk.mart_portfolio_monthly where grouping_level = 'total' "
        "and is_month_complete order by month_start_on desc limit 2"
    ).pl()
    now, before = rows.row(0, named=True), rows.row(1, named=True)
    sizes = {
        h.key: abs(now[h.column] - before[h.column]) / abs(before[h.column])
        for h in HEADLINES
        if before[h.column]
    }
    largest = max(sizes, key=sizes.get)
    doc = LexborHTMLParser((chart_site / "portfolio_risk.html").read_text(encoding="utf-8"))
    first = doc.css_first("ul.moves li").text(strip=True)
    label = doc.css_first(f'[data-figure="{largest}"] .kpi-tile__label').text(strip=True)
    assert first.startswith(label)
