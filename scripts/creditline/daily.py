"""`creditline daily`: the scheduled run. Checks raw freshness, builds the warehouse
incrementally in a copy, tests it, publishes it atomically, renders the reports, and says
what happened in one paragraph and an exit code.

Incremental state lives in the published warehouse itself (`ops.daily_runs`: the raw
partitions already processed, the as-of date, a hash of the dbt code), so a run needs
nothing but the warehouse and the raw root. See docs/operations.md.

Exit codes: 0 published (reports rendered); 1 the build or a test failed, nothing
published; 2 a user error (bad path, bad date); 3 another daily run is in progress;
4 the raw data is stale (freshness error), nothing built; 5 published, but the reports
failed.
"""

import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import yaml

from creditline.build import build_warehouse, record_run_results
from creditline.dbt_runner import run_dbt
from creditline.errors import CreditlineError
from creditline.lock import RunInProgress, RunLock
from creditline.paths import PROJECT_DIR, raw_root as default_raw_root, warehouse_path
from creditline.publish import building_path, discard_building, prepare_building, publish

EXIT_OK, EXIT_FAILED, EXIT_USER, EXIT_BUSY, EXIT_STALE, EXIT_REPORTS = 0, 1, 2, 3, 4, 5

RAW_TABLES = ("customers", "credit_lines", "limit_events", "loans", "installments",
              "repayments", "credit_scores", "credit_inquiries")
# What the marts are a function of, besides the raw data: a change forces a full refresh.
CODE_PATHS = ("models", "macros", "seeds", "snapshots", "dbt_project.yml")

DAILY_RUNS_SQL = """
create schema if not exists ops;
create table if not exists ops.daily_runs (
    run_id varchar,
    run_date date,
    started_at timestamp,
    finished_at timestamp,
    mode varchar,
    since_load_date date,
    previous_as_of date,
    as_of date,
    newest_load_date date,
    code_hash varchar,
    raw_manifest json,
    invocation_id varchar,
    summary varchar
);
"""


@dataclass
class DailyResult:
    """What a daily run did; `summary` is the paragraph the command prints."""

    exit_code: int
    status: str  # published | failed | stale | busy | reports_failed
    summary: str
    mode: str = ""  # incremental | full
    run_date: date | None = None
    since_load_date: date | None = None
    as_of: date | None = None
    seconds: float = 0.0
    build_seconds: float = 0.0
    failing_tests: list[str] = field(default_factory=list)
    quarantined: list[tuple[str, str, int]] = field(default_factory=list)
    affected_loans: int | None = None
    affected_lines: int | None = None


# ---------------------------------------------------------------------------------------
# raw manifest and code hash


def raw_manifest(raw: Path) -> dict[str, str]:
    """Fingerprint per raw partition, `<table>/<load_date>` -> hash of its files' names,
    sizes and modification times. A new or changed partition is new data."""
    manifest = {}
    for table in RAW_TABLES:
        for folder in sorted((raw / table).glob("load_date=*")):
            parts = []
            for f in sorted(folder.iterdir()):
                if f.suffix in (".parquet", ".csv"):
                    st = f.stat()
                    parts.append(f"{f.name}:{st.st_size}:{st.st_mtime_ns}")
            if parts:
                key = f"{table}/{folder.name.removeprefix('load_date=')}"
                manifest[key] = hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
    return manifest


def code_hash(project: Path = PROJECT_DIR) -> str:
    """Hash of the dbt code and vars that shape the marts."""
    digest = hashlib.sha256()
    for name in CODE_PATHS:
        path = project / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            digest.update(str(f.relative_to(project)).encode())
            digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def project_var(name: str, default):
    config = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    return (config.get("vars") or {}).get(name, default)


# ---------------------------------------------------------------------------------------
# state of the published warehouse


def last_published_run(published: Path) -> dict | None:
    """The latest ops.daily_runs row of the published warehouse, or None."""
    if not published.is_file():
        return None
    try:
        con = duckdb.connect(str(published), read_only=True)
    except duckdb.Error:
        return None
    try:
        exists = con.sql("select count(*) from duckdb_tables() where schema_name = 'ops' "
                         "and table_name = 'daily_runs'").fetchall()[0][0]
        if not exists:
            return None
        rows = con.sql("select as_of, newest_load_date, code_hash, raw_manifest::varchar "
                       "from ops.daily_runs order by finished_at desc limit 1").fetchall()
    finally:
        con.close()
    if not rows:
        return None
    as_of, newest, code, manifest = rows[0]
    return {"as_of": as_of, "newest_load_date": newest, "code_hash": code,
            "manifest": json.loads(manifest)}


