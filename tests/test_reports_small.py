"""Reports of small, empty and hostile warehouses (an empty or one-month warehouse renders with
"not enough data yet" notes; hostile strings from the data stay text) and the `creditline
report` command (mistakes are one line and exit code 2). Apart from test_reports.py so the
two files' builds run on different xdist workers."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dbt_support import dbt_ok
from selectolax.lexbor import LexborHTMLParser
from test_reports import PAGES, html, row_by_first_cell, table, tile_value

from creditline.reports.build_site import render_reports
from creditline.reports.formatting import date
from creditline.reports.messages import translate


def test_empty_warehouse_renders_every_page_with_not_enough_data_notes(tmp_path):
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    index_file = render_reports(db, tmp_path / "site", docs=False)
    assert index_file == tmp_path / "site" / "index.html"
    for page in PAGES:
        for lang in ("en", "zh"):
            doc = html(tmp_path / "site", page, lang)
            assert doc.css(".not-enough-data"), f"{page} ({lang}) has no not-enough-data note"


@pytest.fixture(scope="module")
def tiny_warehouse(tmp_path_factory) -> Path:
    """A new lender: one month of data, 50 customers, built with dbt."""
    from creditline.generate import generate_portfolio

    work = tmp_path_factory.mktemp("tiny")
    raw = work / "raw"
    generate_portfolio(raw, customers=50, start="2024-01", months=1, seed=3)
    # Every table must be delivered, even empty; one month may hold no repayment yet.
    repayments = raw / "repayments" / "load_date=2024-01-31"
    if not (raw / "repayments").is_dir():
        repayments.mkdir(parents=True)
        duckdb.sql(
            "copy (select ''::varchar as repayment_id, ''::varchar as loan_id, "
            "timestamp '2024-01-01' as paid_at, 0.0::double as amount limit 0) "
            f"to '{repayments / 'part-00000.parquet'}' (format parquet)"
        )
    db = work / "tiny.duckdb"
    # unit tests check code, not data: they run in the shared integration build
    dbt_ok(["build", "--exclude-resource-type", "unit_test"], db, raw, work / "target")
    return db


@pytest.mark.integration
def test_one_month_warehouse_renders_with_not_enough_data_notes(tiny_warehouse, tmp_path):
    render_reports(tiny_warehouse, tmp_path, docs=False)
    for lang in ("en", "zh"):
        overview = html(tmp_path, "index", lang)
        assert tile_value(overview, "exposure") != "–"
        risk = html(tmp_path, "portfolio_risk", lang)
        notes = risk.css(".not-enough-data")
        assert len(notes) >= 5
        assert risk.css_first("#chart-delinquency .not-enough-data") is not None
        assert risk.css_first("#heat-roll .not-enough-data") is not None
        assert html(tmp_path, "closures", lang).css(".not-enough-data")
    expected = translate("common.needs_two_months", "zh")
    assert expected in html(tmp_path, "portfolio_risk", "zh").body.text()


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & 逾期'


def test_hostile_strings_from_the_data_are_shown_as_text(tmp_path):
    db = tmp_path / "hostile.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema staging")
    con.execute(
        "create table staging.stg_quarantined_rows as select 'loans' as table_name, "
        "'wrong_type' as quarantine_rule, ? as raw_record, date '2024-01-31' as load_date",
        [HOSTILE],
    )
    con.close()
    render_reports(db, tmp_path / "site", langs=("en",), docs=False)
    page = (tmp_path / "site" / "data_quality.html").read_text()
    doc = LexborHTMLParser(page)
    assert not doc.css("main script") and not doc.css("main img")
    rows = table(doc, "table-quarantine-examples")
    assert rows[0][3] == HOSTILE
    assert "&lt;script&gt;" in page


# --- the command line --------------------------------------------------------------------


def run_report(*args: str, db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "CREDITLINE_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "creditline.cli", "report", *args], env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip


def test_report_command_renders_and_prints_the_index_path(built_warehouse, tmp_path):
    result = run_report("--out", str(tmp_path), "--lang", "en", "--no-docs", db=built_warehouse)
    assert result.returncode == 0, result.stderr
    assert f"Reports: {tmp_path / 'index.html'}" in result.stdout
    assert (tmp_path / "portfolio_risk.html").is_file()
    assert not (tmp_path / "zh").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--as-of", "2024/03"), "--as-of must be a month as YYYY-MM"),
        (("--as-of", "1999-01"), "outside the warehouse's months"),
    ],
)
def test_report_command_rejects_a_bad_month_in_one_line(built_warehouse, tmp_path, args, message):
    result = run_report("--out", str(tmp_path), "--no-docs", *args, db=built_warehouse)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_report_command_without_a_warehouse_fails_in_one_line(tmp_path):
    result = run_report("--out", str(tmp_path), db=tmp_path / "missing.duckdb")
    assert result.returncode == 2
    assert result.stderr.startswith("creditline: warehouse not found")
    assert result.stderr.count("\n") == 1


# --- data quality: good news and freshness (issue 17, item 21) ---------------------------


def quality_warehouse(db: Path, *, quarantined: int, built_at: str | None) -> Path:
    """A hand-made warehouse with just what the data-quality page reads: loans delivered up
    to 30 Jun 2025 (also the data's as-of date), `quarantined` of its rows set aside, and
    a dbt build recorded at `built_at` (none when None)."""
    con = duckdb.connect(str(db))
    for schema in ("staging", "intermediate", "ops"):
        con.execute(f"create schema {schema}")
    con.execute(
        "create table staging.stg_row_reconciliation as select 'loans' as table_name, "
        "10 as raw_rows, 10 - ? as accepted_rows, ? as quarantined_rows, true as is_reconciled",
        [quarantined, quarantined],
    )
    con.execute(
        "create table staging.stg_quarantined_rows as select 'loans' as table_name, "
        "'wrong_type' as quarantine_rule, date '2025-06-30' as load_date, ? as raw_record "
        "from range(?)",
        ['{"loan_id": "N1", "repayment_method": "equal_installment"}', quarantined],
    )
    con.execute("create table staging.base_loans_checked as select date '2025-06-30' as load_date")
    con.execute("create table intermediate.int_as_of_date as select date '2025-06-30' as as_of_on")
    if built_at is not None:
        con.execute(
            "create table ops.dbt_runs as select 'run-1' as invocation_id, 'build' as command, "
            "?::timestamp as generated_at, 12.0 as elapsed_seconds, 2 as nodes, "
            "0 as failed_nodes",
            [built_at],
        )
        # an exposure's no-op is not a problem
        con.execute(
            "create table ops.dbt_results as select * from (values "
            "('run-1', 'model.x', 'model', 'x', 'success', 1.0, 0, 'OK'), "
            "('run-1', 'exposure.y', 'exposure', 'y', 'no-op', 0.0, 0, 'NO-OP')) "
            "as t(invocation_id, unique_id, resource_type, node_name, status, "
            "execution_seconds, failures, message)"
        )
    con.close()
    return db


def test_nothing_quarantined_and_no_failed_test_read_as_good_news(tmp_path):
    db = quality_warehouse(tmp_path / "q.duckdb", quarantined=0, built_at="2026-07-01 10:00")
    render_reports(db, tmp_path / "site", docs=False)
    for lang in ("en", "zh"):
        doc = html(tmp_path / "site", "data_quality", lang)
        for table_id in ("table-quarantine", "table-quarantine-examples", "table-dbt-problems"):
            assert doc.css_first(f"#{table_id} .all-clear") is not None, (lang, table_id)
            assert doc.css_first(f"#{table_id} .not-enough-data") is None, (lang, table_id)
    # quarantined rows are shown as a table, not as good news
    db = quality_warehouse(tmp_path / "q2.duckdb", quarantined=2, built_at="2026-07-01 10:00")
    render_reports(db, tmp_path / "site2", langs=("zh",), docs=False)
    doc = LexborHTMLParser((tmp_path / "site2" / "data_quality.html").read_text("utf-8"))
    assert doc.css_first("#table-quarantine .all-clear") is None
    assert len(table(doc, "table-quarantine-examples")) == 2
    assert doc.css("#table-quarantine-examples td code")  # a raw record is quoted, as code


def test_freshness_is_judged_against_the_last_build_not_the_datas_own_as_of_date(tmp_path):
    # the extract ends 30 Jun 2025, its own as-of date; the build ran a year later
    db = quality_warehouse(tmp_path / "q.duckdb", quarantined=0, built_at="2026-07-01 10:00")
    render_reports(db, tmp_path / "site", docs=False)
    for lang in ("en", "zh"):
        doc = html(tmp_path / "site", "data_quality", lang)
        cells = row_by_first_cell(table(doc, "table-freshness"),
                                  translate("raw_table.loans", lang))  # fmt: skip
        assert cells[2] == "366"
        assert cells[3] == translate("freshness.stale", lang)
        intro = doc.css_first("#freshness + p").text()
        built = translate("data_quality.checked_against.build", lang)
        assert date(dt.date(2026, 7, 1), lang) in intro and built in intro
        quality = html(tmp_path / "site", "index", lang).css_first('[data-figure="quality"]')
        assert translate("raw_table.loans", lang) in quality.text()  # listed as behind


def test_without_a_recorded_build_freshness_is_judged_against_the_render_date(tmp_path):
    from creditline.reports import data_quality
    from creditline.reports.marts import Warehouse, scope_of

    db = quality_warehouse(tmp_path / "q.duckdb", quarantined=0, built_at=None)
    con = duckdb.connect(str(db), read_only=True)
    try:
        wh = Warehouse(con)
        data = data_quality.load(wh, scope_of(wh), today=dt.date(2025, 7, 1))
    finally:
        con.close()
    assert (data["checked_on"], data["checked_against"]) == (dt.date(2025, 7, 1), "render")
    loans = data["freshness"].filter(pl.col("table_name") == "loans").row(0, named=True)
    assert (loans["days_behind"], loans["status"]) == (1, "fresh")
