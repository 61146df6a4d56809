"""The Spark support that needs no Spark: the profile read from profiles.yml, the target
named on the command line, and the bench's growth and crossover arithmetic."""

import pytest

from creditline.bench_spark import crossover
from creditline.cli import target_of
from creditline.spark import profile_conf


def test_the_spark_session_settings_come_from_the_dbt_profile(monkeypatch, tmp_path):
    monkeypatch.setenv("CREDITLINE_SPARK_DIR", str(tmp_path / "sparkdir"))
    monkeypatch.setenv("CREDITLINE_SPARK_SHUFFLE_PARTITIONS", "3")
    conf = profile_conf()
    assert conf["spark.sql.warehouse.dir"] == f"{tmp_path}/sparkdir/tables"
    assert (
        f"databaseName={tmp_path}/sparkdir/metastore_db"
        in conf["spark.hadoop.javax.jdo.option.ConnectionURL"]
    )
    assert conf["spark.sql.shuffle.partitions"] == "3"
    assert conf["spark.sql.session.timeZone"] == "UTC"
    assert conf["spark.sql.ansi.enabled"] == "false"


@pytest.mark.parametrize(
    ("args", "target"),
    [
        ([], "duckdb"),
        (["--select", "core"], "duckdb"),
        (["--target", "spark"], "spark"),
        (["--target=spark", "--full-refresh"], "spark"),
        (["-t", "spark"], "spark"),
    ],
)
def test_the_build_target_is_read_from_the_dbt_arguments(args, target):
    assert target_of(args) == target


def bench(sizes_seconds: dict[int, tuple[float, float]]) -> list[dict]:
    return [
        {
            "customers": customers,
            "steps": {"duckdb build": (duck, 1.0), "spark build": (spark, 2.0)},
        }
        for customers, (duck, spark) in sizes_seconds.items()
    ]


def test_the_fitted_lines_and_the_crossover_are_computed_by_hand():
    # DuckDB: 20 s at 10k, 100 s at 50k -> 0 s + 2 s per 1,000 customers.
    # Spark: 500 s at 10k, 700 s at 50k -> 450 s + 5 s per 1,000.
    results = bench({10_000: (20.0, 500.0), 50_000: (100.0, 700.0)})
    text = crossover(results, workers=(1, 4))
    assert "DuckDB 0 + 2.00, Spark local 450 + 5.00" in text
    # One machine: Spark's 5 s per 1,000 never falls under DuckDB's 2 s.
    assert "On this machine: Spark never overtakes DuckDB." in text
    # Four machines: 450 + 1.25 n = 2 n  ->  n = 600 thousand customers.
    assert "With 4 such machines for Spark: Spark overtakes at about 600,000 customers" in text


def test_one_size_measures_no_growth():
    assert "no growth" in crossover(bench({10_000: (20.0, 500.0)}))
