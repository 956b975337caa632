"""Summaries over a results database: themes, breakdowns, trends, recurring weaknesses, table health.

CLI: ``gkreport summary --db results.sqlite [--by year|level|region|agency] [--role
problem|improvement|innovation] [--year Y] [--top N] [--format table|markdown|csv|json|html]
[--output FILE]`` → ``render(build_summary(db, by, role, year, top), fmt)``.

Definitions (all counts are aggregated in SQL, see `gkreport.store.SUMMARY_SQL`):
- a report *admits* a theme when at least one of its passages with the chosen role was assigned that theme
  by the model; `share` = admitting reports / reports tagged by a model (reports processed without a
  model are not counted as "admits nothing"; the same holds per --by group). Without any tagged report,
  themes are "not available".
- `cooccurrence`: pairs of themes admitted by the same report (same role), top N.
- `unanswered`: per theme, reports with a problem passage on it but no improvement passage on it.
- `recurring`: the same agency admits the same problem theme in year Y and Y+1.
- `repetition`: text of sections 五+六 of the same agency in year Y and Y+1, compared as the Jaccard index of
  their sets of character 3-grams (white space removed); pairs above 0.5 are flagged.
- `checks`: per check family (R1..R5, X1, X2, …) the share of reports with at least one failing check;
  `tables`: share of reports with no table cells at all, with a cell `missing`, with a cell `ambiguous`.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from contextlib import closing
from pathlib import Path
from typing import Any

from gkreport.store import GROUP_EXPRESSIONS, connect, summary_query

ROLES: tuple[str, ...] = ("problem", "improvement", "innovation")
FORMATS: tuple[str, ...] = ("table", "markdown", "csv", "json", "html")
CHECK_FAMILIES: tuple[str, ...] = ("R1", "R2", "R3", "R4", "R5", "X1", "X2")  # always listed, even at 0
REPETITION_FLAG = 0.5
NGRAM = 3
NO_THEMES = "themes are not available: no report in the database was tagged by a theme model (batch --model)"


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def char_ngram_jaccard(a: str, b: str, n: int = NGRAM) -> float:
    """Jaccard index of the character n-gram sets of two texts, white space removed."""
    a, b = re.sub(r"\s+", "", a), re.sub(r"\s+", "", b)
    grams_a = {a[i:i + n] for i in range(len(a) - n + 1)}
    grams_b = {b[i:i + n] for i in range(len(b) - n + 1)}
    if not grams_a and not grams_b:
        return 0.0
    return len(grams_a & grams_b) / len(grams_a | grams_b)


def theme_names() -> dict[str, str]:
    from gkreport.themes import load_taxonomy

    return {theme.id: theme.name for theme in load_taxonomy().themes}


def build_summary(db: str | Path, by: str = "year", role: str = "problem", year: int | None = None,
                  top: int = 10) -> dict[str, Any]:
    """All summary figures of `db` as plain JSON-ready data (the `--format json` output)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if by not in GROUP_EXPRESSIONS:
        raise ValueError(f"cannot group by {by!r}; choose one of {', '.join(GROUP_EXPRESSIONS)}")
    if not Path(db).is_file():
        raise FileNotFoundError(db)
    names = theme_names()
    with closing(connect(db)) as conn:
        def q(name: str, **kw: Any) -> list[dict[str, Any]]:
            return summary_query(conn, name, role=role, year=year, top=top, **kw)

        totals = q("totals")[0]
        reports, tagged = totals["reports"], totals["tagged"]
        examples: dict[str, list[dict[str, Any]]] = {}
        for row in q("examples"):
            examples.setdefault(row["theme"], []).append(
                {"agency": row["agency"], "year": row["year"], "passage": row["passage_id"],
                 "score": round(row["score"], 4), "text": row["text"]})
        themes = [{"theme": r["theme"], "name": names.get(r["theme"], r["theme"]), "reports": r["reports"],
                   "share": _share(r["reports"], tagged), "passages": r["passages"],
                   "examples": examples.get(r["theme"], [])} for r in q("themes")]

        def grouped(field: str) -> list[dict[str, Any]]:
            groups = {g["grp"]: {"key": g["grp"], "reports": g["reports"], "tagged": g["tagged"], "themes": {}}
                      for g in q("by_groups", group=field)}
            for row in q("by_themes", group=field):
                if row["grp"] in groups:
                    group = groups[row["grp"]]
                    group["themes"][row["theme"]] = {"reports": row["reports"],
                                                     "share": _share(row["reports"], group["tagged"])}
            return list(groups.values())

        by_groups = grouped(by)
        trend = grouped("year") if by != "year" else by_groups
        trend = [g for g in trend if g["key"] is not None]
        repetition = []
        for pair in q("repetition_pairs"):
            score = round(char_ngram_jaccard(pair["text_a"], pair["text_b"]), 4)
            repetition.append({"agency": pair["agency"], "year": pair["year"], "next_year": pair["next_year"],
                               "jaccard": score, "flag": score > REPETITION_FLAG})
        cooccurrence = [{"themes": [r["theme_a"], r["theme_b"]], "reports": r["reports"]}
                        for r in q("cooccurrence")]
        unanswered = [{"theme": r["theme"], "name": names.get(r["theme"], r["theme"]),
                       "problem_reports": r["problem_reports"], "unanswered": r["unanswered"]}
                      for r in q("unanswered")]
        recurring = [{"agency": r["agency"], "theme": r["theme"], "name": names.get(r["theme"], r["theme"]),
                      "years": [r["year"], r["next_year"]]} for r in q("recurring")]
        failing = {r["family"]: r["reports"] for r in q("check_families")}
        health = q("table_health")[0]
    families = sorted(set(CHECK_FAMILIES) | set(failing))
    return {
        "reports": reports,
        "errors": totals["errors"],
        "tagged_reports": tagged,
        "role": role,
        "year": year,
        "themes_available": tagged > 0,
        "note": None if tagged else NO_THEMES,
        "themes": themes,
        "by": {"field": by, "groups": by_groups},
        "trend": trend if len(trend) > 1 else [],
        "cooccurrence": cooccurrence,
        "unanswered": unanswered,
        "recurring": recurring,
        "repetition": repetition,
        "checks": [{"family": f, "reports": failing.get(f, 0), "share": _share(failing.get(f, 0), reports)}
                   for f in families],
        "tables": {k: {"reports": health[k], "share": _share(health[k], reports)}
                   for k in ("absent", "missing", "ambiguous")},
    }


