"""`creditline check`: would this raw extract build, and what would staging quarantine?

Two steps. First a cheap scan of the folders and of each file's header, which stops at the
first blocking problem (a table folder missing, a file that cannot be read, a column the
contract needs that no file of the table has). Then the project's own staging models run
with dbt on a throwaway DuckDB file, so the quarantine rules counted here are exactly the
ones a build applies (`base_*_checked`, whose quarantined rows `stg_quarantined_rows`
unions); nothing about the rules is repeated in Python. The published warehouse is never
opened.

The contract (tables, key, columns, which columns are optional) is read from the source
spec, models/staging/lender/_lender__sources.yml.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from creditline.dbt_runner import dbt_executable
from creditline.errors import CreditlineError
from creditline.paths import PROJECT_DIR

SOURCES_YML = PROJECT_DIR / "models" / "staging" / "lender" / "_lender__sources.yml"

# The staging models and their parents (the code seeds); data and unit tests are left out:
# a check reports quarantined rows, it does not fail on them.
STAGING_SELECTION = ["+stg_quarantined_rows", "+stg_row_reconciliation"]

# What an extract enables downstream: (feature, what is said without it or None, the
# (table, column)s any non-null value of which, in an accepted row, turns it on).
FEATURES = [
    ("settlements typed", "settlements inferred", [("repayments", "repayment_type")]),
    ("re-cut schedules", None, [("installments", "recut_on")]),
    ("penalty interest", None, [("loans", "penalty_rate"), ("repayments", "penalty_paid")]),
]

# Where dbt's partial-parse manifest is kept between checks (see _run_staging), beside dbt's
# other artifacts (`dbt clean` removes it).
PARSE_CACHE = PROJECT_DIR / "target" / "check" / "partial_parse.msgpack"


class ExtractBlocked(CreditlineError):
    """The extract would not build (a table folder missing, a file unreadable, a needed
    column absent): exit 1, like a failed build, not 2 (a mistake in the command)."""

    exit_code = 1


@dataclass(frozen=True)
class Column:
    name: str
    staged_as: str  # the typed column's name in base_<table>_checked
    data_type: str
    required: bool
    optional: bool  # may be absent from the files (meta.optional)


@dataclass(frozen=True)
class TableContract:
    name: str
    key: list[str]
    columns: list[Column]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def file_columns(self) -> list[Column]:
        """Columns the files carry: all but load_date, which comes from the folder name."""
        return [c for c in self.columns if c.name != "load_date"]

    @property
    def date_column(self) -> Column:
        """The table's main date: its first required timestamp or date column in the
        contract (created_at, opened_at, event_at, drawn_at, due_date, paid_at...)."""
        return next(
            c for c in self.file_columns if c.required and c.data_type in ("timestamp", "date")
        )


def _meta(entry: dict) -> dict:
    """An entry's meta, written as `config: {meta: ...}` (dbt 1.10+) or plain `meta:`."""
    return {**(entry.get("meta") or {}), **((entry.get("config") or {}).get("meta") or {})}


def read_contract(path: Path = SOURCES_YML) -> list[TableContract]:
    """The raw contract of the `lender` source, tables and columns in the spec's order."""
    spec = yaml.safe_load(path.read_text())
    source = next(s for s in spec["sources"] if s["name"] == "lender")
    tables = []
    for table in source["tables"]:
        columns = []
        for column in table["columns"]:
            meta = _meta(column)
            columns.append(
                Column(
                    name=column["name"],
                    staged_as=meta.get("staged_as", column["name"]),
                    data_type=column["data_type"],
                    required=bool(meta.get("required", False)),
                    optional=bool(meta.get("optional", False)),
                )
            )
        tables.append(TableContract(table["name"], list(_meta(table)["key"]), columns))
    return tables


# --- step 1: the folders and the files' headers ------------------------------------------


@dataclass
class TableFiles:
    files: list[Path]
    columns: set[str]  # union of the files' header names, lower case
    load_dates: list[str]  # the load_date= folder values holding files, sorted


def _file_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """The column names of one raw file, read the way staging reads it (the CSV dialect is
    the source's fixed one); only the footer (Parquet) or the first rows (CSV) are read."""
    if path.suffix == ".parquet":
        query = "describe select * from read_parquet(?, hive_partitioning = false)"
    else:
        query = (
            "describe select * from read_csv(?, hive_partitioning = false, header = true,"
            " all_varchar = true, delim = ',', quote = '\"', escape = '\"')"
        )
    return [row[0] for row in con.execute(query, [str(path)]).fetchall()]


