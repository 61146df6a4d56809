"""The interactive SQL client the README documents (harlequin, installed by `make install`)
opens the built warehouse read-only on the project's own DuckDB, and the README's
search-path line makes unqualified names work there."""

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from creditline.paths import PROJECT_DIR
from creditline.warehouse import project_schemas

README = (PROJECT_DIR / "README.md").read_text()
HARLEQUIN = Path(sys.executable).parent / "harlequin"


def readme_line(pattern: str) -> str:
    """The one README line that matches `pattern` (a regular expression)."""
    found = [line for line in README.splitlines() if re.search(pattern, line)]
    assert len(found) == 1, f"README lines matching {pattern!r}: {found}"
    return found[0]


def test_the_readme_command_is_the_installed_harlequin_reading_only():
    command = readme_line(r"^\.venv/bin/harlequin ").split("#")[0].split()
    assert command == [".venv/bin/harlequin", "-r", "warehouse/creditline.duckdb"]
    shown = subprocess.run(
        [HARLEQUIN, "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert shown.returncode == 0, shown.stderr
    assert "duckdb" in shown.stdout  # its DuckDB adapter, on the project's DuckDB package


@pytest.mark.integration
def test_harlequin_opens_the_built_warehouse_read_only_with_the_readme_search_path(built_warehouse):
    from harlequin.exception import HarlequinQueryError
    from harlequin_duckdb.adapter import DuckDbAdapter

    search_path = readme_line(r"^set search_path = ")
    listed = re.search(r"'(.*)'", search_path).group(1).split(",")
    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        expected = con.sql("select count(*) from core.fct_installments").fetchall()[0][0]
        assert set(listed) <= set(project_schemas(con))
    finally:
        con.close()

    # as `harlequin -r FILE` connects (no init script: the user's ~/.duckdbrc is theirs)
    client = DuckDbAdapter(conn_str=(str(built_warehouse),), read_only=True, no_init=True).connect()
    try:
        assert client.execute(search_path) is None  # a statement without rows
        counted = client.execute("select count(*) from fct_installments").fetchall()
        assert counted.to_pylist() == [{"count_star()": expected}]
        [database] = client.get_catalog().items
        schemas = {schema.label for schema in database.fetch_children()}
        assert set(listed) <= schemas
        with pytest.raises(HarlequinQueryError, match="read-only"):
            client.execute("create table core.scratch as select 1")
    finally:
        client.conn.close()
