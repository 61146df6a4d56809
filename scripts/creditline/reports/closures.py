"""Closure, reopening and recovery: closures by reason over time; clean closures (never
past due, yet closed) and whom they hit; Kaplan–Meier curves of time to reopen by reason
and score band with their confidence bands; reopen rates at 30/90/180/365 days by closure
cohort with Wilson intervals; the customer's score against the pre-closure score and the
closed line's state (30+ DPD or written off) in the months around a closure; and outcomes
after a reopening against comparable lines never closed; then the articles' six questions
(closure_questions.py) and, first of all, what changed this month (headline.py).

Every figure is a column of a lifecycle mart (or mart_portfolio_monthly for the monthly
closure counts); the reason categories, their order and their labels are the warehouse's
reference.reason_codes. `load` reads and filters, `page` adds charts and labels.
"""

from typing import Any

import polars as pl

from creditline.reports import charts, closure_questions, headline
from creditline.reports.formatting import format_value
from creditline.reports.headline import Headline
from creditline.reports.marts import PORTFOLIO, Reference, Scope, Warehouse, month_end
from creditline.reports.messages import LANGS, code_label, translate, translator
from creditline.reports.site import Page
from creditline.reports.tables import Column

EPISODES = "lifecycle.fct_closure_episodes"
COHORTS = "lifecycle.mart_closure_cohorts"
SURVIVAL = "lifecycle.mart_reopen_survival"
RECOVERY = "lifecycle.mart_recovery_curves"
OUTCOMES = "lifecycle.mart_reopen_outcomes"

RECOVERY_SERIES = 6  # 'all' and the largest reason categories on the recovery charts
KM_REASONS = 4  # reasons on the KM chart, those with the most closures (the table has all)
COHORT_MONTHS = 12  # closure months in the reopen-rate table
CLEAN_ROWS = 25  # clean closures of the report month listed
KM_READ_DAYS = 365  # the survival table reads each curve at this many days
OUTCOME_SEGMENTS = ("all", "score_band", "closure_reason_category", "product_code", "mob_band",
                    "reopen_reason_category")  # fmt: skip
# The clean closures listed: the lender's own, never a closure the customer asked for (the
# mart's is_clean_closure counts both; the monthly share says so on the page).
LENDER_CLOSURE = "closure_initiated_by is distinct from 'customer'"
# KM groups named with what they group in the table ("Score band at closure: 600-649").
KM_GROUP_TYPES_NAMED = ("reason_category", "score_band_at_closure")


# The first screen: what changed this month (headline.py).
HEADLINES = (
    Headline("closures", "new_closure_count", "integer", "number", None, "closure"),
    Headline(
        "closures_overdue", "new_closures_overdue_count", "integer", "number", None, "closure"
    ),  # fmt: skip
    Headline("reopenings", "new_reopen_count", "integer", "number", None, "reopening"),
    Headline("closed_lines", "closed_line_count", "integer", "number", None, "closure"),
    Headline("frozen_lines", "frozen_line_count", "integer", "number", None, "freeze_episode"),
)