@dataclass
class Plan:
    mode: str
    reason: str
    since: date | None
    previous_as_of: date | None
    new_load_dates: list[date]


def plan_run(previous: dict | None, manifest: dict[str, str], code: str, lookback: int,
             full_refresh: bool) -> Plan:
    """Incremental when the published warehouse records a daily run with the same code,
    no raw partition it saw has vanished, and every changed partition is within the
    lookback window; a full refresh otherwise."""
    changed = sorted(k for k, v in manifest.items()
                     if previous is None or previous["manifest"].get(k) != v)
    new_dates = sorted({date.fromisoformat(k.split("/")[1]) for k in changed})
    if full_refresh:
        return Plan("full", "asked for --full-refresh", None, None, new_dates)
    if previous is None:
        return Plan("full", "no earlier daily run in the published warehouse", None, None,
                    new_dates)
    if previous["code_hash"] != code:
        return Plan("full", "the dbt code or vars changed since the last run", None, None,
                    new_dates)
    vanished = sorted(set(previous["manifest"]) - set(manifest))
    if vanished:
        return Plan("full", f"raw partition {vanished[0]} disappeared", None, None, new_dates)
    window_start = previous["newest_load_date"] - timedelta(days=lookback)
    if new_dates and new_dates[0] < window_start:
        return Plan("full", f"partition of load date {new_dates[0]} changed, before the "
                    f"{lookback}-day lookback window", None, None, new_dates)
    # Only new or changed partitions are read again; with none, a load date after every
    # partition leaves just what the as-of date touches (and a re-run changes nothing).
    since = new_dates[0] if new_dates else previous["newest_load_date"] + timedelta(days=1)
    return Plan("incremental", "", since, previous["as_of"], new_dates)


# ---------------------------------------------------------------------------------------
# freshness


def check_freshness(db: Path, raw: Path, target: Path, run_date: date,
                    log: Path) -> tuple[str, list[str]]:
    """`dbt source freshness`, judged against the run date: the age of each table's newest
    load date against the warn_after / error_after in the sources' config. Returns the
    worst status (pass, warn, error) and one note per table that is not fresh."""
    result = run_dbt(["source", "freshness"], db_path=db, raw_root=raw, target_path=target,
                     capture=True)
    log.write_text(result.stdout + result.stderr)
    sources_file = target / "sources.json"
    if not sources_file.is_file():
        raise CreditlineError(f"dbt source freshness failed (see {log})")
    worst, notes = "pass", []
    rank = {"pass": 0, "warn": 1, "error": 2}
    for r in json.loads(sources_file.read_text())["results"]:
        table = r["unique_id"].split(".")[-1]
        if r.get("status") == "runtime error" or not r.get("max_loaded_at"):
            status, age = "error", None
        else:
            newest = datetime.fromisoformat(r["max_loaded_at"].replace("Z", "")).date()
            age = (run_date - newest).days
            status = "pass"
            for level in ("warn", "error"):
                rule = r["criteria"].get(f"{level}_after") or {}
                if rule.get("count") is not None and rule.get("period"):
                    limit = rule["count"] * {"minute": 1 / 1440, "hour": 1 / 24,
                                             "day": 1}[rule["period"]]
                    if age > limit:
                        status = level
        if status != "pass":
            notes.append(f"{table} {'unreadable' if age is None else f'{age} days old'}")
        worst = max(worst, status, key=rank.get)
    return worst, notes


# ---------------------------------------------------------------------------------------
# results


def failing_nodes(results_file: Path) -> tuple[list[str], int, int]:
    """(names of failed nodes with their failure counts, tests passed, nodes)."""
    if not results_file.is_file():
        return ["dbt build (no run_results.json)"], 0, 0
    results = json.loads(results_file.read_text())["results"]
    failed = [f"{r['unique_id'].split('.')[-1]}"
              + (f" ({r['failures']} rows)" if r.get("failures") else f" ({r['status']})")
              for r in results if r["status"] in ("error", "fail", "runtime error")]
    passed = sum(1 for r in results if r["unique_id"].startswith("test.")
                 and r["status"] == "pass")
    return failed, passed, len(results)


