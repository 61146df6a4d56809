"""The case-study page: for each archetype, the real customer who fits it best, told from the
data (a timeline chart, a narrative in both languages) with how common the archetype is and
how it usually ends.

    case_studies_page(db_path=None) -> Page

reads `cases.mart_case_archetypes`, `cases.mart_case_candidates` (chosen rows),
`cases.mart_case_timelines` and the customer and line dimensions once, through DuckDB's Arrow
interface into Polars; `context(lang)` adds the language-bound pieces. Customers appear under
a pseudonym derived from the hash of their id and that short hash (`customer_key`), in the
articles' style ("张先生（化名）"), one surname per customer on the page; the raw customer id
is never selected. Every figure is a mart column: this module formats only.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from creditline.reports.case_chart import case_timeline_chart
from creditline.reports.messages import translate
from creditline.reports.narrative import narrate
from creditline.reports.site import Page
from creditline.reports.tables import Column

SLUG = "case_studies"
# Display order (seeds/archetypes.csv).
ARCHETYPES = (
    "overdue_closed_recovered",
    "reopened_then_reclosed",
    "clean_closure_good_score",
    "zero_limit_closure",
    "exhausted_limit_closed",
    "paused_then_restored",
)
SURNAME_COUNT = 16
# The data holds no gender: the title is drawn from the hash like the surname (the page says so).
HONORIFICS = ("mr", "ms")
DEFINITIONS = ["case_fit_score", "case_candidate_share", "case_restored_rate"]
# What an archetype's rule itself requires (models/intermediate/cases/int_case_*.sql): a tile
# of it would read 100% whatever the data, so the page leaves it out.
RESTORED_BY_RULE = frozenset(
    {"overdue_closed_recovered", "reopened_then_reclosed", "paused_then_restored"}
)
CLOSED_AGAIN_BY_RULE = frozenset({"reopened_then_reclosed"})

_ARCHETYPES_SQL = "select * from cases.mart_case_archetypes"
# The chosen customer of each archetype with profile and line: never the customer id.
_CHOSEN_SQL = """
select
    candidates.* exclude (customer_id),
    customers.occupation,
    customers.city_tier,
    customers.income_band,
    lines.opened_on as line_opened_on
