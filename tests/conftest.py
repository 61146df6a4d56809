"""Shared fixtures: one small generated portfolio, built once per test run for the
integration suites (once for all xdist workers), and the test lanes.

Lanes: `make test-fast` runs `-m "not integration and not browser"` and sets
CREDITLINE_TEST_LANE=fast, where starting dbt fails the test: a test that builds a
warehouse must be marked `integration`. Tests using `built_warehouse` are marked
`integration` here, and tests using the Chromium `browser` fixture `browser`.
"""

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from dbt_support import SMALL_PORTFOLIO
from filelock import FileLock

from creditline.build import build_warehouse


def pytest_collection_modifyitems(items):
    for item in items:
        if "built_warehouse" in item.fixturenames:
            item.add_marker(pytest.mark.integration)
        if "browser" in item.fixturenames:
            item.add_marker(pytest.mark.browser)
    items.sort(key=_file_order(items))


def _file_order(items) -> Callable:
    """The order xdist hands files out in (make test passes --no-loadscope-reorder): one file
    that needs the shared build first, so one worker builds it while the other builds the
    files' own books; then the other files that build, then the quick ones, which fill the
    gaps at the end. A file's tests stay together (the sort is stable)."""
    heavy = {item.path for item in items if item.get_closest_marker("integration")}
    shared = {item.path for item in items if "built_warehouse" in item.fixturenames}
    first = next((item.path for item in items if item.path in shared), None)

    def rank(item) -> int:
        if item.path == first:
            return 0
        if item.path in heavy:
            return 2 if item.path in shared else 1
        return 3

    return rank


class _NoDbt(subprocess.Popen):
    """subprocess.Popen that refuses to start dbt (the fast lane)."""

    def __init__(self, args, *rest, **kwargs):
        program = Path(str(args[0] if isinstance(args, list | tuple) else args)).name
        if program == "dbt":
            pytest.fail("this test starts dbt: mark it `integration` (make test-fast)")
        super().__init__(args, *rest, **kwargs)


def pytest_configure(config):
    if os.environ.get("CREDITLINE_TEST_LANE") == "fast":
        subprocess.Popen = _NoDbt


def shared_once(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder made once per test run by `make(folder)` and shared by every xdist
    worker (the first to arrive makes it while the others wait)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = root / name
    with FileLock(f"{folder}.lock"):
        if not (folder / ".made").is_file():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            make(folder)
            (folder / ".made").touch()
    return folder


@pytest.fixture(scope="session")
def small_portfolio(tmp_path_factory) -> Path:
    """Raw files of the small generated portfolio (clean)."""
    from creditline.generate import generate_portfolio

    folder = shared_once(
        tmp_path_factory, "small-raw", lambda raw: generate_portfolio(raw, **SMALL_PORTFOLIO)
    )
    return folder


@pytest.fixture(scope="session")
def built_warehouse(small_portfolio, tmp_path_factory) -> Path:
    """The small portfolio built with `dbt build` into a temporary DuckDB file, which
    tests only read."""

    def build(work: Path) -> None:
        result = build_warehouse([], db_path=work / "creditline.duckdb", raw_root=small_portfolio,
                                 target_path=work / "target", capture=True)  # fmt: skip
        if result.returncode != 0:
            pytest.fail(f"dbt build failed:\n{result.stdout[-6000:]}")

    return shared_once(tmp_path_factory, "small-warehouse", build) / "creditline.duckdb"


@pytest.fixture(scope="session")
def chart_site(built_warehouse, tmp_path_factory) -> Path:
    """The report site of the built small warehouse, without dbt docs, rendered once per
    worker for the chart tests (page and browser)."""
    from creditline.reports.build_site import render_reports

    out = tmp_path_factory.mktemp("chart-site")
    render_reports(built_warehouse, out, docs=False)
    return out


@pytest.fixture()
def warehouse(built_warehouse):
    """A read-only connection to the built small warehouse."""
    con = duckdb.connect(str(built_warehouse), read_only=True)
    yield con
    con.close()
