"""Read-only access to the published DuckDB warehouse."""

from pathlib import Path

import duckdb
import polars as pl

from creditline.errors import CreditlineError

MART_SCHEMAS = ("core", "lifecycle", "risk", "cases")


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only; a missing file is a user error, not a traceback."""
    if not Path(db_path).is_file():
        raise CreditlineError(f"warehouse not found: {db_path} (run 'creditline build' first)")
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        raise CreditlineError(f"cannot open warehouse {db_path}: {exc}".splitlines()[0]) from exc
    con.execute("set enable_progress_bar = false")
    return con


def run_query(db_path: Path, query: str) -> pl.DataFrame:
    """Run one query read-only and return it as a Polars frame."""
    con = connect(db_path)
    try:
        return con.sql(query).pl()
    except duckdb.Error as exc:
        raise CreditlineError(str(exc).splitlines()[0]) from exc
    finally:
        con.close()


def mart_row_counts(db_path: Path) -> list[tuple[str, int]]:
    """(schema.table, rows) for every mart relation, for the build summary."""
    con = connect(db_path)
    try:
        tables = con.sql(
            "select schema_name, table_name from duckdb_tables() "
            f"where schema_name in {MART_SCHEMAS} order by schema_name, table_name"
        ).fetchall()
        return [
            (f"{schema}.{table}",
             con.sql(f'select count(*) from "{schema}"."{table}"').fetchall()[0][0])
            for schema, table in tables
        ]
    finally:
        con.close()
