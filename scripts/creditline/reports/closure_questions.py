"""The articles' questions on the closure page (issue 16): what brings a line back, at what
limit it comes back, pauses (freezes), borrowing elsewhere after a closure, linked products,
and what a closure itself does to the score.

Each section is a chart, a table with its CSV, and a sentence read from the figures (every
sentence is a catalogue template filled with mart values; nothing is computed here but a
pick of rows). The closure page (`closures.py`) calls `load` and then `context` per language,
and passes in how a reason category reads and the page's reason palette, so a reason keeps
one colour on the whole page.
"""

from collections.abc import Callable
from typing import Any

import polars as pl

from creditline.reports import charts
from creditline.reports.formatting import integer, number, percent
from creditline.reports.marts import Scope, Warehouse
from creditline.reports.messages import LANGS, code_label, translate, translator
from creditline.reports.tables import Column

DRIVERS = "lifecycle.mart_reopen_drivers"
DRIVER_SURVIVAL = "lifecycle.mart_reopen_driver_survival"
AUDIT = "lifecycle.mart_reopen_audit"
LIMITS = "lifecycle.mart_reopen_limit_distribution"
FREEZE_SURVIVAL = "lifecycle.mart_freeze_survival"
FREEZE_OUTCOMES = "lifecycle.mart_freeze_outcomes"
SEEKING = "lifecycle.mart_post_closure_credit_seeking"
CONTAGION = "lifecycle.mart_cross_product_contagion"
LINKED = "lifecycle.mart_linked_product_closures"
SCORE_EFFECT = "lifecycle.mart_closure_score_effect"

CHART_HORIZON_DAYS = 180  # the drivers chart reads reopen rates within this many days
# The factors on the drivers chart: what changes after a closure, beside all closures (the
# reasons, score bands and initiators are in the table, and on the Kaplan-Meier charts above).
CHART_FACTORS = ("all", "arrears_at_closure", "arrears_repaid", "score_back",
                 "inquiries_elsewhere", "months_closed")  # fmt: skip
# The drivers sentences: per factor, the level that should bring lines back and the one
# that should not.
SENTENCE_LEVELS = {"arrears_repaid": ("repaid", "in_arrears"), "score_back": ("back", "not_back")}
AUDIT_ROWS = 25  # flagged reopenings listed (the CSV of the table holds the same rows)
FREEZE_REASONS = 4  # freeze reasons on the unfreeze chart, those with the most freezes
EFFECT_REASONS = 3  # closure reasons beside "all" on the score-effect chart
LINKED_HORIZON_DAYS = 30  # the linked-product sentence reads actions within this many days
LINKED_ROLL_DAYS = 90  # and the other line's 30+ DPD within this many days

Frames = dict[str, pl.DataFrame]
ReasonLabel = Callable[[str | None], str]


def load(wh: Warehouse, scope: Scope) -> Frames:
    """Every row of the question marts (they are small: a row per factor level, window or
    horizon), and the flagged reopenings of the audit, newest first."""
    names = ("drivers", "driver_survival", "audit", "limits", "freeze_survival",
             "freeze_outcomes", "seeking", "contagion", "linked", "effect")  # fmt: skip
    if not scope.has_data:
        return {k: pl.DataFrame() for k in names}
    everything = "select * from {rel}"
    return {
        "drivers": wh.read(
            DRIVERS, everything + " order by factor, factor_level_order, horizon_days"
        ),
        "driver_survival": wh.read(
            DRIVER_SURVIVAL, everything + " order by factor, factor_level, days_from_origin"
        ),
        "audit": wh.read(
            AUDIT, everything + " where is_flagged order by reopened_on desc, closure_episode_id"
        ),
        "limits": wh.read(LIMITS, everything + " order by segment_type, segment_value, measure"),
        "freeze_survival": wh.read(
            FREEZE_SURVIVAL, everything + " order by reason_category, days_from_freeze"
        ),
        "freeze_outcomes": wh.read(
            FREEZE_OUTCOMES, everything + " order by reason_category, cohort, horizon_months"
        ),
        "seeking": wh.read(
            SEEKING, everything + " order by event_type, institution_type, window_start_day"
        ),
        "contagion": wh.read(
            CONTAGION,
            everything + " order by measure, trigger_product, action_type, horizon_days",
        ),
        "linked": wh.read(LINKED, everything + " order by closed_on, closure_episode_id"),
        "effect": wh.read(SCORE_EFFECT, everything + " order by reason_category, horizon_months"),
    }


