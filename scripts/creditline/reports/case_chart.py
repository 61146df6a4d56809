"""The case-study timeline: one customer's months in three panels sharing a month axis.

Top: each line's limit as a step line and its balance as a dashed line, with every limit
event marked by a vertical rule and labelled with its type and reason. Middle: the credit
score. Bottom: the worst days past due in each month as bars (the DPD markers). Rendered
offline to SVG with the same palette, fonts and finishing as `charts.py`.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import altair as alt
from markupsafe import Markup

from creditline.reports import charts
from creditline.reports.formatting import is_missing, month
from creditline.reports.messages import translate
from creditline.reports.tables import rows_of

DPD_COLOR = "#b2182b"
SCORE_COLOR = "#0b5394"
EVENT_COLOR = "#57606a"
PANEL_WIDTH = charts.WIDTH


def _iso(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return None


def _number(value: object) -> float | None:
    return None if is_missing(value) else float(value)  # type: ignore[arg-type]


def case_timeline_chart(
    timeline: Any,
    events: Sequence[dict[str, Any]],
    *,
    line_labels: dict[str, str],
    title: str,
    lang: str,
    chart_id: str | None = None,
) -> Markup:
    """The timeline of one customer.

    timeline: rows of `mart_case_timelines` for one archetype (one per line per month).
    events: one dict per month and line with limit events: {"on": date of the month's first
      event, "label": types and reasons, "count": events}.
    line_labels: line_id -> display name ("Cash line 1").
    """
    rows = rows_of(timeline)
    t = lambda key, **kw: translate(key, lang, **kw)  # noqa: E731
    money_rows = []
    for r in rows:
        label = line_labels[r["line_id"]]
        money_rows.append(
            {
                "x": _iso(r["snapshot_on"]),
                "y": _number(r["limit_amount"]),
                "s": t("case_studies.chart.limit", line=label),
                "k": "limit",
            }
        )
        money_rows.append(
            {
                "x": _iso(r["snapshot_on"]),
                "y": _number(r["outstanding_principal_amount"]),
                "s": t("case_studies.chart.balance", line=label),
                "k": "balance",
            }
        )
    series = list(dict.fromkeys(m["s"] for m in money_rows))
    colors = []
    dashes = []
    for i, _ in enumerate(series):
        line_no = i // 2
        colors.append(charts.line_color(charts.SERIES_COLORS[line_no % len(charts.SERIES_COLORS)]))
        dashes.append([1, 0] if i % 2 == 0 else [5, 3])
    months = sorted({_iso(r["snapshot_on"]) for r in rows})
    per_month = {}
    for r in rows:  # the score and the customer's worst DPD are the same on every line
        per_month[_iso(r["snapshot_on"])] = {
            "x": _iso(r["snapshot_on"]),
            "score": _number(r["score"]),
            "dpd": _number(r["customer_max_dpd_in_month"]),
            # the worst DPD happened during the month: its bar stands mid-month
            "mid": _iso(r["month_start_on"] + dt.timedelta(days=14)),
        }
    customer_rows = [per_month[m] for m in months]
    event_rows = [
        {"x": _iso(e["on"]), "label": e["label"], "row": i % 4} for i, e in enumerate(events)
    ]
    x_axis = alt.Axis(
        format=charts._month_axis_format(lang),
        labelAngle=0,
        labelOverlap=True,
        tickCount={"interval": "month", "step": charts._tick_step(len(months))},
    )
    x = alt.X(
        "x:T",
        title=None,
        axis=x_axis,
        scale=alt.Scale(domain=[months[0], months[-1]]) if months else alt.Undefined,
    )
    x_bottom = alt.X(
        "mid:T",
        title=t("common.month"),
        axis=x_axis,
        scale=alt.Scale(domain=[months[0], months[-1]]) if months else alt.Undefined,
    )

    money_axis, money_title = charts.money_axis(
        [m["y"] for m in money_rows], t("case_studies.chart.money"), lang
    )
    money_base = alt.Chart(alt.Data(values=money_rows))
    money_lines = money_base.mark_line(interpolate="step-after", strokeWidth=2, clip=True).encode(
        x=x,
        y=alt.Y("y:Q", title=money_title, axis=money_axis),
        color=alt.Color(
            "s:N",
            scale=alt.Scale(domain=series, range=colors),
            sort=series,
            legend=alt.Legend(title=None, orient="bottom", columns=2),
        ),
        strokeDash=alt.StrokeDash(
            "s:N", scale=alt.Scale(domain=series, range=dashes), sort=series, legend=None
        ),
    )
    layers = [money_lines]
    if event_rows:
        event_data = alt.Chart(alt.Data(values=event_rows))
        layers.append(event_data.mark_rule(color=EVENT_COLOR, strokeDash=[2, 2]).encode(x=x))
        layers.append(
            event_data.mark_text(
                align="left", baseline="top", dx=3, fontSize=9, color=charts.TEXT_COLOR
            ).encode(
                x=x,
                y=alt.Y("row:Q", scale=alt.Scale(domain=[0, 11], reverse=True), axis=None),
                text="label:N",
            )
        )
    money_panel = (
        alt.layer(*layers).resolve_scale(y="independent").properties(width=PANEL_WIDTH, height=200)
    )

    customer = alt.Chart(alt.Data(values=customer_rows))
    score_panel = (
        customer.mark_line(
            color=SCORE_COLOR,
            strokeWidth=2,
            clip=True,
            point=alt.OverlayMarkDef(size=24, filled=True),
        )
        .encode(
            x=x,
            y=alt.Y(
                "score:Q",
                title=t("case_studies.chart.score"),
                scale=alt.Scale(zero=False),
                axis=alt.Axis(format=",d"),
            ),
        )
        .properties(width=PANEL_WIDTH, height=110)
    )
    dpd_panel = (
        customer.mark_bar(color=DPD_COLOR, width=5)
        .encode(
            x=x_bottom,
            y=alt.Y(
                "dpd:Q",
                title=t("case_studies.chart.dpd"),
                axis=alt.Axis(format=",d", tickMinStep=1),
            ),
        )
        .properties(width=PANEL_WIDTH, height=80)
    )

    chart = alt.vconcat(money_panel, score_panel, dpd_panel, spacing=10)
    spec = chart.to_dict() | {"config": charts.CONFIG}
    svg = charts.render_svg(spec, lang)
    alt_text = t(
        "case_studies.chart.alt",
        title=title,
        start=month(months[0], lang) if months else "–",
        end=month(months[-1], lang) if months else "–",
        events=sum(int(e.get("count", 1)) for e in events),
    )
    return charts.finish_svg(svg, title=title, alt=alt_text, chart_id=chart_id)
