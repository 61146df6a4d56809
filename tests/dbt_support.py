"""Running dbt from tests: shared by conftest.py and the suites that build their own
hand-made extracts (imported by name; `conftest` itself is ambiguous with tests/e2e)."""

from pathlib import Path

import pytest

from creditline.dbt_runner import run_dbt

# The integration portfolio: small enough for CI, large enough for every archetype.
SMALL_PORTFOLIO = {"customers": 3_000, "start": "2023-01", "months": 24, "seed": 7}


def dbt_ok(args: list[str], db: Path, raw: Path, target: Path) -> None:
    """Run dbt and fail the test with dbt's own output when it does not succeed."""
    result = run_dbt(args, db_path=db, raw_root=raw, target_path=target, capture=True)
    if result.returncode != 0:
        output = f"{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
        pytest.fail(f"dbt {' '.join(args)} failed:\n{output}")
