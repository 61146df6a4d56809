"""The case-study timeline: one customer's months in panels sharing a month axis.

Top: a lane of event labels, each beside its event's rule. Then each line's limit as a step
line and its balance as a dashed line, with every limit event marked by a vertical rule.
Then the credit score, and at the bottom the worst days past due in each month as bars (the
DPD markers). Rendered offline to SVG with the same palette, fonts and finishing as
`charts.py`, and returned as a `charts.Chart` whose table holds every plotted month.

Event labels are placed here, not by Vega (which would overprint them, issue 17): each sits
right of its rule, or left of it where it would run past the plot's edge, in the first row
of the lane where it overlaps no other label.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import altair as alt

from creditline.reports import charts
from creditline.reports.formatting import format_value, is_missing, month
from creditline.reports.messages import translate
from creditline.reports.tables import Column, rows_of

DPD_COLOR = "#b2182b"
SCORE_COLOR = "#0b5394"
EVENT_COLOR = "#57606a"
EVENT_FONT = 10
EVENT_ROW = 14  # px per row of event labels
EVENT_GAP = 6  # px kept free between two labels in a row, and between a label and its rule


def _iso(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return None


def _number(value: object) -> float | None:
    return None if is_missing(value) else float(value)  # type: ignore[arg-type]


def place_event_labels(
    events: Sequence[tuple[float, str]], width: float
) -> tuple[list[dict[str, Any]], int]:
    """Rows and left edges for event labels: `events` are (x of the event's rule in px,
    label), the plot `width` px wide. Returns one {"x", "left", "row", "label"} per event,
    in order of x, and the number of rows used (row 0 is nearest the plot)."""
    rows: list[list[tuple[float, float]]] = []
    placed = []
    for x, label in sorted(events, key=lambda e: e[0]):
        x = min(max(x, 0.0), width)
        size = min(charts.text_width(label, EVENT_FONT), width)
        right_of_rule = x + EVENT_GAP / 2
        left = (
            right_of_rule if right_of_rule + size <= width else max(0.0, x - EVENT_GAP / 2 - size)
        )
        span = (left - EVENT_GAP, left + size + EVENT_GAP)
        row = next(
            (
                i
                for i, taken in enumerate(rows)
                if all(span[1] <= a or span[0] >= b for a, b in taken)
            ),
            len(rows),
        )
        if row == len(rows):
            rows.append([])
        rows[row].append(span)
        placed.append({"x": x, "left": left, "row": row, "label": label})
    return placed, len(rows)


def case_timeline_chart(
    timeline: Any,
    events: Sequence[dict[str, Any]],
    *,
    line_labels: dict[str, str],
    title: str,
    lang: str,
    chart_id: str | None = None,
) -> charts.Chart:
    """The timeline of one customer.

    timeline: rows of `mart_case_timelines` for one archetype (one per line per month).
    events: one dict per month and line with limit events: {"on": date of the month's first
      event, "label": types and reasons, "count": events}.
    line_labels: line_id -> display name ("Cash line 1").
    """
    rows = rows_of(timeline)
    t = lambda key, **kw: translate(key, lang, **kw)  # noqa: E731
    month_column = Column.titled("x", t("common.month"), "month")
    money_points = []
    for r in rows:
        label = line_labels[r["line_id"]]
        for kind, column in (
            ("limit", "limit_amount"),
            ("balance", "outstanding_principal_amount"),
        ):
            money_points.append(
                {
                    "x": r["month_start_on"],
                    "at": _iso(r["snapshot_on"]),
                    "s": t(f"case_studies.chart.{kind}", line=label),
                    "y": r[column],
                }
            )
    series = list(dict.fromkeys(m["s"] for m in money_points))
    table_rows, columns = charts.series_table(
        money_points, month_column, series, ("amount", {}), lang
    )
    money_rows = [
        {
            "x": m["at"],
            "y": _number(m["y"]),
            "s": m["s"],
            "d": charts.mark_title(
                month_column.format(m["x"], lang), m["s"], columns[1].format(m["y"], lang), lang
            ),
        }
        for m in money_points
    ]
    colors = []
    dashes = []
    for i, _ in enumerate(series):
        line_no = i // 2
        colors.append(charts.line_color(charts.SERIES_COLORS[line_no % len(charts.SERIES_COLORS)]))
        dashes.append([1, 0] if i % 2 == 0 else [5, 3])

    score_title, dpd_title = t("case_studies.chart.score"), t("case_studies.chart.dpd")
    per_month = {}
    for r in rows:  # the score and the customer's worst DPD are the same on every line
        shown = month_column.format(r["month_start_on"], lang)
        per_month[r["month_start_on"]] = {
            "x": _iso(r["snapshot_on"]),
            "score": _number(r["score"]),
            "dpd": _number(r["customer_max_dpd_in_month"]),
            # the worst DPD happened during the month: its bar stands mid-month
            "mid": _iso(r["month_start_on"] + dt.timedelta(days=14)),
            "score_d": charts.mark_title(
                shown, score_title, format_value(r["score"], "integer", lang), lang
            ),
            "dpd_d": charts.mark_title(
                shown,
                dpd_title,
                format_value(r["customer_max_dpd_in_month"], "integer", lang),
                lang,
            ),
        }
    customer_rows = [per_month[m] for m in sorted(per_month)]
    for row in table_rows:
        row["score"] = per_month[row["x"]]["score"]
        row["dpd"] = per_month[row["x"]]["dpd"]
    columns += [
        Column.titled("score", score_title, "integer"),
        Column.titled("dpd", dpd_title, "integer"),
    ]

    # The axis runs from the first month's start, so an event early in it stays on the plot.
    first = min((r["month_start_on"] for r in rows), default=None)
    last = max((r["snapshot_on"] for r in rows), default=None)
    domain = alt.Scale(domain=[_iso(first), _iso(last)]) if rows else alt.Undefined
    months = sorted(per_month)
    money_axis, money_title = charts.money_axis(
        [m["y"] for m in money_rows], t("case_studies.chart.money"), lang
    )

    def spec(size: charts.Size) -> dict[str, Any]:
        width = size.width
        x_axis = charts.month_axis(charts.month_span([first, last]), width, lang)
        x = alt.X("x:T", title=None, axis=x_axis, scale=domain)
        x_bottom = alt.X("mid:T", title=t("common.month"), axis=x_axis, scale=domain)
        money_base = alt.Chart(alt.Data(name="money")).encode(
            x=x,
            y=alt.Y("y:Q", title=money_title, axis=money_axis),
            color=alt.Color(
                "s:N",
                scale=alt.Scale(domain=series, range=colors),
                sort=series,
                legend=charts.legend(series, width),
            ),
        )
        money_lines = money_base.mark_line(
            interpolate="step-after", strokeWidth=2, clip=True
        ).encode(
            strokeDash=alt.StrokeDash(
                "s:N", scale=alt.Scale(domain=series, range=dashes), sort=series, legend=None
            ),
        )
        money_points_layer = money_base.mark_point(  # not drawn: there for their tooltips
            filled=True, size=36, opacity=0, clip=True, aria=True
        ).encode(
            description="d:N",
            color=alt.Color("s:N", scale=alt.Scale(domain=series, range=colors), legend=None),
        )
        layers = [money_lines, money_points_layer]
        panels = []
        if events and rows:
            span = (last - first).days or 1
            placed, lane_rows = place_event_labels(
                [((e["on"] - first).days / span * width, e["label"]) for e in events], width
            )
            # the rules where the labels are: an event outside the axis is drawn at its edge
            rules = [{"x": _iso(first + dt.timedelta(days=p["x"] / width * span))} for p in placed]
            layers.append(
                alt.Chart(alt.Data(values=rules))
                .mark_rule(color=EVENT_COLOR, strokeDash=[2, 2])
                .encode(x=x)
            )
            lane = (
                alt.Chart(alt.Data(values=[p | {"y": p["row"] + 0.5} for p in placed]))
                .mark_text(
                    align="left",
                    baseline="middle",
                    fontSize=EVENT_FONT,
                    color=charts.TEXT_COLOR,
                    limit=width,
                )
                .encode(
                    x=alt.X("left:Q", scale=alt.Scale(domain=[0, width], nice=False), axis=None),
                    y=alt.Y("y:Q", scale=alt.Scale(domain=[0, lane_rows], nice=False), axis=None),
                    text="label:N",
                )
                .properties(width=width, height=lane_rows * EVENT_ROW)
            )
            panels.append(lane)
        panels.append(alt.layer(*layers).properties(width=width, height=200))

        customer = alt.Chart(alt.Data(name="customer"))
        score_panel = customer.mark_line(color=SCORE_COLOR, strokeWidth=2, clip=True).encode(
            x=x,
            y=alt.Y(
                "score:Q",
                title=score_title,
                scale=alt.Scale(zero=False),
                axis=alt.Axis(format=",d"),
            ),
        )
        score_points = score_panel.mark_point(
            color=SCORE_COLOR, filled=True, size=24, opacity=1, clip=True, aria=True
        ).encode(description="score_d:N")
        panels.append(alt.layer(score_panel, score_points).properties(width=width, height=110))
        dpd_panel = (
            customer.mark_bar(color=DPD_COLOR, width=5, aria=True)
            .encode(
                x=x_bottom,
                y=alt.Y("dpd:Q", title=dpd_title, axis=alt.Axis(format=",d", tickMinStep=1)),
                description="dpd_d:N",
            )
            .properties(width=width, height=80)
        )
        panels.append(dpd_panel)
        datasets = {"money": money_rows, "customer": customer_rows}
        return charts.spec_of(alt.vconcat(*panels, spacing=10), datasets)

    alt_text = t(
        "case_studies.chart.alt",
        title=title,
        start=month(months[0], lang) if months else "–",
        end=month(months[-1], lang) if months else "–",
        events=sum(int(e.get("count", 1)) for e in events),
    )
    return charts.render_chart(
        spec,
        lang=lang,
        title=title,
        alt_text=alt_text,
        chart_id=chart_id,
        rows=table_rows,
        columns=columns,
    )
