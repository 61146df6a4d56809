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
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import yaml

from creditline.build import build_warehouse, record_run_results
from creditline.dbt_runner import run_dbt
from creditline.errors import CreditlineError
from creditline.lock import RunInProgress, RunLock
from creditline.paths import PROJECT_DIR, reports_root, warehouse_path
from creditline.paths import raw_root as default_raw_root
from creditline.publish import building_path, discard_building, prepare_building, publish
from creditline.reports.build_site import render_reports

EXIT_OK, EXIT_FAILED, EXIT_USER, EXIT_BUSY, EXIT_STALE, EXIT_REPORTS = 0, 1, 2, 3, 4, 5

RAW_TABLES = (
    "customers",
    "credit_lines",
    "limit_events",
    "loans",
    "installments",
    "repayments",
    "credit_scores",
    "credit_inquiries",
)
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
        exists = con.sql(
            "select count(*) from duckdb_tables() where schema_name = 'ops' "
            "and table_name = 'daily_runs'"
        ).fetchall()[0][0]
        if not exists:
            return None
        rows = con.sql(
            "select as_of, newest_load_date, code_hash, raw_manifest::varchar "
            "from ops.daily_runs order by finished_at desc limit 1"
        ).fetchall()
    finally:
        con.close()
    if not rows:
        return None
    as_of, newest, code, manifest = rows[0]
    return {
        "as_of": as_of,
        "newest_load_date": newest,
        "code_hash": code,
        "manifest": json.loads(manifest),
    }


@dataclass(frozen=True)
class Plan:
    """How a run builds: incremental (rows loaded since `since`) or a full refresh, and
    why; with the raw fingerprints and the code hash it was planned on."""

    mode: str  # incremental | full
    reason: str  # why a full refresh
    since: date | None
    previous_as_of: date | None
    new_load_dates: list[date]
    manifest: dict[str, str] = field(default_factory=dict)
    code_hash: str = ""

    @property
    def newest_load_date(self) -> date:
        return max(date.fromisoformat(key.split("/")[1]) for key in self.manifest)

    @property
    def load_dates(self) -> list[date]:
        """The load dates the run brings in (the newest one when nothing is new)."""
        return self.new_load_dates or [self.newest_load_date]

    @property
    def description(self) -> str:
        if self.mode == "incremental":
            return f"incremental build (rows loaded since {self.since})"
        return f"full rebuild ({self.reason})"

    def dbt_vars(self) -> list[str]:
        """The window's vars; freshness passes them too, so dbt parses the project once
        per run (a change of --vars makes dbt parse it all again)."""
        if self.mode == "full":
            return []
        window = {
            "incremental_since_load_date": str(self.since),
            "incremental_previous_as_of": str(self.previous_as_of),
        }
        return ["--vars", json.dumps(window)]

    def dbt_args(self) -> list[str]:
        if self.mode == "full":
            return ["--full-refresh"]
        # Unit tests check code, not data: an incremental run has the code of the full
        # build before it, whose unit tests passed (a code change forces a full run).
        return [*self.dbt_vars(), "--exclude-resource-type", "unit_test"]

    def in_full(self, reason: str) -> "Plan":
        return replace(self, mode="full", reason=reason, since=None, previous_as_of=None)


def plan_run(
    previous: dict | None, manifest: dict[str, str], code: str, lookback: int, full_refresh: bool
) -> Plan:
    """Incremental when the published warehouse records a daily run with the same code,
    no raw partition it saw has vanished, and every changed partition is within the
    lookback window; a full refresh otherwise."""
    changed = sorted(
        k for k, v in manifest.items() if previous is None or previous["manifest"].get(k) != v
    )
    new_dates = sorted({date.fromisoformat(k.split("/")[1]) for k in changed})
    if full_refresh:
        return Plan("full", "asked for --full-refresh", None, None, new_dates)
    if previous is None:
        return Plan(
            "full", "no earlier daily run in the published warehouse", None, None, new_dates
        )
    if previous["code_hash"] != code:
        return Plan(
            "full", "the dbt code or vars changed since the last run", None, None, new_dates
        )
    vanished = sorted(set(previous["manifest"]) - set(manifest))
    if vanished:
        return Plan("full", f"raw partition {vanished[0]} disappeared", None, None, new_dates)
    window_start = previous["newest_load_date"] - timedelta(days=lookback)
    if new_dates and new_dates[0] < window_start:
        return Plan(
            "full",
            f"partition of load date {new_dates[0]} changed, before the "
            f"{lookback}-day lookback window",
            None,
            None,
            new_dates,
        )
    # Only new or changed partitions are read again; with none, a load date after every
    # partition leaves just what the as-of date touches (and a re-run changes nothing).
    since = new_dates[0] if new_dates else previous["newest_load_date"] + timedelta(days=1)
    return Plan("incremental", "", since, previous["as_of"], new_dates)


