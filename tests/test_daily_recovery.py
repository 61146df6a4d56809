"""Integration tests of the scheduled run that work on a copy of a published warehouse: a
re-run changes nothing, a failing test or a killed run never touches the published file,
readers are never blocked, and runs never overlap.

The published warehouse is one full daily run of a small generated history (cheaper than
test_daily.py's incremental history, and built in parallel with it); each test appends the
next day to its own copy.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_daily import (
    FIRST_DAY,
    PORTFOLIO,
    cli_env,
    copy_of,
    daily,
    daily_command,
    fingerprints,
    scalar,
)

from creditline.daily import EXIT_BUSY, EXIT_FAILED, EXIT_OK
from creditline.generate import generate_portfolio
from creditline.lock import RunLock
from creditline.paths import PROJECT_DIR
from creditline.synth.append import append_day

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A warehouse published by one full daily run of the generated history (load dates up
    to the day before FIRST_DAY), with its raw root."""
    root = tmp_path_factory.mktemp("published")
    raw, db = root / "raw", root / "wh" / "creditline.duckdb"
    generate_portfolio(raw, **PORTFOLIO)
    first = daily(db, raw, FIRST_DAY)
    assert first.exit_code == EXIT_OK, first.summary
    return {"raw": raw, "db": db, "runs": [first]}


def test_a_rerun_of_the_same_load_date_changes_nothing(published, tmp_path):
    raw, db = copy_of(published, tmp_path)
    before = fingerprints(db)
    again = daily(db, raw, FIRST_DAY)
    assert again.exit_code == EXIT_OK, again.summary
    assert again.mode == "incremental"
    assert fingerprints(db) == before
    assert scalar(db, "select count(*) from ops.daily_runs") == len(published["runs"]) + 1


def test_a_failing_data_test_leaves_the_published_warehouse_untouched(published, tmp_path):
    raw, db = copy_of(published, tmp_path)
    day = FIRST_DAY
    append_day(raw, day, seed=3)
    # an increase whose limit_before is not the line's limit: staging accepts it (every
    # column is valid), the limit-chain test fails on it
    line_id, last_at = (
        duckdb.connect(str(db), read_only=True)
        .sql(
            "select line_id, max(event_at) from core.fct_limit_events group by 1 order by 1 limit 1"
        )
        .fetchall()[0]
    )
    folder = raw / "limit_events" / f"load_date={day}"
    pq.write_table(
        pa.table(
            {
                "event_id": ["EBROKEN00001"],
                "line_id": [line_id],
                "event_at": pa.array([last_at + timedelta(hours=1)], pa.timestamp("us")),
                "event_type": ["increase"],
                "limit_before": [1.23],
                "limit_after": [99999.0],
                "reason_code": ["PERIODIC_REVIEW"],
                "initiated_by": ["system"],
            }
        ),
        folder / "broken.parquet",
    )
    # and a row staging must quarantine, to be named in the summary
    pq.write_table(
        pa.table(
            {
                "repayment_id": ["RBAD00000001"],
                "loan_id": ["NO-SUCH-LOAN"],
                "paid_at": pa.array(
                    [datetime(day.year, day.month, day.day, 9)], pa.timestamp("us")
                ),
                "amount": [10.0],
            }
        ),
        raw / "repayments" / f"load_date={day}" / "bad.parquet",
    )
    published_bytes = db.read_bytes()

    result = daily(db, raw, day + timedelta(days=1))

    assert result.exit_code == EXIT_FAILED
    assert any("assert_limit_chain_is_continuous" in name for name in result.failing_tests)
    assert "assert_limit_chain_is_continuous" in result.summary
    assert ("repayments", "orphan", 1) in result.quarantined
    assert "repayments orphan 1" in result.summary
    assert db.read_bytes() == published_bytes
    assert not db.with_name(db.name + ".building").exists()


def test_a_second_run_is_refused_while_one_is_in_progress(published, tmp_path):
    raw, db = copy_of(published, tmp_path)
    before = db.stat().st_mtime_ns
    with RunLock(db.with_name(db.name + ".lock")):  # another process's run, as the OS sees it
        started = time.monotonic()
        second = subprocess.run(
            daily_command(FIRST_DAY),
            env=cli_env(db, raw),
            capture_output=True,
            text=True,
        )
    assert second.returncode == EXIT_BUSY
    assert "another daily run is in progress" in second.stdout
    assert time.monotonic() - started < 20
    assert db.stat().st_mtime_ns == before
    assert not db.with_name(db.name + ".building").exists()
    assert not (db.parent / ".daily" / "target").exists()


def start_daily_in_background(db: Path, raw: Path, run_date: date) -> subprocess.Popen:
    """A daily run in its own process group; returns once it is building in the copy."""
    process = subprocess.Popen(
        daily_command(run_date),
        env=cli_env(db, raw),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    building = db.with_name(db.name + ".building")
    while not (building.exists() and (db.parent / ".daily" / "target" / "sources.json").exists()):
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline
        time.sleep(0.2)
    return process


def test_readers_work_on_the_published_warehouse_during_a_run(published, tmp_path):
    raw, db = copy_of(published, tmp_path)
    day = FIRST_DAY
    append_day(raw, day, seed=3)
    loans_before = scalar(db, "select count(*) from core.fct_loans")
    run = start_daily_in_background(db, raw, day + timedelta(days=1))
    try:
        started = time.monotonic()
        reader = subprocess.run(
            [
                sys.executable,
                "-m",
                "creditline.cli",
                "sql",
                "select count(*) as loans from core.fct_loans",
            ],
            env=cli_env(db, raw),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert reader.returncode == 0, reader.stderr
        assert f"{loans_before}" in reader.stdout
        assert time.monotonic() - started < 30
        assert run.poll() is None  # the reader finished while the run was still going
    finally:
        output, _ = run.communicate(timeout=300)
    assert run.returncode == EXIT_OK, output
    assert scalar(db, "select count(*) from core.fct_loans") > loans_before


def test_a_run_killed_midway_leaves_the_warehouse_usable_and_the_next_run_recovers(
    published, tmp_path
):
    raw, db = copy_of(published, tmp_path)
    day = FIRST_DAY
    append_day(raw, day, seed=3)
    before = fingerprints(db)
    run = start_daily_in_background(db, raw, day + timedelta(days=1))
    time.sleep(3)  # well inside dbt build
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=30)

    assert db.with_name(db.name + ".building").exists()  # the crash left its copy behind
    assert fingerprints(db) == before  # the published warehouse is intact and readable

    again = subprocess.run(
        daily_command(day + timedelta(days=1)),
        env=cli_env(db, raw),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=PROJECT_DIR,
    )
    assert again.returncode == EXIT_OK, again.stdout + again.stderr
    assert "Discarded creditline.duckdb.building" in again.stderr
    assert not db.with_name(db.name + ".building").exists()
    assert scalar(db, "select max(load_date) from staging.stg_repayments") == day
