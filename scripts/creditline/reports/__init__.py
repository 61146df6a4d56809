"""The HTML report framework: one Jinja environment, a message catalogue (en, zh),
formatters, static SVG charts and a site writer. Report pages build on it.

Modules: `environment` (the Jinja Environment, `render_page`), `messages` (catalogue in
`messages/en.json` + `zh.json`), `formatting` (numbers, money, dates), `tables` (column
specs, CSV download), `charts` (altair -> static SVG, palettes, heat table), `site`
(`Page`, `write_site`; the layout of a rendered site is in its docstring). Templates:
`templates/base.html.j2`, `macros.html.j2`, `style.css`.

Adding a report page:

1. Messages: add the page's keys (title, headings, captions, population texts) to both
   `messages/en.json` and `messages/zh.json`; a metric that needs a definition gets
   `metric.<name>` and `definition.<name>`.
2. Data: a function that reads the marts once (`con.sql(...).pl()`) and returns frames;
   no formatting, no re-derived metrics.
3. Context: `context(lang) -> dict` that takes those frames and adds what depends on the
   language: charts (`charts.line_chart(..., lang=lang)`), translated period texts.
   Values stay raw; the template formats them with filters (`|percent`, `|money`, ...).
4. Template `templates/<slug>.html.j2`: `{% extends "base.html.j2" %}`,
   `{% import "macros.html.j2" as m with context %}`, then `m.kpi_tile`, `m.figure`,
   `m.data_table`, `m.not_enough_data` and `m.definitions([...])` in `{% block content %}`.
   Every visible word comes from `t("...")`.
5. Register `Page("<slug>", "<title key>", "<slug>.html.j2", context)` in the list given
   to `site.write_site(pages, out_dir, as_of=...)`.
6. Test: render it and call `browser_page.assert_page_ok(path)` (tests/e2e/conftest.py).

`_demo.py` with `templates/_framework_demo.html.j2` is a complete worked example.
"""
