"""Portfolio risk: trends of exposure, utilization, 30+/90+ DPD (coincidental and lagged),
NPL and charge-off; the delinquent balance by DPD bucket; vintage curves and the vintage
table; first-payment default; the roll-rate matrix of the report month and the flow rates;
score-band performance (bad rate, KS, Gini) and stability (PSI with its reading); the
early-warning signals' precision, recall, lift and lead time; the top of the watchlist.

Every figure is a column of a risk mart; the DPD ladder (codes, order, labels) is the
warehouse's reference.dpd_buckets. `load` reads and filters, `page` adds charts.
"""

import datetime as dt
from typing import Any

import polars as pl

from creditline.reports import charts, headline
from creditline.reports.formatting import format_value
from creditline.reports.headline import Headline
from creditline.reports.marts import PORTFOLIO, Category, Scope, Warehouse, bucket_column
from creditline.reports.messages import code_label, translator
from creditline.reports.site import Page
from creditline.reports.tables import Column

VINTAGES = "risk.mart_vintage_curves"
FPD = "risk.mart_first_payment_delinquency"
ROLL_RATES = "risk.mart_roll_rates"
FLOWS = "risk.mart_roll_rate_flows"
SCORE_BANDS = "risk.mart_score_band_performance"
EARLY_WARNING = "risk.mart_early_warning"
WATCHLIST = "risk.mart_watchlist"

VINTAGE_LINES = 8  # the chart's most recent origination quarters
FLOW_LINES = 4  # forward flows charted from the first four buckets: M0->M1 ... M3->M4
WATCHLIST_ROWS = 20
SIGNALS = ("high_utilization", "inquiry_burst", "score_drop", "first_missed_payment", "dormant",
           "any_signal", "two_or_more_signals")  # fmt: skip

TREND_COLUMNS = [
    "month_start_on", "is_month_complete", "line_count", "active_line_count",
    "total_limit_amount", "outstanding_principal_amount", "utilization_rate",
    "dpd_30_plus_balance_rate", "dpd_90_plus_balance_rate", "lagged_dpd_30_plus_balance_rate",
    "lagged_dpd_90_plus_balance_rate", "npl_ratio", "charge_off_rate",
    "annualized_charge_off_rate", "new_charged_off_principal_amount",
]  # fmt: skip


def trend_columns(buckets: tuple[Category, ...]) -> list[str]:
    """The portfolio-total columns the trends read, with each DPD bucket's balance and lines."""
    stems = [bucket_column(b.code) for b in buckets]
    return [*TREND_COLUMNS, *(f"{c}_balance_amount" for c in stems),
            *(f"{c}_line_count" for c in stems)]  # fmt: skip


def roll_states(buckets: tuple[Category, ...]) -> list[str]:
    """Roll states best to worst (risk_roll_state): the order of the roll matrix's rows and
    columns."""
    return ["no_balance", *(b.code for b in buckets), "written_off"]


# The first screen: what changed this month (headline.py).
HEADLINES = (
    Headline("exposure", "outstanding_principal_amount", "money", "money", None, "exposure"),
    Headline("utilization", "utilization_rate", "percent", "pp", None, "utilization"),
    Headline("dpd30_rate", "dpd_30_plus_balance_rate", "percent", "pp", "bad", "dpd30_rate"),
    Headline("dpd90_rate", "dpd_90_plus_balance_rate", "percent", "pp", "bad", "dpd90_rate"),
    Headline("npl_ratio", "npl_ratio", "percent", "pp", "bad", "npl_ratio"),
    Headline("charge_off_rate", "annualized_charge_off_rate", "percent", "pp", "bad", "charge_off"),
)