def scan_extract(root: Path, contract: list[TableContract]) -> dict[str, TableFiles]:
    """Each table's files, columns and load dates; raises ExtractBlocked at the first
    problem that would stop a build."""
    con = duckdb.connect()
    scanned = {}
    try:
        for table in contract:
            folder = root / table.name
            if not folder.is_dir():
                raise ExtractBlocked(f"{table.name}: table folder missing: {folder}")
            # The same globs as the source's external_location.
            files = sorted([*folder.glob("*/*.parquet"), *folder.glob("*/*.csv")])
            if not files:
                raise ExtractBlocked(
                    f"{table.name}: no .parquet or .csv file in {folder}/load_date=*/"
                    " (every table must be delivered, even as an empty file)"
                )
            columns: set[str] = set()
            load_dates: set[str] = set()
            for path in files:
                if not path.parent.name.startswith("load_date="):
                    # DuckDB's hive partitioning refuses a mix of folders with and without it.
                    raise ExtractBlocked(
                        f"{table.name}: file outside a load_date=YYYY-MM-DD folder: {path}"
                    )
                load_dates.add(path.parent.name.removeprefix("load_date="))
                try:
                    columns.update(name.lower() for name in _file_columns(con, path))
                except duckdb.Error as exc:
                    reason = " ".join(str(exc).split("\n\n")[0].split())
                    raise ExtractBlocked(f"{table.name}: cannot read {path}: {reason}") from exc
            for column in table.file_columns:
                if not column.optional and column.name.lower() not in columns:
                    raise ExtractBlocked(
                        f"{table.name}: column {column.name} is in none of its {len(files)} "
                        f"files under {folder} (only optional columns may be absent)"
                    )
            scanned[table.name] = TableFiles(files, columns, sorted(load_dates))
    finally:
        con.close()
    return scanned


# --- step 2: the project's staging models on a throwaway DuckDB file ---------------------


