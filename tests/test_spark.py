"""The same project on Apache Spark: one small generated portfolio built on DuckDB and on
Spark (local mode), then every dim_, fct_ and mart_ relation compared (make test-spark).

Equal means: the same columns, the same row count, and, with the rows sorted, the same
keys, dates, strings and flags, and numbers within 1e-9 relative (1e-12 absolute near
zero: sums added up in another order differ in the last bits).
"""

import math
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dbt_support import dbt_ok

pytestmark = [pytest.mark.spark, pytest.mark.integration]

SPARK_PORTFOLIO = {"customers": 400, "start": "2023-01", "months": 18, "seed": 11}
MART_SCHEMAS = ("core", "lifecycle", "risk", "cases")
RELATIVE, ABSOLUTE = 1e-9, 1e-12

# Relations whose values legitimately differ between the engines, and why (none so far).
KNOWN_DIFFERENCES: dict[str, str] = {}


@pytest.fixture(scope="module")
def both_builds(tmp_path_factory):
    """(DuckDB file, Spark session) holding the same portfolio, each built with `dbt build`
    (models, seeds, snapshot and tests); Spark's snapshot then runs once more."""
    if shutil.which("java") is None:
        pytest.fail(
            "Spark needs Java 17 (Debian: openjdk-17-jre-headless); make test-spark installs it"
        )
    from creditline.generate import generate_portfolio

    work = tmp_path_factory.mktemp("spark_equivalence")
    raw = work / "raw"
    generate_portfolio(raw, **SPARK_PORTFOLIO)
    db = work / "duckdb" / "creditline.duckdb"
    # DuckDB's unit tests run in make test; Spark's run here, on Spark's SQL
    dbt_ok(["build", "--exclude-resource-type", "unit_test"], db, raw, work / "target-duckdb")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CREDITLINE_SPARK_DIR", str(work / "spark"))
        dbt_ok(["build", "--target", "spark"], db, raw, work / "target-spark")
        # a second snapshot run: the rewrite path of macros/engine/spark__snapshot.sql
        dbt_ok(["snapshot", "--target", "spark"], db, raw, work / "target-spark")
        from creditline import spark

        session = spark.session()
        yield db, session
        session.stop()


def mart_relations(db: Path) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.sql(
            "select schema_name || '.' || table_name from duckdb_tables() "
            f"where schema_name in {MART_SCHEMAS} union all "
            "select schema_name || '.' || view_name from duckdb_views() "
            f"where schema_name in {MART_SCHEMAS}"
        ).fetchall()
    finally:
        con.close()
    names = sorted(
        row[0] for row in rows if row[0].split(".")[1].startswith(("dim_", "fct_", "mart_"))
    )
    assert len(names) > 20, names
    return names


def normalized(frame: pl.DataFrame) -> pl.DataFrame:
    """One type per kind of value, so the engines' type choices do not count as differences:
    every number a Float64 (decimals included), timestamps naive."""
    columns = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype.is_numeric():
            column = column.cast(pl.Float64)
        elif isinstance(dtype, pl.Datetime):
            column = column.dt.replace_time_zone(None).dt.cast_time_unit("us")
        columns.append(column)
    return frame.select(columns)


def differences(duck: pl.DataFrame, spark: pl.DataFrame) -> list[str]:
    """What differs between the two versions of one relation (empty when equal)."""
    if sorted(duck.columns) != sorted(spark.columns):
        return [f"columns differ: {sorted(set(duck.columns) ^ set(spark.columns))}"]
    if duck.height != spark.height:
        return [f"rows: duckdb {duck.height}, spark {spark.height}"]
    duck, spark = normalized(duck), normalized(spark.select(duck.columns))
    floats = [name for name, dtype in duck.schema.items() if dtype == pl.Float64]
    exact = [name for name in duck.columns if name not in floats]
    # Sort by the exact columns first, then by the numbers rounded past float noise.
    keys = exact + [f"__{name}" for name in floats]
    duck, spark = (
        frame.with_columns(pl.col(name).round_sig_figs(8).alias(f"__{name}") for name in floats)
        .sort(keys, nulls_last=True)
        .drop(f"__{name}" for name in floats)
        for frame in (duck, spark)
    )
    found = []
    for name in exact:
        unequal = (duck[name].ne_missing(spark[name])).sum()
        if unequal:
            found.append(f"{name}: {unequal} rows differ")
    for name in floats:
        for left, right in zip(duck[name].to_list(), spark[name].to_list(), strict=True):
            if left is None or right is None:
                if left is not right:
                    found.append(f"{name}: null on one side ({left!r} vs {right!r})")
                    break
            elif not math.isclose(left, right, rel_tol=RELATIVE, abs_tol=ABSOLUTE):
                found.append(f"{name}: {left!r} vs {right!r}")
                break
    return found


