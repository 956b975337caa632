"""`gkreport review` output: a screen table, one CSV (a row per report, one header), JSON Lines (an object
per report) or one offline HTML page (sortable, filterable by verdict, agency and year, a detail panel per
report; the script and style beside this module, the rows as JSON in the page)."""

from __future__ import annotations

import html
import io
import json
from importlib.resources import files
from typing import Any

from gkreport.errors import OptionError
from gkreport.review.compute import ReportReview, verdict_rules

REVIEW_FORMATS: tuple[str, ...] = ("table", "csv", "json", "html")
CSV_HEADER = [
    "verdict",
    "agency",
    "year",
    "level",
    "path",
    "reasons",
    "sections_missing",
    "sections_inferred",
    "warnings",
    "cells_missing",
    "cells_ambiguous",
    "tables_absent",
    "failed_checks",
    "themes",
    "unanswered",
    "repeated_share",
    "previous_year",
    "longest_repeated",
    "sha256",
]


def _csv_row(r: ReportReview) -> list[Any]:
    repeated = r["repeated"]
    return [
        r["verdict"],
        r["agency"],
        r["year"],
        r["level"],
        r["path"],
        "; ".join(r["reasons"]),
        "; ".join(r["sections_missing"]),
        "; ".join(r["sections_inferred"]),
        "; ".join(r["warnings"]),
        len(r["cells_missing"]),
        len(r["cells_ambiguous"]),
        r["tables_absent"],
        "; ".join(f"{c['check']}: {c['message']}" for c in r["failed_checks"]),
        " ".join(r["themes"]),
        " ".join(r["unanswered"]),
        repeated["share"] if repeated else None,
        repeated["previous_year"] if repeated else None,
        repeated["passages"][0] if repeated and repeated["passages"] else None,
        r["sha256"],
    ]


def _csv(reviews: list[ReportReview]) -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(_csv_row(r) for r in reviews)
    return buffer.getvalue()


def _table(reviews: list[ReportReview], width: int = 120) -> str:
    from rich.console import Console
    from rich.table import Table

    counts = {v: sum(r["verdict"] == v for r in reviews) for v in verdict_rules()["verdicts"]}
    table = Table(
        title=f"Review of {len(reviews)} reports: " + ", ".join(f"{n} {v}" for v, n in counts.items()),
        title_justify="left",
    )
    for name, ratio in (("verdict", None), ("agency", None), ("year", None), ("reasons", 1)):
        table.add_column(name, overflow="fold", ratio=ratio)
    for r in reviews:
        table.add_row(r["verdict"], r["agency"] or r["path"], str(r["year"] or ""), "\n".join(r["reasons"]) or "—")
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, legacy_windows=False).print(
        table if reviews else "no reports in the database (or in that year)"
    )
    return buffer.getvalue()


def _html(reviews: list[ReportReview], embed_font: bool = True) -> str:
    from gkreport.summary.page import page

    here = files("gkreport.review")
    data = json.dumps({"verdicts": verdict_rules()["verdicts"], "reports": reviews}, ensure_ascii=False)
    data = data.replace("</", "<\\/")  # the JSON sits inside a <script> element
    body = (
        f"<h1>Review of {len(reviews)} reports</h1>"
        '<div id="filters"><label>verdict <select id="f-verdict"><option value="">all</option></select></label> '
        '<label>agency <input id="f-agency" type="search" placeholder="part of the name"></label> '
        '<label>year <select id="f-year"><option value="">all</option></select></label> '
        '<span id="shown"></span></div>'
        '<div id="layout"><table id="reviews"><thead><tr>'
        + "".join(
            f'<th data-key="{k}" tabindex="0">{html.escape(k)}</th>'
            for k in ("verdict", "agency", "year", "level", "checks", "cells", "repeated", "reasons")
        )
        + '</tr></thead><tbody></tbody></table><aside id="detail" hidden></aside></div>'
        f'<script type="application/json" id="review-data">{data}</script>'
        "<noscript>The table needs JavaScript; the same rows: gkreport review --format csv</noscript>"
    )
    return page(
        "gkreport review",
        body,
        script=here.joinpath("review.js").read_text(encoding="utf-8"),
        css=here.joinpath("review.css").read_text(encoding="utf-8"),
        embed_font=embed_font,
    )


def render_review(reviews: list[ReportReview], fmt: str = "table") -> str:
    if fmt not in REVIEW_FORMATS:
        raise OptionError("--format", f"unknown format {fmt!r}; choose one of {', '.join(REVIEW_FORMATS)}")
    if fmt == "json":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in reviews)
    if fmt == "csv":
        return _csv(reviews)
    if fmt == "html":
        return _html(reviews)
    return _table(reviews)
