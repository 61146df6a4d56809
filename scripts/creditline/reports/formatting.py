"""Number and date formatters for reports: plain functions, one language argument each.

Conventions, the same everywhere a report shows a value:
- Missing values (None, NaN, ±inf) show as an en dash "–".
- Rates arrive as fractions in [0, 1] (the marts' `*_rate` columns): 0.1234 -> "12.3%".
- Rounding is half away from zero on the shortest decimal form of the value, as Excel shows
  it (0.125 -> "0.13"), not Python's round-half-to-even on the binary float.
- Money is CNY: "¥1,234,567". With `compact=True` large headline figures shorten to
  "¥1.2M" (en) or "¥123.5万" / "¥1.2亿" (zh), the units Chinese readers use; a KPI tile's
  change takes the same style as its value (`signed_change(..., compact=True)`).
- Amounts in tables (`amount`): in full in English, in 万/亿 with two decimals from 1万 up in
  Chinese ("¥394.07万"), as Chinese analysts read tables. Chart axes of yuan: see
  `money_axis_unit`.
- Months: "Mar 2025" (en), "2025年3月" (zh); the patterns and month names come from the
  message catalogue, the compact units below are locale data (like CLDR's), not vocabulary.

Negative numbers use an ASCII hyphen-minus so copied values paste into a spreadsheet.
"""

import datetime as dt
import math
import numbers
from decimal import ROUND_HALF_UP, Decimal

from creditline.reports.messages import translate

MISSING = "–"
CURRENCY_SYMBOL = "¥"

# Compact units, largest first: (threshold, suffix).
_COMPACT_UNITS: dict[str, tuple[tuple[int, str], ...]] = {
    "en": ((10**9, "B"), (10**6, "M"), (10**3, "K")),
    "zh": ((10**8, "亿"), (10**4, "万")),
}
# Languages whose tables write amounts in their compact units (Chinese: 万元, 亿元).
_TABLE_UNITS = frozenset({"zh"})


def is_missing(value: object) -> bool:
    """True for None, NaN and infinities (what a division by zero leaves in a mart)."""
    if value is None:
        return True
    if isinstance(value, int | str | dt.date):
        return False
    try:
        return not math.isfinite(value)  # type: ignore[arg-type]
    except TypeError:
        return False


def _decimal(value: object) -> Decimal:
    """The value as the decimal it prints as (numpy and Python numbers alike)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    return Decimal(repr(float(value)))  # type: ignore[arg-type]


def _rounded(value: object, decimals: int) -> Decimal:
    exact = _decimal(value)
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return rounded + Decimal(0)  # turns -0.0 into 0.0


def _grouped(value: object, decimals: int) -> str:
    """Rounded, with thousands separators: 1234567.891, 2 -> "1,234,567.89"."""
    return f"{_rounded(value, decimals):,.{decimals}f}"


def number(value: object, decimals: int = 0, lang: str = "en") -> str:
    """A plain number with thousands separators: 1234.5, 1 -> "1,234.5"."""
    if is_missing(value):
        return MISSING
    return _grouped(value, decimals)  # type: ignore[arg-type]


def integer(value: object, lang: str = "en") -> str:
    """A count with thousands separators: 1234567 -> "1,234,567"."""
    return number(value, 0, lang)


def compact_units(lang: str = "en") -> tuple[tuple[int, str], ...]:
    """The language's compact units, largest first: ((10**8, "亿"), (10**4, "万"))."""
    return _COMPACT_UNITS[lang]


def compact_unit(magnitude: object, lang: str = "en") -> tuple[int, str]:
    """The language's largest unit not above `magnitude`: 3.5e8, "zh" -> (10**8, "亿");
    (1, "") below the smallest unit."""
    size = abs(_decimal(magnitude))
    return next(((t, s) for t, s in _COMPACT_UNITS[lang] if size >= t), (1, ""))


def compact_number(value: object, decimals: int = 1, lang: str = "en") -> str:
    """A large number shortened with the language's units: 1234567 -> "1.2M" / "123.5万".
    Below the smallest unit it is written in full."""
    if is_missing(value):
        return MISSING
    threshold, suffix = compact_unit(value, lang)
    if threshold == 1:
        return _grouped(value, 0)  # type: ignore[arg-type]
    return _grouped(_decimal(value) / threshold, decimals) + suffix


def money_axis_unit(largest: object, lang: str = "en") -> tuple[int, str] | None:
    """How a chart axis of yuan is labelled: None where each tick shortens itself in the
    compact units (English: "350M"); else one unit for the whole axis, named in its title,
    by the largest value (Chinese: (10**8, "亿") for 亿元, (10**4, "万") for 万元, (1, "") for
    元)."""
    if lang not in _TABLE_UNITS:
        return None
    return compact_unit(0 if is_missing(largest) else largest, lang)