def load(wh: Warehouse, scope: Scope) -> dict[str, Any]:
    """The risk marts up to the report month (all-products / portfolio-total rows), and the
    DPD ladder of the reference seed."""
    buckets = wh.reference.dpd_buckets
    empty: dict[str, Any] = {"scope": scope, "buckets": buckets,
                             "monthly": headline.monthly_totals(wh, scope, HEADLINES)}  # fmt: skip
    if not scope.has_data:
        return empty | {k: pl.DataFrame() for k in (
            "trend", "vintages", "fpd", "roll", "flows", "bands_outcome", "bands_stability",
            "early_warning", "watchlist")} | {"outcome_month": None, "ew_month": None,
                                              "watchlist_columns": []}  # fmt: skip
    month = scope.report_month
    trend = wh.read(
        PORTFOLIO,
        f"select {', '.join(trend_columns(buckets))} from {{rel}} "
        "where grouping_level = 'total' and month_start_on <= ? order by month_start_on",
        [month],
    )
    vintages = wh.read(
        VINTAGES,
        "select origination_month_on, months_on_book, observed_on, loan_count, "
        "principal_amount, ever_30_plus_principal_rate, ever_90_plus_principal_rate, "
        "ever_30_plus_count_rate from {rel} "
        "where product_code = 'all' and origination_month_on <= ? and observed_on <= ? "
        "order by origination_month_on, months_on_book",
        [month, _month_end(month)],
    )
    fpd = wh.read(
        FPD,
        # fully observed vintages only: a partly observed one holds only the loans drawn
        # early in its month, a biased few (issue 17: a false jump at the right edge)
        "select origination_month_on, metric_name, loan_count, observed_30d_loan_count, "
        "unpaid_30d_rate from {rel} where product_code = 'all' and origination_month_on <= ? "
        "and is_fully_observed_30d order by origination_month_on, installment_no",
        [month],
    )
    roll = wh.read(
        ROLL_RATES,
        "select from_bucket, to_bucket, line_count, from_bucket_line_count, count_share, "
        "balance_share from {rel} where product_code = 'all' and month_start_on = ? "
        "order by from_state_order, to_state_order",
        [month],
    )
    flows = wh.read(
        FLOWS,
        "select month_start_on, flow_type, from_bucket, to_bucket, from_bucket_line_count, "
        "count_rate, balance_rate from {rel} "
        "where product_code = 'all' and month_start_on <= ? "
        "and (flow_type = 'forward' or flow_type = 'implied_loss') "
        "order by month_start_on, from_bucket",
        [month],
    )
    outcome_month = wh.scalar(
        SCORE_BANDS,
        "select max(scoring_month_on) from {rel} where has_full_outcome_window "
        "and scoring_month_on <= ?",
        [month],
    )
    band_columns = (
        "score_band, band_order, customer_count, bad_customer_count, bad_rate, customer_share, "
        "baseline_share, baseline_month_on, psi_contribution, population_stability_index, "
        "psi_reading, decile_population_stability_index, ks_statistic, auc, gini"
    )
    bands_outcome = wh.read(
        SCORE_BANDS,
        f"select {band_columns} from {{rel}} where scoring_month_on = ? order by band_order",
        [outcome_month],
    ) if outcome_month else pl.DataFrame()  # fmt: skip
    bands_stability = wh.read(
        SCORE_BANDS,
        f"select {band_columns} from {{rel}} where scoring_month_on = ? order by band_order",
        [month],
    )
    ew_month = wh.scalar(
        EARLY_WARNING,
        "select max(month_start_on) from {rel} where is_outcome_observed and month_start_on <= ?",
        [month],
    )
    early_warning = wh.read(
        EARLY_WARNING,
        "select signal_name, population_line_count, flagged_line_count, flagged_rate, "
        "event_line_count, hit_line_count, base_rate, precision_rate, recall_rate, lift, "
        "median_lead_time_days, lender_closure_precision_rate, lender_closure_lift "
        "from {rel} where month_start_on = ?",
        [ew_month],
    ) if ew_month else pl.DataFrame()  # fmt: skip
    if not early_warning.is_empty():
        order = {s: i for i, s in enumerate(SIGNALS)}
        early_warning = early_warning.sort(
            pl.col("signal_name").replace_strict(order, default=len(order))
        )
    watchlist, watch_columns = _watchlist(wh, scope)
    return {
        **empty,
        "trend": trend,
        "vintages": vintages,
        "fpd": fpd,
        "roll": roll,
        "flows": flows,
        "outcome_month": outcome_month,
        "bands_outcome": bands_outcome,
        "bands_stability": bands_stability,
        "ew_month": ew_month,
        "early_warning": early_warning,
        "watchlist": watchlist,
        "watchlist_columns": watch_columns,
    }