def test_the_comparison_catches_a_changed_value():
    duck = pl.DataFrame({"line_id": ["a", "b"], "balance": [1.0, 2.0], "opened_on": [None, None]})
    assert differences(duck, duck.reverse()) == []
    assert differences(duck, duck.with_columns(pl.col("balance") * (1 + 1e-12))) == []
    assert differences(duck, duck.with_columns(pl.col("balance") * (1 + 1e-6))) != []
    assert differences(duck, duck.with_columns(line_id=pl.lit("a"))) != []
    assert differences(duck, duck.head(1)) != []


def test_every_mart_relation_is_the_same_on_spark_and_duckdb(both_builds):
    from creditline import spark as spark_side

    db, session = both_builds
    con = duckdb.connect(str(db), read_only=True)
    failures, compared = {}, 0
    try:
        for relation in mart_relations(db):
            if relation in KNOWN_DIFFERENCES:
                continue
            duck = con.sql(f"select * from {relation}").pl()
            found = differences(duck, spark_side.read(session, relation))
            compared += duck.height
            if found:
                failures[relation] = found
    finally:
        con.close()
    assert compared > 10_000
    assert not failures, failures


def page_texts(site: Path) -> dict[str, str]:
    """Visible text of every report page, by path within the site, without the overview's
    data-quality summary: its freshness is judged against the last dbt run, which only
    DuckDB records (ops.*)."""
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    texts = {}
    for page in sorted(site.rglob("*.html")):
        tree = HTMLParser(page.read_text())
        for node in tree.css('[data-figure="quality"]'):
            node.decompose()
        texts[str(page.relative_to(site))] = tree.body.text(separator=" ")
    return texts


def test_reports_from_spark_read_the_same_as_from_duckdb(both_builds, tmp_path):
    from creditline import spark
    from creditline.paths import spark_dir
    from creditline.reports.build_site import render_reports

    db, _ = both_builds
    copy = spark_dir() / "report_marts.duckdb"
    counts = dict(spark.export_for_reports(copy))
    assert {
        "risk.mart_portfolio_monthly",
        "cases.mart_case_candidates",
        "staging.stg_row_reconciliation",
    } <= counts.keys()
    con = duckdb.connect(str(db), read_only=True)
    try:
        for relation, rows in counts.items():
            assert con.execute(f"select count(*) from {relation}").fetchone()[0] == rows, relation
    finally:
        con.close()
    from_duckdb = page_texts(render_reports(db, tmp_path / "duckdb", ("en",), docs=False).parent)
    from_spark = page_texts(render_reports(copy, tmp_path / "spark", ("en",), docs=False).parent)
    assert from_duckdb.keys() == from_spark.keys() and len(from_duckdb) >= 4
    # The data-quality page also shows the last dbt run, which only DuckDB records (ops.*).
    differing = [
        page
        for page in from_duckdb
        if from_duckdb[page] != from_spark[page] and "quality" not in page
    ]
    assert differing == []


def test_a_second_snapshot_run_on_spark_keeps_the_history(both_builds):
    """The fixture runs the Spark snapshot twice; the second run takes the rewrite path (no
    MERGE on Parquet). With no change in the lines it must add and close nothing: the same
    history as DuckDB's single run, one current version per line."""
    db, session = both_builds
    count = "select count(*), count(dbt_valid_to) from snapshots.snp_credit_line_states"
    con = duckdb.connect(str(db), read_only=True)
    try:
        duck = con.execute(count).fetchone()
    finally:
        con.close()
    assert tuple(session.sql(count).collect()[0]) == duck
    assert duck[0] > 0 and duck[1] == 0
