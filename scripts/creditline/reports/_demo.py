"""The framework demo page: every building block with made-up numbers, including a hostile
string "from the data" that must show as text. Used by the framework's tests, and a worked
example of a report page: data built once, charts built per language."""

import datetime as dt
from functools import cache
from typing import Any

import polars as pl

from creditline.reports import charts
from creditline.reports.formatting import month
from creditline.reports.marts import Category
from creditline.reports.messages import translate
from creditline.reports.site import Page
from creditline.reports.tables import Column

HOSTILE_TEXT = '<script>alert(1)</script> & "quotes" 逾期'
# Made-up reference categories (a page reads them from the warehouse's reference seeds);
# without labels, the codes are shown.
DEMO_BUCKETS = tuple(Category(code, {}) for code in ("M0", "M1", "M2", "M3"))
DEMO_REASONS = tuple(
    Category(code, {})
    for code in ("overdue", "utilization", "multi_borrowing", "inactivity", "policy", "customer")
)


@cache
def demo_data() -> dict[str, pl.DataFrame]:
    """Made-up mart-shaped frames (what a report would read from the warehouse)."""
    months = [dt.date(2024, m, 1) for m in range(1, 13)] + [dt.date(2025, m, 1) for m in (1, 2, 3)]
    base = {"M1": 0.031, "M2": 0.012, "M3": 0.007}
    trend = pl.DataFrame(
        [
            {
                "month_on": m,
                "dpd_bucket": bucket,
                "line_rate": round(rate * (1 + 0.02 * i), 5),
                "lower_rate": round(rate * (1 + 0.02 * i) * 0.85, 5),
                "upper_rate": round(rate * (1 + 0.02 * i) * 1.15, 5),
            }
            for bucket, rate in base.items()
            for i, m in enumerate(months)
        ]
    )
    reasons = [c.code for c in DEMO_REASONS]
    closures = pl.DataFrame(
        [
            {"month_on": m, "reason_category": r, "closure_count": 20 + 7 * j + (i * 3) % 11}
            for i, m in enumerate(months[-6:])
            for j, r in enumerate(reasons)
        ]
    )
    bands = pl.DataFrame(
        {
            "score_band": ["350-549", "550-599", "600-649", "650-699", "700-950"],
            "line_count": [12_840, 30_115, 52_907, 41_388, 22_750],
            "closure_count": [1_204, 1_015, 622, 240, 61],
            "reopen_rate": [0.0412, 0.1187, 0.2265, 0.3051, None],
            "outstanding_amount": [
                18_250_431.5,
                52_004_118.25,
                96_310_775.0,
                80_412_006.8,
                45_990_120.0,
            ],
            "note": [HOSTILE_TEXT, "=1+1", "", None, "信用良好"],
        }
    )
    return {"trend": trend, "closures": closures, "bands": bands}


BAND_COLUMNS = [
    Column("score_band", "common.score_band"),
    Column("line_count", "common.lines", "integer"),
    Column("closure_count", "metric.closures", "integer"),
    Column("reopen_rate", "metric.reopen_rate", "percent", {"decimals": 1}),
    Column("outstanding_amount", "metric.outstanding_balance", "money"),
    Column("note", "framework_demo.customer_note"),
]


def demo_context(lang: str) -> dict[str, Any]:
    """Everything the demo template shows, in one language."""
    data = demo_data()
    t = lambda key, **kw: translate(key, lang, **kw)  # noqa: E731
    first, last = data["trend"]["month_on"].min(), data["trend"]["month_on"].max()
    trend_chart = charts.line_chart(
        data["trend"],
        x="month_on",
        y="line_rate",
        series="dpd_bucket",
        palette=charts.palette_of(DEMO_BUCKETS, charts.DPD_BUCKET_COLORS),
        band=("lower_rate", "upper_rate"),
        band_label=t("common.confidence_interval", level="95%"),
        title=t("framework_demo.trend"),
        x_title=t("common.month"),
        y_title=t("metric.coincidental_delinquency"),
        lang=lang,
    )
    mix_chart = charts.stacked_bar_chart(
        data["closures"],
        x="month_on",
        y="closure_count",
        category="reason_category",
        palette=charts.palette_of(DEMO_REASONS, charts.CLOSURE_REASON_COLORS),
        title=t("framework_demo.mix"),
        x_title=t("common.month"),
        y_title=t("metric.closures"),
        lang=lang,
    )
    return {
        "as_of": dt.date(2025, 3, 31),
        "period": t("framework_demo.period", start=month(first, lang), end=month(last, lang)),
        "trend_chart": trend_chart,
        "mix_chart": mix_chart,
        "bands": data["bands"],
        "band_columns": BAND_COLUMNS,
        "hostile_text": HOSTILE_TEXT,
        "kpi": {
            "npl_ratio": 0.0187,
            "npl_change": -0.0012,
            "balance": 292_967_451.55,
            "closures": 3_142,
            "reopen_rate": 0.1834,
            "reopen_change": 0.021,
        },
    }


def demo_page() -> Page:
    return Page("framework_demo", "framework_demo.title", "_framework_demo.html.j2", demo_context)
