"""Shared fixtures: a dbt runner bound to a temporary warehouse, and one small generated
portfolio built once per test session for the integration suites."""

from pathlib import Path

import duckdb
import pytest
from dbt_support import SMALL_PORTFOLIO

from creditline.build import build_warehouse


@pytest.fixture(scope="session")
def small_portfolio(tmp_path_factory) -> Path:
    """Raw files of the small generated portfolio (clean)."""
    from creditline.generate import generate_portfolio

    raw = tmp_path_factory.mktemp("raw")
    generate_portfolio(raw, **SMALL_PORTFOLIO)
    return raw


@pytest.fixture(scope="session")
def built_warehouse(small_portfolio, tmp_path_factory) -> Path:
    """The small portfolio built with `dbt build` into a temporary DuckDB file."""
    work = tmp_path_factory.mktemp("warehouse")
    db = work / "creditline.duckdb"
    result = build_warehouse([], db_path=db, raw_root=small_portfolio,
                             target_path=work / "target", capture=True)
    if result.returncode != 0:
        pytest.fail(f"dbt build failed:\n{result.stdout[-6000:]}")
    return db


@pytest.fixture()
def warehouse(built_warehouse):
    """A read-only connection to the built small warehouse."""
    con = duckdb.connect(str(built_warehouse), read_only=True)
    yield con
    con.close()
