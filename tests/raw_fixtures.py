"""Hand-made raw extracts for tests: write small tables as Parquet (or CSV) in the raw
contract's layout, <root>/<table>/load_date=YYYY-MM-DD/<file>, with the contract's types.

    from raw_fixtures import valid_extract, write_raw
    tables = valid_extract()
    tables["loans"].append({...})
    write_raw(tmp_path / "raw", tables)

Values may be given as Python objects or as ISO strings ("2024-01-05 10:00:00", "1200.50");
they are converted to the contract's types. `as_strings=True` writes every column as text
instead, which is what a "wrong type" file from the generator looks like.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

MONEY = pa.decimal128(18, 2)
TIMESTAMP = pa.timestamp("us")

# The raw contract (README.md, "The raw data contract"): column order and Parquet type of
# every table.
CONTRACT: dict[str, dict[str, pa.DataType]] = {
    "customers": {
        "customer_id": pa.string(),
        "created_at": TIMESTAMP,
        "birth_year": pa.int32(),
        "city_tier": pa.int32(),
        "occupation": pa.string(),
        "income_band": pa.string(),
        "channel": pa.string(),
    },
    "credit_lines": {
        "line_id": pa.string(),
        "customer_id": pa.string(),
        "product_code": pa.string(),
        "opened_at": TIMESTAMP,
        "initial_limit": MONEY,
    },
    "limit_events": {
        "event_id": pa.string(),
        "line_id": pa.string(),
        "event_at": TIMESTAMP,
        "event_type": pa.string(),
        "limit_before": MONEY,
        "limit_after": MONEY,
        "reason_code": pa.string(),
        "initiated_by": pa.string(),
    },
    "loans": {
        "loan_id": pa.string(),
        "line_id": pa.string(),
        "drawn_at": TIMESTAMP,
        "principal": MONEY,
        "term_months": pa.int32(),
        "annual_rate": pa.float64(),
        "repayment_method": pa.string(),
        "penalty_rate": pa.float64(),
    },
    "installments": {
        "loan_id": pa.string(),
        "installment_no": pa.int32(),
        "due_date": pa.date32(),
        "principal_due": MONEY,
        "interest_due": MONEY,
        "recut_on": pa.date32(),
    },
    "repayments": {
        "repayment_id": pa.string(),
        "loan_id": pa.string(),
        "paid_at": TIMESTAMP,
        "amount": MONEY,
        "repayment_type": pa.string(),
        "penalty_paid": MONEY,
        "fee_paid": MONEY,
    },
    "credit_scores": {
        "customer_id": pa.string(),
        "scored_at": TIMESTAMP,
        "score": pa.int32(),
    },
    "credit_inquiries": {
        "inquiry_id": pa.string(),
        "customer_id": pa.string(),
        "inquired_at": TIMESTAMP,
        "institution_type": pa.string(),
    },
}

TABLES = tuple(CONTRACT)


def _to_type(value: Any, data_type: pa.DataType) -> Any:
    """Convert one Python or ISO-string value to what pyarrow expects for `data_type`."""
    if value is None:
        return None
    if data_type == TIMESTAMP and isinstance(value, str):
        return datetime.fromisoformat(value)
    if data_type == pa.date32() and isinstance(value, str):
        return date.fromisoformat(value)
    if pa.types.is_decimal(data_type):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    return value


def _as_text(value: Any) -> str | None:
    return None if value is None else str(value)


def partition_dir(root: Path, table: str, load_date: str) -> Path:
    """The folder one table's extract of one load date lands in."""
    return Path(root) / table / f"load_date={load_date}"


def write_table(
    root: Path,
    table: str,
    rows: list[dict[str, Any]],
    load_date: str = "2024-01-31",
    *,
    file_name: str = "part-0",
    as_strings: bool = False,
    fmt: str = "parquet",
) -> Path:
    """Write one table's rows as one file of one load date; returns the file's path.

    Columns missing from a row are NULL. `as_strings` writes every column as text (the
    generator's "wrong type" file); `fmt="csv"` writes a CSV with a header instead.
    """
    columns = CONTRACT[table]
    folder = partition_dir(root, table, load_date)
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        path = folder / f"{file_name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if row.get(c) is None else str(row.get(c)) for c in columns])
        return path
    if as_strings:
        schema = pa.schema([(name, pa.string()) for name in columns])
        data = {name: [_as_text(row.get(name)) for row in rows] for name in columns}
    else:
        schema = pa.schema(list(columns.items()))
        data = {name: [_to_type(row.get(name), t) for row in rows] for name, t in columns.items()}
    path = folder / f"{file_name}.parquet"
    pq.write_table(pa.table(data, schema=schema), path)
    return path


