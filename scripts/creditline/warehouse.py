"""Read-only access to the published DuckDB warehouse, and what ad hoc SQL needs: the
project's schemas as the search path, and the relations with their descriptions."""

import json
import re
from pathlib import Path

import duckdb
import polars as pl

from creditline.errors import CreditlineError

MART_SCHEMAS = ("core", "lifecycle", "risk", "cases")
# The layers in the order a reader meets them; other schemas the warehouse holds (ops,
# snapshots) follow by name.
LAYER_ORDER = ("staging", "intermediate", "core", "lifecycle", "risk", "cases", "reference")


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
    """Run one query read-only and return it as a Polars frame. Unqualified relation names
    resolve in the project's schemas; a name found in more than one is a user error."""
    con = connect(db_path)
    try:
        set_project_search_path(con)
        refuse_ambiguous_names(con, query)
        return con.sql(query).pl()
    except duckdb.Error as exc:
        raise CreditlineError(str(exc).splitlines()[0]) from exc
    finally:
        con.close()


def project_schemas(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The warehouse's own schemas (every non-internal schema of the open file), layers
    first."""
    names = [
        name
        for (name,) in con.sql(
            "select schema_name from duckdb_schemas() "
            "where database_name = current_database() and not internal"
        ).fetchall()
    ]
    return sorted(names, key=_layer_rank)


def _layer_rank(schema: str) -> tuple[int, str]:
    return (LAYER_ORDER.index(schema) if schema in LAYER_ORDER else len(LAYER_ORDER), schema)


def set_project_search_path(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Let unqualified names resolve in the project's schemas, as
    `set search_path = 'staging,intermediate,...'` does in any DuckDB client."""
    schemas = project_schemas(con)
    if schemas:
        value = search_path(schemas).replace("'", "''")
        con.execute(f"set search_path = '{value}'")
    return schemas


def search_path(schemas: list[str]) -> str:
    """The value of DuckDB's `search_path` setting for these schemas."""
    return ",".join(schemas)


def _relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str | None]]:
    """(schema, name, kind, comment) of every table and view in the open file."""
    return con.sql(
        "select schema_name, table_name, 'table', comment from duckdb_tables() "
        "where database_name = current_database() "
        "union all "
        "select schema_name, view_name, 'view', comment from duckdb_views() "
        "where database_name = current_database() and not internal"
    ).fetchall()


def refuse_ambiguous_names(con: duckdb.DuckDBPyConnection, query: str) -> None:
    """Raise when the query names a relation without its schema and more than one schema
    has a relation of that name (DuckDB would silently take the first on the path)."""
    schemas_of: dict[str, list[str]] = {}
    for schema, name, _, _ in _relations(con):
        schemas_of.setdefault(name.lower(), []).append(schema)
    ambiguous = {
        name: sorted(schemas_of[name], key=_layer_rank)
        for name in sorted(unqualified_names(con, query))
        if len(schemas_of.get(name, [])) > 1
    }
    if ambiguous:
        raise CreditlineError(
            "; ".join(
                f"{name} is in more than one schema ({', '.join(schemas)}); qualify it, for "
                f"example {schemas[0]}.{name}"
                for name, schemas in ambiguous.items()
            )
        )


def unqualified_names(con: duckdb.DuckDBPyConnection, query: str) -> set[str]:
    """Lower-cased names of the relations a SELECT reads without a schema, leaving out its
    own CTEs; empty for anything DuckDB cannot serialise (other statements, bad SQL)."""
    [(serialised,)] = con.execute("select json_serialize_sql(?)", [query]).fetchall()
    tree = json.loads(serialised)
    if tree.get("error"):
        return set()
    tables: set[str] = set()
    ctes: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if node.get("type") == "BASE_TABLE" and not node.get("schema_name"):
                tables.add(node["table_name"].lower())
            for entry in (node.get("cte_map") or {}).get("map", []):
                ctes.add(entry["key"].lower())
            stack.extend(node.values())
    return tables - ctes


def relation_descriptions(db_path: Path) -> list[tuple[str, str, str]]:
    """(schema.name, table or view, first sentence of its description) for every relation,
    layers first; the descriptions are the model docs dbt persisted as DuckDB comments."""
    con = connect(db_path)
    try:
        relations = _relations(con)
    finally:
        con.close()
    relations.sort(key=lambda r: (_layer_rank(r[0]), r[1]))
    return [
        (f"{schema}.{name}", kind, first_sentence(comment))
        for schema, name, kind, comment in relations
    ]


def first_sentence(text: str | None, width: int = 110) -> str:
    """The text's first sentence on one line, cut to `width` characters."""
    flat = " ".join((text or "").split())
    end = re.search(r"[.!?](?=\s|$)", flat)
    sentence = flat[: end.end()] if end else flat
    return sentence if len(sentence) <= width else sentence[: width - 1].rstrip() + "…"


def mart_row_counts(db_path: Path) -> list[tuple[str, int]]:
    """(schema.table, rows) for every mart relation, for the build summary."""
    con = connect(db_path)
    try:
        tables = con.sql(
            "select schema_name, table_name from duckdb_tables() "
            f"where schema_name in {MART_SCHEMAS} order by schema_name, table_name"
        ).fetchall()
        return [
            (
                f"{schema}.{table}",
                con.sql(f'select count(*) from "{schema}"."{table}"').fetchall()[0][0],
            )
            for schema, table in tables
        ]
    finally:
        con.close()
