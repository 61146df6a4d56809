"""The raw contract's spec (models/staging/lender/_lender__sources.yml: each column's type,
whether it is required, its codes and range) against the places that restate it: the
README's contract tables, the hand-made fixtures (tests/raw_fixtures.py) and the generator.

Staging's typing and row rules are generated from the spec (macros/staging/
checked_raw_rows.sql), so these tests are what keeps the prose and the test data honest.
Reads files only: no warehouse is built.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import raw_fixtures
import yaml

from creditline.generate import generate_portfolio
from creditline.synth import codes
from creditline.synth.people import CHANNELS, INCOME_BANDS, OCCUPATIONS
from creditline.synth.tables import REPAYMENT_TYPES

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "models" / "staging" / "lender" / "_lender__sources.yml"
SEEDS = ROOT / "seeds"
# load_date comes from the partition folder, not from the files: the README says so once
# above its tables, and the fixtures and the generator write it as the folder name.
PARTITION_COLUMN = "load_date"


@cache
def spec() -> dict[str, dict]:
    """{table: {'key': [...], 'columns': {name: {'data_type', 'required', 'codes', ...}}}}."""
    (source,) = yaml.safe_load(SOURCES.read_text(encoding="utf-8"))["sources"]
    tables = {}
    for table in source["tables"]:
        columns = {
            column["name"]: {
                "data_type": column["data_type"],
                **column.get("config", {}).get("meta", {}),
            }
            for column in table["columns"]
        }
        tables[table["name"]] = {"key": table["config"]["meta"]["key"], "columns": columns}
    return tables


def file_columns(table: str) -> dict[str, dict]:
    """The spec's columns that the raw files carry (all but the partition column)."""
    return {
        name: column
        for name, column in spec()[table]["columns"].items()
        if name != PARTITION_COLUMN
    }


