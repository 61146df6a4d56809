"""`creditline check`: a raw extract's rows read, quarantined rows by rule with examples,
optional columns, date ranges and features, from the project's own staging models; exit 0
when it builds, 1 with one line at the first blocking problem, 2 for a mistake in the
command; the warehouse is never touched.

The blocking problems are found before dbt starts (fast lane). Two tests run the staging
models with dbt (integration): a clean book and a dirty one.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from dbt_support import dbt_ok
from raw_fixtures import valid_extract, write_corrupt_parquet, write_raw

from creditline import check
from creditline.generate import generate_portfolio

CREDITLINE = str(Path(sys.executable).parent / "creditline")


def run_check(raw: Path, *args: str, db: Path | None = None) -> subprocess.CompletedProcess:
    """`creditline check --raw RAW ARGS` in a child process, as a scheduler runs it."""
    env = {**os.environ, "CREDITLINE_DB": str(db or raw.parent / "never" / "creditline.duckdb")}
    return subprocess.run(
        [CREDITLINE, "check", "--raw", str(raw), *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def assert_blocked(result: subprocess.CompletedProcess, *named: str) -> None:
    """Exit 1 and one line on stderr naming the problem."""
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "Traceback" not in result.stderr
    for text in named:
        assert text in result.stderr


def raw_counts(raw: Path) -> dict[str, int]:
    """Rows per table on disk, counted straight from the files."""
    con = duckdb.connect()
    try:
        return {
            table: con.sql(
                f"select count(*) from read_parquet('{raw}/{table}/*/*.parquet', "
                "union_by_name = true)"
            ).fetchall()[0][0]
            for table in (t.name for t in check.read_contract())
        }
    finally:
        con.close()


# --- the contract ------------------------------------------------------------------------


def test_optional_columns_are_the_ones_flagged_in_the_sources_yaml(tmp_path):
    spec = yaml.safe_load(check.SOURCES_YML.read_text())
    tables = spec["sources"][0]["tables"]
    for table in tables:  # no flag anywhere, then one on customers.channel
        for column in table["columns"]:
            column.get("config", {}).get("meta", {}).pop("optional", None)
    channel = next(c for c in tables[0]["columns"] if c["name"] == "channel")
    channel.setdefault("config", {}).setdefault("meta", {})["optional"] = True
    copy = tmp_path / "_lender__sources.yml"
    copy.write_text(yaml.safe_dump(spec))

    optional = [
        (table.name, column.name)
        for table in check.read_contract(copy)
        for column in table.columns
        if column.optional
    ]

    assert optional == [("customers", "channel")]


def test_each_table_is_dated_by_its_first_required_date_column():
    dated_by = {table.name: table.date_column.name for table in check.read_contract()}
    assert dated_by == {
        "customers": "created_at",
        "credit_lines": "opened_at",
        "limit_events": "event_at",
        "loans": "drawn_at",
        "installments": "due_date",
        "repayments": "paid_at",
        "credit_scores": "scored_at",
        "credit_inquiries": "inquired_at",
    }


def test_optional_columns_absent_from_every_file_do_not_block(tmp_path):
    raw = write_raw(tmp_path / "raw", valid_extract())
    contract = check.read_contract()
    for table in contract:  # an older extract: no optional column at all
        optional = [column.name for column in table.columns if column.optional]
        for path in (raw / table.name).glob("*/*.parquet"):
            data = pq.read_table(path)
            pq.write_table(data.drop_columns([c for c in optional if c in data.column_names]), path)

    scanned = check.scan_extract(raw, contract)

    for table in contract:
        for column in table.columns:
            if column.optional:
                assert column.name not in scanned[table.name].columns
    assert scanned["loans"].load_dates == ["2024-01-31"]


# --- blocking problems and mistakes (found before dbt starts) ------------------------------


def test_a_missing_table_folder_exits_1_naming_the_table(tmp_path):
    raw = write_raw(tmp_path / "raw", valid_extract())
    shutil.rmtree(raw / "credit_scores")

    result = run_check(raw)

    assert_blocked(result, "credit_scores", "table folder missing")


def test_an_unreadable_file_exits_1_naming_the_file(tmp_path):
    raw = write_raw(tmp_path / "raw", valid_extract())
    garbage = write_corrupt_parquet(raw, "loans", file_name="x")

    result = run_check(raw, "--json")

    assert_blocked(result, str(garbage))
    assert json.loads(result.stdout) == {
        "raw_root": str(raw),
        "builds": False,
        "problem": result.stderr.strip().removeprefix("creditline: "),
    }


def test_a_contract_column_in_no_file_exits_1_naming_it(tmp_path):
    raw = write_raw(tmp_path / "raw", valid_extract())
    for path in (raw / "customers").glob("*/*.parquet"):
        pq.write_table(pq.read_table(path).drop_columns(["channel"]), path)

    result = run_check(raw)

    assert_blocked(result, "customers", "column channel")


def test_a_file_outside_a_load_date_folder_exits_1(tmp_path):
    raw = write_raw(tmp_path / "raw", valid_extract())
    stray = raw / "loans" / "2024-01-31" / "part-0.parquet"
    stray.parent.mkdir()
    shutil.copyfile(next((raw / "loans").glob("load_date=*/*.parquet")), stray)

    result = run_check(raw)

    assert_blocked(result, str(stray), "load_date=")


def test_a_raw_root_that_does_not_exist_is_a_mistake_exit_2(tmp_path):
    result = run_check(tmp_path / "nowhere")

    assert result.returncode == 2
    assert result.stderr == f"creditline: raw data root not found: {tmp_path / 'nowhere'}\n"


def test_dbt_errors_are_reported_as_the_failed_nodes_message_on_one_line(tmp_path):
    (tmp_path / "run_results.json").write_text(
        json.dumps(
            {
                "results": [
                    {"unique_id": "seed.creditline.products", "status": "success"},
                    {
                        "unique_id": "model.creditline.base_loans_checked",
                        "status": "error",
                        "message": "IO Error: cannot read\n  file x.parquet",
                    },
                ]
            }
        )
    )

    error = check._first_dbt_error("", tmp_path)

    assert error == "base_loans_checked: IO Error: cannot read file x.parquet"


# --- with dbt ------------------------------------------------------------------------------


def add_typed_repayment(raw: Path) -> None:
    """One more valid repayment, in its own file, with the optional columns filled in: a
    settlement type and penalty interest paid (files of one table may differ in columns)."""
    con = duckdb.connect()
    loan_id, drawn_at = con.sql(
        f"select loan_id, drawn_at from read_parquet('{raw}/loans/*/*.parquet') "
        "order by drawn_at, loan_id limit 1"
    ).fetchall()[0]
    con.close()
    last_load = sorted((raw / "repayments").glob("load_date=*"))[-1]
    row = pa.table(
        {
            "repayment_id": ["R_TYPED_1"],
            "loan_id": [loan_id],
            "paid_at": pa.array([drawn_at], pa.timestamp("us")),
            "amount": [150.0],
            "repayment_type": ["prepayment"],
            "penalty_paid": [1.5],
        }
    )
    pq.write_table(row, last_load / "typed.parquet")


def expected_features(raw: Path) -> list[str]:
    """The features, worked out from the raw files (every row of a clean book is accepted)."""
    con = duckdb.connect()

    def has_values(table: str, column: str) -> bool:
        try:
            return con.sql(
                f"select count({column}) > 0 from read_parquet('{raw}/{table}/*/*.parquet', "
                "union_by_name = true)"
            ).fetchall()[0][0]
        except duckdb.BinderException:  # in no file
            return False

    typed = has_values("repayments", "repayment_type")
    features = ["settlements typed" if typed else "settlements inferred"]
    if has_values("installments", "recut_on"):
        features.append("re-cut schedules")
    if has_values("loans", "penalty_rate") or has_values("repayments", "penalty_paid"):
        features.append("penalty interest")
    con.close()
    return features


@pytest.mark.integration
def test_a_clean_book_reads_every_row_quarantines_none_and_leaves_no_warehouse(tmp_path):
    raw = tmp_path / "raw"
    generate_portfolio(raw, customers=200, start="2023-01", months=8, seed=11)
    add_typed_repayment(raw)
    warehouse = tmp_path / "warehouse" / "creditline.duckdb"

    result = run_check(raw, "--json", db=warehouse)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["builds"] is True
    counts = raw_counts(raw)
    assert {name: t["rows_read"] for name, t in report["tables"].items()} == counts
    assert report["quarantined"] == 0
    assert all(t["quarantine_rules"] == [] for t in report["tables"].values())
    repayments = report["tables"]["repayments"]
    assert {"repayment_type", "penalty_paid"} <= set(repayments["optional_columns"]["present"])
    assert report["features"] == expected_features(raw)
    assert {"settlements typed", "penalty interest"} <= set(report["features"])
    loads = report["tables"]["loans"]["load_dates"]
    assert (loads["first"], loads["last"], loads["count"]) == ("2023-01-31", "2023-08-31", 8)
    # nothing written where the warehouse would be
    assert not warehouse.exists() and not warehouse.parent.exists()

    text = run_check(raw, db=warehouse)
    assert text.returncode == 0
    assert f"repayments: {counts['repayments']:,} rows read" in text.stdout
    assert "Features: settlements typed" in text.stdout


@pytest.mark.integration
def test_a_dirty_book_reports_what_a_staging_build_quarantines(tmp_path):
    raw = tmp_path / "raw"
    generate_portfolio(raw, customers=300, start="2023-01", months=12, seed=5, dirty_rate=0.05)
    warehouse = tmp_path / "creditline.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create table kept as select 42 as answer")
    con.close()
    before = (warehouse.read_bytes(), warehouse.stat().st_mtime_ns)

    result = run_check(raw, "--json", db=warehouse)

    assert result.returncode == 0, result.stderr  # quarantined rows do not block
    report = json.loads(result.stdout)
    assert (warehouse.read_bytes(), warehouse.stat().st_mtime_ns) == before

    # The same staging models built (with their data tests) the usual way.
    # (not staging.duckdb: a database named like a schema makes `staging.x` ambiguous)
    built = tmp_path / "built.duckdb"
    dbt_ok(
        ["build", "--select", "+stg_quarantined_rows", "+stg_row_reconciliation"],
        built,
        raw,
        tmp_path / "target",
    )
    con = duckdb.connect(str(built), read_only=True)
    by_rule = con.sql(
        "select table_name, quarantine_rule, count(*) from staging.stg_quarantined_rows "
        "group by all"
    ).fetchall()
    reconciled = con.sql(
        "select table_name, raw_rows, accepted_rows, quarantined_rows "
        "from staging.stg_row_reconciliation"
    ).fetchall()
    con.close()

    reported = {
        (name, rule["rule"]): rule["rows"]
        for name, table in report["tables"].items()
        for rule in table["quarantine_rules"]
    }
    assert reported == {(name, rule): rows for name, rule, rows in by_rule}
    assert report["quarantined"] > 0
    keys = {table.name: table.key for table in check.read_contract()}
    for name, raw_rows, accepted, quarantined in reconciled:
        table = report["tables"][name]
        assert (table["rows_read"], table["accepted"], table["quarantined"]) == (
            raw_rows,
            accepted,
            quarantined,
        )
        assert table["rows_read"] == table["accepted"] + table["quarantined"]
        for rule in table["quarantine_rules"]:
            assert 1 <= len(rule["examples"]) <= min(3, rule["rows"])
            for example in rule["examples"]:
                assert set(example["key"]) <= set(keys[name])