# The watchlist's columns the page shows, when the mart has them, in this order.
WATCHLIST_SHOWN = [
    Column("line_id", "watchlist.line_id"),
    Column("product_code", "common.product"),
    Column("score_band", "common.score_band"),
    Column("signal_count", "watchlist.signal_count", "integer"),
    Column("signals", "watchlist.signals"),
    Column("flagged_signals", "watchlist.signals"),
    Column("utilization_rate", "metric.utilization", "percent", {"decimals": 1}),
    Column("outstanding_principal_amount", "metric.outstanding_balance", "amount"),
    Column("limit_amount", "metric.credit_limit", "amount"),
    Column("dpd_month_end", "watchlist.dpd", "integer"),
    Column("score", "watchlist.score", "integer"),
    Column("watch_rank", "watchlist.rank", "integer"),
    Column("priority_score", "watchlist.priority", "number", {"decimals": 2}),
]
WATCHLIST_ORDER = ("watch_rank", "priority_rank", "priority_score", "signal_count",
                   "outstanding_principal_amount")  # fmt: skip


def _watchlist(wh: Warehouse, scope: Scope) -> tuple[pl.DataFrame, list[Column]]:
    """The top of mart_watchlist (its own ranking when it has one) and the columns shown."""
    if not wh.has(WATCHLIST):
        return pl.DataFrame(), []
    available = wh.columns(WATCHLIST)
    shown = [c for c in WATCHLIST_SHOWN if c.key in available]
    shown = [c for i, c in enumerate(shown)
             if not (c.key == "flagged_signals" and "signals" in available)]  # fmt: skip
    order = next((c for c in WATCHLIST_ORDER if c in available), None)
    direction = "asc" if order in ("watch_rank", "priority_rank") else "desc"
    where = ""
    params: list[Any] = []
    for month_column in ("month_start_on", "snapshot_month_on", "watch_month_on"):
        if month_column in available:
            where, params = f"where {month_column} = ?", [scope.report_month]
            break
    ordering = f"order by {order} {direction} nulls last, line_id" if order else "order by line_id"
    if "line_id" not in available:
        ordering = f"order by {order} {direction} nulls last" if order else ""
    frame = wh.read(
        WATCHLIST,
        f"select {', '.join(c.key for c in shown) or '*'} from {{rel}} {where} {ordering} "
        f"limit {WATCHLIST_ROWS}",
        params,
    )
    size = wh.scalar(WATCHLIST, f"select count(*) from {{rel}} {where}", params)
    frame = frame.with_columns(pl.lit(size).alias("_size")) if not frame.is_empty() else frame
    return frame, shown


def _month_end(month: dt.date) -> dt.date:
    from creditline.reports.marts import month_end

    return month_end(month)


# --- columns of the tables -------------------------------------------------------------