# --- tables ----------------------------------------------------------------------------

CI = {"decimals": 1}
DRIVER_COLUMNS = [
    Column("factor_label", "questions.factor"),
    Column("level_label", "questions.level"),
    Column("origin_label", "questions.counted_from"),
    Column("horizon_days", "questions.within_days", "integer"),
    Column("closures_count", "questions.closures", "integer"),
    Column("reopened_count", "questions.reopened", "integer"),
    Column("reopened_rate", "metric.reopen_rate", "percent", CI),
    Column("reopened_rate_lower", "closures.ci_lower", "percent", CI),
    Column("reopened_rate_upper", "closures.ci_upper", "percent", CI),
]
AUDIT_COLUMNS = [
    Column("reopened_on", "questions.reopened_on", "date"),
    Column("product_label", "common.product"),
    Column("reason_label", "questions.reopen_reason"),
    Column("is_in_arrears_at_reopen", "questions.in_arrears_at_reopen", "yes_no"),
    Column("days_since_dpd30", "questions.days_since_dpd30", "integer"),
    Column("has_dpd30_within_180d", "questions.dpd30_within_180d", "yes_no"),
    Column("is_reclosed_within_180d", "questions.reclosed_within_180d", "yes_no"),
]
LIMIT_COLUMNS = [
    Column("segment_label", "common.segment"),
    Column("measure_label", "questions.limit_measure"),
    Column("reopenings_count", "questions.reopenings", "integer"),
    Column("p25_ratio", "questions.p25", "percent", {"decimals": 0}),
    Column("median_ratio", "questions.median", "percent", {"decimals": 0}),
    Column("p75_ratio", "questions.p75", "percent", {"decimals": 0}),
    Column("mean_ratio", "questions.mean", "percent", {"decimals": 0}),
]
FREEZE_COLUMNS = [
    Column("reason_label", "questions.freeze_reason"),
    Column("cohort_label", "closures.cohort"),
    Column("horizon_months", "questions.within_months", "integer"),
    Column("lines_count", "common.lines", "integer"),
    Column("dpd30_rate", "questions.dpd30_rate", "percent", CI),
    Column("dpd30_rate_lower", "closures.ci_lower", "percent", CI),
    Column("dpd30_rate_upper", "closures.ci_upper", "percent", CI),
    Column("closed_rate", "questions.closed_rate", "percent", CI),
    Column("closed_rate_lower", "closures.ci_lower", "percent", CI),
    Column("closed_rate_upper", "closures.ci_upper", "percent", CI),
]
SEEKING_COLUMNS = [
    Column("event_label", "questions.event"),
    Column("window_start_day", "questions.window_start", "integer"),
    Column("events_count", "questions.events", "integer"),
    Column("matched_events_count", "questions.matched_events", "integer"),
    Column("treated_inquiries_per_event", "questions.treated_inquiries", "number", {"decimals": 2}),
    Column("control_inquiries_per_event", "questions.control_inquiries", "number", {"decimals": 2}),
    Column("difference_per_event", "questions.difference", "number", {"decimals": 2}),
    Column("difference_lower", "closures.ci_lower", "number", {"decimals": 2}),
    Column("difference_upper", "closures.ci_upper", "number", {"decimals": 2}),
    Column("did_per_event", "questions.seeking_did", "number", {"decimals": 2}),
    Column("did_lower", "closures.ci_lower", "number", {"decimals": 2}),
    Column("did_upper", "closures.ci_upper", "number", {"decimals": 2}),
]
CONTAGION_COLUMNS = [
    Column("measure_label", "questions.contagion_measure"),
    Column("product_label", "questions.trigger_product"),
    Column("action_label", "questions.action"),
    Column("horizon_days", "questions.within_days", "integer"),
    Column("population_count", "questions.episodes", "integer"),
    Column("rate", "common.rate", "percent", CI),
    Column("rate_lower", "closures.ci_lower", "percent", CI),
    Column("rate_upper", "closures.ci_upper", "percent", CI),
    Column("other_current_population_count", "questions.other_current_episodes", "integer"),
    Column("other_current_rate", "questions.other_current_rate", "percent", CI),
    Column("other_current_rate_lower", "closures.ci_lower", "percent", CI),
    Column("other_current_rate_upper", "closures.ci_upper", "percent", CI),
    Column("comparison_population_count", "questions.comparison_population", "integer"),
    Column("comparison_rate", "questions.comparison_rate", "percent", CI),
    Column("comparison_rate_lower", "closures.ci_lower", "percent", CI),
    Column("comparison_rate_upper", "closures.ci_upper", "percent", CI),
]
EFFECT_COLUMNS = [
    Column("reason_label", "common.closure_reason"),
    Column("horizon_months", "questions.after_months", "integer"),
    Column("closed_count", "questions.closed_lines", "integer"),
    Column("matched_count", "questions.matched_closures", "integer"),
    Column("controls_count", "questions.controls", "integer"),
    Column("closed_mean_change", "questions.closed_change", "number", {"decimals": 1}),
    Column("control_mean_change", "questions.control_change", "number", {"decimals": 1}),
    Column("did_points", "questions.did", "number", {"decimals": 1}),
    Column("did_lower", "closures.ci_lower", "number", {"decimals": 1}),
    Column("did_upper", "closures.ci_upper", "number", {"decimals": 1}),
]


