"""The message catalogue: every visible string of a report, in English and Chinese.

The strings live in `messages/<lang>.json` (flat keys such as `metric.roll_rate`), so a
translator edits data, not code. Placeholders use `str.format` names: `{date}`, `{rows}`.
A report author adds a key to both files; `missing_keys()` tells a test when one is missing.
"""

import json
from collections.abc import Callable
from functools import cache
from importlib import resources

LANGS: tuple[str, ...] = ("en", "zh")
DEFAULT_LANG = "en"

Translator = Callable[..., str]


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language (read once per process)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    text = resources.files(__package__).joinpath("messages", f"{lang}.json").read_text("utf-8")
    return json.loads(text)


def translate(key: str, lang: str, **params: object) -> str:
    """The message `key` in `lang`, with `params` filled in. An unknown key raises KeyError,
    so a page never shows a raw key or a silently English string."""
    try:
        message = catalogue(lang)[key]
    except KeyError:
        raise KeyError(f"message {key!r} is missing from the {lang!r} catalogue") from None
    return message.format_map(params) if params else message


def translator(lang: str) -> Translator:
    """`t(key, **params)` bound to one language, as the templates call it."""
    catalogue(lang)  # fail early on an unknown language

    def t(key: str, **params: object) -> str:
        return translate(key, lang, **params)

    t.lang = lang  # type: ignore[attr-defined]
    return t


def code_label(t: Translator, prefix: str, code: object) -> str | None:
    """How a code from the data reads (`t(prefix + code)`: "product.CASH" -> "现金借款额度"),
    or the code itself when the catalogue has none, so a code added to the data after the
    catalogue still shows. None stays None."""
    if code is None:
        return None
    try:
        return t(f"{prefix}{code}")
    except KeyError:
        return str(code)


def missing_keys() -> dict[str, set[str]]:
    """For each language, the keys some other language has and it lacks (empty when complete)."""
    keys = {lang: set(catalogue(lang)) for lang in LANGS}
    every = set().union(*keys.values())
    return {lang: every - own for lang, own in keys.items()}
