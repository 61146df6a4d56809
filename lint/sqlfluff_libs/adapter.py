"""A stand-in for dbt's `adapter` so sqlfluff's jinja templater can render models whose
macros dispatch per engine (lint only): `adapter.dispatch(name)` calls the DuckDB version
of the macro, else the default one, as dbt does on DuckDB."""

import jinja2


def dispatch(macro_name, macro_namespace=None):
    @jinja2.pass_context
    def call(context, *args, **kwargs):
        for prefix in ("duckdb__", "default__"):
            macro = context.get(prefix + macro_name)
            if macro is not None:
                return macro(*args, **kwargs)
        raise jinja2.UndefinedError(f"no duckdb__ or default__ version of {macro_name}")

    return call