# --- labels ----------------------------------------------------------------------------


def _label(frame: pl.DataFrame, target: str, fn: Callable[[dict[str, Any]], str]) -> pl.DataFrame:
    """`frame` with a text column `target` computed per row (labels of codes)."""
    if frame.is_empty():
        return frame
    values = [fn(row) for row in frame.iter_rows(named=True)]
    return frame.with_columns(pl.Series(target, values, dtype=pl.String))


def _level_label(factor: str, level: object, t, reason_of: ReasonLabel) -> str:
    """A factor level as the reader sees it: a reason's label, a score band as it is, or
    the catalogue's text for the mart's level code."""
    if factor == "all":
        return t("closures.all_closures")
    if factor == "closure_reason":
        return reason_of(str(level))
    if factor == "initiator":
        return code_label(t, "initiator.", level) or "–"
    if level == "unscored":
        return t("closures.unscored")
    return code_label(t, f"questions.level.{factor}.", level) or "–"


def _pick(frame: pl.DataFrame, **equal: object) -> pl.DataFrame:
    if frame.is_empty():
        return frame
    return frame.filter(*(pl.col(k) == v for k, v in equal.items()))


def _rate(value: object, lang: str) -> str:
    return percent(value, 1, lang)


# --- sections --------------------------------------------------------------------------