def load(wh: Warehouse, scope: Scope) -> dict[str, Any]:
    """The lifecycle marts up to the report month, and the reason categories (closure
    reasons in their order, every category's labels) of the reference seed."""
    reference = {
        "reference": wh.reference,
        "monthly": headline.monthly_totals(wh, scope, HEADLINES),
        "questions": closure_questions.load(wh, scope),
    }
    if not scope.has_data:
        frames = ("reasons", "clean_trend", "clean_list", "survival", "survival_summary",
                  "cohorts", "recovery", "outcomes")  # fmt: skip
        return {k: pl.DataFrame() for k in frames} | {"clean_count": None} | reference
    month = scope.report_month
    reason_columns = "".join(f", new_closures_{c.code}_count" for c in wh.reference.closure_reasons)
    reasons = wh.read(
        PORTFOLIO,
        f"select month_start_on, new_closure_count, new_closures_other_count{reason_columns} "
        "from {rel} where grouping_level = 'total' and month_start_on <= ? "
        "order by month_start_on",
        [month],
    )
    first_horizon = wh.scalar(COHORTS, "select min(horizon_days) from {rel}")
    clean_trend = wh.read(
        COHORTS,
        "select closure_month_on, closures_count, clean_closures_count, clean_closure_rate, "
        "clean_closure_rate_lower, clean_closure_rate_upper from {rel} "
        "where reason_category = 'all' and score_band = 'all' and horizon_days = ? "
        "and closure_month_on <= ? order by closure_month_on",
        [first_horizon, month],
    ) if first_horizon is not None else pl.DataFrame()  # fmt: skip
    clean_list = wh.read(
        EPISODES,
        "select closed_on, closure_reason_category, product_code, customer_segment, "
        "score_at_closure, score_band_at_closure, months_on_book_at_closure, "
        "utilization_rate_last_month_end, months_since_last_drawdown, closure_initiated_by "
        f"from {{rel}} where is_clean_closure and {LENDER_CLOSURE} and closure_month_on = ? "
        "order by score_at_closure desc nulls last, closed_on, closure_episode_id limit ?",
        [month, CLEAN_ROWS],
    )
    clean_count = wh.scalar(
        EPISODES,
        f"select count(*) from {{rel}} where is_clean_closure and {LENDER_CLOSURE} "
        "and closure_month_on = ?",
        [month],
    )
    survival = wh.read(
        SURVIVAL,
        "select group_type, group_value, time_to_reopen_days, at_risk_count, reopened_count, "
        "censored_count, survival_rate, reopened_rate, survival_lower, survival_upper, "
        "median_time_to_reopen_days from {rel} "
        "where group_type in ('all', 'reason_category', 'score_band_at_closure') "
        "order by group_type, group_value, time_to_reopen_days",
    )
    survival_summary = wh.read(
        SURVIVAL,
        "select group_type, group_value, max(at_risk_count) as closures_count, "
        "sum(reopened_count) as reopened_count, "
        "max(median_time_to_reopen_days) as median_time_to_reopen_days, "
        "arg_max(reopened_rate, time_to_reopen_days) filter (where time_to_reopen_days <= ?) "
        "as reopened_rate_365d "
        "from {rel} group by group_type, group_value "
        "order by case group_type when 'all' then 0 when 'reason_category' then 1 "
        "when 'score_band_at_closure' then 2 else 3 end, group_value",
        [KM_READ_DAYS],
    )
    cohorts = wh.read(
        COHORTS,
        "select closure_month_on, horizon_days, closures_count, reopened_count, reopened_rate, "
        "reopened_rate_lower, reopened_rate_upper, is_horizon_observable from {rel} "
        "where reason_category = 'all' and score_band = 'all' and closure_month_on <= ? "
        "order by closure_month_on, horizon_days",
        [month],
    )
    recovery = wh.read(
        RECOVERY,
        "select reason_category, months_from_closure, closures_count, observed_count, "
        "scored_count, mean_score_change, median_score_change, at_or_above_pre_closure_count, "
        "at_or_above_pre_closure_rate, dpd_30_plus_rate, written_off_rate, "
        "dpd_30_plus_or_written_off_rate, recovery_population_count, recovered_count, "
        "median_months_to_recover from {rel} "
        "order by reason_category, months_from_closure",
    )
    outcomes = wh.read(
        OUTCOMES,
        "select * from {rel} order by segment_type, segment_value, cohort desc",
    )
    return reference | {
        "reasons": reasons,
        "clean_trend": clean_trend,
        "clean_list": clean_list,
        "clean_count": clean_count,
        "survival": survival,
        "survival_summary": survival_summary,
        "cohorts": cohorts,
        "recovery": recovery,
        "outcomes": outcomes,
    }


def reason_label(code: str | None, t, labels: dict[str, str]) -> str:
    """A reason category as the reader sees it: its label (`labels`: code -> label in the
    page's language, from the reference seed), or the code when the seed has no label."""
    if code is None:
        return "–"
    if code == "all":
        return t("closures.all_closures")
    return labels.get(code, code)


def group_row_label(group_type: str, value: str | None, t, labels: dict[str, str]) -> str:
    """A group as a table row names it: "Closure reason: Overdue", "All closures"."""
    text = group_label(group_type, value, t, labels)
    if group_type in KM_GROUP_TYPES_NAMED and value != "all":
        return f"{t('closures.group_type.' + group_type)}{t('format.colon')}{text}"
    return text


def _band_start(value: object) -> int | None:
    """The lower bound of a band such as "12-23" (months on book) or "600-649" (scores), so
    bands sort by number, not as text; None for anything else."""
    head = str(value).split("-")[0]
    return int(head) if head.isdigit() else None


def group_label(group_type: str, value: str | None, t, labels: dict[str, str]) -> str:
    if group_type == "all" or value == "all":
        return t("closures.all_closures")
    if group_type == "reason_category":
        return reason_label(value, t, labels)
    if value == "unscored":
        return t("closures.unscored")
    if value in ("clean", "not_clean"):
        return t(f"closures.{value}")
    return str(value)