def money(value: object, decimals: int = 0, lang: str = "en", compact: bool = False) -> str:
    """CNY: 1234567 -> "¥1,234,567"; -1234.5, 2 -> "-¥1,234.50"; compact for headlines."""
    if is_missing(value):
        return MISSING
    magnitude = abs(_decimal(value))
    if compact:
        body = compact_number(magnitude, decimals or 1, lang)
    else:
        body = _grouped(magnitude, decimals)
    rounds_to_zero = not body.strip("0.,")
    sign = "-" if _decimal(value) < 0 and not rounds_to_zero else ""
    return f"{sign}{CURRENCY_SYMBOL}{body}"


def amount(value: object, lang: str = "en") -> str:
    """An amount of yuan in a table: "¥3,940,710" (en); "¥394.07万", "¥1.29亿", "¥9,999"
    (zh, in 万/亿 from 1万 up)."""
    if lang in _TABLE_UNITS and not is_missing(value):
        return money(value, 2, lang, compact=True)
    return money(value, 0, lang)


def percent(value: object, decimals: int = 1, lang: str = "en") -> str:
    """A fraction as a percentage: 0.1234 -> "12.3%"."""
    if is_missing(value):
        return MISSING
    return _grouped(_decimal(value) * 100, decimals) + "%"


def basis_points(value: object, decimals: int = 0, lang: str = "en") -> str:
    """A fraction in basis points: 0.0012 -> "12 bp" (en), "12个基点" (zh)."""
    if is_missing(value):
        return MISSING
    points = _grouped(_decimal(value) * 10_000, decimals)
    return translate("format.basis_points", lang, value=points)


def _shown_change(value: object, unit: str, decimals: int) -> Decimal:
    scale = {"pp": 100, "bp": 10_000, "percent": 100, "number": 1, "money": 1}[unit]
    return _rounded(_decimal(value) * scale, decimals)


def change_rounds_to_zero(value: object, unit: str = "pp", decimals: int = 1) -> bool:
    """True when signed_change shows the change as zero: it then has no sign, and a tile
    gives it no good or bad colour either."""
    return _shown_change(value, unit, decimals) == 0


def signed_change(
    value: object, unit: str = "pp", decimals: int = 1, lang: str = "en", compact: bool = False
) -> str:
    """A change with its sign, for KPI tiles: 0.012 -> "+1.2 pp".

    unit: "pp" (difference of two rates, in percentage points), "bp" (basis points),
    "percent" (relative change: 0.05 -> "+5.0%"), "number", "money". A change that rounds
    to zero has no sign. compact: money in the language's units ("+¥394.1万"), beside a value
    shown compact.
    """
    if is_missing(value):
        return MISSING
    scaled = _shown_change(value, unit, decimals)
    sign = "+" if scaled > 0 else "-" if scaled < 0 else ""
    body = _grouped(abs(scaled), decimals)
    if unit == "pp":
        return translate("format.percentage_points", lang, value=sign + body)
    if unit == "bp":
        return translate("format.basis_points", lang, value=sign + body)
    if unit == "percent":
        return f"{sign}{body}%"
    if unit == "money":
        if compact:
            body = compact_number(abs(_decimal(value)), decimals or 1, lang)
        return f"{sign}{CURRENCY_SYMBOL}{body}"
    return sign + body


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        return dt.date.fromisoformat(text + "-01" if len(text) == 7 else text[:10])
    raise TypeError(f"expected a date, datetime or ISO date string, got {value!r}")


def month(value: object, lang: str = "en") -> str:
    """A calendar month: 2025-03-31 -> "Mar 2025" (en), "2025年3月" (zh)."""
    if is_missing(value):
        return MISSING
    d = _as_date(value)
    short = translate(f"month.short.{d.month}", lang)
    return translate("format.month", lang, year=d.year, month=d.month, month_short=short)


def date(value: object, lang: str = "en") -> str:
    """A calendar day: 2025-03-31 -> "31 Mar 2025" (en), "2025年3月31日" (zh)."""
    if is_missing(value):
        return MISSING
    d = _as_date(value)
    short = translate(f"month.short.{d.month}", lang)
    return translate("format.date", lang, year=d.year, month=d.month, day=d.day, month_short=short)


def text(value: object, lang: str = "en") -> str:
    """Any value as text; missing values as "–"."""
    return MISSING if is_missing(value) else str(value)


def yes_no(value: object, lang: str = "en") -> str:
    """A flag: "Yes" / "No" ("是" / "否"); missing as "–"."""
    if is_missing(value):
        return MISSING
    return translate("common.yes" if value else "common.no", lang)


# The formatters by name: Jinja filters of the same name, and table column formats.
FORMATTERS = {
    "text": text,
    "code": text,  # identifiers and raw records, quoted as they are (a table marks them <code>)
    "number": number,
    "integer": integer,
    "compact_number": compact_number,
    "money": money,
    "amount": amount,
    "percent": percent,
    "basis_points": basis_points,
    "signed_change": signed_change,
    "month": month,
    "date": date,
    "yes_no": yes_no,
}


def format_value(value: object, fmt: str, lang: str = "en", **options: object) -> str:
    """Format with the named formatter: format_value(0.1, "percent", "zh", decimals=2)."""
    return FORMATTERS[fmt](value, lang=lang, **options)  # type: ignore[operator]