def _drivers(data: Frames, lang: str, reason_of: ReasonLabel) -> dict[str, Any]:
    t = translator(lang)
    ci = t("common.confidence_interval", level="95%")
    rows = _label(data["drivers"], "factor_label", lambda r: t(f"questions.factor.{r['factor']}"))
    rows = _label(rows, "level_label",
                  lambda r: _level_label(r["factor"], r["factor_level"], t, reason_of))  # fmt: skip
    rows = _label(rows, "origin_label", lambda r: t(f"questions.origin.{r['origin']}",
                                                    days=r["landmark_days"]))  # fmt: skip
    rows = _label(rows, "label", lambda r: r["level_label"] if r["factor"] == "all" else
                  f"{r['factor_label']}{t('format.colon')}{r['level_label']}")  # fmt: skip
    out: dict[str, Any] = {"drivers_table": rows, "drivers_chart": None, "drivers_km_chart": None}
    shown = _pick(rows, horizon_days=CHART_HORIZON_DAYS)
    if not shown.is_empty():
        order = {f: i for i, f in enumerate(CHART_FACTORS)}
        shown = shown.filter(
            pl.col("reopened_rate").is_not_null() & pl.col("factor").is_in(CHART_FACTORS)
        ).sort(pl.col("factor").replace_strict(order, default=len(order)), "factor_level_order")
    if not shown.is_empty():
        out["drivers_chart"] = charts.interval_chart(
            shown, category="label", value="reopened_rate",
            interval=("reopened_rate_lower", "reopened_rate_upper"),
            title=t("questions.drivers_chart", days=CHART_HORIZON_DAYS),
            value_title=t("metric.reopen_rate"), category_title=t("questions.factor_level"),
            interval_label=ci, lang=lang, chart_id="chart-reopen-drivers",
        )  # fmt: skip
    sentences = []
    for factor, (good, bad) in SENTENCE_LEVELS.items():
        high = _pick(shown, factor=factor, factor_level=good)
        low = _pick(shown, factor=factor, factor_level=bad)
        if high.is_empty() or low.is_empty():
            continue
        h, lo = high.row(0, named=True), low.row(0, named=True)
        sentences.append(t(
            f"questions.drivers_reading.{factor}", landmark=h["landmark_days"],
            days=CHART_HORIZON_DAYS, high_rate=_rate(h["reopened_rate"], lang),
            high_lower=_rate(h["reopened_rate_lower"], lang),
            high_upper=_rate(h["reopened_rate_upper"], lang),
            high_count=integer(h["closures_count"], lang),
            low_rate=_rate(lo["reopened_rate"], lang),
            low_lower=_rate(lo["reopened_rate_lower"], lang),
            low_upper=_rate(lo["reopened_rate_upper"], lang),
            low_count=integer(lo["closures_count"], lang),
        ))  # fmt: skip
    out["drivers_reading"] = sentences
    curves = data["driver_survival"]
    if not curves.is_empty() and curves["days_from_origin"].n_unique() >= 2:
        curves = _label(curves, "label", lambda r: code_label(
            t, f"questions.km.{r['factor']}.", r["factor_level"]) or "–")  # fmt: skip
        out["drivers_km_chart"] = charts.step_chart(
            curves, x="days_from_origin", y="survival_rate", series="label",
            band=("survival_lower", "survival_upper"), band_label=ci,
            title=t("questions.drivers_km"), x_title=t("questions.days_from_origin"),
            y_title=t("closures.still_closed"), y_format=".0%", lang=lang,
            chart_id="chart-reopen-drivers-km",
        )  # fmt: skip
    audit = _label(
        data["audit"], "product_label", lambda r: code_label(t, "product.", r["product_code"])
    )
    audit = _label(audit, "reason_label", lambda r: reason_of(r["reopen_reason_category"]))
    out["audit_count"] = audit.height
    out["audit_rows"] = audit.head(AUDIT_ROWS)
    return out


def _measure_label(t, measure: str) -> str:
    return t(f"questions.limit_measure.{measure}")