# ---------------------------------------------------------------------------------------
# freshness


def check_freshness(
    db: Path, raw: Path, target: Path, run_date: date, log: Path, dbt_vars: list[str]
) -> tuple[str, list[str]]:
    """`dbt source freshness`, judged against the run date: the age of each table's newest
    load date against the warn_after / error_after in the sources' config. Returns the
    worst status (pass, warn, error) and one note per table that is not fresh."""
    result = run_dbt(
        ["source", "freshness", *dbt_vars],
        db_path=db, raw_root=raw, target_path=target, capture=True,
    )  # fmt: skip
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
                    limit = (
                        rule["count"]
                        * {"minute": 1 / 1440, "hour": 1 / 24, "day": 1}[rule["period"]]
                    )
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
    failed = [
        f"{r['unique_id'].split('.')[-1]}"
        + (f" ({r['failures']} rows)" if r.get("failures") else f" ({r['status']})")
        for r in results
        if r["status"] in ("error", "fail", "runtime error")
    ]
    passed = sum(1 for r in results if r["unique_id"].startswith("test.") and r["status"] == "pass")
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
        return [
            tuple(r)
            for r in con.execute(
                "select table_name, quarantine_rule, count(*) from staging.stg_quarantined_rows "
                "where load_date in (select unnest(?::date[])) group by all order by 3 desc, 1, 2",
                [load_dates],
            ).fetchall()
        ]
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
            "invocation_id": one(
                "select invocation_id from ops.dbt_runs order by generated_at desc limit 1"
            ),
        }
    finally:
        con.close()


def record_daily_run(db: Path, row: dict) -> None:
    con = duckdb.connect(str(db))
    try:
        con.execute(DAILY_RUNS_SQL)
        con.execute(
            "insert into ops.daily_runs by name select * from (select "
            + ", ".join(f"${k} as {k}" for k in row)
            + ")",
            row,
        )
    finally:
        con.close()


def render_site(published: Path, log: Path) -> tuple[bool, str]:
    """Render the reports from the published warehouse as `creditline report` does with its
    defaults (both languages and the dbt docs, into CREDITLINE_REPORTS or reports/). A
    failure is returned, not raised: the warehouse is already published."""
    notes: list[str] = []
    timings: dict[str, float] = {}
    try:
        index = render_reports(
            published,
            reports_root(),
            docs=True,
            timings=timings,
            docs_failed=lambda why: notes.append(f"no dbt docs ({why})"),
        )
    except Exception as exc:
        log.write_text(traceback.format_exc())
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return False, f"reports failed ({reason}; see {log})"
    notes += [f"Rendered the reports in {timings['total']:.1f} s", f"Reports: {index}"]
    log.write_text("".join(f"{line}\n" for line in notes))
    return True, "reports rendered"


# ---------------------------------------------------------------------------------------
# the run: plan, build (in a copy), publish, summarize


@dataclass(frozen=True)
class DailyRun:
    """What one run is asked to do, and where it keeps its logs and dbt's target."""

    run_date: date
    published: Path
    raw: Path
    full_refresh: bool = False
    reports: bool = True
    started_at: datetime = field(default_factory=datetime.now)

    @property
    def work(self) -> Path:
        return self.published.parent / ".daily"

    @property
    def target(self) -> Path:
        return self.work / "target"

    @property
    def building(self) -> Path:
        return building_path(self.published)


@dataclass(frozen=True)
class Build:
    """What building and testing in the copy gave. `plan` is the plan as run: a full
    rebuild when an incremental build moved the as-of date back."""

    plan: Plan
    freshness: str  # pass | warn | error
    stale: list[str]
    failed: list[str] = field(default_factory=list)
    tests_passed: int = 0
    nodes: int = 0
    facts: dict = field(default_factory=dict)
    seconds: float = 0.0
    quarantined: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.freshness != "error" and not self.failed

    @property
    def freshness_text(self) -> str:
        if self.freshness == "pass":
            return "raw data fresh"
        return f"raw freshness {self.freshness}: {', '.join(self.stale)}"


