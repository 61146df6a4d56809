"""Where things live: the project root, the raw data root and the warehouse file."""

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def raw_root() -> Path:
    """The raw data root (CREDITLINE_RAW, default data/raw under the project)."""
    return Path(os.environ.get("CREDITLINE_RAW", PROJECT_DIR / "data" / "raw")).resolve()


def warehouse_path() -> Path:
    """The published DuckDB warehouse file (CREDITLINE_DB)."""
    default = PROJECT_DIR / "warehouse" / "creditline.duckdb"
    return Path(os.environ.get("CREDITLINE_DB", default)).resolve()


def reports_root() -> Path:
    """Where `creditline report` writes the site (CREDITLINE_REPORTS, default reports/)."""
    return Path(os.environ.get("CREDITLINE_REPORTS", PROJECT_DIR / "reports")).resolve()


def spark_dir() -> Path:
    """The Spark target's metastore, tables and scratch (CREDITLINE_SPARK_DIR, default
    warehouse/spark under the project)."""
    default = PROJECT_DIR / "warehouse" / "spark"
    return Path(os.environ.get("CREDITLINE_SPARK_DIR", default)).resolve()