def _limits(data: Frames, lang: str, reason_of: ReasonLabel) -> dict[str, Any]:
    t = translator(lang)
    rows = data["limits"]

    def segment(r: dict[str, Any]) -> str:
        kind, value = r["segment_type"], r["segment_value"]
        if kind == "all":
            return t("questions.all_reopenings")
        text = reason_of(value) if kind.endswith("reason_category") else str(value)
        return f"{t('questions.segment.' + kind)}{t('format.colon')}{text}"

    rows = _label(rows, "segment_label", segment)
    rows = _label(rows, "measure_label", lambda r: _measure_label(t, r["measure"]))
    out: dict[str, Any] = {"limits_table": rows, "limits_chart": None, "limits_reading": None}
    if rows.is_empty():
        return out
    shown = rows.filter(
        pl.col("segment_type").is_in(["all", "reopen_reason_category"])
        & pl.col("measure").is_in(["reopen_to_prior", "reopen_to_peak"])
        & pl.col("median_ratio").is_not_null()
    ).sort(pl.col("segment_type") != "all", "segment_value", "measure")
    if not shown.is_empty():
        out["limits_chart"] = charts.interval_chart(
            shown, category="segment_label", value="median_ratio",
            interval=("p25_ratio", "p75_ratio"), series="measure_label",
            title=t("questions.limits_chart"), value_title=t("questions.limit_ratio"),
            category_title=t("common.segment"), interval_label=t("questions.interquartile"),
            lang=lang, chart_id="chart-reopen-limits",
        )  # fmt: skip
    prior = _pick(rows, segment_type="all", measure="reopen_to_prior")
    later = _pick(rows, segment_type="all", measure="limit_12m_to_reopen")
    if not prior.is_empty() and prior["median_ratio"][0] is not None:
        p = prior.row(0, named=True)
        out["limits_reading"] = t(
            "questions.limits_reading", count=integer(p["reopenings_count"], lang),
            median=percent(p["median_ratio"], 0, lang), p25=percent(p["p25_ratio"], 0, lang),
            p75=percent(p["p75_ratio"], 0, lang),
        ) + ("" if later.is_empty() or later["median_ratio"][0] is None else t(
            "questions.limits_reading_12m", median=percent(later["median_ratio"][0], 0, lang),
            count=integer(later["reopenings_count"][0], lang),
        ))  # fmt: skip
    return out


def _freezes(data: Frames, lang: str, reason_of: ReasonLabel, palette) -> dict[str, Any]:
    t = translator(lang)
    every = {code: translate("questions.all_freezes", code) for code in LANGS}
    palette = charts.Palette(palette.codes, palette.colors, {**palette.labels, "all": every})

    def freeze_reason(code: str | None) -> str:
        return t("questions.all_freezes") if code == "all" else reason_of(code)

    ci = t("common.confidence_interval", level="95%")
    out: dict[str, Any] = {"freeze_chart": None, "freeze_reading": None}
    curves = data["freeze_survival"]
    if not curves.is_empty():
        curves = curves.filter(pl.col("reason_category").is_in(palette.codes))
        largest = (
            curves.group_by("reason_category").agg(pl.col("at_risk_count").max())
            .sort("at_risk_count", "reason_category", descending=[True, False])
            .head(FREEZE_REASONS)["reason_category"]
        )  # fmt: skip
        curves = curves.filter(pl.col("reason_category").is_in(largest.implode()))
    if not curves.is_empty() and curves["days_from_freeze"].n_unique() >= 2:
        out["freeze_chart"] = charts.step_chart(
            curves, x="days_from_freeze", y="survival_rate", series="reason_category",
            palette=palette, band=("survival_lower", "survival_upper"), band_label=ci,
            title=t("questions.freeze_chart", count=FREEZE_REASONS),
            x_title=t("questions.days_since_freeze"), y_title=t("questions.still_frozen"),
            y_format=".0%", lang=lang, chart_id="chart-freeze-km",
        )  # fmt: skip
    outcomes = _label(data["freeze_outcomes"], "reason_label",
                      lambda r: freeze_reason(r["reason_category"]))  # fmt: skip
    outcomes = _label(
        outcomes, "cohort_label", lambda r: t(f"questions.freeze_cohort.{r['cohort']}")
    )
    out["freeze_table"] = outcomes
    every = _pick(data["freeze_survival"], reason_category="all")
    median = None if every.is_empty() else every["median_days_to_unfreeze"][0]
    unfrozen = _pick(outcomes, reason_category="all", cohort="unfrozen", horizon_months=12)
    closed = _pick(outcomes, reason_category="all", cohort="closed_same_reason", horizon_months=12)
    parts = []
    if median is not None:
        parts.append(t("questions.freeze_reading_median", days=integer(median, lang)))
    if not unfrozen.is_empty() and not closed.is_empty() and unfrozen["dpd30_rate"][0] is not None:
        parts.append(t(
            "questions.freeze_reading_outcome",
            unfrozen=_rate(unfrozen["dpd30_rate"][0], lang),
            unfrozen_count=integer(unfrozen["lines_count"][0], lang),
            closed=_rate(closed["dpd30_rate"][0], lang),
            closed_count=integer(closed["lines_count"][0], lang),
        ))  # fmt: skip
    out["freeze_reading"] = ("" if lang == "zh" else " ").join(parts) or None
    return out