BUCKET_MIX_COLUMNS = [
    Column("bucket_label", "common.dpd_bucket"),
    Column("line_count", "common.lines", "integer"),
    Column("balance_amount", "metric.outstanding_balance", "amount"),
]
BAND_OUTCOME_COLUMNS = [
    Column("score_band", "common.score_band"),
    Column("customer_count", "common.customers", "integer"),
    Column("bad_customer_count", "risk.bad_customers", "integer"),
    Column("bad_rate", "metric.bad_rate", "percent", {"decimals": 2}),
]
BAND_STABILITY_COLUMNS = [
    Column("score_band", "common.score_band"),
    Column("customer_count", "common.customers", "integer"),
    Column("customer_share", "risk.share_now", "percent", {"decimals": 1}),
    Column("baseline_share", "risk.share_baseline", "percent", {"decimals": 1}),
    Column("psi_contribution", "risk.psi_contribution", "number", {"decimals": 4}),
]
EARLY_WARNING_COLUMNS = [
    Column("signal_label", "risk.signal"),
    Column("population_line_count", "risk.population_lines", "integer"),
    Column("flagged_line_count", "risk.flagged_lines", "integer"),
    Column("hit_line_count", "risk.hits", "integer"),
    Column("precision_rate", "metric.precision", "percent", {"decimals": 1}),
    Column("recall_rate", "metric.recall", "percent", {"decimals": 1}),
    Column("lift", "metric.lift", "number", {"decimals": 2}),
    Column("median_lead_time_days", "metric.lead_time", "number", {"decimals": 0}),
    # the lender's own closures after a signal: its action, not the customer's risk
    Column(
        "lender_closure_precision_rate", "risk.lender_closure_precision", "percent", {"decimals": 1}
    ),
    Column("lender_closure_lift", "risk.lender_closure_lift", "number", {"decimals": 2}),
]


def roll_state_label(state: str, t) -> str:
    """Bucket codes stay codes (M0 ... M7+); the two states outside the ladder are named."""
    return t(f"roll_state.{state}") if state in ("no_balance", "written_off") else state


def roll_state_labels(roll: pl.DataFrame, t) -> pl.DataFrame:
    """The roll matrix with its from- and to-states as the reader sees them."""
    if roll.is_empty():
        return roll
    return roll.with_columns(
        pl.col(c).map_elements(lambda s: roll_state_label(s, t), return_dtype=pl.String)
        for c in ("from_bucket", "to_bucket")
    )


VINTAGE_TABLE_COLUMNS = [
    Column("origination_month_on", "risk.vintage", "month"),
    Column("loan_count", "risk.loans", "integer"),
    Column("principal_amount", "risk.principal", "amount"),
    Column("months_on_book", "common.months_on_book", "integer"),
    Column("ever_30_plus_principal_rate", "risk.ever_30_rate", "percent", {"decimals": 2}),
    Column("ever_90_plus_principal_rate", "risk.ever_90_rate", "percent", {"decimals": 2}),
]
ROLL_COLUMNS = [
    Column("from_bucket", "risk.from_bucket"),
    Column("to_bucket", "risk.to_bucket"),
    Column("line_count", "common.lines", "integer"),
    Column("from_bucket_line_count", "risk.from_bucket_lines", "integer"),
    Column("count_share", "metric.roll_rate", "percent", {"decimals": 2}),
    Column("balance_share", "risk.balance_roll_rate", "percent", {"decimals": 2}),
]


# --- the page --------------------------------------------------------------------------


def _long(frame: pl.DataFrame, x: str, columns: dict[str, str], t) -> pl.DataFrame:
    """Wide mart columns as (x, series label, value) rows for a multi-line chart."""
    parts = [
        frame.select(
            pl.col(x),
            pl.lit(t(label)).alias("series"),
            pl.col(column).cast(pl.Float64).alias("value"),
        )
        for column, label in columns.items()
    ]
    return pl.concat(parts).drop_nulls("value")