def _with_labels(frame: pl.DataFrame, source: str, target: str, fn) -> pl.DataFrame:
    if frame.is_empty():
        return frame
    return frame.with_columns(
        pl.Series(target, [fn(v) for v in frame[source].to_list()], dtype=pl.String)
    )


# --- tables ----------------------------------------------------------------------------

CLEAN_TREND_COLUMNS = [
    Column("closure_month_on", "closures.closure_month", "month"),
    Column("closures_count", "metric.closures", "integer"),
    Column("clean_closures_count", "closures.clean_closures", "integer"),
    Column("clean_closure_rate", "metric.clean_closure_rate", "percent", {"decimals": 1}),
    Column("clean_closure_rate_lower", "closures.ci_lower", "percent", {"decimals": 1}),
    Column("clean_closure_rate_upper", "closures.ci_upper", "percent", {"decimals": 1}),
]
CLEAN_LIST_COLUMNS = [
    Column("closed_on", "closures.closed_on", "date"),
    Column("reason_label", "common.closure_reason"),
    Column("product_label", "common.product"),
    Column("segment_label", "common.segment"),
    Column("score_at_closure", "closures.score_at_closure", "integer"),
    Column("score_band_at_closure", "common.score_band"),
    Column("months_on_book_at_closure", "common.months_on_book", "integer"),
    Column("utilization_rate_last_month_end", "metric.utilization", "percent", {"decimals": 1}),
    Column("months_since_last_drawdown", "closures.months_since_drawdown", "integer"),
]
SURVIVAL_COLUMNS = [
    Column("group_label", "closures.group"),
    Column("closures_count", "metric.closures", "integer"),
    Column("reopened_count", "closures.reopened", "integer"),
    Column("reopened_rate_365d", "closures.km_reopened_365", "percent", {"decimals": 1}),
    Column("median_time_to_reopen_days", "closures.median_days", "integer"),
]
COHORT_COLUMNS = [
    Column("closure_month_on", "closures.closure_month", "month"),
    Column("horizon_days", "closures.horizon_days", "integer"),
    Column("closures_count", "metric.closures", "integer"),
    Column("reopened_count", "closures.reopened", "integer"),
    Column("reopened_rate", "metric.reopen_rate", "percent", {"decimals": 1}),
    Column("reopened_rate_lower", "closures.ci_lower", "percent", {"decimals": 1}),
    Column("reopened_rate_upper", "closures.ci_upper", "percent", {"decimals": 1}),
]
RECOVERY_COLUMNS = [
    Column("reason_label", "common.closure_reason"),
    Column("closures_count", "closures.followed_closures", "integer"),
    Column("at_or_above_pre_closure_rate", "closures.back_at_12m", "percent", {"decimals": 1}),
    Column("dpd_30_plus_rate", "closures.dpd30_at_12m", "percent", {"decimals": 1}),
    Column("written_off_rate", "closures.written_off", "percent", {"decimals": 1}),
    Column(
        "dpd_30_plus_or_written_off_rate",
        "closures.dpd30_or_written_off",
        "percent",
        {"decimals": 1},
    ),
    Column("recovery_population_count", "closures.scored_closures", "integer"),
    Column("recovered_count", "closures.recovered", "integer"),
    Column("median_months_to_recover", "closures.median_months_to_recover", "integer"),
]
OUTCOME_COLUMNS = [
    Column("segment_label", "closures.segment"),
    Column("cohort_label", "closures.cohort"),
    Column("observations_count", "closures.observations", "integer"),
    Column("dpd30_12m_observed_count", "closures.observed_12m", "integer"),
    Column("dpd30_12m_rate", "closures.dpd30_12m", "percent", {"decimals": 1}),
    Column("dpd30_12m_rate_lower", "closures.ci_lower", "percent", {"decimals": 1}),
    Column("dpd30_12m_rate_upper", "closures.ci_upper", "percent", {"decimals": 1}),
    Column("dpd30_12m_standardized_rate", "closures.standardized", "percent", {"decimals": 1}),
    Column("closed_12m_rate", "closures.closed_12m", "percent", {"decimals": 1}),
    Column("closed_12m_rate_lower", "closures.ci_lower", "percent", {"decimals": 1}),
    Column("closed_12m_rate_upper", "closures.ci_upper", "percent", {"decimals": 1}),
    Column("closed_12m_standardized_rate", "closures.standardized", "percent", {"decimals": 1}),
]
OUTCOME_6M_COLUMNS = [
    Column("cohort_label", "closures.cohort"),
    Column("observations_count", "closures.observations", "integer"),
    Column("dpd30_6m_observed_count", "closures.observed_6m", "integer"),
    Column("dpd30_6m_rate", "closures.dpd30_6m", "percent", {"decimals": 1}),
    Column("dpd30_6m_rate_lower", "closures.ci_lower", "percent", {"decimals": 1}),
    Column("dpd30_6m_rate_upper", "closures.ci_upper", "percent", {"decimals": 1}),
    Column("dpd30_6m_standardized_rate", "closures.standardized", "percent", {"decimals": 1}),
]