# ---------------------------------------------------------------------------------------------------
# Rendering. Every text format draws from the same (title, header, rows) tables.

Table = tuple[str, list[str], list[list[Any]]]


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _clip(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def summary_tables(summary: dict[str, Any]) -> list[Table]:
    """The summary as titled tables; theme ids are shown with their Chinese taxonomy names."""
    names = theme_names()

    def label(theme: str) -> str:
        return f"{theme} {names.get(theme, '')}".strip()

    role = summary["role"]
    tables: list[Table] = [("Overview", ["reports", "errors", "tagged by a model", "role", "year"],
                            [[summary["reports"], summary["errors"], summary["tagged_reports"], role,
                              summary["year"] if summary["year"] is not None else "all"]])]
    if summary["themes_available"]:
        tables.append((f"Themes ({role})", ["theme", "reports", "share", "passages"],
                       [[label(t["theme"]), t["reports"], _pct(t["share"]), t["passages"]]
                        for t in summary["themes"]]))
        tables.append(("Representative passages", ["theme", "agency", "year", "score", "text"],
                       [[label(t["theme"]), e["agency"], e["year"], e["score"], _clip(e["text"])]
                        for t in summary["themes"] for e in t["examples"]]))
        by = summary["by"]
        tables.append((f"By {by['field']}", [by["field"], "reports", "theme", "admitting", "share"],
                       [[g["key"], g["reports"], label(t), v["reports"], _pct(v["share"])]
                        for g in by["groups"] for t, v in sorted(g["themes"].items())]))
        if summary["trend"]:
            tables.append(("Trend by year", ["year", "reports", "theme", "share"],
                           [[g["key"], g["reports"], label(t), _pct(v["share"])]
                            for g in summary["trend"] for t, v in sorted(g["themes"].items())]))
        tables.append(("Theme co-occurrence", ["theme", "theme", "reports"],
                       [[label(c["themes"][0]), label(c["themes"][1]), c["reports"]]
                        for c in summary["cooccurrence"]]))
        tables.append(("Problems no improvement addresses", ["theme", "reports with the problem", "unanswered"],
                       [[label(u["theme"]), u["problem_reports"], u["unanswered"]] for u in summary["unanswered"]]))
        tables.append(("Same weakness in consecutive years", ["agency", "theme", "years"],
                       [[r["agency"], label(r["theme"]), "–".join(map(str, r["years"]))]
                        for r in summary["recurring"]]))
    else:
        tables.append(("Themes", ["note"], [[summary["note"]]]))
    tables.append(("Repetition of sections 五+六 (char 3-gram Jaccard)", ["agency", "years", "jaccard", "> 50%"],
                   [[r["agency"], f"{r['year']}–{r['next_year']}", r["jaccard"], "yes" if r["flag"] else ""]
                    for r in summary["repetition"]]))
    tables.append(("Table health: reports failing each check family", ["family", "reports", "share"],
                   [[c["family"], c["reports"], _pct(c["share"])] for c in summary["checks"]]
                   + [[f"tables {k}", v["reports"], _pct(v["share"])] for k, v in summary["tables"].items()]))
    return tables


def _markdown(tables: list[Table]) -> str:
    def cell(value: Any) -> str:
        return str(value if value is not None else "").replace("|", "\\|")

    out: list[str] = ["# Report summary", ""]
    for title, header, rows in tables:
        out += [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
        if not rows:
            out.append("| " + " | ".join(["—"] * len(header)) + " |")
        out.append("")
    return "\n".join(out)


def _plain(tables: list[Table]) -> str:
    from rich.console import Console
    from rich.table import Table as RichTable

    buffer = io.StringIO()
    console = Console(file=buffer, width=120, color_system=None, legacy_windows=False)
    for title, header, rows in tables:
        table = RichTable(title=title, title_justify="left")
        for name in header:
            table.add_column(name)
        for row in rows:
            table.add_row(*(str(v) if v is not None else "" for v in row))
        console.print(table)
    return buffer.getvalue()


def _csv(tables: list[Table]) -> str:
    """One CSV with a leading `section` column, so every table fits in one file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for title, header, rows in tables:
        writer.writerow(["section", *header])
        writer.writerows([title, *row] for row in rows)
    return buffer.getvalue()


def _html(summary: dict[str, Any], tables: list[Table]) -> str:
    """A self-contained page: inline SVG charts (pygal, no scripts, text kept as text) and the tables."""
    import pygal
    from pygal.style import DefaultStyle

    names = theme_names()
    charts: list[str] = []
    config = {"disable_xml_declaration": True, "js": [], "style": DefaultStyle, "width": 800, "height": 400,
              "show_legend": True, "explicit_size": True, "truncate_legend": -1, "legend_at_bottom": True}
    if summary["themes_available"] and summary["themes"]:
        bar = pygal.HorizontalBar(title=f"Share of reports admitting each theme ({summary['role']})",
                                  range=(0, 100), **config)
        for theme in summary["themes"]:
            bar.add(f"{theme['theme']} {names.get(theme['theme'], '')}", [round(theme["share"] * 100, 1)])
        charts.append(bar.render(is_unicode=True))
    if summary["themes_available"] and summary["trend"]:
        line = pygal.Line(title="Trend: share of reports by year (%)", **config)
        years = [g["key"] for g in summary["trend"]]
        line.x_labels = years
        for theme in sorted({t for g in summary["trend"] for t in g["themes"]}):
            line.add(f"{theme} {names.get(theme, '')}",
                     [round(g["themes"].get(theme, {}).get("share", 0.0) * 100, 1) for g in summary["trend"]])
        charts.append(line.render(is_unicode=True))
    parts = ["<!DOCTYPE html>", '<html lang="zh"><head><meta charset="utf-8"><title>gkreport summary</title>',
             "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left}</style></head><body>",
             "<h1>Report summary</h1>"]
    parts += [f'<figure class="chart">{svg}</figure>' for svg in charts]
    for title, header, rows in tables:
        parts.append(f"<h2>{html.escape(title)}</h2><table><tr>"
                     + "".join(f"<th>{html.escape(str(h))}</th>" for h in header) + "</tr>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row)
                         + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def render(summary: dict[str, Any], fmt: str = "table") -> str:
    """The summary as text in one of FORMATS."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "json":
        return json.dumps(summary, ensure_ascii=False, indent=2)
    tables = summary_tables(summary)
    renderers = {"markdown": _markdown, "table": _plain, "csv": _csv}
    if fmt == "html":
        return _html(summary, tables)
    return renderers[fmt](tables)