def run_daily(
    *,
    run_date: date | None = None,
    db_path: Path | None = None,
    raw_root: Path | None = None,
    full_refresh: bool = False,
    reports: bool = True,
    echo: Callable[[str], None] = lambda s: None,
) -> DailyResult:
    """One scheduled run; never raises for a failed build or test (see DailyResult)."""
    started = time.monotonic()
    run = DailyRun(
        run_date=run_date or date.today(),
        published=Path(db_path or warehouse_path()).resolve(),
        raw=Path(raw_root or default_raw_root()).resolve(),
        full_refresh=full_refresh,
        reports=reports,
    )
    if not run.raw.is_dir():
        raise CreditlineError(f"raw data root not found: {run.raw}")
    run.work.mkdir(parents=True, exist_ok=True)
    lock = RunLock(run.published.with_name(run.published.name + ".lock"))
    try:
        lock.acquire()
    except RunInProgress as exc:
        return DailyResult(
            EXIT_BUSY,
            "busy",
            f"Daily run for {run.run_date} not started: "
            f"{exc}. Nothing was touched; the published warehouse is unchanged.",
            run_date=run.run_date,
        )
    try:
        leftovers = discard_building(run.published)
        if leftovers:
            echo(f"Discarded {leftovers[0].name} left by an interrupted run")
        build = build_daily(run, plan_daily(run), echo)
        site = publish_daily(run, build, echo) if build.ok else None
    except BaseException:
        discard_building(run.published)
        raise
    finally:
        lock.release()
    result = summarize(run, build, site, seconds=time.monotonic() - started)
    _keep_outcome(run, result)
    return result


def _keep_outcome(run: DailyRun, result: DailyResult) -> None:
    """Append the run to .daily/runs.jsonl and keep its paragraph in last-summary.txt."""
    line = {
        "run_date": str(run.run_date),
        "started_at": run.started_at.isoformat(),
        "status": result.status,
        "exit_code": result.exit_code,
        "mode": result.mode,
        "seconds": round(result.seconds, 1),
        "summary": result.summary,
    }
    with (run.work / "runs.jsonl").open("a") as f:
        f.write(json.dumps(line) + "\n")
    (run.work / "last-summary.txt").write_text(result.summary + "\n")


def plan_daily(run: DailyRun) -> Plan:
    """Fingerprint the raw root and the dbt code, and choose incremental or full against
    the last run recorded in the published warehouse."""
    manifest = raw_manifest(run.raw)
    if not manifest:
        raise CreditlineError(f"no raw partitions under {run.raw}")
    code = code_hash()
    lookback = int(project_var("incremental_lookback_days", 3))
    plan = plan_run(last_published_run(run.published), manifest, code, lookback, run.full_refresh)
    return replace(plan, manifest=manifest, code_hash=code)


def build_daily(run: DailyRun, plan: Plan, echo: Callable[[str], None]) -> Build:
    """Copy the published warehouse, check raw freshness, then build and test in the copy.
    The copy is discarded when the data is stale or anything failed."""
    echo(f"Copying the published warehouse to {run.building.name}")
    prepare_building(run.published)
    echo("Checking raw freshness (dbt source freshness)")
    freshness, stale = check_freshness(
        run.building, run.raw, run.target, run.run_date, run.work / "freshness.log",
        plan.dbt_vars(),
    )  # fmt: skip
    if freshness == "error":
        discard_building(run.published)
        return Build(plan, freshness, stale)

    echo(f"Building and testing: {plan.description}")
    started = time.monotonic()
    build = _build_and_test(run, plan, Build(plan, freshness, stale))
    as_of = build.facts.get("as_of")
    if build.ok and plan.mode == "incremental" and as_of and as_of < plan.previous_as_of:
        echo("The as-of date moved back; rebuilding in full")
        build = _build_and_test(run, plan.in_full("the as-of date moved back"), build)
    build = replace(
        build,
        seconds=time.monotonic() - started,
        quarantined=quarantine_counts(run.building, build.plan.load_dates),
    )
    if not build.ok:
        discard_building(run.published)
    return build


def _build_and_test(run: DailyRun, plan: Plan, before: Build) -> Build:
    """One `dbt build` of the plan in the copy, with its failures and the facts it left."""
    outcome = build_warehouse(
        plan.dbt_args(),
        db_path=run.building,
        raw_root=run.raw,
        target_path=run.target,
        capture=True,
    )
    log = run.work / "dbt-build.log"
    log.write_text(outcome.stdout + outcome.stderr)
    failed, passed, nodes = failing_nodes(run.target / "run_results.json")
    if outcome.returncode != 0 and not failed:
        failed = [f"dbt build (exit {outcome.returncode}; see {log})"]
    facts = warehouse_facts(run.building) if run.building.is_file() and not failed else {}
    return replace(before, plan=plan, failed=failed, tests_passed=passed, nodes=nodes, facts=facts)


