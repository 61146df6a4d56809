"""`make bench`: generate and build portfolios of several sizes and record, per step, wall
time, peak memory and rows in docs/performance.md, beside the floor measured in the same
run (one plain DuckDB pass that reads every raw file and writes each table once).

Each step runs in its own child process, so the peak memory reported is that step's own
(the child's maximum resident set, including any processes it starts).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from creditline.daily import (
    EXIT_OK,
    RAW_TABLES,
    code_hash,
    last_published_run,
    raw_manifest,
    record_daily_run,
    run_daily,
    warehouse_facts,
)
from creditline.paths import PROJECT_DIR
from creditline.publish import publish

# Code each child runs; it prints one JSON line: rows and the child's own peak RSS.
STEP_CODE = {
    "generate": """
import json, resource, sys
from pathlib import Path
from creditline.generate import generate_portfolio
counts = generate_portfolio(Path(sys.argv[1]), customers=int(sys.argv[2]), months=36, seed=42)
print(json.dumps({"rows": sum(counts.values()),
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
""",
    "floor": """
import json, resource, sys, duckdb
raw, db, tables = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
con = duckdb.connect(db)
con.execute("set memory_limit='7GB'")
rows = 0
for table in tables:
    con.execute(f"create or replace table {table} as select * from read_parquet("
                f"'{raw}/{table}/*/*.parquet', hive_partitioning=true, union_by_name=true)")
    rows += con.execute(f"select count(*) from {table}").fetchall()[0][0]
con.close()
print(json.dumps({"rows": rows,
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
""",
    "build": """
import json, resource, sys
from pathlib import Path
from creditline.dbt_runner import run_dbt
result = run_dbt(["build", "--exclude", "resource_type:test", "resource_type:unit_test"],
                 db_path=Path(sys.argv[2]), raw_root=Path(sys.argv[1]),
                 target_path=Path(sys.argv[3]), capture=True)
if result.returncode != 0:
    sys.stderr.write(result.stdout[-4000:])
    sys.exit(result.returncode)
print(json.dumps({"rows": None,
                  "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
""",
    "daily": """
import json, resource, sys
from pathlib import Path
from creditline.bench import bench_daily_vs_full
timings = bench_daily_vs_full(Path(sys.argv[1]), Path(sys.argv[2]),
                              rebuild=sys.argv[3] == "rebuild", built=Path(sys.argv[4]))
print(json.dumps({"rows": None, "timings": timings,
                  "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
""",
    "test": """
import json, resource, sys
from pathlib import Path
from creditline.dbt_runner import run_dbt
result = run_dbt(["test"], db_path=Path(sys.argv[2]), raw_root=Path(sys.argv[1]),
                 target_path=Path(sys.argv[3]), capture=True)
print(json.dumps({"rows": None, "exit": result.returncode,
                  "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
""",
}


def run_step(name: str, *args: str) -> dict:
    """Run one step in a child process; return its wall time, peak memory and rows."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", STEP_CODE[name], *args],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bench step {name} failed:\n{done.stderr[-4000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "step": name,
        "seconds": seconds,
        "peak_gib": report["peak_kb"] / 1024**2,
        "rows": report.get("rows"),
        "exit": report.get("exit", 0),
        "timings": report.get("timings"),
    }


def slowest_models(target: Path, top: int = 6) -> list[tuple[str, float]]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    timed = [
        (r["unique_id"].split(".")[-1], r["execution_time"])
        for r in results
        if r["unique_id"].startswith("model.")
    ]
    return sorted(timed, key=lambda item: -item[1])[:top]


def warehouse_rows(db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(
            "select coalesce(sum(estimated_size), 0) from duckdb_tables() "
            "where schema_name in ('core','lifecycle','risk','cases')"
        ).fetchall()[0][0]
    finally:
        con.close()


def bench_size(customers: int, work: Path, daily: bool, rebuild: bool) -> dict:
    raw, db, target = work / "raw", work / "wh.duckdb", work / "target"
    steps = [run_step("generate", str(raw), str(customers))]
    floor = run_step("floor", str(raw), str(work / "floor.duckdb"), ",".join(RAW_TABLES))
    steps.append(floor)
    build = run_step("build", str(raw), str(db), str(target))
    build["rows"] = warehouse_rows(db)
    steps.append(build)
    slowest = slowest_models(target)  # before the test step writes its own run_results
    test = run_step("test", str(raw), str(db), str(work / "target-test"))
    steps.append(test)
    result = {
        "customers": customers,
        "steps": steps,
        "floor_seconds": floor["seconds"],
        "build_seconds": build["seconds"],
        "slowest": slowest,
        "daily": None,
    }
    if daily:
        # The warehouse just built and tested is adopted as the published one (no second
        # full build); one appended day is then built incrementally, and, with `rebuild`,
        # the same data again in full.
        result["daily"] = run_step(
            "daily",
            str(raw),
            str(work / "daily.duckdb"),
            "rebuild" if rebuild else "no-rebuild",
            str(db),
        )
        timings = result["daily"]["timings"]
        result["daily_reference"] = (
            (
                timings["full_seconds"],
                "a full rebuild of the same data (a daily run with --full-refresh)",
            )
            if "full_seconds" in timings
            else (
                build["seconds"] + test["seconds"],
                "the full build and tests above (one day less data)",
            )
        )
    return result


def render(results: list[dict], threads: int) -> str:
    lines = [
        f"Measured by `make bench` on {platform.machine()}, {platform.python_version()}, "
        "2 cores, 24 GiB (this project's machines). Portfolios of 36 months, seed 42. "
        "Peak memory is each step's own child process maximum resident set. The machine's "
        f"load average when the run ended: {os.getloadavg()[0]:.1f} (other work on its two "
        f"cores inflates every figure, the floor included). dbt threads: {threads}.",
        "",
        "The floor is one plain DuckDB pass that reads every raw file and writes each "
        "table once into a DuckDB file: the least any warehouse that keeps its data "
        "must do. Target: a full build (models, without tests) within 10x the floor "
        "and under 8 GiB peak.",
        "",
    ]
    for result in results:
        ratio = result["build_seconds"] / result["floor_seconds"]
        lines += [
            f"## {result['customers']:,} customers",
            "",
            "| step | wall time (s) | peak memory (GiB) | rows |",
            "|---|---:|---:|---:|",
        ]
        for step in result["steps"]:
            rows = f"{step['rows']:,}" if step["rows"] is not None else "–"
            label = step["step"] + (" (failures)" if step.get("exit") else "")
            lines.append(f"| {label} | {step['seconds']:.1f} | {step['peak_gib']:.2f} | {rows} |")
        verdict = "within" if ratio <= 10 else "MISSES"
        lines += [
            "",
            f"Build / floor = {ratio:.1f}x ({verdict} the 10x target).",
            "",
            "Slowest models (dbt run timings, s): "
            + ", ".join(f"`{name}` {seconds:.1f}" for name, seconds in result["slowest"]),
            "",
        ]
        if result["daily"]:
            timings = result["daily"]["timings"]
            reference_seconds, reference = result["daily_reference"]
            full = f"{reference} {reference_seconds:.0f} s"
            lines += [
                "Daily run (`creditline daily`, each including parse, freshness and "
                f"tests): incremental {timings['daily_seconds']:.0f} s "
                f"({timings['affected_loans']:,} loans and {timings['affected_lines']:,} "
                f"lines recomputed) against {full}; peak "
                f"{result['daily']['peak_gib']:.2f} GiB.",
                "",
            ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# the daily run against a full rebuild


def adopt_full_build(built: Path, published: Path, raw: Path) -> None:
    """Publish a warehouse that a plain full `dbt build` of `raw` made with the current code
    as if a full daily run had built it (the file is moved, and the run recorded), so the
    next daily run can be incremental without building everything once more."""
    facts = warehouse_facts(built)
    manifest = raw_manifest(raw)
    publish(built, published)
    now = datetime.now()
    record_daily_run(
        published,
        {
            "run_id": f"adopted-{now:%Y%m%d%H%M%S}",
            "run_date": now.date(),
            "started_at": now,
            "finished_at": now,
            "mode": "full",
            "since_load_date": None,
            "previous_as_of": None,
            "as_of": facts.get("as_of"),
            "newest_load_date": max(date.fromisoformat(k.split("/")[1]) for k in manifest),
            "code_hash": code_hash(),
            "raw_manifest": json.dumps(manifest),
            "invocation_id": facts.get("invocation_id"),
            "summary": "adopted a full dbt build",
        },
    )


def bench_daily_vs_full(
    raw_root: Path,
    db_path: Path,
    *,
    day: date | None = None,
    seed: int = 42,
    rebuild: bool = True,
    built: Path | None = None,
) -> dict:
    """Time a daily incremental run against a built portfolio, and a full rebuild of the
    same raw data. `raw_root` holds a generated portfolio; `db_path` is a scratch warehouse.
    When it is missing it is built by a full daily run, or, given `built` (a warehouse a
    full `dbt build` of the same raw data made), that file is adopted instead (at a million
    customers this saves a full build of most of an hour). Appends one day (`day`, default
    the day after the newest load date) to the raw data, runs the daily incremental build,
    then, with `rebuild`, a full rebuild of the same data.
    Returns seconds per step (wall clock, each including parse, freshness and tests)."""
    from creditline.synth.append import append_day

    raw_root, db_path = Path(raw_root), Path(db_path)
    timings: dict = {}
    newest = max(date.fromisoformat(k.split("/")[1]) for k in raw_manifest(raw_root))
    if not db_path.is_file() or last_published_run(db_path) is None:
        t = time.monotonic()
        if built is not None:
            adopt_full_build(Path(built), db_path, raw_root)
            timings["adopt_seconds"] = round(time.monotonic() - t, 1)
        else:
            first = run_daily(
                run_date=newest + timedelta(days=1),
                db_path=db_path,
                raw_root=raw_root,
                reports=False,
                full_refresh=True,
            )
            timings["initial_full_seconds"] = round(time.monotonic() - t, 1)
            if first.exit_code != EXIT_OK:
                raise RuntimeError(first.summary)
    day = day or newest + timedelta(days=1)
    t = time.monotonic()
    append_day(raw_root, day, seed=seed)
    timings["append_day_seconds"] = round(time.monotonic() - t, 1)
    daily = run_daily(
        run_date=day + timedelta(days=1), db_path=db_path, raw_root=raw_root, reports=False
    )
    timings.update(
        daily_seconds=round(daily.seconds, 1),
        daily_build_seconds=round(daily.build_seconds, 1),
        daily_mode=daily.mode,
        affected_loans=daily.affected_loans,
        affected_lines=daily.affected_lines,
    )
    timings["exit_codes"] = (daily.exit_code,)
    if rebuild:
        full = run_daily(
            run_date=day + timedelta(days=1),
            db_path=db_path,
            raw_root=raw_root,
            reports=False,
            full_refresh=True,
        )
        timings.update(
            full_seconds=round(full.seconds, 1), full_build_seconds=round(full.build_seconds, 1)
        )
        timings["exit_codes"] += (full.exit_code,)
    return timings


# ---------------------------------------------------------------------------------------
# docs/performance.md

MEASURED_START, MEASURED_END = "<!-- bench:start -->", "<!-- bench:end -->"


def write_measured(out: Path, measured: str, section: str = "bench") -> None:
    """Replace the measured section between the `<!-- {section}:start/end -->` markers; the
    hand-written analysis around it stays. A file without the markers gets the section
    appended."""
    start, end = f"<!-- {section}:start -->", f"<!-- {section}:end -->"
    text = out.read_text() if out.is_file() else "# Performance\n"
    block = f"{start}\n{measured}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    out.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="1000000,100000", help="Comma-separated customer counts."
    )
    parser.add_argument(
        "--daily-sizes",
        default="1000000",
        help="Sizes at which to time a daily incremental run against a full "
        "rebuild (comma-separated; empty for none).",
    )
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "docs" / "performance.md")
    parser.add_argument(
        "--work", type=Path, default=None, help="Scratch folder (default: a temporary one)."
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="dbt threads (CREDITLINE_THREADS) for every build."
    )
    parser.add_argument(
        "--daily-rebuild",
        action="store_true",
        help="Also time a full rebuild after the daily run (default: compare with "
        "the full build and tests of the same size, one day less data).",
    )
    args = parser.parse_args()
    os.environ["CREDITLINE_THREADS"] = str(args.threads)
    results = []
    with tempfile.TemporaryDirectory(dir=args.work) as scratch:
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"benchmarking {size:,} customers...", flush=True)
            daily = str(size) in args.daily_sizes.split(",")
            results.append(bench_size(size, Path(scratch) / str(size), daily, args.daily_rebuild))
            write_measured(args.out, render(results, args.threads))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
