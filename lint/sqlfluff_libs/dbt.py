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


def listagg(measure, delimiter_text="','", order_by_clause=None, limit_num=None):
    order = f" {order_by_clause}" if order_by_clause else ""
    return f"string_agg({measure}, {delimiter_text}{order})"


def generate_series(upper_bound):
    return f"select generate_series as generated_number from generate_series(1, {upper_bound})"


def hash(field):
    return f"md5(cast({field} as varchar))"