def quarantine_counts(db: Path, load_dates: list[date]) -> list[tuple[str, str, int]]:
    """Quarantined rows of the run's load dates, by table and rule."""
    if not db.is_file() or not load_dates:
        return []
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return []
    try:
        return [tuple(r) for r in con.execute(
            "select table_name, quarantine_rule, count(*) from staging.stg_quarantined_rows "
            "where load_date in (select unnest(?::date[])) group by all order by 3 desc, 1, 2",
            [load_dates]).fetchall()]
    except duckdb.Error:
        return []
    finally:
        con.close()


def warehouse_facts(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        def one(sql):
            try:
                return con.sql(sql).fetchall()[0][0]
            except duckdb.Error:
                return None
        return {
            "as_of": one("select as_of_on from intermediate.int_as_of_date"),
            "affected_loans": one("select count(*) from intermediate.int_loans_affected"),
            "affected_lines": one("select count(*) from intermediate.int_lines_affected"),
            "invocation_id": one("select invocation_id from ops.dbt_runs "
                                 "order by generated_at desc limit 1"),
        }
    finally:
        con.close()


def record_daily_run(db: Path, row: dict) -> None:
    con = duckdb.connect(str(db))
    try:
        con.execute(DAILY_RUNS_SQL)
        con.execute("insert into ops.daily_runs by name select * from (select "
                    + ", ".join(f"${k} as {k}" for k in row) + ")", row)
    finally:
        con.close()


def render_reports(published: Path, log: Path) -> tuple[bool, str]:
    """Render the reports with `creditline report` from the published warehouse, when the
    installed command line has that subcommand."""
    from creditline.cli import cli

    if "report" not in cli.commands:
        return True, "reports skipped (this install has no 'creditline report')"
    import os

    env = {**os.environ, "CREDITLINE_DB": str(published)}
    result = subprocess.run([sys.executable, "-m", "creditline.cli", "report"], env=env,
                            cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    log.write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        return False, f"reports failed (exit {result.returncode}; see {log})"
    return True, "reports rendered"


# ---------------------------------------------------------------------------------------
# the run


def run_daily(*, run_date: date | None = None, db_path: Path | None = None,
              raw_root: Path | None = None, full_refresh: bool = False,
              reports: bool = True, echo: Callable[[str], None] = lambda s: None,
              ) -> DailyResult:
    """One scheduled run; never raises for a failed build or test (see DailyResult)."""
    started = time.monotonic()
    started_at = datetime.now()
    run_date = run_date or date.today()
    published = Path(db_path or warehouse_path()).resolve()
    raw = Path(raw_root or default_raw_root()).resolve()
    if not raw.is_dir():
        raise CreditlineError(f"raw data root not found: {raw}")
    work = published.parent / ".daily"
    work.mkdir(parents=True, exist_ok=True)
    lock = RunLock(published.with_name(published.name + ".lock"))
    try:
        lock.__enter__()
    except RunInProgress as exc:
        return DailyResult(EXIT_BUSY, "busy", f"Daily run for {run_date} not started: {exc}. "
                           "Nothing was touched; the published warehouse is unchanged.",
                           run_date=run_date)
    try:
        result = _run_locked(run_date, published, raw, work, full_refresh, reports, echo,
                             started_at)
    except BaseException:
        discard_building(published)
        raise
    finally:
        lock.__exit__(None, None, None)
    result.seconds = time.monotonic() - started
    result.summary = result.summary.replace("{seconds}", f"{result.seconds:.0f}")
    with (work / "runs.jsonl").open("a") as f:
        f.write(json.dumps({"run_date": str(run_date), "started_at": started_at.isoformat(),
                            "status": result.status, "exit_code": result.exit_code,
                            "mode": result.mode, "seconds": round(result.seconds, 1),
                            "summary": result.summary}) + "\n")
    (work / "last-summary.txt").write_text(result.summary + "\n")
    return result


def _run_locked(run_date, published, raw, work, full_refresh, reports, echo, started_at):
    leftovers = discard_building(published)
    if leftovers:
        echo(f"Discarded {leftovers[0].name} left by an interrupted run")
    manifest = raw_manifest(raw)
    if not manifest:
        raise CreditlineError(f"no raw partitions under {raw}")
    code = code_hash()
    lookback = int(project_var("incremental_lookback_days", 3))
    previous = last_published_run(published)
    plan = plan_run(previous, manifest, code, lookback, full_refresh)
    newest = max(date.fromisoformat(k.split("/")[1]) for k in manifest)
    target = work / "target"

    echo(f"Copying the published warehouse to {building_path(published).name}")
    building = prepare_building(published)

    echo("Checking raw freshness (dbt source freshness)")
    freshness, stale = check_freshness(building, raw, target, run_date, work / "freshness.log")
    fresh_text = ("raw data fresh" if freshness == "pass" else
                  f"raw freshness {freshness}: {', '.join(stale)}")
    if freshness == "error":
        discard_building(published)
        return DailyResult(EXIT_STALE, "stale", (
            f"Daily run for {run_date} stopped before building: {fresh_text} (newest load date "
            f"{newest}). Nothing was built; the published warehouse is unchanged."),
            run_date=run_date)

    mode_text = (f"incremental build (rows loaded since {plan.since})"
                 if plan.mode == "incremental" else f"full rebuild ({plan.reason})")
    echo(f"Building and testing: {mode_text}")
    build_started = time.monotonic()
    args = (["--full-refresh"] if plan.mode == "full" else
            ["--vars", json.dumps({"incremental_since_load_date": str(plan.since),
                                   "incremental_previous_as_of": str(plan.previous_as_of)})])
    outcome = build_warehouse(args, db_path=building, raw_root=raw, target_path=target,
                              capture=True)
    (work / "dbt-build.log").write_text(outcome.stdout + outcome.stderr)
    failed, passed, nodes = failing_nodes(target / "run_results.json")
    if outcome.returncode != 0 and not failed:
        failed = [f"dbt build (exit {outcome.returncode}; see {work / 'dbt-build.log'})"]
    facts = warehouse_facts(building) if building.is_file() and not failed else {}
    if (not failed and plan.mode == "incremental" and facts.get("as_of")
            and facts["as_of"] < plan.previous_as_of):
        echo("The as-of date moved back; rebuilding in full")
        outcome = build_warehouse(["--full-refresh"], db_path=building, raw_root=raw,
                                  target_path=target, capture=True)
        (work / "dbt-build.log").write_text(outcome.stdout + outcome.stderr)
        failed, passed, nodes = failing_nodes(target / "run_results.json")
        plan = Plan("full", "the as-of date moved back", None, None, plan.new_load_dates)
        mode_text = f"full rebuild ({plan.reason})"
        facts = warehouse_facts(building) if not failed else {}
    build_seconds = time.monotonic() - build_started
    load_dates = plan.new_load_dates or [newest]

    if failed:
        quarantined = quarantine_counts(building, load_dates)
        discard_building(published)
        q_text = (", ".join(f"{t} {r} {n:,}" for t, r, n in quarantined[:8])
                  if quarantined else "none")
        return DailyResult(EXIT_FAILED, "failed", (
            f"Daily run for {run_date} FAILED after {{seconds}} s ({mode_text}): "
            f"{len(failed)} of {nodes} nodes failed: {'; '.join(failed[:10])}"
            f"{' …' if len(failed) > 10 else ''}. Quarantined rows in the load dates "
            f"{_dates(load_dates)}: {q_text}. {fresh_text.capitalize()}. Nothing was published; "
            f"the warehouse readers see is unchanged (log: {work / 'dbt-build.log'})."),
            mode=plan.mode, run_date=run_date, since_load_date=plan.since,
            build_seconds=build_seconds, failing_tests=failed, quarantined=quarantined)

    quarantined = quarantine_counts(building, load_dates)
    record_run_results(building, target / "run_results.json")
    record_daily_run(building, {
        "run_id": f"{run_date}-{started_at:%H%M%S}", "run_date": run_date,
        "started_at": started_at, "finished_at": datetime.now(), "mode": plan.mode,
        "since_load_date": plan.since, "previous_as_of": plan.previous_as_of,
        "as_of": facts.get("as_of"), "newest_load_date": newest, "code_hash": code,
        "raw_manifest": json.dumps(manifest), "invocation_id": facts.get("invocation_id"),
        "summary": mode_text,
    })
    echo("Publishing")
    publish(building, published)

    report_ok, report_text = True, "reports not rendered (--no-reports)"
    if reports:
        echo("Rendering reports")
        report_ok, report_text = render_reports(published, work / "report.log")
    q_total = sum(n for _, _, n in quarantined)
    scope = (f"; {facts['affected_loans']:,} loans and {facts['affected_lines']:,} lines "
             "recomputed" if plan.mode == "incremental" and facts.get("affected_loans")
             is not None else "")
    return DailyResult(
        EXIT_OK if report_ok else EXIT_REPORTS, "published" if report_ok else "reports_failed",
        (f"Daily run for {run_date} published a new warehouse in {{seconds}} s: {mode_text}, "
         f"as of {facts.get('as_of')}{scope}; {passed} tests passed, {nodes} nodes run. "
         f"{fresh_text.capitalize()} (newest load date {newest}). {q_total:,} rows of the load "
         f"dates {_dates(load_dates)} quarantined"
         + (f" ({', '.join(f'{t} {r} {n:,}' for t, r, n in quarantined[:5])})" if q_total else "")
         + f". {report_text.capitalize()}. Warehouse: {published}."),
        mode=plan.mode, run_date=run_date, since_load_date=plan.since, as_of=facts.get("as_of"),
        build_seconds=build_seconds, quarantined=quarantined,
        affected_loans=facts.get("affected_loans"), affected_lines=facts.get("affected_lines"))


def _dates(days: list[date]) -> str:
    if len(days) <= 3:
        return ", ".join(str(d) for d in days)
    return f"{days[0]} to {days[-1]} ({len(days)} dates)"


# ---------------------------------------------------------------------------------------
# benchmark


def adopt_full_build(built: Path, published: Path, raw: Path) -> None:
    """Publish a warehouse that a plain full `dbt build` of `raw` made with the current code
    as if a full daily run had built it (the file is moved, and the run recorded), so the
    next daily run can be incremental without building everything once more."""
    facts = warehouse_facts(built)
    manifest = raw_manifest(raw)
    publish(built, published)
    now = datetime.now()
    record_daily_run(published, {
        "run_id": f"adopted-{now:%Y%m%d%H%M%S}", "run_date": now.date(), "started_at": now,
        "finished_at": now, "mode": "full", "since_load_date": None, "previous_as_of": None,
        "as_of": facts.get("as_of"),
        "newest_load_date": max(date.fromisoformat(k.split("/")[1]) for k in manifest),
        "code_hash": code_hash(), "raw_manifest": json.dumps(manifest),
        "invocation_id": facts.get("invocation_id"), "summary": "adopted a full dbt build",
    })


def bench_daily_vs_full(raw_root: Path, db_path: Path, *, day: date | None = None,
                        seed: int = 42, rebuild: bool = True,
                        built: Path | None = None) -> dict:
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
            first = run_daily(run_date=newest + timedelta(days=1), db_path=db_path,
                              raw_root=raw_root, reports=False, full_refresh=True)
            timings["initial_full_seconds"] = round(time.monotonic() - t, 1)
            if first.exit_code != EXIT_OK:
                raise RuntimeError(first.summary)
    day = day or newest + timedelta(days=1)
    t = time.monotonic()
    append_day(raw_root, day, seed=seed)
    timings["append_day_seconds"] = round(time.monotonic() - t, 1)
    daily = run_daily(run_date=day + timedelta(days=1), db_path=db_path, raw_root=raw_root,
                      reports=False)
    timings.update(daily_seconds=round(daily.seconds, 1),
                   daily_build_seconds=round(daily.build_seconds, 1), daily_mode=daily.mode,
                   affected_loans=daily.affected_loans, affected_lines=daily.affected_lines)
    timings["exit_codes"] = (daily.exit_code,)
    if rebuild:
        full = run_daily(run_date=day + timedelta(days=1), db_path=db_path, raw_root=raw_root,
                         reports=False, full_refresh=True)
        timings.update(full_seconds=round(full.seconds, 1),
                       full_build_seconds=round(full.build_seconds, 1))
        timings["exit_codes"] += (full.exit_code,)
    return timings
