"""Render every report from a built warehouse into a static site (`creditline report`).

    render_reports(db_path, out_dir, langs=("en", "zh"), as_of=None, progress=None)

opens the warehouse read-only, reads each report's marts once (Polars over DuckDB's Arrow
interface), renders every page in every language with `site.write_site`, and, unless
`docs=False`, generates the dbt docs as one static file next to them (`dbt_docs`, in the
background while the pages render). It returns the path of `index.html`.

Site layout (relative to out_dir):

    index.html                  overview (English)
    portfolio_risk.html         portfolio risk
    closures.html               closure, reopening and recovery
    case_studies.html           case studies
    data_quality.html           data quality
    zh/<same pages>.html        the same in Chinese
    dbt-docs/index.html         dbt docs (single static file)

`as_of` ("YYYY-MM") picks the report month: headline figures and latest-month tables use
it and trends end with it. By default it is the latest complete month in the warehouse.
"""

import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from creditline.errors import CreditlineError
from creditline.reports import (
    case_studies,
    closures,
    data_quality,
    dbt_docs,
    index,
    portfolio_risk,
)
from creditline.reports.marts import Scope, Warehouse, scope_of
from creditline.reports.messages import LANGS
from creditline.reports.site import Page, write_site
from creditline.warehouse import connect

# progress(step description, steps done, steps in total)
Progress = Callable[[str, int, int], None]


def render_reports(
    db_path: Path,
    out_dir: Path,
    langs: Sequence[str] = LANGS,
    as_of: str | None = None,
    progress: Progress | None = None,
    *,
    docs: bool = True,
    timings: dict[str, float] | None = None,
    docs_failed: Callable[[str], None] | None = None,
) -> Path:
    """Render every report into `out_dir` and return the path of its index.html.

    docs=False skips the dbt docs; when they fail, the overview says so and `docs_failed`
    gets the reason (the reports themselves still succeed). timings, when given, receives
    seconds per step (read, render, docs_wait, total)."""
    langs = tuple(langs)
    unknown = [lang for lang in langs if lang not in LANGS]
    if not langs or unknown:
        raise CreditlineError(
            f"unknown language {', '.join(unknown) or '(none)'}; expected {' or '.join(LANGS)}"
        )
    report = progress or (lambda step, done, total: None)
    timings = timings if timings is not None else {}
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CreditlineError(f"cannot write reports to {out_dir}: {exc.strerror}") from exc

    started = time.perf_counter()
    con = connect(Path(db_path))
    job = dbt_docs.start(Path(db_path)) if docs else None
    try:
        wh = Warehouse(con)
        total = 7
        report("Reading the warehouse", 0, total)
        scope = scope_of(wh, as_of)
        report("Reading data quality", 1, total)
        quality_data = data_quality.load(wh, scope)
        report("Reading portfolio risk", 2, total)
        risk_data = portfolio_risk.load(wh, scope)
        report("Reading closures, reopenings and case studies", 3, total)
        closure_data = closures.load(wh, scope)
        case_data = case_studies.load(con)
        index_data = index.load(wh, scope)
        timings["read"] = time.perf_counter() - started
        pages = _pages(scope, quality_data, risk_data, closure_data, case_data)
        report("Rendering pages", 4, total)
        rendering = time.perf_counter()
        docs_href = f"{dbt_docs.DOCS_DIR}/index.html" if docs else None
        recipes = _site(scope, langs, pages, index_data, quality_data, docs_href)
        site = _prepared(recipes, langs, in_workers=scope.has_data)
        write_site(site, out_dir, langs, as_of=scope.as_of)
        timings["render"] = time.perf_counter() - rendering
    except BaseException:
        if job is not None and job.process is not None:
            job.process.kill()
            dbt_docs.finish(job, out_dir)
        raise
    finally:
        con.close()

    if job is not None:
        report("Generating dbt docs", 6, total)
        waiting = time.perf_counter()
        docs_file, why = dbt_docs.finish(job, out_dir)
        timings["docs_wait"] = time.perf_counter() - waiting
        if docs_file is None:
            # The overview was written with a link to the docs: say instead they are missing.
            site = [r.page() for r in _site(scope, langs, pages, index_data, quality_data, None)]
            _rewrite_overview(site, out_dir, langs, scope)
            if docs_failed is not None:
                docs_failed(why)
    report("Done", total, total)
    timings["total"] = time.perf_counter() - started
    return out_dir / "index.html"


@dataclass(frozen=True)
class Recipe:
    """How to build a page: a module-level builder and its arguments (the loaded data,
    which pickles), so a worker process builds the same page the parent does."""

    build: Callable[..., Page]
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def page(self) -> Page:
        return self.build(*self.args, **self.kwargs)


def _pages(scope: Scope, quality_data, risk_data, closure_data, case_data) -> list[Recipe]:
    return [
        Recipe(portfolio_risk.page, (risk_data, scope)),
        Recipe(closures.page, (closure_data, scope)),
        Recipe(case_studies.case_studies_page, kwargs={"data": case_data}),
        Recipe(data_quality.page, (quality_data, scope)),
    ]


REPORT_SUMMARIES = {
    "portfolio_risk": "index.summary.portfolio_risk",
    "closures": "index.summary.closures",
    "case_studies": "index.summary.case_studies",
    "data_quality": "index.summary.data_quality",
}


def _site(scope, langs, pages, index_data, quality_data, docs_href) -> list[Recipe]:
    """The overview first, then the report pages."""
    built = [r.page() for r in pages]
    links = [
        index.ReportLink(p.slug, p.title_key, REPORT_SUMMARIES.get(p.slug, "index.summary.other"))
        for p in built
    ]
    overview = Recipe(
        index.page,
        (index_data, scope),
        {
            "reports": links,
            "quality": data_quality.summary(quality_data),
            "docs_href": docs_href,
            "langs": tuple(langs),
        },
    )
    return [overview, *pages]


def _context(recipe: Recipe, lang: str) -> Any:
    return recipe.page().context(lang)


def _prepared(recipes: list[Recipe], langs: Sequence[str], *, in_workers: bool) -> list[Page]:
    """The pages with every context built up front: in worker processes, one per core, when
    there is data to chart. Chart rendering is most of a site's time (docs/performance.md),
    and vl-convert renders one chart at a time per process whatever the threads. The workers
    are spawned, not forked (Polars' thread pool does not survive a fork), and get each
    page's data with its recipe."""
    pages = [r.page() for r in recipes]
    keys = [(i, lang) for i in range(len(recipes)) for lang in langs]
    workers = max(1, min(4, os.cpu_count() or 1))
    if not in_workers or workers == 1:
        contexts = {key: pages[key[0]].context(key[1]) for key in keys}
    else:
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
            futures = {key: pool.submit(_context, recipes[key[0]], key[1]) for key in keys}
            contexts = {key: future.result() for key, future in futures.items()}
    return [
        replace(p, context=lambda lang, _i=i: contexts[(_i, lang)]) for i, p in enumerate(pages)
    ]


def _rewrite_overview(site: list[Page], out_dir: Path, langs, scope: Scope) -> None:
    """Render only the overview again (in every language), with the same nav."""
    with tempfile.TemporaryDirectory() as scratch:
        # The other pages render as empty layouts into the scratch folder, never out_dir.
        stubs = [site[0], *(Page(p.slug, p.title_key, "base.html.j2") for p in site[1:])]
        for path in write_site(stubs, Path(scratch), langs, as_of=scope.as_of):
            relative = path.relative_to(scratch)
            if relative.stem == index.SLUG:
                (Path(out_dir) / relative).write_bytes(path.read_bytes())
