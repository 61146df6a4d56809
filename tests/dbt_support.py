"""Running dbt from tests: shared by conftest.py and the suites that build their own
hand-made extracts (imported by name; `conftest` itself is ambiguous with tests/e2e)."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from raw_fixtures import write_raw

from creditline.dbt_runner import run_dbt

# The integration portfolio: small enough for CI, large enough for every archetype.
SMALL_PORTFOLIO = {"customers": 3_000, "start": "2023-01", "months": 24, "seed": 7}


def dbt_ok(args: list[str], db: Path, raw: Path, target: Path) -> None:
    """Run dbt and fail the test with dbt's own output when it does not succeed."""
    result = run_dbt(args, db_path=db, raw_root=raw, target_path=target, capture=True)
    if result.returncode != 0:
        output = f"{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
        pytest.fail(f"dbt {' '.join(args)} failed:\n{output}")


@contextmanager
def built_book(
    work: Path, tables: dict[str, list[dict]], selection: list[str], dbt_vars: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A hand-built book (raw rows, loaded on 2024-06-30) built with dbt: only the selected
    models and their parents, with their data tests but not the unit tests, which run in
    the full builds. Yields a read-only connection to the warehouse."""
    raw = write_raw(work / "raw", tables, load_date="2024-06-30")
    db = work / "book.duckdb"
    args = ["build", "--select", *selection, "--indirect-selection", "cautious",
            "--exclude", "test_type:unit"]  # fmt: skip
    if dbt_vars:
        args += ["--vars", dbt_vars]
    dbt_ok(args, db, raw, work / "target")
    con = duckdb.connect(str(db), read_only=True)
    try:
        yield con
    finally:
        con.close()