# --- charts ----------------------------------------------------------------------------


def _survival_chart(
    survival: pl.DataFrame, group_type: str, title: str, palette, lang: str, labels: dict[str, str]
):
    t = translator(lang)
    if survival.is_empty():
        return None
    curves = survival.filter(pl.col("group_type") == group_type)
    if curves.is_empty() or curves["time_to_reopen_days"].n_unique() < 2:
        return None
    if palette is not None:
        curves = curves.filter(pl.col("group_value").is_in(palette.codes))
        # ten overlapping curves with bands read as none (issue 17): the largest groups only
        largest = (
            curves.group_by("group_value").agg(pl.col("at_risk_count").max())
            .sort("at_risk_count", "group_value", descending=[True, False])
            .head(KM_REASONS)["group_value"]
        )  # fmt: skip
        curves = curves.filter(pl.col("group_value").is_in(largest.implode()))
        series = "group_value"
    else:
        curves = _with_labels(curves, "group_value", "group_label",
                              lambda v: group_label(group_type, v, t, labels))  # fmt: skip
        series = "group_label"
    if curves.is_empty():
        return None
    return charts.step_chart(
        curves, x="time_to_reopen_days", y="survival_rate", series=series, palette=palette,
        band=("survival_lower", "survival_upper"),
        band_label=t("common.confidence_interval", level="95%"), title=title,
        x_title=t("common.days_since_closure"), y_title=t("closures.still_closed"),
        y_format=".0%", lang=lang,
    )  # fmt: skip


def reason_palette(reference: Reference) -> charts.Palette:
    """The closure reasons and "all closures": one colour, dash and shape per reason on
    every chart of the page (issue 17: a reason's colour changed between charts)."""
    reasons = charts.palette_of(reference.closure_reasons, charts.CLOSURE_REASON_COLORS)
    every = {lang: translate("closures.all_closures", lang) for lang in LANGS}
    return charts.Palette(
        codes=(*reasons.codes, "all"),
        colors=(*reasons.colors, charts.ALL_COLOR),
        labels={**reasons.labels, "all": every},
    )


