"""The creditline command: help, one-line errors with exit code 2, and read-only SQL."""

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

CREDITLINE = str(Path(sys.executable).parent / "creditline")


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [CREDITLINE, *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize("command", ["generate", "build", "sql"])
def test_every_subcommand_has_help(command):
    result = run(command, "--help")
    assert result.returncode == 0
    assert "Usage:" in result.stdout


def test_missing_warehouse_is_one_line_and_exit_2(tmp_path):
    result = run("sql", "select 1", env={"CREDITLINE_DB": str(tmp_path / "none.duckdb")})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "warehouse not found" in result.stderr


def test_missing_raw_root_stops_build_with_one_line(tmp_path):
    result = run("build", env={"CREDITLINE_RAW": str(tmp_path / "nowhere")})
    assert result.returncode == 2
    assert "raw data root not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_failed_dbt_build_exits_1_not_2(tmp_path, monkeypatch, capsys):
    """A scheduler must tell a failed build (1, as dbt) from a mistake in the command (2)."""
    from creditline import build, cli

    monkeypatch.setenv("CREDITLINE_RAW", str(tmp_path))
    monkeypatch.setattr(
        build, "build_warehouse", lambda *a, **k: subprocess.CompletedProcess(a, returncode=2)
    )
    monkeypatch.setattr(sys, "argv", ["creditline", "build"])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 1
    assert capsys.readouterr().err == ("creditline: dbt build failed (exit 2); see the log above\n")


def test_bad_generate_argument_is_one_line(tmp_path):
    result = run("generate", "--out", str(tmp_path), "--start", "2024-13")
    assert result.returncode == 2
    assert result.stderr.startswith("creditline: ")
    assert "Traceback" not in result.stderr


def test_generate_writes_the_contract_and_reports_rows(tmp_path):
    result = run("generate", "--out", str(tmp_path), "--customers", "200", "--months", "3")
    assert result.returncode == 0, result.stderr
    assert "customers 200" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [
            "customers",
            "credit_lines",
            "limit_events",
            "loans",
            "installments",
            "repayments",
            "credit_scores",
            "credit_inquiries",
        ]
    )


@pytest.mark.integration
def test_sql_prints_and_writes_csv_and_parquet(built_warehouse, tmp_path):
    env = {"CREDITLINE_DB": str(built_warehouse)}
    query = (
        "select product_code, count(*) as lines from core.dim_credit_lines group by 1 order by 1"
    )
    printed = run("sql", query, env=env)
    assert printed.returncode == 0, printed.stderr
    assert "CASH" in printed.stdout and "CONSUMER" in printed.stdout
    for suffix in ("csv", "parquet"):
        out = tmp_path / f"lines.{suffix}"
        written = run("sql", query, "--out", str(out), env=env)
        assert written.returncode == 0, written.stderr
        frame = pl.read_csv(out) if suffix == "csv" else pl.read_parquet(out)
        assert frame["product_code"].to_list() == ["CASH", "CONSUMER"]
        assert frame["lines"].sum() > 0


@pytest.mark.integration
def test_sql_file_runs_and_writes_are_refused(built_warehouse, tmp_path):
    env = {"CREDITLINE_DB": str(built_warehouse)}
    query_file = tmp_path / "count.sql"
    query_file.write_text("select count(*) as n from core.fct_loans")
    assert run("sql", str(query_file), env=env).returncode == 0
    refused = run("sql", "create table core.x as select 1", env=env)
    assert refused.returncode == 2
    assert "read-only" in refused.stderr.lower()
    bad = run("sql", "select * from no_such_table", env=env)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_a_report_from_a_missing_spark_warehouse_is_one_line_and_exit_2(tmp_path):
    result = run(
        "report",
        "--target",
        "spark",
        "--out",
        str(tmp_path / "site"),
        env={"CREDITLINE_SPARK_DIR": str(tmp_path / "no-spark")},
    )
    assert result.returncode == 2
    # Without the spark extra: "pyspark is not installed"; with it: "no Spark warehouse".
    assert result.stderr.strip().splitlines()[-1].startswith("creditline: ")
    assert "pyspark is not installed" in result.stderr or "no Spark warehouse" in result.stderr
    assert not (tmp_path / "site").exists()


@pytest.fixture()
def two_schema_warehouse(tmp_path) -> dict:
    """A hand-made warehouse file: fct_x in both core and risk, only_here in risk alone."""
    import duckdb

    db = tmp_path / "two.duckdb"
    con = duckdb.connect(str(db))
    con.execute("""
        create schema core;
        create schema risk;
        create table core.fct_x as select 1 as x;
        create table risk.fct_x as select 2 as x;
        create view risk.only_here as select 42 as answer;
        comment on table core.fct_x is 'One row per x.  A second sentence
            over two lines.';
    """)
    con.close()
    return {"CREDITLINE_DB": str(db)}


def test_an_unqualified_name_resolves_in_the_warehouse_schemas(two_schema_warehouse):
    result = run("sql", "select answer from only_here", env=two_schema_warehouse)
    assert result.returncode == 0, result.stderr
    assert "42" in result.stdout


def test_a_name_in_two_schemas_is_one_line_listing_them_and_exit_2(two_schema_warehouse):
    result = run("sql", "select * from only_here join fct_x on true", env=two_schema_warehouse)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "fct_x is in more than one schema (core, risk)" in result.stderr
    qualified = run("sql", "select x from risk.fct_x", env=two_schema_warehouse)
    assert qualified.returncode == 0 and "2" in qualified.stdout


def test_a_cte_named_like_a_relation_is_not_ambiguous(two_schema_warehouse):
    result = run(
        "sql", "with fct_x as (select 7 as x) select x from fct_x", env=two_schema_warehouse
    )
    assert result.returncode == 0, result.stderr
    assert "7" in result.stdout


def test_schema_lists_each_relation_with_the_first_sentence_of_its_comment(two_schema_warehouse):
    result = run("sql", "--schema", env=two_schema_warehouse)
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines()]
    assert lines == [
        ["core.fct_x", "table", "One", "row", "per", "x."],
        ["risk.fct_x", "table"],
        ["risk.only_here", "view"],
    ]


def test_sql_needs_a_query_or_schema_but_not_both(two_schema_warehouse):
    neither = run("sql", env=two_schema_warehouse)
    both = run("sql", "select 1", "--schema", env=two_schema_warehouse)
    for result in (neither, both):
        assert result.returncode == 2
        assert result.stderr.startswith("creditline: ") and result.stderr.count("\n") == 1


@pytest.mark.integration
def test_an_unqualified_fact_prints_its_count_and_schema_describes_it(built_warehouse):
    import duckdb

    env = {"CREDITLINE_DB": str(built_warehouse)}
    con = duckdb.connect(str(built_warehouse), read_only=True)
    expected = con.sql("select count(*) from core.fct_installments").fetchall()[0][0]
    con.close()
    counted = run("sql", "select count(*) as n from fct_installments", env=env)
    assert counted.returncode == 0, counted.stderr
    assert f"│ {expected} " in counted.stdout
    described = run("sql", "--schema", env=env)
    assert described.returncode == 0, described.stderr
    assert any(
        line.startswith("core.fct_installments ") and line.split()[1:3] == ["view", "One"]
        for line in described.stdout.splitlines()
    )