def write_raw(
    root: Path,
    tables: dict[str, list[dict[str, Any]]],
    load_date: str = "2024-01-31",
    **options: Any,
) -> Path:
    """Write several tables' rows for one load date (one file per table); returns `root`.

    Every contract table gets a file, empty when not given, so the extract is complete.
    """
    for table in TABLES:
        write_table(root, table, tables.get(table, []), load_date, **options)
    return Path(root)


def write_corrupt_parquet(
    root: Path, table: str, load_date: str = "2024-01-31", file_name: str = "corrupt"
) -> Path:
    """Write a file named *.parquet that is not Parquet (a truncated transfer)."""
    folder = partition_dir(root, table, load_date)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{file_name}.parquet"
    path.write_bytes(b"PAR1 this is not a parquet file")
    return path


def valid_extract() -> dict[str, list[dict[str, Any]]]:
    """A minimal extract that breaks no rule: two customers, one line each, a loan with
    its three installments and a repayment, scores and inquiries."""
    return {
        "customers": [
            {
                "customer_id": "C1",
                "created_at": "2023-01-05 09:00:00",
                "birth_year": 1985,
                "city_tier": 1,
                "occupation": "salaried",
                "income_band": "10k_20k",
                "channel": "app",
            },
            {
                "customer_id": "C2",
                "created_at": "2023-02-10 14:30:00",
                "birth_year": 1992,
                "city_tier": 3,
                "occupation": "freelancer",
                "income_band": "5k_10k",
                "channel": "partner",
            },
        ],
        "credit_lines": [
            {
                "line_id": "L1",
                "customer_id": "C1",
                "product_code": "CASH",
                "opened_at": "2023-01-06 10:00:00",
                "initial_limit": "20000.00",
            },
            {
                "line_id": "L2",
                "customer_id": "C2",
                "product_code": "CONSUMER",
                "opened_at": "2023-02-11 11:00:00",
                "initial_limit": "8000.00",
            },
        ],
        "limit_events": [
            {
                "event_id": "E1",
                "line_id": "L1",
                "event_at": "2023-01-06 10:00:00",
                "event_type": "open",
                "limit_before": "0",
                "limit_after": "20000",
                "reason_code": "NEW_LINE",
                "initiated_by": "system",
            },
            {
                "event_id": "E2",
                "line_id": "L2",
                "event_at": "2023-02-11 11:00:00",
                "event_type": "open",
                "limit_before": "0",
                "limit_after": "8000",
                "reason_code": "NEW_LINE",
                "initiated_by": "system",
            },
        ],
        "loans": [
            {
                "loan_id": "N1",
                "line_id": "L1",
                "drawn_at": "2023-03-01 12:00:00",
                "principal": "3000.00",
                "term_months": 3,
                "annual_rate": 0.1825,
                "repayment_method": "equal_principal",
            },
        ],
        "installments": [
            {
                "loan_id": "N1",
                "installment_no": n,
                "due_date": due,
                "principal_due": "1000.00",
                "interest_due": interest,
            }
            for n, due, interest in [
                (1, "2023-04-01", "45.63"),
                (2, "2023-05-01", "30.42"),
                (3, "2023-06-01", "15.21"),
            ]
        ],
        "repayments": [
            {
                "repayment_id": "R1",
                "loan_id": "N1",
                "paid_at": "2023-04-01 08:00:00",
                "amount": "1045.63",
            },
        ],
        "credit_scores": [
            {"customer_id": "C1", "scored_at": "2023-01-05 09:00:00", "score": 680},
            {"customer_id": "C2", "scored_at": "2023-02-10 14:30:00", "score": 610},
        ],
        "credit_inquiries": [
            {
                "inquiry_id": "Q1",
                "customer_id": "C1",
                "inquired_at": "2023-01-04 16:00:00",
                "institution_type": "own_platform",
            },
        ],
    }
