"""Data quality: raw rows accepted and quarantined per table and rule, examples of
quarantined rows (shown as text, whatever they hold), how fresh each raw table is, and the
dbt results of the last recorded build (ops.dbt_runs/dbt_results).

Freshness is judged against the day of the last recorded dbt build (or, with none, the day
the report is rendered), never against the data's own as-of date: that date moves with the
data, so a year-old extract would read "fresh" against it.
"""

import datetime as dt
from typing import Any

import polars as pl

from creditline.reports.marts import Scope, Warehouse
from creditline.reports.messages import code_label
from creditline.reports.site import Page
from creditline.reports.tables import Column

RAW_TABLES = ("customers", "credit_lines", "limit_events", "loans", "installments",
              "repayments", "credit_scores", "credit_inquiries")  # fmt: skip
# The raw sources' freshness config (models/staging/lender/_lender__sources.yml).
FRESHNESS_WARN_DAYS = 2
FRESHNESS_ERROR_DAYS = 7
EXAMPLES_PER_RULE = 3

RECONCILIATION = "staging.stg_row_reconciliation"
QUARANTINE = "staging.stg_quarantined_rows"
RUNS = "ops.dbt_runs"
RESULTS = "ops.dbt_results"


def freshness_status(days_behind: int | None) -> str:
    """fresh / warn / stale, as dbt source freshness would judge the as-of date."""
    if days_behind is None:
        return "missing"
    if days_behind > FRESHNESS_ERROR_DAYS:
        return "stale"
    if days_behind > FRESHNESS_WARN_DAYS:
        return "warn"
    return "fresh"


def load(wh: Warehouse, scope: Scope, today: dt.date | None = None) -> dict[str, Any]:
    """Every frame the page shows, read once. `today`: the render date, which freshness is
    judged against when no dbt build is recorded (default: the clock's)."""
    reconciliation = wh.read(
        RECONCILIATION,
        "select table_name, raw_rows, accepted_rows, quarantined_rows, is_reconciled from {rel}",
    )
    order = {t: i for i, t in enumerate(RAW_TABLES)}
    if not reconciliation.is_empty():
        reconciliation = reconciliation.sort(
            pl.col("table_name").replace_strict(order, default=len(order))
        )
    by_rule = wh.read(
        QUARANTINE,
        "select table_name, quarantine_rule, count(*) as quarantined_rows, "
        "min(load_date) as first_load_date, max(load_date) as last_load_date "
        "from {rel} group by table_name, quarantine_rule "
        "order by table_name, quarantined_rows desc, quarantine_rule",
    )
    examples = wh.read(
        QUARANTINE,
        "select table_name, quarantine_rule, load_date, raw_record from {rel} "
        "qualify row_number() over (partition by table_name, quarantine_rule "
        "order by load_date, raw_record) <= ? "
        "order by table_name, quarantine_rule, load_date, raw_record",
        [EXAMPLES_PER_RULE],
    )
    run = wh.read(
        RUNS,
        "select invocation_id, command, generated_at, elapsed_seconds, nodes, failed_nodes "
        "from {rel} order by generated_at desc limit 1",
    )
    run_info = run.row(0, named=True) if not run.is_empty() else None
    if run_info:
        checked_on, checked_against = run_info["generated_at"].date(), "build"
    else:
        checked_on, checked_against = today or dt.date.today(), "render"
    freshness = []
    for table in RAW_TABLES:
        relation = f"staging.base_{table}_checked"
        latest = wh.scalar(relation, "select max(load_date) from {rel}")
        days = (checked_on - latest).days if latest else None
        freshness.append(
            {
                "table_name": table,
                "latest_load_date": latest,
                "checked_on": checked_on,
                "days_behind": days,
                "status": freshness_status(days),
            }
        )
    results = pl.DataFrame()
    summary = pl.DataFrame()
    if run_info:
        params = [run_info["invocation_id"]]
        summary = wh.read(
            RESULTS,
            "select resource_type, "
            "count(*) as node_count, "
            "count(*) filter (where status in ('pass', 'success')) as passed_count, "
            "count(*) filter (where status = 'warn') as warned_count, "
            "count(*) filter (where status in ('fail', 'error')) as failed_count, "
            "count(*) filter (where status = 'skipped') as skipped_count "
            "from {rel} where invocation_id = ? group by resource_type "
            "order by node_count desc",
            params,
        )
        results = wh.read(
            RESULTS,
            "select node_name, resource_type, status, failures, message from {rel} "
            # an exposure's no-op is what exposures do, not a problem
            "where invocation_id = ? and status not in ('pass', 'success', 'no-op') "
            "order by case status when 'error' then 0 when 'fail' then 1 when 'warn' then 2 "
            "else 3 end, node_name",
            params,
        )
    return {
        "reconciliation": reconciliation,
        "by_rule": by_rule,
        "examples": examples,
        "freshness": pl.DataFrame(freshness),
        "checked_on": checked_on,
        "checked_against": checked_against,
        "run": run_info,
        "result_summary": summary,
        "problems": results,
    }