def _charts(data: dict[str, Any], lang: str) -> dict[str, Any]:
    t = translator(lang)
    labels = data["reference"].reason_labels(lang)
    closure_palette = reason_palette(data["reference"])
    out: dict[str, Any] = {}
    reasons: pl.DataFrame = data["reasons"]
    out["reasons_chart"] = None
    if not reasons.is_empty() and reasons["new_closure_count"].sum() > 0:
        long = pl.concat([
            reasons.select(
                pl.col("month_start_on"),
                pl.lit(code).alias("reason_category"),
                pl.col(f"new_closures_{code}_count").alias("closure_count"),
            )
            for code in closure_palette.codes if code != "all"
        ]).filter(pl.col("closure_count") > 0)  # fmt: skip
        out["reasons_chart"] = charts.stacked_bar_chart(
            long, x="month_start_on", y="closure_count", category="reason_category",
            palette=closure_palette, title=t("closures.by_reason"),
            x_title=t("common.month"), y_title=t("metric.closures"), lang=lang,
        )  # fmt: skip
    clean: pl.DataFrame = data["clean_trend"]
    out["clean_chart"] = None
    if clean.height >= 2:
        out["clean_chart"] = charts.line_chart(
            clean.with_columns(pl.lit(t("metric.clean_closure_rate")).alias("series")),
            x="closure_month_on", y="clean_closure_rate",
            band=("clean_closure_rate_lower", "clean_closure_rate_upper"),
            band_label=t("common.confidence_interval", level="95%"),
            title=t("closures.clean_trend", included=t("closures.customer_requests_included")),
            x_title=t("closures.closure_month"),
            y_title=t("metric.clean_closure_rate"), y_format=".0%", lang=lang,
        )  # fmt: skip
    survival: pl.DataFrame = data["survival"]
    out["km_reason_chart"] = _survival_chart(
        survival, "reason_category", t("closures.km_by_reason", count=KM_REASONS),
        closure_palette, lang, labels,
    )  # fmt: skip
    out["km_band_chart"] = _survival_chart(
        survival, "score_band_at_closure", t("closures.km_by_band"), None, lang, labels
    )
    cohorts: pl.DataFrame = data["cohorts"]
    observable = (
        cohorts if cohorts.is_empty() else cohorts.filter(pl.col("reopened_rate").is_not_null())
    )
    out["cohort_chart"] = None
    if not observable.is_empty() and observable["closure_month_on"].n_unique() >= 2:
        observable = observable.with_columns(
            pl.col("horizon_days")
            .map_elements(lambda d: t("closures.within_days", days=d), return_dtype=pl.String)
            .alias("horizon_label")
        )
        out["cohort_chart"] = charts.line_chart(
            observable, x="closure_month_on", y="reopened_rate", series="horizon_label",
            band=("reopened_rate_lower", "reopened_rate_upper"),
            band_label=t("common.confidence_interval", level="95%"),
            title=t("closures.reopen_by_horizon"), x_title=t("closures.closure_month"),
            y_title=t("metric.reopen_rate"), y_format=".0%", lang=lang,
        )  # fmt: skip
    recovery: pl.DataFrame = data["recovery"]
    out["recovery_score_chart"] = out["recovery_dpd_chart"] = out["score_change_chart"] = None
    if not recovery.is_empty():
        top = [c for c in _recovery_groups(recovery) if c in closure_palette.codes]
        lines = recovery.filter(pl.col("reason_category").is_in(top)).sort(
            "reason_category", "months_from_closure"
        )
        if lines["at_or_above_pre_closure_rate"].drop_nulls().len() >= 2:
            out["recovery_score_chart"] = charts.line_chart(
                lines.drop_nulls("at_or_above_pre_closure_rate"), x="months_from_closure",
                y="at_or_above_pre_closure_rate", series="reason_category",
                palette=closure_palette,
                title=t("closures.recovery_score"), x_title=t("common.months_since_closure"),
                y_title=t("closures.at_or_above"), y_format=".0%", lang=lang,
            )  # fmt: skip
        bad = "dpd_30_plus_or_written_off_rate"
        if lines[bad].drop_nulls().len() >= 2:
            out["recovery_dpd_chart"] = charts.line_chart(
                lines.drop_nulls(bad), x="months_from_closure", y=bad,
                series="reason_category", palette=closure_palette,
                title=t("closures.recovery_dpd"),
                x_title=t("common.months_since_closure"),
                y_title=t("closures.dpd30_or_written_off"), y_format=".0%", lang=lang,
            )  # fmt: skip
        changes = lines.drop_nulls("mean_score_change")
        if changes.height >= 2:
            out["score_change_chart"] = charts.line_chart(
                changes, x="months_from_closure", y="mean_score_change",
                series="reason_category", palette=closure_palette,
                title=t("closures.score_change"),
                x_title=t("common.months_since_closure"), y_title=t("closures.points"),
                y_format=",.0f", y_zero=False, lang=lang,
            )  # fmt: skip
    return out


def _recovery_groups(recovery: pl.DataFrame) -> list[str]:
    """'all' and the largest reason categories by closures followed (for readable charts)."""
    sizes = (
        recovery.filter((pl.col("months_from_closure") == 0) & (pl.col("reason_category") != "all"))
        .sort("closures_count", "reason_category", descending=[True, False])
        ["reason_category"].to_list()
    )  # fmt: skip
    return ["all", *sizes[: RECOVERY_SERIES - 1]]