def _charts(data: dict[str, Any], lang: str) -> dict[str, Any]:
    t = translator(lang)
    trend: pl.DataFrame = data["trend"]
    buckets: tuple[Category, ...] = data["buckets"]
    out: dict[str, Any] = {}
    month_title = t("common.month")
    enough_trend = trend.height >= 2
    if enough_trend:
        exposure = _long(trend, "month_start_on", {
            "outstanding_principal_amount": "metric.exposure",
            "total_limit_amount": "metric.credit_limit",
        }, t)  # fmt: skip
        out["exposure_chart"] = charts.line_chart(
            exposure, x="month_start_on", y="value", series="series",
            title=t("risk.exposure_trend"), x_title=month_title,
            y_title=t("risk.amount"), y_format="money", lang=lang,
        )  # fmt: skip
        out["utilization_chart"] = charts.line_chart(
            trend.drop_nulls("utilization_rate"), x="month_start_on", y="utilization_rate",
            title=t("risk.utilization_trend"), x_title=month_title,
            y_title=t("metric.utilization"), lang=lang,
        )  # fmt: skip
        delinquency = _long(trend, "month_start_on", {
            "dpd_30_plus_balance_rate": "risk.series.dpd30_coincidental",
            "lagged_dpd_30_plus_balance_rate": "risk.series.dpd30_lagged",
            "dpd_90_plus_balance_rate": "risk.series.dpd90_coincidental",
            "lagged_dpd_90_plus_balance_rate": "risk.series.dpd90_lagged",
        }, t)  # fmt: skip
        out["delinquency_chart"] = charts.line_chart(
            delinquency, x="month_start_on", y="value", series="series",
            title=t("risk.delinquency_trend"), x_title=month_title,
            y_title=t("risk.share_of_balance"), y_format=".2%", lang=lang,
        ) if not delinquency.is_empty() else None  # fmt: skip
        loss = _long(trend, "month_start_on", {
            "npl_ratio": "metric.npl_ratio",
            "annualized_charge_off_rate": "risk.series.charge_off_annualized",
        }, t)  # fmt: skip
        out["loss_chart"] = charts.line_chart(
            loss, x="month_start_on", y="value", series="series",
            title=t("risk.loss_trend"), x_title=month_title,
            y_title=t("common.rate"), y_format=".2%", lang=lang,
        ) if not loss.is_empty() else None  # fmt: skip
        # the delinquent balance: every bucket after the first (current) one
        mix = pl.concat([
            trend.select(
                pl.col("month_start_on"),
                pl.lit(bucket.code).alias("dpd_bucket"),
                pl.col(f"{bucket_column(bucket.code)}_balance_amount").cast(pl.Float64)
                .alias("balance_amount"),
            )
            for bucket in buckets[1:]
        ])  # fmt: skip
        # a panel per bucket: stacked, 1-30 DPD dwarfs the 90+ buckets (issue 17)
        out["bucket_chart"] = charts.small_multiples(
            mix, x="month_start_on", y="balance_amount", series="dpd_bucket",
            palette=charts.palette_of(buckets, charts.DPD_BUCKET_COLORS), area=True,
            title=t("risk.bucket_chart"), x_title=month_title,
            y_title=t("risk.delinquent_balance"), y_format="money", lang=lang,
        ) if mix["balance_amount"].sum() > 0 else None  # fmt: skip
    else:
        for key in ("exposure_chart", "utilization_chart", "delinquency_chart", "loss_chart",
                    "bucket_chart"):  # fmt: skip
            out[key] = None

    vintages: pl.DataFrame = data["vintages"]
    out["vintage_chart"] = None
    if not vintages.is_empty():
        # One line per origination quarter: the quarter's first vintage month present.
        firsts = (
            vintages.select("origination_month_on").unique()
            .with_columns(
                pl.col("origination_month_on").dt.truncate("1q").alias("quarter_on")
            )
            .group_by("quarter_on").agg(pl.col("origination_month_on").min())
            .sort("quarter_on").tail(VINTAGE_LINES)
        )  # fmt: skip
        lines = vintages.join(firsts, on="origination_month_on", how="inner").with_columns(
            pl.col("origination_month_on")
            .map_elements(lambda d: format_value(d, "month", lang), return_dtype=pl.String)
            .alias("vintage_label")
        )
        curves = lines.filter(pl.col("ever_30_plus_principal_rate").is_not_null())
        if curves.group_by("vintage_label").len()["len"].max() >= 2:
            out["vintage_chart"] = charts.line_chart(
                curves.sort("quarter_on", "months_on_book"), x="months_on_book",
                y="ever_30_plus_principal_rate", series="vintage_label",
                title=t("risk.vintage_chart", quarters=VINTAGE_LINES),
                x_title=t("common.months_on_book"),
                y_title=t("risk.ever_30_rate"), y_format=".1%", lang=lang, points=False,
            )  # fmt: skip
    out["vintage_heat"] = None
    if not vintages.is_empty():
        out["vintage_heat"] = charts.heat_table(
            vintages, row="origination_month_on", column="months_on_book",
            value="ever_30_plus_principal_rate", lang=lang, row_title=t("risk.vintage"),
            column_title=t("common.months_on_book"), value_title=t("risk.ever_30_rate"),
            fmt="percent", fmt_options={"decimals": 1}, row_fmt="month",
        )  # fmt: skip

    fpd: pl.DataFrame = data["fpd"]
    out["fpd_chart"] = None
    if fpd.height >= 2:
        out["fpd_chart"] = charts.line_chart(
            fpd, x="origination_month_on", y="unpaid_30d_rate", series="metric_name",
            title=t("risk.fpd_chart"), x_title=t("risk.vintage"),
            y_title=t("risk.unpaid_30d"), y_format=".1%", lang=lang,
        )  # fmt: skip

    roll = roll_state_labels(data["roll"], t)
    out["roll_heat"] = charts.heat_table(
        roll, row="from_bucket", column="to_bucket", value="count_share", lang=lang,
        row_title=t("risk.from_bucket"), column_title=t("risk.to_bucket"),
        value_title=t("metric.roll_rate"), fmt="percent", fmt_options={"decimals": 1},
        domain=(0.0, 1.0), column_order=[roll_state_label(s, t) for s in roll_states(buckets)],
    ) if not roll.is_empty() else None  # fmt: skip

    flows: pl.DataFrame = data["flows"]
    out["flow_chart"] = None
    forward = (
        flows
        if flows.is_empty()
        else flows.filter(
            (pl.col("flow_type") == "forward")
            & pl.col("from_bucket").is_in([b.code for b in buckets[:FLOW_LINES]])
            # a forward flow counts the next bucket *or worse*: M0→M1+
        ).with_columns((pl.col("from_bucket") + "→" + pl.col("to_bucket") + "+").alias("flow"))
    )
    if not forward.is_empty() and forward["month_start_on"].n_unique() >= 2:
        # a panel per flow, each on its own axis: 6% and 90% on one axis flattens the 6%
        out["flow_chart"] = charts.small_multiples(
            forward, x="month_start_on", y="count_rate", series="flow",
            title=t("risk.flow_chart"), x_title=month_title, y_title=t("metric.flow_rate"),
            y_format=".1%", lang=lang,
        )  # fmt: skip
    return out