def summary(data: dict[str, Any]) -> dict[str, Any]:
    """The few figures the overview shows about data quality (all read, none derived)."""
    rec = data["reconciliation"]
    fresh = data["freshness"]
    run = data["run"]
    return {
        "raw_rows": int(rec["raw_rows"].sum()) if not rec.is_empty() else None,
        "quarantined_rows": int(rec["quarantined_rows"].sum()) if not rec.is_empty() else None,
        "all_reconciled": bool(rec["is_reconciled"].all()) if not rec.is_empty() else None,
        "stale_tables": fresh.filter(pl.col("status").is_in(["warn", "stale"]))[
            "table_name"
        ].to_list(),
        "checked_on": data["checked_on"],
        "warn_days": FRESHNESS_WARN_DAYS,
        "run": run,
    }


RECONCILIATION_COLUMNS = [
    Column("table_label", "data_quality.table"),
    Column("raw_rows", "data_quality.raw_rows", "integer"),
    Column("accepted_rows", "data_quality.accepted_rows", "integer"),
    Column("quarantined_rows", "data_quality.quarantined_rows", "integer"),
    Column("reconciled", "data_quality.reconciled"),
]
RULE_COLUMNS = [
    Column("table_label", "data_quality.table"),
    Column("rule", "data_quality.rule"),
    Column("quarantined_rows", "data_quality.quarantined_rows", "integer"),
    Column("first_load_date", "data_quality.first_load_date", "date"),
    Column("last_load_date", "data_quality.last_load_date", "date"),
]
EXAMPLE_COLUMNS = [
    Column("table_label", "data_quality.table"),
    Column("rule", "data_quality.rule"),
    Column("load_date", "data_quality.load_date", "date"),
    Column("raw_record", "data_quality.raw_record", "code"),
]
FRESHNESS_COLUMNS = [
    Column("table_label", "data_quality.table"),
    Column("latest_load_date", "data_quality.latest_load_date", "date"),
    Column("days_behind", "data_quality.days_behind", "integer"),
    Column("status_text", "data_quality.status"),
]
RESULT_SUMMARY_COLUMNS = [
    Column("resource_type", "data_quality.resource_type"),
    Column("node_count", "data_quality.nodes", "integer"),
    Column("passed_count", "data_quality.passed", "integer"),
    Column("warned_count", "data_quality.warned", "integer"),
    Column("failed_count", "data_quality.failed", "integer"),
    Column("skipped_count", "data_quality.skipped", "integer"),
]
PROBLEM_COLUMNS = [
    Column("node_name", "data_quality.node", "code"),
    Column("resource_type_label", "data_quality.resource_type"),
    Column("status_text", "data_quality.status"),
    Column("failures", "data_quality.failures", "integer"),
    Column("message", "data_quality.message", "code"),  # dbt's own words
]


def _translated(frame: pl.DataFrame, column: str, target: str, prefix: str, t) -> pl.DataFrame:
    """A copy with `target` holding the catalogue label of each code in `column`."""
    if frame.is_empty():
        return frame
    labels = [code_label(t, prefix, v) for v in frame[column].to_list()]
    return frame.with_columns(pl.Series(target, labels, dtype=pl.String))


def page(data: dict[str, Any], scope: Scope) -> Page:
    def context(lang: str) -> dict[str, Any]:
        from creditline.reports.messages import translator

        t = translator(lang)

        def tables(frame: pl.DataFrame) -> pl.DataFrame:
            return _translated(frame, "table_name", "table_label", "raw_table.", t)

        rec = tables(data["reconciliation"])
        if not rec.is_empty():
            rec = rec.with_columns(
                pl.Series(
                    "reconciled",
                    [t("common.yes") if v else t("common.no") for v in rec["is_reconciled"]],
                    dtype=pl.String,
                )
            )
        by_rule = tables(
            _translated(data["by_rule"], "quarantine_rule", "rule", "quarantine_rule.", t)
        )
        examples = tables(
            _translated(data["examples"], "quarantine_rule", "rule", "quarantine_rule.", t)
        )
        freshness = tables(_translated(data["freshness"], "status", "status_text", "freshness.", t))
        summary_frame = _translated(
            data["result_summary"], "resource_type", "resource_type", "resource_type.", t
        )
        problems = _translated(
            _translated(data["problems"], "resource_type", "resource_type_label",
                        "resource_type.", t),
            "status", "status_text", "dbt_status.", t,
        )  # fmt: skip
        return {
            "scope": scope,
            "reconciliation": rec,
            "reconciliation_columns": RECONCILIATION_COLUMNS,
            "by_rule": by_rule,
            "rule_columns": RULE_COLUMNS,
            "examples": examples,
            "example_columns": EXAMPLE_COLUMNS,
            "examples_per_rule": EXAMPLES_PER_RULE,
            "freshness": freshness,
            "freshness_columns": FRESHNESS_COLUMNS,
            "warn_days": FRESHNESS_WARN_DAYS,
            "error_days": FRESHNESS_ERROR_DAYS,
            "checked_on": data["checked_on"],
            "checked_against": data["checked_against"],
            "run": data["run"],
            "run_date": data["run"]["generated_at"].date() if data["run"] else None,
            "result_summary": summary_frame,
            "result_summary_columns": RESULT_SUMMARY_COLUMNS,
            "problems": problems,
            "problem_columns": PROBLEM_COLUMNS,
            "summary": summary(data),
        }

    return Page("data_quality", "data_quality.title", "data_quality.html.j2", context)