@cache
def seed_rows(seed: str) -> tuple[dict[str, str], ...]:
    with (SEEDS / f"{seed}.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def allowed_codes(table: str, column: str) -> set[str]:
    """The codes the spec allows: allowed_values lists them per (table, column); another
    seed in its column of the same name."""
    seed = spec()[table]["columns"][column]["codes"]
    if seed == "allowed_values":
        return {
            row["allowed_value"]
            for row in seed_rows(seed)
            if row["table_name"] == table and row["column_name"] == column
        }
    return {row[column] for row in seed_rows(seed)}


def code_columns() -> list[tuple[str, str]]:
    return [
        (table, name)
        for table, contract in spec().items()
        for name, column in contract["columns"].items()
        if column.get("codes")
    ]


@cache
def readme_tables() -> dict[str, list[dict[str, str]]]:
    """The README's contract tables: {table: [{'column', 'type', 'meaning'}]} in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## The raw data contract", 1)[1].split("## Staging:", 1)[0]
    tables: dict[str, list[dict[str, str]]] = {}
    current = None
    for line in section.splitlines():
        heading = re.match(r"## (\w+) \(", line)
        if heading:
            current = tables.setdefault(heading.group(1), [])
        elif current is not None and line.startswith("| ") and not line.startswith("| column"):
            column, data_type, meaning = (cell.strip() for cell in line.strip("|").split("|"))
            current.append({"column": column, "type": data_type, "meaning": meaning})
    return tables


def readme_row(table: str, column: str) -> dict[str, str]:
    (row,) = [row for row in readme_tables()[table] if row["column"] == column]
    return row


def range_text(column: dict) -> str | None:
    """How the README writes a spec range: '350 to 950', '> 0', '>= 1'."""
    low, high = column.get("minimum"), column.get("maximum")
    if low is not None and high is not None:
        return f"{low} to {high}"
    if column.get("exclusive_minimum") is not None:
        return f"> {column['exclusive_minimum']}"
    if low is not None:
        return f">= {low}"
    return None


def test_every_table_of_the_spec_has_a_staging_base_model():
    base = ROOT / "models" / "staging" / "lender" / "base"
    assert {path.stem for path in base.glob("base_*_checked.sql")} == {
        f"base_{table}_checked" for table in spec()
    }


def test_every_key_column_is_required_or_optional():
    # an optional key column (installments.recut_on) takes NULL as a value
    for table, contract in spec().items():
        for name in contract["key"]:
            column = contract["columns"][name]
            assert column.get("required") != column.get("optional"), (table, name)


def test_readme_lists_the_spec_tables_and_columns_in_order():
    assert list(readme_tables()) == list(spec())
    for table in spec():
        assert [row["column"] for row in readme_tables()[table]] == list(file_columns(table))


@pytest.mark.parametrize("table", list(spec()))
def test_readme_types_and_required_flags_match_the_spec(table):
    readme_names = {"varchar": "string"}
    for name, column in file_columns(table).items():
        # "decimal(18,2), required, unique": commas outside parentheses part the cell.
        parts = re.split(r",\s*(?![^()]*\))", readme_row(table, name)["type"])
        readme_type = readme_names.get(parts[0], parts[0])
        assert readme_type.replace(" ", "") == column["data_type"].replace(" ", ""), name
        assert ("required" in parts) == bool(column.get("required")), name
        assert ("optional" in parts) == bool(column.get("optional")), name


@pytest.mark.parametrize("table", list(spec()))
def test_readme_names_the_key_of_every_table(table):
    key = spec()[table]["key"]
    if len(key) == 1:
        assert "unique" in readme_row(table, key[0])["type"]
    else:
        meanings = " ".join(row["meaning"] for row in readme_tables()[table])
        assert f"({', '.join(key)}) unique" in meanings


@pytest.mark.parametrize(("table", "column"), code_columns())
def test_readme_allowed_codes_are_the_spec_codes(table, column):
    meaning = readme_row(table, column)["meaning"]
    listed = set(re.findall(r"`([^`]+)`", meaning))
    seed = spec()[table]["columns"][column]["codes"]
    if not listed:  # a long list is named by its seed instead
        assert f"seeds/{seed}.csv" in meaning
    else:
        assert listed == allowed_codes(table, column)


def test_readme_lists_codes_only_for_columns_with_a_code_list():
    with_codes = set(code_columns())
    for table, rows in readme_tables().items():
        for row in rows:
            if (table, row["column"]) not in with_codes:
                assert "`" not in row["meaning"], (table, row["column"])


@pytest.mark.parametrize("table", list(spec()))
def test_readme_ranges_are_the_spec_ranges(table):
    for name, column in file_columns(table).items():
        expected = range_text(column)
        if expected is not None:
            assert expected in readme_row(table, name)["meaning"], (name, expected)


SPEC_TYPES_IN_ARROW = {
    "string": pa.string(),
    "timestamp": raw_fixtures.TIMESTAMP,
    "integer": pa.int32(),
    "date": pa.date32(),
    "decimal(18, 2)": raw_fixtures.MONEY,
    "double": pa.float64(),
}


def test_raw_fixtures_contract_has_the_spec_columns_and_types():
    assert list(raw_fixtures.CONTRACT) == list(spec())
    for table, columns in raw_fixtures.CONTRACT.items():
        assert columns == {
            name: SPEC_TYPES_IN_ARROW[column["data_type"]]
            for name, column in file_columns(table).items()
        }, table


@pytest.mark.parametrize(
    ("table", "column", "generator_codes"),
    [
        ("customers", "occupation", OCCUPATIONS),
        ("customers", "income_band", INCOME_BANDS),
        ("customers", "channel", CHANNELS),
        ("credit_lines", "product_code", codes.PRODUCTS),
        ("limit_events", "event_type", codes.EVENT_TYPES),
        ("limit_events", "reason_code", codes.REASONS),
        ("limit_events", "initiated_by", codes.INITIATORS),
        ("loans", "repayment_method", codes.METHODS),
        ("credit_inquiries", "institution_type", codes.INSTITUTIONS),
        ("repayments", "repayment_type", [t for t in REPAYMENT_TYPES if t is not None]),
    ],
)
def test_generator_code_lists_are_the_spec_codes(table, column, generator_codes):
    assert set(generator_codes) == allowed_codes(table, column)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A tiny generated book (well under a second)."""
    root = tmp_path_factory.mktemp("contract_spec") / "raw"
    generate_portfolio(root, customers=60, months=3, seed=5)
    return root


def test_generator_writes_the_spec_columns_in_types_staging_casts(generated):
    # The generator writes money as double; staging casts it to decimal(18, 2).
    fits = {
        "string": pa.types.is_string,
        "timestamp": pa.types.is_timestamp,
        "integer": pa.types.is_integer,
        "date": pa.types.is_date,
        "decimal(18, 2)": lambda t: pa.types.is_floating(t) or pa.types.is_decimal(t),
        "double": pa.types.is_floating,
    }
    for table in spec():
        columns = file_columns(table)
        for path in sorted((generated / table).glob("*/*.parquet")):
            schema = pq.read_schema(path)
            # in the spec's order; only optional columns may be left out (fee_paid is)
            assert schema.names == [name for name in columns if name in schema.names], path
            assert {n for n, c in columns.items() if not c.get("optional")} <= set(schema.names)
            for name in schema.names:
                assert fits[columns[name]["data_type"]](schema.field(name).type), (path, name)


@pytest.mark.parametrize(("table", "column"), code_columns())
def test_generator_writes_only_spec_codes(generated, table, column):
    values = set()
    for path in (generated / table).glob("*/*.parquet"):
        values |= {str(v) for v in pq.read_table(path, columns=[column]).column(0).to_pylist()}
    assert values - {"None"} <= allowed_codes(table, column)
