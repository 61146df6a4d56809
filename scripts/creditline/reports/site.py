"""Write a static report site: every page in every language, linked together.

Layout of a rendered site (paths relative to `out_dir`):

    index.html          overview in the first language (English)
    <slug>.html         each report page in English
    zh/index.html       overview in Chinese
    zh/<slug>.html      each report page in Chinese

The first language of `langs` sits at the root, every other language in a folder named
after it. All links are relative, so the folder can be moved, zipped or opened from a file
share. Nav links stay within one language; the language switch of a page goes to the same
page in the other language(s). An overview listing every report is written as
`index.html` unless one of the pages has the slug "index".
"""

import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from creditline.reports.environment import render_page
from creditline.reports.messages import LANGS, translate

INDEX_SLUG = "index"
TOC_MIN_SECTIONS = 6  # a page with this many sections or more opens with a table of contents
_OWN_CONTENTS = re.compile(r'<nav class="[^"]*contents')  # a page with its own list of contents
_SECTION = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)
INDEX_TEMPLATE = "_index.html.j2"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _no_context(lang: str) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class Page:
    """One report page.

    slug: file name without ".html" (lower case, digits, "_" and "-").
    title_key: message key of the page title (heading, <title>, nav entry).
    template: template name under reports/templates ("portfolio_risk.html.j2").
    context: builds the template's context for one language, `context(lang) -> dict`.
      Build the data once (read the marts) and let this only add language-bound pieces
      such as charts; it is called once per language.
    in_nav: listed in the nav and on the overview.
    """

    slug: str
    title_key: str
    template: str
    context: Callable[[str], Mapping[str, Any]] = field(default=_no_context)
    in_nav: bool = True


def page_path(slug: str, lang: str, langs: Sequence[str]) -> str:
    """Where a page is written, relative to the site root: "roll.html", "zh/roll.html"."""
    return f"{slug}.html" if lang == langs[0] else f"{lang}/{slug}.html"


def relative_href(from_path: str, to_path: str) -> str:
    """A link from one site file to another: ("zh/a.html", "b.html") -> "../b.html"."""
    return posixpath.relpath(to_path, posixpath.dirname(from_path) or ".")


def _overview(pages: Sequence[Page]) -> Page:
    def context(lang: str) -> Mapping[str, Any]:
        return {"reports": [p for p in pages if p.in_nav and p.slug != INDEX_SLUG]}

    return Page(INDEX_SLUG, "nav.home", INDEX_TEMPLATE, context)


def _check(pages: Sequence[Page], langs: Sequence[str]) -> None:
    if not langs:
        raise ValueError("write_site needs at least one language")
    unknown = [lang for lang in langs if lang not in LANGS]
    if unknown:
        raise ValueError(f"unknown languages {unknown}; the catalogue has {list(LANGS)}")
    slugs = [p.slug for p in pages]
    bad = [s for s in slugs if not _SLUG.match(s) or s in langs]
    if bad:
        raise ValueError(f"page slugs {bad} are not plain lower-case file names")
    duplicated = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicated:
        raise ValueError(f"page slugs {duplicated} appear more than once")
    for page in pages:
        for lang in langs:
            translate(page.title_key, lang)  # a missing title fails before anything is written


def with_contents(html: str, lang: str) -> str:
    """The page with a table of contents (links to its <h2 id> sections) before its first
    section after the headline figures, when it has TOC_MIN_SECTIONS sections or more and
    no contents of its own (issue 17: long pages)."""
    sections = _SECTION.findall(html)
    if len(sections) < TOC_MIN_SECTIONS or _OWN_CONTENTS.search(html):
        return html
    label = translate("nav.contents", lang)
    items = "".join(
        f'<li><a href="#{anchor}">{re.sub(r"<[^>]+>", "", text).strip()}</a></li>'
        for anchor, text in sections
    )
    toc = (
        f'<nav class="toc" aria-label="{label}"><p class="toc__title">{label}</p>'
        f"<ol>{items}</ol></nav>\n"
    )
    # before the first section, or after the headline figures when the page opens with them
    starts = list(_SECTION.finditer(html))
    first = starts[1 if starts[0].group(1) == "headline" else 0].start()
    return html[:first] + toc + html[first:]


def write_site(
    pages: Sequence[Page],
    out_dir: Path,
    langs: Sequence[str] = ("en", "zh"),
    *,
    as_of: date | None = None,
) -> list[Path]:
    """Render every page in every language into `out_dir` (layout in the module docstring)
    and return the files written. `as_of` (the data's as-of date) shows in every header."""
    langs = tuple(langs)
    _check(pages, langs)
    if not any(p.slug == INDEX_SLUG for p in pages):
        pages = [_overview(pages), *pages]
    nav_pages = [p for p in pages if p.in_nav or p.slug == INDEX_SLUG]
    nav_pages.sort(key=lambda p: p.slug != INDEX_SLUG)  # the overview first, then in order
    written = []
    for page in pages:
        for lang in langs:
            here = page_path(page.slug, lang, langs)
            site = {
                "title_key": page.title_key,
                "as_of": as_of,
                "home_href": relative_href(here, page_path(INDEX_SLUG, lang, langs)),
                "nav": [
                    {
                        "slug": p.slug,
                        "title_key": p.title_key,
                        "href": relative_href(here, page_path(p.slug, lang, langs)),
                        "current": p.slug == page.slug,
                    }
                    for p in nav_pages
                ],
                "alternates": [
                    {
                        "lang": other,
                        "name": translate("meta.language_name", other),
                        "html_lang": translate("meta.html_lang", other),
                        "href": relative_href(here, page_path(page.slug, other, langs)),
                    }
                    for other in langs
                    if other != lang
                ],
                "page_href": lambda slug, _here=here, _lang=lang: relative_href(
                    _here, page_path(slug, _lang, langs)
                ),
            }
            html = with_contents(
                render_page(page.template, {**page.context(lang), **site}, lang), lang
            )
            target = out_dir / here
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(html, encoding="utf-8", newline="\n")
            written.append(target)
    return written