def _run_staging(root: Path, work: Path) -> Path:
    """Build the staging models for the extract under `root` into work/raw_check.duckdb; returns
    the file. Raises ExtractBlocked with dbt's first error when the build fails.

    Parsing the project is a third of a small check's time, so dbt's partial-parse manifest
    is kept in PARSE_CACHE between checks. dbt reuses it only when the profile is unchanged
    (it hashes the DuckDB path and temp directory), so these are the same relative paths in
    every check, resolved in the work folder dbt runs in, and the target folder is given as
    a flag (the CREDITLINE_TARGET_PATH it reads in dbt_project.yml would count as a change).
    dbt checks the manifest itself against the project's files.
    """
    target = work / "target"
    target.mkdir()
    _copy_parse_cache(PARSE_CACHE, target / "partial_parse.msgpack")
    env = {
        **os.environ,
        "CREDITLINE_DB": "raw_check.duckdb",
        "CREDITLINE_TEMP_DIR": "duckdb-tmp",
        # Compressing a file deleted a minute later costs more than it saves (profiles.yml).
        "CREDITLINE_COMPRESSION": "uncompressed",
        "CREDITLINE_RAW": str(root),
        # One thread: the large base tables built beside others share the memory budget
        # and the two cores (100,000 customers, quiet machine: 31 s, against 56 s on two).
        "CREDITLINE_THREADS": "1",
    }
    env.pop("CREDITLINE_TARGET_PATH", None)
    command = [
        dbt_executable(),
        "build",
        "--select",
        *STAGING_SELECTION,
        "--exclude-resource-type",
        "test",
        "unit_test",
        # The base models only stg_ views read become views, computed once by summarise
        # rather than written (repayments at 100,000 customers: 15 s as a table).
        "--vars",
        "{staging_leaf_materialized: view}",
        "--target",
        "duckdb",
        "--target-path",
        str(target),
        "--log-path",
        str(work / "logs"),
        "--no-use-colors",
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
    ]
    try:
        result = subprocess.run(
            command, cwd=work, env=env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as exc:
        raise CreditlineError("dbt is not installed: run 'make install' first") from exc
    _copy_parse_cache(target / "partial_parse.msgpack", PARSE_CACHE)
    if result.returncode != 0:
        raise ExtractBlocked(f"staging does not build: {_first_dbt_error(result.stdout, target)}")
    return work / "raw_check.duckdb"


def _copy_parse_cache(source: Path, destination: Path) -> None:
    """Copy dbt's partial-parse manifest, best effort: a missing or unwritable cache only
    costs a full parse. Copied under another name, then renamed, so a check running beside
    this one never reads half a file."""
    try:
        if source.is_file():
            destination.parent.mkdir(parents=True, exist_ok=True)
            partial = destination.with_name(f"{destination.name}.{os.getpid()}.tmp")
            shutil.copyfile(source, partial)
            partial.replace(destination)
    except OSError:
        pass


def _first_dbt_error(stdout: str, target: Path) -> str:
    """dbt's first error as one line: the first failed node's message, else the line after
    'Encountered an error' (a parse or compile error), else the last line dbt printed."""
    results = target / "run_results.json"
    if results.is_file():
        for result in json.loads(results.read_text())["results"]:
            if result["status"] == "error":
                node = result["unique_id"].split(".")[-1]
                return f"{node}: {' '.join((result.get('message') or '').split())}"
    lines = [line.strip() for line in stdout.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        if "Encountered an error" in line:
            return " ".join(lines[i + 1 : i + 3])
    return lines[-1] if lines else "dbt failed without output"


# --- the summary ------------------------------------------------------------------------


def _example_key(table: TableContract, raw_record: str) -> dict:
    """The key columns of a quarantined row, from its original values (raw_record JSON); an
    optional key column (installments' recut_on) only when it holds a value."""
    record = json.loads(raw_record)
    return {
        name: record.get(name)
        for name in table.key
        if record.get(name) is not None or not table.column(name).optional
    }


@dataclass
class CheckedTable:
    """What the summary needs of one base_<table>_checked."""

    rows: int
    accepted: int
    first: object  # the main date's range over accepted rows (None when there are none)
    last: object
    rules: list[dict]  # rule, rows, examples; most rows first
    with_values: set[str]  # the FEATURES columns of the table an accepted row has a value in


def _read_checked(
    con: duckdb.DuckDBPyConnection, table: TableContract, feature_columns: list[str]
) -> CheckedTable:
    """One pass over base_<table>_checked, grouped by quarantine_rule (NULL: accepted). The
    tables no staging model reads are views in a check (see _run_staging): read twice, they
    would be computed twice."""
    columns = [table.column(name) for name in feature_columns]
    date = table.date_column.staged_as
    groups = con.sql(
        f"""
        select
            quarantine_rule,
            count(*),
            min({date}),
            max({date}),
            -- the first three quarantined rows, earliest load date first
            min(struct_pack(load_date := load_date, raw_record := raw_record), 3)
                filter (where quarantine_rule is not null)
            {"".join(f", count({column.staged_as})" for column in columns)}
        from staging.base_{table.name}_checked
        group by quarantine_rule
        """
    ).fetchall()
    # (rule, rows, first date, last date, examples, values per feature column)
    accepted = next(
        (g for g in groups if g[0] is None), (None, 0, None, None, [], *[0] * len(columns))
    )
    rules = [
        {
            "rule": rule,
            "rows": rows,
            "examples": [
                {"key": _example_key(table, e["raw_record"]), "load_date": str(e["load_date"])}
                for e in examples
            ],
        }
        for rule, rows, _, _, examples, *_ in sorted(
            (g for g in groups if g[0] is not None), key=lambda g: (-g[1], g[0])
        )
    ]
    return CheckedTable(
        rows=sum(g[1] for g in groups),
        accepted=accepted[1],
        first=accepted[2],
        last=accepted[3],
        rules=rules,
        with_values={
            name for name, count in zip(feature_columns, accepted[5:], strict=True) if count
        },
    )


def summarise(db: Path, contract: list[TableContract], scanned: dict[str, TableFiles]) -> dict:
    """Per table: rows read, quarantined by rule with up to three examples, optional
    columns, date range and load dates; and the features the extract enables.

    The rules are read from each base_<table>_checked, once: the rows stg_quarantined_rows
    unions. A base model holds every raw row once (the build's reconciles_with_raw test), so
    its rows are the rows read and the raw files are not counted again."""
    feature_columns = {
        table.name: [
            column
            for _, _, pairs in FEATURES
            for table_name, column in pairs
            if table_name == table.name and table.column(column)
        ]
        for table in contract
    }
    con = duckdb.connect(str(db), read_only=True)
    try:
        checked = {
            table.name: _read_checked(con, table, feature_columns[table.name]) for table in contract
        }
    finally:
        con.close()

    tables = {}
    for table in contract:
        files, read = scanned[table.name], checked[table.name]
        optional = [c.name for c in table.file_columns if c.optional]
        tables[table.name] = {
            "rows_read": read.rows,
            "accepted": read.accepted,
            "quarantined": read.rows - read.accepted,
            "quarantine_rules": read.rules,
            "optional_columns": {
                "present": [c for c in optional if c.lower() in files.columns],
                "absent": [c for c in optional if c.lower() not in files.columns],
            },
            "date_range": {
                "column": table.date_column.name,
                "first": None if read.first is None else str(read.first),
                "last": None if read.last is None else str(read.last),
            },
            "load_dates": {
                "first": files.load_dates[0],
                "last": files.load_dates[-1],
                "count": len(files.load_dates),
            },
            "files": len(files.files),
        }

    features = []
    for feature, otherwise, columns in FEATURES:
        # a (table, column) the contract does not have counts as without values
        if any(t in checked and c in checked[t].with_values for t, c in columns):
            features.append(feature)
        elif otherwise:
            features.append(otherwise)
    return {"tables": tables, "features": features}


def check_extract(root: Path, status: Callable[[str], None] = lambda _: None) -> dict:
    """Check the raw extract under `root`; returns the report (see docs/check.md).
    Raises ExtractBlocked at the first problem that would stop a build."""
    started = time.perf_counter()
    contract = read_contract()
    status("Reading the files' headers")
    scanned = scan_extract(root, contract)
    with tempfile.TemporaryDirectory(prefix="creditline-check-") as work:
        status("Running the staging models")
        db = _run_staging(root, Path(work))
        status("Summarising")
        report = summarise(db, contract, scanned)
    rows_read = sum(t["rows_read"] for t in report["tables"].values())
    quarantined = sum(t["quarantined"] for t in report["tables"].values())
    return {
        "raw_root": str(root),
        "builds": True,
        "rows_read": rows_read,
        "quarantined": quarantined,
        **report,
        "seconds": round(time.perf_counter() - started, 1),
    }


# --- printing ---------------------------------------------------------------------------


def _format_key(key: dict) -> str:
    return " / ".join("null" if value is None else str(value) for value in key.values())


def render_text(report: dict) -> str:
    """The report as a readable block per table, then the features and the verdict."""
    lines = [f"Raw extract: {report['raw_root']}", ""]
    for name, table in report["tables"].items():
        lines.append(
            f"{name}: {table['rows_read']:,} rows read, {table['accepted']:,} accepted, "
            f"{table['quarantined']:,} quarantined"
        )
        for rule in table["quarantine_rules"]:
            examples = ", ".join(
                f"{_format_key(e['key'])} ({e['load_date']})" for e in rule["examples"]
            )
            lines.append(f"    {rule['rule']:<20} {rule['rows']:>10,}  e.g. {examples}")
        dates = table["date_range"]
        if dates["first"] is None:
            lines.append(f"  {dates['column']:<22} no accepted rows")
        else:
            lines.append(f"  {dates['column']:<22} {dates['first']} .. {dates['last']}")
        loads = table["load_dates"]
        lines.append(
            f"  {'load dates':<22} {loads['first']} .. {loads['last']} ({loads['count']:,}, "
            f"{table['files']:,} files)"
        )
        optional = table["optional_columns"]
        if optional["present"] or optional["absent"]:
            parts = [f"{c} present" for c in optional["present"]]
            parts += [f"{c} absent" for c in optional["absent"]]
            lines.append(f"  {'optional columns':<22} {', '.join(parts)}")
        lines.append("")
    lines.append(f"Features: {', '.join(report['features'])}")
    lines.append(
        f"The extract builds: {report['rows_read']:,} rows read, {report['quarantined']:,} "
        f"would be quarantined (not blocking). Checked in {report['seconds']} s."
    )
    return "\n".join(lines)