def publish_daily(run: DailyRun, build: Build, echo: Callable[[str], None]) -> tuple[bool, str]:
    """Record the run in the copy, swap the copy in, then render the reports from it.
    Returns whether the reports rendered and a note saying so."""
    plan = build.plan
    record_run_results(run.building, run.target / "run_results.json")
    record_daily_run(
        run.building,
        {
            "run_id": f"{run.run_date}-{run.started_at:%H%M%S}",
            "run_date": run.run_date,
            "started_at": run.started_at,
            "finished_at": datetime.now(),
            "mode": plan.mode,
            "since_load_date": plan.since,
            "previous_as_of": plan.previous_as_of,
            "as_of": build.facts.get("as_of"),
            "newest_load_date": plan.newest_load_date,
            "code_hash": plan.code_hash,
            "raw_manifest": json.dumps(plan.manifest),
            "invocation_id": build.facts.get("invocation_id"),
            "summary": plan.description,
        },
    )
    echo("Publishing")
    publish(run.building, run.published)
    if not run.reports:
        return True, "reports not rendered (--no-reports)"
    echo("Rendering reports")
    return render_site(run.published, run.work / "report.log")


def summarize(
    run: DailyRun, build: Build, site: tuple[bool, str] | None, *, seconds: float
) -> DailyResult:
    """The run's outcome: exit code, status and the paragraph the command prints. `site`
    is what rendering the reports gave (None when nothing was published)."""
    if build.freshness == "error":
        return _stale(run, build, seconds)
    if build.failed:
        return _failed(run, build, seconds)
    return _published(run, build, site, seconds)


def _stale(run: DailyRun, build: Build, seconds: float) -> DailyResult:
    summary = (
        f"Daily run for {run.run_date} stopped before building: {build.freshness_text} "
        f"(newest load date {build.plan.newest_load_date}). Nothing was built; the published "
        "warehouse is unchanged."
    )
    return DailyResult(EXIT_STALE, "stale", summary, run_date=run.run_date, seconds=seconds)


def _failed(run: DailyRun, build: Build, seconds: float) -> DailyResult:
    plan, failed, quarantined = build.plan, build.failed, build.quarantined
    q_text = ", ".join(f"{t} {r} {n:,}" for t, r, n in quarantined[:8]) or "none"
    summary = (
        f"Daily run for {run.run_date} FAILED after {seconds:.0f} s ({plan.description}): "
        f"{len(failed)} of {build.nodes} nodes failed: {'; '.join(failed[:10])}"
        f"{' …' if len(failed) > 10 else ''}. Quarantined rows in the load dates "
        f"{_dates(plan.load_dates)}: {q_text}. {_sentence(build.freshness_text)}. Nothing was "
        "published; the warehouse readers see is unchanged "
        f"(log: {run.work / 'dbt-build.log'})."
    )
    return DailyResult(
        EXIT_FAILED,
        "failed",
        summary,
        mode=plan.mode,
        run_date=run.run_date,
        since_load_date=plan.since,
        seconds=seconds,
        build_seconds=build.seconds,
        failing_tests=failed,
        quarantined=quarantined,
    )


def _published(run: DailyRun, build: Build, site: tuple[bool, str], seconds: float) -> DailyResult:
    plan, facts, quarantined = build.plan, build.facts, build.quarantined
    reports_ok, reports_text = site
    q_total = sum(n for _, _, n in quarantined)
    q_detail = ", ".join(f"{t} {r} {n:,}" for t, r, n in quarantined[:5])
    scope = (
        f"; {facts['affected_loans']:,} loans and {facts['affected_lines']:,} lines recomputed"
        if plan.mode == "incremental" and facts.get("affected_loans") is not None
        else ""
    )
    summary = (
        f"Daily run for {run.run_date} published a new warehouse in {seconds:.0f} s: "
        f"{plan.description}, as of {facts.get('as_of')}{scope}; {build.tests_passed} tests "
        f"passed, {build.nodes} nodes run. {_sentence(build.freshness_text)} (newest load "
        f"date {plan.newest_load_date}). {q_total:,} rows of the load dates "
        f"{_dates(plan.load_dates)} quarantined{f' ({q_detail})' if q_total else ''}. "
        f"{_sentence(reports_text)}. Warehouse: {run.published}."
    )
    return DailyResult(
        EXIT_OK if reports_ok else EXIT_REPORTS,
        "published" if reports_ok else "reports_failed",
        summary,
        mode=plan.mode,
        run_date=run.run_date,
        since_load_date=plan.since,
        as_of=facts.get("as_of"),
        seconds=seconds,
        build_seconds=build.seconds,
        quarantined=quarantined,
        affected_loans=facts.get("affected_loans"),
        affected_lines=facts.get("affected_lines"),
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _dates(days: list[date]) -> str:
    if len(days) <= 3:
        return ", ".join(str(d) for d in days)
    return f"{days[0]} to {days[-1]} ({len(days)} dates)"
