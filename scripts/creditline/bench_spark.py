"""`make bench-spark`: the same portfolios built on DuckDB and on Spark's local mode, wall
time and peak memory per step side by side in docs/performance.md (between the
`bench-spark:` markers), with each engine's build time fitted as a line (fixed part plus a
part per customer) and where Spark's would cross DuckDB's, on one machine and on several.

Peak memory is sampled (every 0.2 s) over the whole process tree of a step: Spark's JVM is
a grandchild of the dbt process and would escape a plain getrusage.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from creditline.bench import write_measured
from creditline.paths import PROJECT_DIR
from creditline.spark import profile_conf


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak resident GiB of it and its descendants)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        command,
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        parent = psutil.Process(child.pid)
        while not done.wait(0.2):
            try:
                tree = [parent, *parent.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                continue

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = child.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"bench step failed: {' '.join(command)}\n{output[-4000:]}")
    return seconds, peak / 1024**3


def bench_size(customers: int, work: Path, tests: bool) -> dict:
    raw = work / "raw"
    env = {
        **os.environ,
        "CREDITLINE_RAW": str(raw),
        "CREDITLINE_DB": str(work / "wh.duckdb"),
        "CREDITLINE_TEMP_DIR": str(work / "tmp"),
        "CREDITLINE_SPARK_DIR": str(work / "spark"),
        "CREDITLINE_TARGET_PATH": str(work / "target"),
    }
    creditline = str(Path(sys.executable).parent / "creditline")
    dbt = str(Path(sys.executable).parent / "dbt")
    steps = {
        "generate": run_measured(
            [
                creditline,
                "generate",
                "--customers",
                str(customers),
                "--months",
                "36",
                "--seed",
                "42",
                "--out",
                str(raw),
            ],
            env,
        )
    }
    models = ["--exclude", "resource_type:test", "resource_type:unit_test"]
    for engine in ("duckdb", "spark"):
        base = [
            dbt,
            "build",
            "--target",
            engine,
            "--profiles-dir",
            str(PROJECT_DIR),
            "--project-dir",
            str(PROJECT_DIR),
        ]
        steps[f"{engine} build"] = run_measured([*base, *models], env)
        if tests:
            steps[f"{engine} tests"] = run_measured(
                [
                    dbt,
                    "test",
                    "--target",
                    engine,
                    "--profiles-dir",
                    str(PROJECT_DIR),
                    "--project-dir",
                    str(PROJECT_DIR),
                ],
                env,
            )
    return {"customers": customers, "steps": steps}


def linear_fit(results: list[dict], step: str) -> tuple[float, float] | None:
    """(fixed seconds, seconds per customer) of a step, through the smallest and the
    largest size: a build costs a fixed part (parse, session start, one job per model)
    plus a part that grows with the book."""
    if len(results) < 2:
        return None
    first, last = results[0], results[-1]
    per_customer = (last["steps"][step][0] - first["steps"][step][0]) / (
        last["customers"] - first["customers"]
    )
    return first["steps"][step][0] - per_customer * first["customers"], per_customer


def crossover(results: list[dict], workers: tuple[int, ...] = (1, 4, 8)) -> str:
    """Where Spark's build would overtake DuckDB's on one machine, and on clusters of
    several machines like this one (Spark's per-customer part shared out evenly, its fixed
    part not), from the fitted lines."""
    duck, spark = linear_fit(results, "duckdb build"), linear_fit(results, "spark build")
    if duck is None:
        return "One size only: no growth measured."
    text = (
        f"Fitted lines (fixed s + s per 1,000 customers): DuckDB {duck[0]:.0f} + "
        f"{duck[1] * 1000:.2f}, Spark local {spark[0]:.0f} + {spark[1] * 1000:.2f}."
    )
    for count in workers:
        share = spark[1] / count
        where = "On this machine" if count == 1 else f"With {count} such machines for Spark"
        if share >= duck[1]:
            text += f" {where}: Spark never overtakes DuckDB."
        else:
            customers = (spark[0] - duck[0]) / (duck[1] - share)
            text += f" {where}: Spark overtakes at about {customers:,.0f} customers."
    return text


def render(results: list[dict]) -> str:
    conf = profile_conf()  # the settings the Spark builds ran with
    lines = [
        f"Measured by `make bench-spark` on {platform.machine()}, "
        f"{platform.python_version()}, 2 cores, 24 GiB. 36 months, seed 42. Spark in "
        f"local mode (`{conf['spark.master']}`, {conf['spark.driver.memory']} driver, "
        f"{conf['spark.sql.shuffle.partitions']} shuffle partitions), dbt threads 1 on "
        "both; builds are models, seeds and snapshot (tests only with `--tests`). Peak "
        "memory: the step's whole process tree, sampled. Load average at the end: "
        f"{os.getloadavg()[0]:.1f}.",
        "",
        "| customers | step | wall time (s) | peak memory (GiB) |",
        "|---:|---|---:|---:|",
    ]
    for result in results:
        for step, (seconds, peak) in result["steps"].items():
            lines.append(f"| {result['customers']:,} | {step} | {seconds:.1f} | {peak:.2f} |")
    for result in results:
        steps = result["steps"]
        line = (
            f"{result['customers']:,} customers: Spark build / DuckDB build = "
            f"{steps['spark build'][0] / steps['duckdb build'][0]:.1f}x"
        )
        if "spark tests" in steps:
            line += f", tests {steps['spark tests'][0] / steps['duckdb tests'][0]:.1f}x"
        lines += ["", line + "."]
    lines += ["", crossover(results)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,100000", help="Comma-separated customer counts.")
    parser.add_argument(
        "--tests",
        action="store_true",
        help="Also time `dbt test` on each engine (Spark's takes as long as its build again).",
    )
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "docs" / "performance.md")
    parser.add_argument(
        "--work", type=Path, default=None, help="Scratch folder (default: a temporary one)."
    )
    args = parser.parse_args()
    os.environ.setdefault("CREDITLINE_THREADS", "1")
    results = []
    with tempfile.TemporaryDirectory(dir=args.work) as scratch:
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"benchmarking {size:,} customers on DuckDB and Spark...", flush=True)
            results.append(bench_size(size, Path(scratch) / str(size), args.tests))
            write_measured(args.out, render(results), section="bench-spark")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