def _seeking(data: Frames, lang: str) -> dict[str, Any]:
    """The difference in differences (each window's difference less that of the baseline
    windows before the event), which the mart's docs tell the report to read: closures
    are partly selected on inquiries (multi-borrowing), so their raw difference starts
    before the event."""
    t = translator(lang)
    rows = _pick(data["seeking"], institution_type="all")
    rows = _label(rows, "event_label", lambda r: t(f"questions.event.{r['event_type']}"))
    out: dict[str, Any] = {"seeking_table": rows, "seeking_chart": None, "seeking_reading": []}
    shown = rows if rows.is_empty() else rows.filter(pl.col("did_per_event").is_not_null())
    if not shown.is_empty() and shown["window_start_day"].n_unique() >= 2:
        out["seeking_chart"] = charts.line_chart(
            shown, x="window_start_day", y="did_per_event", series="event_label",
            band=("did_lower", "did_upper"),
            band_label=t("common.confidence_interval", level="95%"),
            title=t("questions.seeking_chart"), x_title=t("questions.window_start"),
            y_title=t("questions.seeking_did"), y_format=",.1f", y_zero=False, lang=lang,
            chart_id="chart-credit-seeking",
        )  # fmt: skip
    for row in _pick(shown, window_start_day=0).iter_rows(named=True):
        out["seeking_reading"].append(t(
            "questions.seeking_reading", event=row["event_label"],
            difference=number(row["did_per_event"], 2, lang),
            lower=number(row["did_lower"], 2, lang), upper=number(row["did_upper"], 2, lang),
            count=integer(row["matched_events_count"], lang),
        ))  # fmt: skip
    return out


def _product_label(t, code: object) -> str:
    return t("questions.either_line") if code == "all" else code_label(t, "product.", code) or "–"


def _linked(data: Frames, lang: str) -> dict[str, Any]:
    t = translator(lang)
    rows = _label(data["contagion"], "measure_label",
                  lambda r: t(f"questions.contagion.{r['measure']}"))  # fmt: skip
    rows = _label(rows, "product_label", lambda r: _product_label(t, r["trigger_product"]))
    rows = _label(rows, "action_label", lambda r: t(f"questions.action.{r['action_type']}"))
    rows = _label(rows, "horizon_label",
                  lambda r: t("closures.within_days", days=r["horizon_days"]))  # fmt: skip
    out: dict[str, Any] = {"contagion_table": rows, "contagion_chart": None, "linked_reading": []}
    actions = _pick(rows, measure="action_after_delinquency", action_type="any")
    if not actions.is_empty():
        actions = actions.filter(pl.col("rate").is_not_null())
    if not actions.is_empty():
        out["contagion_chart"] = charts.interval_chart(
            actions, category="horizon_label", value="rate", interval=("rate_lower", "rate_upper"),
            series="product_label", title=t("questions.contagion_chart"),
            value_title=t("questions.action_share"), category_title=t("questions.within"),
            interval_label=t("common.confidence_interval", level="95%"), lang=lang,
            chart_id="chart-linked-products",
        )  # fmt: skip
    said = out["linked_reading"]
    for row in _pick(actions, trigger_product="all", horizon_days=LINKED_HORIZON_DAYS).iter_rows(
        named=True
    ):
        said.append(t(
            "questions.linked_reading_action", days=LINKED_HORIZON_DAYS,
            rate=_rate(row["rate"], lang), lower=_rate(row["rate_lower"], lang),
            upper=_rate(row["rate_upper"], lang), count=integer(row["population_count"], lang),
            current=_rate(row["other_current_rate"], lang),
            current_count=integer(row["other_current_population_count"], lang),
        ))  # fmt: skip
    roll = _pick(
        rows, measure="other_line_roll", trigger_product="all", horizon_days=LINKED_ROLL_DAYS
    )
    if not roll.is_empty() and roll["rate"][0] is not None:
        said.append(t(
            "questions.linked_reading_roll", days=LINKED_ROLL_DAYS,
            rate=_rate(roll["rate"][0], lang), count=integer(roll["population_count"][0], lang),
            comparison=_rate(roll["comparison_rate"][0], lang),
        ))  # fmt: skip
    linked = data["linked"]
    if not linked.is_empty():
        closures = linked.group_by("closure_episode_id").agg(
            pl.col("had_other_line_delinquency_before").any().alias("before"),
            pl.col("days_from_other_delinquency_to_closure").min().alias("days"),
        )
        before = closures.filter(pl.col("before"))
        days = before["days"].drop_nulls()
        said.append(t(
            "questions.linked_reading_closures", count=integer(closures.height, lang),
            share=_rate(before.height / closures.height, lang),
            days=integer(days.median(), lang) if days.len() else "–",
        ))  # fmt: skip
    return out