def _tables(data: dict[str, Any], scope: Scope, lang: str) -> dict[str, Any]:
    t = translator(lang)
    labels = data["reference"].reason_labels(lang)
    clean_list = _with_labels(data["clean_list"], "closure_reason_category", "reason_label",
                              lambda v: reason_label(v, t, labels))  # fmt: skip
    clean_list = _with_labels(clean_list, "product_code", "product_label",
                              lambda v: code_label(t, "product.", v))  # fmt: skip
    clean_list = _with_labels(clean_list, "customer_segment", "segment_label",
                              lambda v: code_label(t, "occupation.", v))  # fmt: skip
    summary = data["survival_summary"]
    if not summary.is_empty():
        summary = summary.with_columns(
            pl.Series(
                "group_label",
                [
                    group_row_label(g, v, t, labels)
                    for g, v in summary.select("group_type", "group_value").rows()
                ],
                dtype=pl.String,
            )
        )
    cohorts: pl.DataFrame = data["cohorts"]
    cohort_table = pl.DataFrame()
    if not cohorts.is_empty():
        recent = cohorts["closure_month_on"].unique().sort().tail(COHORT_MONTHS)
        cohort_table = cohorts.filter(pl.col("closure_month_on").is_in(recent.implode())).sort(
            "closure_month_on", "horizon_days", descending=[True, False]
        )
    recovery: pl.DataFrame = data["recovery"]
    recovery_table = pl.DataFrame()
    if not recovery.is_empty():
        last = recovery["months_from_closure"].max()
        recovery_table = _with_labels(
            recovery.filter(pl.col("months_from_closure") == last)
            .sort(pl.col("reason_category") != "all", pl.col("closures_count"),
                  descending=[False, True]),
            "reason_category", "reason_label", lambda v: reason_label(v, t, labels),
        )  # fmt: skip
    outcomes: pl.DataFrame = data["outcomes"]
    outcome_all = outcome_segments = pl.DataFrame()
    if not outcomes.is_empty():

        def seg_label(row: dict[str, Any]) -> str:
            kind, value = row["segment_type"], row["segment_value"]
            if kind == "all":
                return t("closures.all_reopenings")
            if kind in ("closure_reason_category", "reopen_reason_category"):
                text = reason_label(value, t, labels)
            elif kind == "product_code":
                text = code_label(t, "product.", value)
            elif value == "unscored":
                text = t("closures.unscored")
            else:
                text = str(value)
            return f"{t('closures.segment.' + kind)}{t('format.colon')}{text}"

        labelled = outcomes.with_columns(
            pl.Series("segment_label", [seg_label(r) for r in outcomes.iter_rows(named=True)],
                      dtype=pl.String),
            pl.Series("cohort_label", [t(f"closures.cohort.{c}") for c in outcomes["cohort"]],
                      dtype=pl.String),
        )  # fmt: skip
        order = {s: i for i, s in enumerate(OUTCOME_SEGMENTS)}
        labelled = labelled.sort(
            pl.col("segment_type").replace_strict(order, default=len(order)),
            pl.col("segment_value").map_elements(_band_start, return_dtype=pl.Int64),
            "segment_value", pl.col("cohort") != "reopened", nulls_last=True,
        )  # fmt: skip
        outcome_all = labelled.filter(pl.col("segment_type") == "all")
        outcome_segments = labelled.filter(pl.col("segment_type") != "all")
    return {
        "clean_list": clean_list,
        "survival_table": summary,
        "cohort_table": cohort_table,
        "recovery_table": recovery_table,
        "recovery_month": None if recovery.is_empty() else recovery["months_from_closure"].max(),
        "outcome_all": outcome_all,
        "outcome_segments": outcome_segments,
    }


def page(data: dict[str, Any], scope: Scope) -> Page:
    def context(lang: str) -> dict[str, Any]:
        t = translator(lang)
        labels = data["reference"].reason_labels(lang)
        reasons = data["reasons"]
        start = reasons["month_start_on"].min() if not reasons.is_empty() else None
        return {
            "scope": scope,
            "period_start": start,
            "report_month_end": month_end(scope.report_month) if scope.report_month else None,
            "clean_count": data["clean_count"],
            "clean_trend": data["clean_trend"],
            "clean_trend_columns": CLEAN_TREND_COLUMNS,
            "clean_list_columns": CLEAN_LIST_COLUMNS,
            "clean_rows": CLEAN_ROWS,
            "survival_columns": SURVIVAL_COLUMNS,
            "km_read_days": KM_READ_DAYS,
            "km_reasons": KM_REASONS,
            "cohort_columns": COHORT_COLUMNS,
            "recovery_columns": RECOVERY_COLUMNS,
            "outcome_columns": OUTCOME_COLUMNS,
            "outcome_6m_columns": OUTCOME_6M_COLUMNS,
            "fmt": format_value,
            **headline.context(data["monthly"], HEADLINES, scope, lang),
            **_charts(data, lang),
            **_tables(data, scope, lang),
            **closure_questions.context(
                data["questions"],
                lang,
                lambda code: reason_label(code, t, labels),
                reason_palette(data["reference"]),
            ),
        }

    return Page("closures", "closures.title", "closures.html.j2", context)
