"""Stand-ins for what dbt puts in a model's Jinja context, so sqlfluff's jinja templater can
render every model without a dbt connection (lint only; dbt itself uses the real ones).

sqlfluff loads this package and puts its public names in the context: `var` (the project's
own defaults from dbt_project.yml), `adapter` (dispatch to the DuckDB or default macro) and
`dbt` (the cross-database macros)."""

from pathlib import Path

import yaml

from . import adapter, dbt  # noqa: F401  (context entries)

_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project.yml"
_VARS = yaml.safe_load(_PROJECT.read_text())["vars"]


def var(name, default=None):
    """The var's default in dbt_project.yml, as `dbt build` sees it without --vars."""
    return _VARS.get(name, default)