def _tables(data: dict[str, Any], lang: str) -> dict[str, Any]:
    t = translator(lang)
    trend: pl.DataFrame = data["trend"]
    bucket_mix = pl.DataFrame()
    latest = (
        trend
        if trend.is_empty()
        else trend.filter(pl.col("month_start_on") == data["scope"].report_month)
    )
    if not latest.is_empty():
        row = latest.row(0, named=True)
        bucket_mix = pl.DataFrame([
            {
                "dpd_bucket": bucket.code,
                "bucket_label": bucket.label(lang),
                "line_count": row[f"{bucket_column(bucket.code)}_line_count"],
                "balance_amount": row[f"{bucket_column(bucket.code)}_balance_amount"],
            }
            for bucket in data["buckets"]
        ])  # fmt: skip
    ew: pl.DataFrame = data["early_warning"]
    if not ew.is_empty():
        ew = ew.with_columns(
            pl.col("signal_name")
            .map_elements(lambda s: code_label(t, "signal.", s), return_dtype=pl.String)
            .alias("signal_label")
        )
    vintage_table = pl.DataFrame()
    vintages: pl.DataFrame = data["vintages"]
    if not vintages.is_empty():
        # Each vintage at its latest observed month on book.
        vintage_table = (
            vintages.sort("origination_month_on", "months_on_book")
            .group_by("origination_month_on", maintain_order=True).last()
        )  # fmt: skip
    return {
        "bucket_mix": bucket_mix,
        "early_warning_table": ew,
        "vintage_table": vintage_table,
    }


