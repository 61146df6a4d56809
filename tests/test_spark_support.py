"""The Spark support that needs no Spark: the profile read from profiles.yml, the target
named on the command line, and the bench's growth and crossover arithmetic."""

import pytest

from creditline.bench_spark import crossover, growth
from creditline.cli import target_of
from creditline.spark import profile_conf


def test_the_spark_session_settings_come_from_the_dbt_profile(monkeypatch, tmp_path):
    monkeypatch.setenv("CREDITLINE_SPARK_DIR", str(tmp_path / "sparkdir"))
    monkeypatch.setenv("CREDITLINE_SPARK_SHUFFLE_PARTITIONS", "3")
    conf = profile_conf()
    assert conf["spark.sql.warehouse.dir"] == f"{tmp_path}/sparkdir/tables"
    assert f"databaseName={tmp_path}/sparkdir/metastore_db" in conf[
        "spark.hadoop.javax.jdo.option.ConnectionURL"]
    assert conf["spark.sql.shuffle.partitions"] == "3"
    assert conf["spark.sql.session.timeZone"] == "UTC"
    assert conf["spark.sql.ansi.enabled"] == "false"


@pytest.mark.parametrize(("args", "target"), [
    ([], "duckdb"), (["--select", "core"], "duckdb"), (["--target", "spark"], "spark"),
    (["--target=spark", "--full-refresh"], "spark"), (["-t", "spark"], "spark"),
])
def test_the_build_target_is_read_from_the_dbt_arguments(args, target):
    assert target_of(args) == target


def bench(sizes_seconds: dict[int, tuple[float, float]]) -> list[dict]:
    return [{"customers": customers,
             "steps": {"duckdb build": (duck, 1.0), "spark build": (spark, 2.0)}}
            for customers, (duck, spark) in sizes_seconds.items()]


def test_growth_is_the_log_log_slope_between_the_smallest_and_largest_size():
    # 4x the customers: DuckDB 10 s -> 40 s (b = 1), Spark 100 s -> 200 s (b = 0.5).
    results = bench({25_000: (10.0, 100.0), 100_000: (40.0, 200.0)})
    assert growth(results, "duckdb build") == pytest.approx(1.0)
    assert growth(results, "spark build") == pytest.approx(0.5)
    # Crossover: 40 (n/1e5) = 200 (n/1e5)^0.5  ->  (n/1e5)^0.5 = 5  ->  n = 2,500,000.
    assert "about 2,500,000 customers" in crossover(results)


def test_no_crossover_when_spark_grows_as_fast():
    results = bench({25_000: (10.0, 100.0), 100_000: (40.0, 400.0)})
    assert "never cross" in crossover(results)
    assert "no growth" in crossover(results[:1])
