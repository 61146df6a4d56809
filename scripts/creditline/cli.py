"""The `creditline` command: generate, build, sql, report and daily.

Every mistake a user can make ends as one line on stderr and exit code 2, never a traceback.
"""

import sys
from pathlib import Path

import click

from creditline.errors import CreditlineError, DbtFailed
from creditline.paths import raw_root, warehouse_path


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Warehouse and reports for revolving consumer credit lines."""


@cli.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Raw data root to write (default: CREDITLINE_RAW or data/raw).",
)
@click.option("--customers", type=int, default=20_000, show_default=True)
@click.option("--start", default="2023-01", show_default=True, help="First month, YYYY-MM.")
@click.option("--months", type=int, default=36, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@click.option(
    "--dirty-rate",
    type=float,
    default=0.0,
    show_default=True,
    help="Share of realistic bad rows to mix in, to exercise the quarantine.",
)
@click.option(
    "--chunk-size",
    type=int,
    default=50_000,
    show_default=True,
    help="Customers simulated and written at a time (bounds memory).",
)
@click.option(
    "--profile",
    type=click.Choice(["prime", "standard", "subprime"]),
    default="standard",
    show_default=True,
    help="The book's calibration (docs/calibration.md): bank-like, the demo, high-rate online.",
)
@click.option(
    "--append-day",
    "append_day",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Extend the portfolio already under --out by one day of new records "
    "(load date YYYY-MM-DD, with a few late arrivals) instead of generating.",
)
def generate(
    out, customers, start, months, seed, dirty_rate, chunk_size, profile, append_day
) -> None:
    """Write a synthetic portfolio in the raw data contract (or append one day to it)."""
    from rich.progress import Progress

    from creditline.generate import generate_portfolio

    out = (out or raw_root()).resolve()
    if append_day is not None:
        from creditline.synth.append import append_day as append

        counts = append(out, append_day.date(), seed=seed)
        detail = ", ".join(f"{table} {rows:,}" for table, rows in counts.items())
        click.echo(
            f"Appended {sum(counts.values()):,} raw rows for load date "
            f"{append_day.date()} to {out}: {detail}"
        )
        return
    with Progress(transient=True) as progress:
        task = progress.add_task("Simulating", total=None)
        counts = generate_portfolio(
            out,
            customers=customers,
            start=start,
            months=months,
            seed=seed,
            dirty_rate=dirty_rate,
            chunk_size=chunk_size,
            profile=profile,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    total = sum(counts.values())
    detail = ", ".join(f"{table} {rows:,}" for table, rows in counts.items())
    click.echo(f"Wrote {total:,} raw rows to {out}: {detail}")


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("dbt_args", nargs=-1, type=click.UNPROCESSED)
def build(dbt_args) -> None:
    """Run `dbt build` with the project's profile; extra arguments go to dbt
    (for example --select core --full-refresh)."""
    from creditline.build import build_warehouse
    from creditline.warehouse import mart_row_counts

    raw = raw_root()
    if not raw.is_dir():
        raise CreditlineError(
            f"raw data root not found: {raw} (run 'creditline generate' or set CREDITLINE_RAW)"
        )
    if target_of(dbt_args) == "spark":
        from creditline.dbt_runner import run_dbt
        from creditline.paths import spark_dir

        # Run metadata (ops.*) is recorded in the DuckDB warehouse only.
        result = run_dbt(["build", *dbt_args])
        if result.returncode != 0:
            raise DbtFailed(f"dbt build failed (exit {result.returncode}); see the log above")
        click.echo(f"Spark warehouse: {spark_dir()}")
        return
    result = build_warehouse(list(dbt_args), db_path=warehouse_path())
    if result.returncode != 0:
        raise DbtFailed(f"dbt build failed (exit {result.returncode}); see the log above")
    for relation, rows in mart_row_counts(warehouse_path()):
        click.echo(f"{relation:<45} {rows:>12,}")
    click.echo(f"Warehouse: {warehouse_path()}")


def target_of(dbt_args) -> str:
    """The dbt target named in the arguments (--target X, --target=X or -t X)."""
    args = list(dbt_args)
    for i, arg in enumerate(args):
        if arg.startswith("--target="):
            return arg.split("=", 1)[1]
        if arg in ("--target", "-t") and i + 1 < len(args):
            return args[i + 1]
    return "duckdb"


@cli.command()
@click.argument("query", required=False)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the result to a .csv or .parquet file instead of printing it.",
)
@click.option(
    "--limit", type=int, default=50, show_default=True, help="Rows to print (ignored with --out)."
)
@click.option(
    "--schema",
    "list_relations",
    is_flag=True,
    help="List the relations (schema.name) with their one-line descriptions instead.",
)
def sql(query, out, limit, list_relations) -> None:
    """Run QUERY (SQL text or a path to a .sql file) read-only against the warehouse.

    Unqualified names resolve in the warehouse's schemas (staging, intermediate, core,
    lifecycle, risk, cases, reference, ...): a name in more than one of them is an error."""
    if list_relations:
        if query is not None:
            raise CreditlineError("give either QUERY or --schema, not both")
        _print_relations()
        return
    if query is None:
        raise CreditlineError(
            "missing QUERY (SQL text or a .sql file); --schema lists the relations"
        )
    from creditline.warehouse import run_query

    text = Path(query).read_text() if query.endswith(".sql") and Path(query).is_file() else query
    if query.endswith(".sql") and not Path(query).is_file():
        raise CreditlineError(f"no such SQL file: {query}")
    frame = run_query(warehouse_path(), text)
    if out is None:
        import polars as pl

        with pl.Config(tbl_rows=limit, tbl_cols=-1, fmt_str_lengths=60, tbl_width_chars=200):
            click.echo(frame.head(limit))
        return
    suffix = out.suffix.lower()
    if suffix == ".csv":
        frame.write_csv(out)
    elif suffix == ".parquet":
        frame.write_parquet(out)
    else:
        raise CreditlineError(f"--out must end in .csv or .parquet, not {out.name}")
    click.echo(f"Wrote {frame.height:,} rows to {out}")


def _print_relations() -> None:
    from creditline.warehouse import relation_descriptions

    relations = relation_descriptions(warehouse_path())
    width = max((len(name) for name, _, _ in relations), default=0)
    for name, kind, description in relations:
        click.echo(f"{name:<{width}}  {kind:<5}  {description}".rstrip())


@cli.command()
@click.option(
    "--lang",
    "langs",
    type=click.Choice(["en", "zh"]),
    multiple=True,
    help="Language to render (repeatable; default both, English at the root).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder to write the site to (default: CREDITLINE_REPORTS or reports/).",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="YYYY-MM",
    help="Report month (default: the latest complete month in the warehouse).",
)
@click.option(
    "--docs/--no-docs",
    default=True,
    show_default=True,
    help="Also write the dbt docs as one static file, dbt-docs/index.html.",
)
@click.option(
    "--target",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="Warehouse to read: the DuckDB file, or the tables of 'creditline build --target spark'.",
)
def report(langs, out, as_of, docs, target) -> None:
    """Render every report from the warehouse (read-only) into static HTML that opens
    offline, and print the path of index.html."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from creditline.paths import reports_root
    from creditline.reports.build_site import render_reports

    out = (out or reports_root()).resolve()
    db = warehouse_path()
    if target == "spark":
        from creditline import spark
        from creditline.paths import spark_dir

        # The same report code, fed with the Spark tables (Arrow -> Polars -> a DuckDB copy).
        db = spark_dir() / "report_marts.duckdb"
        click.echo("Reading the Spark tables...", err=True)
        spark.export_for_reports(db)
        docs = False  # the dbt docs catalog is the DuckDB target's
    timings: dict = {}
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), transient=True
    ) as progress:
        task = progress.add_task("Reading the warehouse", total=None)
        index = render_reports(
            db,
            out,
            langs or ("en", "zh"),
            as_of=as_of,
            progress=lambda step, done, total: progress.update(
                task, description=step, completed=done, total=total
            ),
            docs=docs,
            timings=timings,
            docs_failed=lambda why: click.echo(
                f"creditline: warning: no dbt docs ({why})", err=True
            ),
        )
    click.echo(f"Rendered the reports in {timings['total']:.1f} s")
    click.echo(f"Reports: {index}")