def _product_labels(frame: pl.DataFrame, t) -> pl.DataFrame:
    """The frame with its product codes as the reader sees them ("CASH" -> "现金借款额度")."""
    if "product_code" not in frame.columns:
        return frame
    return frame.with_columns(
        pl.col("product_code").map_elements(
            lambda c: code_label(t, "product.", c), return_dtype=pl.String
        )
    )


def _kpis(data: dict[str, Any]) -> dict[str, Any]:
    outcome = data["bands_outcome"]
    stability = data["bands_stability"]

    def total_row(frame: pl.DataFrame) -> dict[str, Any]:
        rows = frame.filter(pl.col("score_band") == "all") if not frame.is_empty() else frame
        return rows.row(0, named=True) if not rows.is_empty() else {}

    out_all, stab_all = total_row(outcome), total_row(stability)
    return {
        "ks": out_all.get("ks_statistic"),
        "gini": out_all.get("gini"),
        "auc": out_all.get("auc"),
        "outcome_bad_rate": out_all.get("bad_rate"),
        "psi": stab_all.get("population_stability_index"),
        "psi_reading": stab_all.get("psi_reading"),
        "decile_psi": stab_all.get("decile_population_stability_index"),
        "baseline_month": stab_all.get("baseline_month_on"),
        "bands_outcome": outcome.filter(pl.col("score_band") != "all")
        if not outcome.is_empty() else outcome,
        "bands_stability": stability.filter(pl.col("score_band") != "all")
        if not stability.is_empty() else stability,
    }  # fmt: skip


def page(data: dict[str, Any], scope: Scope) -> Page:
    kpis = _kpis(data)

    def context(lang: str) -> dict[str, Any]:
        t = translator(lang)
        start = data["trend"]["month_start_on"].min() if not data["trend"].is_empty() else None
        return {
            "scope": scope,
            "period_start": start,
            "outcome_month": data["outcome_month"],
            "ew_month": data["ew_month"],
            "kpi": kpis,
            **headline.context(data["monthly"], HEADLINES, scope, lang),
            "psi_reading_text": code_label(t, "psi_reading.", kpis["psi_reading"]),
            "roll": roll_state_labels(data["roll"], t),
            "roll_columns": ROLL_COLUMNS,
            "bands_outcome": kpis["bands_outcome"],
            "band_outcome_columns": BAND_OUTCOME_COLUMNS,
            "bands_stability": kpis["bands_stability"],
            "band_stability_columns": BAND_STABILITY_COLUMNS,
            "early_warning_columns": EARLY_WARNING_COLUMNS,
            "vintage_table_columns": VINTAGE_TABLE_COLUMNS,
            "bucket_mix_columns": BUCKET_MIX_COLUMNS,
            "vintage_quarters": VINTAGE_LINES,
            "watchlist": _product_labels(data["watchlist"], t),
            "watchlist_columns": data["watchlist_columns"],
            "watchlist_size": data["watchlist"]["_size"][0]
            if not data["watchlist"].is_empty()
            else 0,  # fmt: skip
            "has_watchlist_mart": bool(data["watchlist_columns"]),
            "has_early_warning_mart": data["ew_month"] is not None,
            **_charts(data, lang),
            **_tables(data, lang),
        }

    return Page("portfolio_risk", "risk.title", "portfolio_risk.html.j2", context)
