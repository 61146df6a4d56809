"""`creditline build`: dbt build, then the run's metadata recorded in the warehouse.

Run metadata (when, how long, each node's status and failures) lives in its own
relations, `ops.dbt_runs` and `ops.dbt_results`, never inside a mart, so marts stay a pure
function of the raw data and the vars.
"""

import json
import os
import subprocess
from pathlib import Path

import duckdb

from creditline.dbt_runner import run_dbt
from creditline.paths import PROJECT_DIR

OPS_SCHEMA_SQL = """
create schema if not exists ops;
create table if not exists ops.dbt_runs (
    invocation_id varchar primary key,
    command varchar,
    generated_at timestamp,
    elapsed_seconds double,
    nodes integer,
    failed_nodes integer
);
create table if not exists ops.dbt_results (
    invocation_id varchar,
    unique_id varchar,
    resource_type varchar,
    node_name varchar,
    status varchar,
    execution_seconds double,
    failures bigint,
    message varchar
);
"""


def build_warehouse(
    dbt_args: list[str],
    *,
    db_path: Path,
    raw_root: Path | None = None,
    target_path: Path | None = None,
    capture: bool = False,
) -> subprocess.CompletedProcess:
    """Run `dbt build <args>` and record its run_results.json in ops.*; returns dbt's run."""
    result = run_dbt(
        ["build", *dbt_args],
        db_path=db_path,
        raw_root=raw_root,
        target_path=target_path,
        capture=capture,
    )
    target = target_path or os.environ.get("CREDITLINE_TARGET_PATH") or PROJECT_DIR / "target"
    results_file = Path(target) / "run_results.json"
    if results_file.is_file() and Path(db_path).is_file():
        record_run_results(Path(db_path), results_file)
    return result


def record_run_results(db_path: Path, results_file: Path) -> None:
    """Append one dbt invocation's results to ops.dbt_runs and ops.dbt_results."""
    run = json.loads(results_file.read_text())
    meta = run["metadata"]
    invocation = meta["invocation_id"]
    rows = [
        (
            invocation,
            r["unique_id"],
            r["unique_id"].split(".")[0],
            r["unique_id"].split(".")[-1],
            r["status"],
            r.get("execution_time"),
            r.get("failures"),
            (r.get("message") or "")[:500],
        )
        for r in run["results"]
    ]
    failed = sum(1 for r in rows if r[4] in ("error", "fail"))
    con = duckdb.connect(str(db_path))
    try:
        con.execute(OPS_SCHEMA_SQL)
        con.execute("delete from ops.dbt_results where invocation_id = ?", [invocation])
        con.execute("delete from ops.dbt_runs where invocation_id = ?", [invocation])
        con.execute(
            "insert into ops.dbt_runs values (?, ?, ?, ?, ?, ?)",
            [
                invocation,
                run.get("args", {}).get("which", "build"),
                meta["generated_at"].rstrip("Z"),
                run.get("elapsed_time"),
                len(rows),
                failed,
            ],
        )
        if rows:
            con.executemany("insert into ops.dbt_results values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    finally:
        con.close()