def _effect(data: Frames, lang: str, reason_of: ReasonLabel, palette) -> dict[str, Any]:
    t = translator(lang)
    rows = _label(data["effect"], "reason_label", lambda r: reason_of(r["reason_category"]))
    rows = _label(
        rows, "horizon_label", lambda r: t("questions.after_n_months", months=r["horizon_months"])
    )
    out: dict[str, Any] = {"effect_table": rows, "effect_chart": None, "effect_reading": None}
    if rows.is_empty():
        return out
    shown = rows.filter(
        pl.col("did_points").is_not_null() & pl.col("reason_category").is_in(palette.codes)
    )
    largest = (
        shown.filter(pl.col("reason_category") != "all").group_by("reason_category")
        .agg(pl.col("matched_count").min()).sort("matched_count", "reason_category",
                                                 descending=[True, False])
        .head(EFFECT_REASONS)["reason_category"].to_list()
    )  # fmt: skip
    shown = shown.filter(pl.col("reason_category").is_in(["all", *largest]))
    if not shown.is_empty():
        out["effect_chart"] = charts.interval_chart(
            shown.sort("horizon_months"), category="horizon_label", value="did_points",
            interval=("did_lower", "did_upper"), series="reason_category", palette=palette,
            title=t("questions.effect_chart"), value_title=t("questions.did"),
            category_title=t("questions.after"), reference=0.0, value_format=",.1f",
            interval_label=t("common.confidence_interval", level="95%"), lang=lang,
            chart_id="chart-closure-score-effect",
        )  # fmt: skip
    every = _pick(shown, reason_category="all").sort("horizon_months")
    if not every.is_empty():
        last = every.row(-1, named=True)
        out["effect_reading"] = t(
            "questions.effect_reading", months=last["horizon_months"],
            did=number(last["did_points"], 1, lang), lower=number(last["did_lower"], 1, lang),
            upper=number(last["did_upper"], 1, lang), count=integer(last["matched_count"], lang),
        )  # fmt: skip
    return out


def context(data: Frames, lang: str, reason_of: ReasonLabel, palette) -> dict[str, Any]:
    """The six sections' charts, tables and sentences in `lang`, and their column lists."""
    return {
        **_drivers(data, lang, reason_of),
        **_limits(data, lang, reason_of),
        **_freezes(data, lang, reason_of, palette),
        **_seeking(data, lang),
        **_linked(data, lang),
        **_effect(data, lang, reason_of, palette),
        "driver_columns": DRIVER_COLUMNS,
        "audit_columns": AUDIT_COLUMNS,
        "drivers_horizon_days": CHART_HORIZON_DAYS,
        "freeze_reasons": FREEZE_REASONS,
        "limit_columns": LIMIT_COLUMNS,
        "freeze_columns": FREEZE_COLUMNS,
        "seeking_columns": SEEKING_COLUMNS,
        "contagion_columns": CONTAGION_COLUMNS,
        "effect_columns": EFFECT_COLUMNS,
    }