from cases.mart_case_candidates as candidates
inner join core.dim_customers as customers on candidates.customer_id = customers.customer_id
inner join core.dim_credit_lines as lines on candidates.line_id = lines.line_id
where candidates.is_chosen
"""
_TIMELINES_SQL = """
select timelines.* exclude (customer_id), lines.opened_on as line_opened_on
from cases.mart_case_timelines as timelines
inner join core.dim_credit_lines as lines on timelines.line_id = lines.line_id
order by timelines.archetype, lines.opened_on, timelines.line_id, timelines.month_start_on
"""


def pseudonym_index(customer_key: str) -> int:
    """Which catalogue surname a customer prefers: a stable function of the hashed id."""
    return int(customer_key, 16) % SURNAME_COUNT


def honorific(customer_key: str) -> str:
    """Mr or Ms, from other digits of the same hash."""
    return HONORIFICS[int(customer_key, 16) // SURNAME_COUNT % len(HONORIFICS)]


def pseudonym(customer_key: str, lang: str, surname_index: int | None = None) -> str:
    """'Mr Zhang' / '张先生': the same for the same customer in every build; `surname_index`
    overrides the preferred surname (see `surnames_on_page`)."""
    index = pseudonym_index(customer_key) if surname_index is None else surname_index
    surname = translate(f"case_studies.surname.{index}", lang)
    return translate(f"case_studies.pseudonym.{honorific(customer_key)}", lang, surname=surname)


def surnames_on_page(customer_keys: Sequence[str]) -> dict[str, int]:
    """Each customer's surname index on one page, in order of appearance: the preferred one,
    or the next one no earlier customer has, so one name never stands for two customers."""
    taken: set[int] = set()
    surnames: dict[str, int] = {}
    for key in dict.fromkeys(customer_keys):
        if len(taken) == SURNAME_COUNT:
            raise ValueError(f"more than {SURNAME_COUNT} customers on one page")
        index = pseudonym_index(key)
        while index in taken:
            index = (index + 1) % SURNAME_COUNT
        taken.add(index)
        surnames[key] = index
    return surnames


def _relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.sql("select schema_name || '.' || table_name from duckdb_tables()").fetchall()
    return {r[0] for r in rows}


def load(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    """The page's frames, read once. A warehouse built before the case marts existed
    reads as empty frames (every archetype then shows its "no customer" note)."""
    have = _relations(con)
    needed = {
        "cases.mart_case_archetypes",
        "cases.mart_case_candidates",
        "cases.mart_case_timelines",
        "core.dim_customers",
        "core.dim_credit_lines",
    }
    if not needed <= have:
        empty = pl.DataFrame()
        return {"archetypes": empty, "chosen": empty, "timelines": empty}
    return {
        "archetypes": con.sql(_ARCHETYPES_SQL).pl(),
        "chosen": con.sql(_CHOSEN_SQL).pl(),
        "timelines": con.sql(_TIMELINES_SQL).pl(),
    }


def load_from(db_path: Path) -> dict[str, pl.DataFrame]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return load(con)
    finally:
        con.close()


EVENT_COLUMNS = [
    Column("month_start_on", "case_studies.column.month", "month"),
    Column("line", "case_studies.column.line"),
    Column("events", "case_studies.column.events"),
    Column("limit_amount", "case_studies.column.limit", "amount"),
    Column("score", "case_studies.column.score", "integer"),
]


def _line_labels(timeline: pl.DataFrame, lang: str) -> dict[str, str]:
    """line_id -> "cash line 1", numbered in opening order per product (no raw ids)."""
    labels: dict[str, str] = {}
    counts: dict[str, int] = {}
    for row in timeline.select("line_id", "product_code").unique(maintain_order=True).iter_rows():
        line_id, product = row
        counts[product] = counts.get(product, 0) + 1
        labels[line_id] = translate(
            "case_studies.line_label",
            lang,
            product=translate(f"case_studies.product.{product}", lang),
            n=counts[product],
        )
    return labels


def _event_labels(row: Mapping[str, Any], lang: str) -> str:
    types = (row["limit_event_types"] or "").split(", ")
    reasons = (row["limit_event_reason_codes"] or "").split(", ")
    separator = translate("list.separator", lang)
    return separator.join(
        translate(
            "case_studies.event_label",
            lang,
            event=translate(f"case_studies.event.{kind}", lang),
            reason=translate(f"case_studies.reason.{reason}", lang),
        )
        for kind, reason in zip(types, reasons, strict=True)
    )


def _case(
    archetype: str,
    summary: Mapping[str, Any] | None,
    chosen: Mapping[str, Any] | None,
    timeline: pl.DataFrame,
    lang: str,
    surname_index: int | None = None,
) -> dict[str, Any]:
    t = lambda key, **kw: translate(key, lang, **kw)  # noqa: E731
    case: dict[str, Any] = {
        "archetype": archetype,
        "anchor": f"case-{archetype.replace('_', '-')}",
        "label": t(f"case_studies.archetype.{archetype}"),
        "rule": t(f"case_studies.rule.{archetype}"),
        "summary": summary,
        "show_restored_rate": archetype not in RESTORED_BY_RULE,
        "show_closed_again_rate": archetype not in CLOSED_AGAIN_BY_RULE,
        "customer": None,
    }
    if summary is not None:
        case["population"] = t(f"case_studies.population.{summary['population_code']}")
    if chosen is None or timeline.is_empty():
        return case
    name = pseudonym(chosen["customer_key"], lang, surname_index)
    facts = {
        **chosen,
        "name": name,
        "outcome_window_days": summary["outcome_window_days"] if summary else 365,
    }
    labels = _line_labels(timeline, lang)
    with_events = timeline.filter(pl.col("limit_event_count") > 0)
    events = [
        {
            "on": r["first_limit_event_on"],
            "label": _event_labels(r, lang),
            "count": r["limit_event_count"],
        }
        for r in with_events.iter_rows(named=True)
    ]
    event_rows = [
        {**r, "line": labels[r["line_id"]], "events": _event_labels(r, lang)}
        for r in with_events.sort("month_start_on", "line_opened_on").iter_rows(named=True)
    ]
    first, last = timeline["month_start_on"].min(), timeline["month_start_on"].max()
    case["customer"] = {
        "name": name,
        "key": chosen["customer_key"],
        "profile": t(
            "case_studies.profile",
            occupation=t(f"occupation.{chosen['occupation']}"),
            city_tier=t(f"case_studies.city_tier.{chosen['city_tier']}"),
            income=t(f"case_studies.income.{chosen['income_band']}"),
        ),
        "fit_score": chosen["fit_score"],
        "paragraphs": narrate(facts, lang),
        "chart": case_timeline_chart(
            timeline,
            events,
            line_labels=labels,
            title=f"{case['label']}{t('format.colon')}{name}",
            lang=lang,
            chart_id=f"chart-{case['anchor']}",
        ),
        "first_month": first,
        "last_month": last,
        "events": event_rows,
    }
    return case


def context_from(data: Mapping[str, pl.DataFrame], lang: str) -> dict[str, Any]:
    """Everything the template shows, in one language."""

    def by_archetype(frame: pl.DataFrame) -> dict[str, dict[str, Any]]:
        if frame.is_empty():
            return {}
        return {r["archetype"]: r for r in frame.iter_rows(named=True)}

    summaries = by_archetype(data["archetypes"])
    chosen = by_archetype(data["chosen"])
    surnames = surnames_on_page([chosen[a]["customer_key"] for a in ARCHETYPES if a in chosen])
    timelines = data["timelines"]
    cases = []
    for archetype in ARCHETYPES:
        timeline = (
            timelines.filter(pl.col("archetype") == archetype)
            if not timelines.is_empty()
            else timelines
        )
        pick = chosen.get(archetype)
        surname = surnames[pick["customer_key"]] if pick else None
        cases.append(_case(archetype, summaries.get(archetype), pick, timeline, lang, surname))
    return {"cases": cases, "event_columns": EVENT_COLUMNS, "definition_names": DEFINITIONS}


def case_studies_page(
    db_path: Path | str | None = None, data: Mapping[str, pl.DataFrame] | None = None
) -> Page:
    """The case-study page for `site.write_site`. Reads the warehouse at `db_path` (default
    CREDITLINE_DB / warehouse/creditline.duckdb) once, now; or takes frames from `load`."""
    if data is None:
        from creditline.paths import warehouse_path

        data = load_from(Path(db_path) if db_path is not None else warehouse_path())
    frames = data

    def context(lang: str) -> dict[str, Any]:
        return context_from(frames, lang)

    return Page(SLUG, "case_studies.title", "case_studies.html.j2", context)