@cli.command()
@click.option(
    "--date",
    "run_date",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The run's date (default today): raw freshness is judged against it.",
)
@click.option(
    "--full-refresh", is_flag=True, help="Rebuild every incremental model from all raw data."
)
@click.option("--no-reports", is_flag=True, help="Publish the warehouse without rendering reports.")
def daily(run_date, full_refresh, no_reports) -> None:
    """The scheduled run: check raw freshness, build incrementally in a copy of the
    warehouse, test it, publish it atomically, render the reports. Exit 0 published,
    1 build or test failed (nothing published), 3 another run in progress, 4 raw data
    stale, 5 published but reports failed."""
    from creditline.daily import run_daily

    result = run_daily(
        run_date=run_date.date() if run_date else None,
        db_path=warehouse_path(),
        raw_root=raw_root(),
        full_refresh=full_refresh,
        reports=not no_reports,
        echo=lambda line: click.echo(line, err=True),
    )
    click.echo(result.summary)
    sys.exit(result.exit_code)


@cli.command()
@click.option(
    "--raw",
    type=click.Path(path_type=Path),
    default=None,
    help="Raw data root to check (default: CREDITLINE_RAW or data/raw).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def check(raw, as_json) -> None:
    """Check a raw extract without touching the warehouse: rows read, rows staging would
    quarantine (by rule, with examples), optional columns, date ranges, load dates and the
    features it enables. Exit 0 it builds, 1 it would not (the first problem on stderr),
    2 a mistake in the command (see docs/check.md)."""
    import json

    from rich.console import Console

    from creditline.check import ExtractBlocked, check_extract, render_text

    raw = (raw or raw_root()).resolve()
    if not raw.is_dir():
        raise CreditlineError(f"raw data root not found: {raw}")
    console = Console(stderr=True)
    try:
        with console.status("Checking") as status:
            report = check_extract(raw, status=lambda step: status.update(step))
    except ExtractBlocked as exc:
        if as_json:
            click.echo(json.dumps({"raw_root": str(raw), "builds": False, "problem": str(exc)}))
        raise
    click.echo(json.dumps(report, indent=2) if as_json else render_text(report))


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except CreditlineError as exc:
        click.echo(f"creditline: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("creditline: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"creditline: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
