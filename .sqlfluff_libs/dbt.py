"""Stand-ins for dbt's cross-database macros so sqlfluff's jinja templater can render
models without a dbt connection (lint only; dbt itself uses the real macros)."""


def datediff(first, second, part):
    return f"date_diff('{part}', {first}, {second})"


def dateadd(part, amount, expr):
    return f"({expr} + interval ({amount}) {part})"


def date_trunc(part, expr):
    return f"date_trunc('{part}', {expr})"


def last_day(expr, part):
    return f"last_day({expr})"


def type_string():
    return "varchar"
