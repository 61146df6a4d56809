"""The one Jinja Environment of the reports, and `render_page`.

Templates live in `creditline/reports/templates/` (package data): `base.html.j2` (layout),
`macros.html.j2` (shared pieces), `style.css` (the one stylesheet, inlined by the base).
Autoescaping is on for `.html.j2` templates, undefined names raise (StrictUndefined), and
every formatter of `formatting` is a filter that formats in the page's language:
`{{ rate|percent(2) }}`, `{{ balance|money(compact=true) }}`, `{{ as_of|month }}`.

Each render gets `lang` and `t` (the message catalogue bound to that language):
`{{ t("metric.roll_rate") }}`, `{{ t("common.as_of", date=as_of|date) }}`.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from importlib import metadata
from typing import Any

import jinja2
from jinja2 import pass_context
from jinja2.runtime import Context

from creditline.reports.formatting import FORMATTERS
from creditline.reports.messages import translate, translator
from creditline.reports.tables import Column, csv_data_uri, rows_of

TEMPLATE_PACKAGE = "creditline.reports"


def _language_filter(formatter: Callable[..., str]) -> Callable[..., str]:
    @pass_context
    def apply(context: Context, value: object, *args: Any, **kwargs: Any) -> str:
        return formatter(value, *args, lang=context["lang"], **kwargs)

    apply.__doc__ = formatter.__doc__
    return apply


def as_columns(columns: Iterable[Column | Mapping[str, Any] | Sequence[Any]]) -> list[Column]:
    """Column specs from Column objects, dicts ({"key", "label", "fmt", "options"}) or
    tuples (key, label[, fmt[, options]])."""
    specs = []
    for column in columns:
        if isinstance(column, Column):
            specs.append(column)
        elif isinstance(column, Mapping):
            specs.append(Column(**column))
        else:
            specs.append(Column(*column))
    return specs


@pass_context
def _format_cell(context: Context, value: object, column: Column) -> str:
    return column.format(value, context["lang"])


@pass_context
def _csv_uri(context: Context, rows: Any, columns: Sequence[Column]) -> str:
    return csv_data_uri(rows_of(rows), as_columns(columns), context["lang"])


@cache
def environment() -> jinja2.Environment:
    """The reports' Jinja environment (built once per process)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(TEMPLATE_PACKAGE, "templates"),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "html.j2"),
            disabled_extensions=("css",),
            default_for_string=True,
            default=True,
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    for name, formatter in FORMATTERS.items():
        env.filters[name] = _language_filter(formatter)
    env.globals.update(
        translate=translate,  # a message in another language: translate(key, "zh")
        rows_of=rows_of,
        as_columns=as_columns,
        format_cell=_format_cell,
        csv_uri=_csv_uri,
    )
    return env


@cache
def version() -> str:
    """creditline's installed version, shown in the page footer."""
    try:
        return metadata.version("creditline")
    except metadata.PackageNotFoundError:
        return "dev"


def page_defaults() -> dict[str, Any]:
    """Context every page may rely on; `site.write_site` fills in the real values."""
    return {
        "title_key": "site.title",
        "as_of": None,
        "nav": [],
        "alternates": [],
        "home_href": "index.html",
        "page_href": lambda slug: f"{slug}.html",
        "version": version(),
    }


def render_page(template_name: str, context: Mapping[str, Any], lang: str) -> str:
    """Render one page template in `lang` ("en" or "zh"); `lang` and `t` are added to the
    context (and override any of the same name)."""
    t = translator(lang)
    values = page_defaults() | dict(context) | {"lang": lang, "t": t}
    return environment().get_template(template_name).render(values)
