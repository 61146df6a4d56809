"""The Spark side: a Spark session configured exactly as the dbt profile's `spark` output
(profiles.yml stays the one place for those settings), and relations read out of it
through Spark's Arrow interface into Polars.

Reading needs the dbt run that built the tables to have finished: the local metastore
(Derby) admits one process at a time.
"""

import os
from pathlib import Path

import duckdb
import jinja2
import polars as pl
import yaml

from creditline.errors import CreditlineError
from creditline.paths import PROJECT_DIR, spark_dir

# What the reports read besides the mart schemas (lifecycle, risk, cases).
REPORT_RELATIONS = (
    "core.dim_credit_lines",
    "core.dim_customers",
    "staging.stg_quarantined_rows",
    "staging.stg_row_reconciliation",
    "intermediate.int_as_of_date",
    # the bucket ladder and reason categories the reports read (seeds)
    "reference.dpd_buckets",
    "reference.reason_codes",
)
REPORT_SCHEMAS = ("lifecycle", "risk", "cases")


def profile_conf() -> dict[str, str]:
    """The `spark` output's server_side_parameters, rendered as dbt renders them."""

    def env_var(name: str, default: str | None = None) -> str:
        if name == "CREDITLINE_SPARK_DIR":
            return str(spark_dir())
        value = os.environ.get(name, default)
        if value is None:
            raise CreditlineError(f"environment variable {name} is not set")
        return value

    text = (PROJECT_DIR / "profiles.yml").read_text()
    rendered = jinja2.Environment().from_string(text).render(env_var=env_var)
    spark = yaml.safe_load(rendered)["creditline"]["outputs"]["spark"]
    conf = {str(key): str(value) for key, value in spark["server_side_parameters"].items()}
    conf["spark.sql.ansi.enabled"] = "false"  # dbt-spark forces this on every session
    return conf


def session():
    """A local Spark session on the project's metastore (starting one takes ~15 s)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise CreditlineError("pyspark is not installed: pip install -e '.[spark]'") from exc
    if not (spark_dir() / "metastore_db").is_dir():
        raise CreditlineError(
            f"no Spark warehouse at {spark_dir()} (run 'creditline build --target spark' first)"
        )
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in profile_conf().items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def relations_in(spark, schema: str) -> list[str]:
    """schema.name of every table and view in a Spark schema (empty if it does not exist)."""
    if not spark.catalog.databaseExists(schema):
        return []
    return sorted(
        f"{schema}.{table.name}"
        for table in spark.catalog.listTables(schema)
        if not table.isTemporary
    )


def read(spark, relation: str) -> pl.DataFrame:
    """One Spark relation as a Polars frame (through Arrow)."""
    return pl.from_arrow(spark.table(relation).toArrow())


def export_for_reports(db_path: Path) -> list[tuple[str, int]]:
    """Copy what the reports read from the Spark tables into a fresh DuckDB file, so the
    same report code renders them; returns (relation, rows)."""
    spark = session()
    relations = [name for schema in REPORT_SCHEMAS for name in relations_in(spark, schema)]
    relations += [name for name in REPORT_RELATIONS if spark.catalog.tableExists(name)]
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db_path.unlink(missing_ok=True)
    con = duckdb.connect(str(db_path))
    counts = []
    try:
        for relation in relations:
            schema, name = relation.split(".")
            frame = read(spark, relation)
            con.execute(f"create schema if not exists {schema}")
            con.register("spark_frame", frame)
            con.execute(f"create table {schema}.{name} as select * from spark_frame")
            con.unregister("spark_frame")
            counts.append((relation, frame.height))
    finally:
        con.close()
    return counts
