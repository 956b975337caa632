"""Summaries over a results database: themes, breakdowns, trends, recurring weaknesses, table health.

CLI: ``gkreport summary --db results.sqlite [--by year|level|region|agency] [--role
problem|improvement|innovation] [--year Y] [--top N] [--format table|markdown|csv|json|html]
[--table NAME] [--output FILE|DIR]`` → ``render(build_summary(db, by, role, year), fmt, top, table)``.

`compute` builds the typed `Summary` (its docstring defines every figure); `render_text` draws it for a
screen (rich table, Markdown), `render_csv` as one CSV per table, `render_html` as one offline page.
"""

from __future__ import annotations

import json

from gkreport.errors import OptionError
from gkreport.summary.compute import (
    GROUP_FIELDS,
    ROLES,
    Summary,
    build_summary,
    char_ngram_jaccard,
    char_ngrams,
    jaccard,
    theme_names,
)
from gkreport.summary.render_csv import TABLES, render_csv, write_csv_tables

FORMATS: tuple[str, ...] = ("table", "markdown", "csv", "json", "html")
CSV_TABLES: tuple[str, ...] = tuple(TABLES)

__all__ = [
    "CSV_TABLES",
    "FORMATS",
    "GROUP_FIELDS",
    "ROLES",
    "Summary",
    "build_summary",
    "char_ngram_jaccard",
    "char_ngrams",
    "jaccard",
    "render",
    "theme_names",
    "write_csv_tables",
]


def render(summary: Summary, fmt: str = "table", top: int | None = None, table: str | None = None) -> str:
    """The summary as text in one of FORMATS. In table, markdown and html, `top` caps the long lists; json and
    csv always carry every row. csv is one table, named by `table` (see `write_csv_tables` for all)."""
    if fmt not in FORMATS:
        raise OptionError("--format", f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "json":
        return json.dumps(summary, ensure_ascii=False)  # no indent: the C encoder, 10x faster
    if fmt == "csv":
        if table is None:
            raise OptionError(
                "--format csv",
                f"writes one table: name it with --table ({', '.join(CSV_TABLES)}), "
                "or give --output DIR for all of them",
            )
        return render_csv(summary, table)
    if fmt == "html":
        from gkreport.summary.render_html import render_html

        return render_html(summary, top)
    from gkreport.summary.render_text import render_markdown, render_table, summary_blocks

    blocks = summary_blocks(summary, top)
    return render_markdown(blocks) if fmt == "markdown" else render_table(blocks)
