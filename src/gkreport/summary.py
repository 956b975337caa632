"""Summaries over a results database: themes, breakdowns, trends, recurring weaknesses, table health.

CLI: ``gkreport summary --db results.sqlite [--by year|level|region|agency] [--role
problem|improvement|innovation] [--year Y] [--top N] [--format table|markdown|csv|json|html]
[--output FILE]`` → ``render(build_summary(db, by, role, year, top), fmt, top)``.

Definitions (rows are fetched by `gkreport.store.SUMMARY_SQL` and counted here):
- a report *admits* a theme when at least one of its passages with the chosen role was assigned that theme
  by the model; `share` = admitting reports / reports tagged by a model (reports processed without a
  model are not counted as "admits nothing"; the same holds per --by group). Without any tagged report,
  themes are "not available".
- `cooccurrence`: pairs of themes admitted by the same report (same role), top N.
- `unanswered`: per theme, reports with a problem passage on it but no improvement passage on it.
- `recurring`: the same agency admits the same problem theme in year Y and Y+1.
- `repetition`: text of sections 五+六 of the same agency in year Y and Y+1, compared as the Jaccard index of
  their sets of character 3-grams (white space removed); pairs above 0.5 are flagged.
  For both, an agency has one report per year: of duplicates (the same report stored as PDF and HTML, say),
  the one with the lowest sha256.
- `region` groups by "province city" from the agency name; "(unknown)" where the gazetteer finds none.
- `checks`: per check family (R1..R5, X1, X2, …) the share of reports with at least one failing check;
  `tables`: share of reports with no table cells at all, with a cell `missing`, with a cell `ambiguous`.
"""

from __future__ import annotations

import csv
import html
import io
import json
import sqlite3
from collections import Counter, defaultdict
from contextlib import closing
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from gkreport.normalise import compact
from gkreport.store import connect_readonly, summary_query

ROLES: tuple[str, ...] = ("problem", "improvement", "innovation")
FORMATS: tuple[str, ...] = ("table", "markdown", "csv", "json", "html")
GROUP_FIELDS: tuple[str, ...] = ("year", "level", "region", "agency")  # --by
CHECK_FAMILIES: tuple[str, ...] = ("R1", "R2", "R3", "R4", "R5", "X1", "X2")  # always listed, even at 0
REPETITION_FLAG = 0.5
NGRAM = 3
EXAMPLE_CANDIDATES = 12  # per theme: the best passages searched for three different texts (fewer if all repeat)


def no_themes_note(reports: int, stored: int, errors: int, year: int | None, years: set[int]) -> str:
    """Why there are no themes to show, as it really is: no report at all, none of that year, or none tagged."""
    if not stored and errors:
        return (f"themes are not available: the database holds no report, only {errors} error rows (their "
                "reasons: gkreport export --what reports)")
    if not stored:
        return "themes are not available: the database holds no report"
    if not reports:
        known = ", ".join(str(y) for y in sorted(years)) or "none"
        return f"themes are not available: no report of {year} in the database (its years: {known})"
    return (f"themes are not available: none of the {reports} reports was tagged by a theme model (they were "
            "stored with --no-themes or without a model); to tag them from their stored passages, run gkreport "
            "batch again on the same files with --model DIR")


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def char_ngrams(text: str, n: int = NGRAM) -> np.ndarray:
    """The character n-grams (n ≤ 3) of a text, white space removed, as sorted unique int64 codes."""
    codes = np.frombuffer(compact(text).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if len(codes) < n:
        return np.empty(0, dtype=np.int64)
    keys = np.zeros(len(codes) - n + 1, dtype=np.int64)
    for i in range(n):  # 21 bits per code point
        keys = (keys << 21) | codes[i:len(codes) - n + 1 + i]
    keys.sort()
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))]  # unique; faster than np.unique


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard index of two sets given as sorted unique arrays."""
    shared = len(np.intersect1d(a, b, assume_unique=True))
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0


def char_ngram_jaccard(a: str, b: str, n: int = NGRAM) -> float:
    """Jaccard index of the character n-gram sets of two texts, white space removed."""
    return jaccard(char_ngrams(a, n), char_ngrams(b, n))


def theme_names() -> dict[str, str]:
    from gkreport.themes import load_taxonomy

    return {theme.id: theme.name for theme in load_taxonomy().themes}


def _group_key(by: str, report: sqlite3.Row) -> str | None:
    if by == "year":
        return None if report["year"] is None else str(report["year"])
    if by == "region":
        return (report["province"] or "(unknown)") + (f" {report['city']}" if report["city"] else "")
    return report[by]


def _ordered(keys: Any) -> list[Any]:
    """Group keys in SQL order: NULL first, then by value."""
    return sorted(keys, key=lambda k: (k is not None, k or ""))


def _one_per_agency_year(reports: list[sqlite3.Row]) -> dict[tuple[str, int], sqlite3.Row]:
    """The report of each (agency, year); of duplicates (e.g. the same report as PDF and HTML) the lowest sha256."""
    chosen: dict[tuple[str, int], sqlite3.Row] = {}
    for r in sorted(reports, key=lambda r: r["sha256"]):
        if r["agency"] is not None and r["year"] is not None:
            chosen.setdefault((r["agency"], r["year"]), r)
    return chosen


def build_summary(db: str | Path, by: str = "year", role: str = "problem", year: int | None = None,
                  top: int = 10) -> dict[str, Any]:
    """All summary figures of `db` as plain JSON-ready data (the `--format json` output)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if by not in GROUP_FIELDS:
        raise ValueError(f"cannot group by {by!r}; choose one of {', '.join(GROUP_FIELDS)}")
    names = theme_names()
    with closing(connect_readonly(db)) as conn:
        everyone = summary_query(conn, "reports")
        rep = {r["sha256"]: r for r in everyone if year is None or r["year"] == year}
        tagged = sum(r["model_version"] is not None for r in rep.values())
        assigned = summary_query(conn, "assigned", as_tuples=True, role=role)  # (sha256, role, theme, passage, score)
        # (report, theme) pairs per role, and the passages of the chosen role, within the reports in scope
        report_themes: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for sha, passage_role, theme, _, _ in assigned:
            report_themes[passage_role][sha].add(theme)
        chosen = [(sha, theme, passage, score) for sha, passage_role, theme, passage, score in assigned
                  if passage_role == role and sha in rep]
        passages = Counter(theme for _, theme, _, _ in chosen)  # (passage, theme) is unique

        best: dict[tuple[str, str], tuple[float, int]] = {}  # (theme, report) -> its highest-scoring passage
        for sha, theme, passage, score in sorted(chosen, key=lambda a: (-a[3], a[2])):
            best.setdefault((theme, sha), (score, passage))
        # Candidates in order of score; an agency's boilerplate repeated in other reports is shown once.
        candidates: dict[str, list[tuple[str, float, int]]] = defaultdict(list)
        for (theme, sha), (score, passage) in sorted(best.items(), key=lambda kv: (kv[0][0], -kv[1][0], kv[0][1])):
            if len(candidates[theme]) < EXAMPLE_CANDIDATES:
                candidates[theme].append((sha, score, passage))
        texts = {r["id"]: r for r in summary_query(
            conn, "passages", ids=[passage for picks in candidates.values() for _, _, passage in picks])}
        top3: dict[str, list[tuple[str, float, int]]] = defaultdict(list)
        for theme, picks in candidates.items():
            shown: set[str] = set()
            for sha, score, passage in picks:
                key = "".join(texts[passage]["text"].split())
                if key not in shown and len(top3[theme]) < 3:
                    shown.add(key)
                    top3[theme].append((sha, score, passage))
        examples = {theme: [{"agency": rep[sha]["agency"], "year": rep[sha]["year"],
                             "passage": texts[passage]["passage_id"], "score": round(score, 4),
                             "text": texts[passage]["text"]} for sha, score, passage in picks]
                    for theme, picks in top3.items()}

        def in_scope(passage_role: str) -> dict[str, set[str]]:
            return {sha: themes for sha, themes in report_themes[passage_role].items() if sha in rep}

        role_themes = in_scope(role)
        admitting = Counter(theme for themes in role_themes.values() for theme in themes)
        themes = [{"theme": theme, "name": names.get(theme, theme), "reports": n, "share": _share(n, tagged),
                   "passages": passages[theme], "examples": examples.get(theme, [])}
                  for theme, n in sorted(admitting.items(), key=lambda kv: (-kv[1], kv[0]))]

        def grouped(field: str) -> list[dict[str, Any]]:
            groups: dict[Any, dict[str, Any]] = {}
            for r in rep.values():
                g = groups.setdefault(_group_key(field, r), {"reports": 0, "tagged": 0, "themes": Counter()})
                g["reports"] += 1
                g["tagged"] += r["model_version"] is not None
                g["themes"].update(role_themes.get(r["sha256"], ()))
            return [{"key": key, "reports": g["reports"], "tagged": g["tagged"],
                     "themes": {t: {"reports": n, "share": _share(n, g["tagged"])}
                                for t, n in sorted(g["themes"].items())}}
                    for key, g in ((k, groups[k]) for k in _ordered(groups))]

        by_groups = grouped(by)
        trend = grouped("year") if by != "year" else by_groups
        trend = [g for g in trend if g["key"] is not None]

        pairs = Counter(pair for themes in role_themes.values() for pair in combinations(sorted(themes), 2))
        cooccurrence = [{"themes": list(pair), "reports": n}
                        for pair, n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]

        problems = in_scope("problem")
        improvements = report_themes["improvement"]
        problem_reports = Counter(t for themes in problems.values() for t in themes)
        open_problems = Counter(t for sha, themes in problems.items() for t in themes - improvements.get(sha, set()))
        unanswered = [{"theme": t, "name": names.get(t, t), "problem_reports": problem_reports[t],
                       "unanswered": n} for t, n in sorted(open_problems.items(), key=lambda kv: (-kv[1], kv[0]))]

        # consecutive years of the same agency, over all years (with --year Y: the pairs (Y-1, Y))
        per_agency_year = _one_per_agency_year(everyone)
        consecutive = [(agency, y) for agency, y in sorted(per_agency_year)
                       if (agency, y + 1) in per_agency_year and (year is None or y + 1 == year)]

        def problem_themes(agency: str, y: int) -> set[str]:
            return report_themes["problem"].get(per_agency_year[agency, y]["sha256"], set())

        recurring = [{"agency": agency, "theme": t, "name": names.get(t, t), "years": [y, y + 1]}
                     for agency, y in consecutive
                     for t in sorted(problem_themes(agency, y) & problem_themes(agency, y + 1))]

        shas = sorted({per_agency_year[key]["sha256"] for agency, y in consecutive
                       for key in ((agency, y), (agency, y + 1))})
        text: dict[str, list[str]] = defaultdict(list)
        for row in summary_query(conn, "section_texts", shas=shas):
            text[row["sha256"]].append(row["text"])
        grams = {sha: char_ngrams("\n".join(parts)) for sha, parts in text.items()}  # once per report
        repetition = []
        for agency, y in consecutive:
            sha_a, sha_b = per_agency_year[agency, y]["sha256"], per_agency_year[agency, y + 1]["sha256"]
            if sha_a in grams and sha_b in grams:
                score = round(jaccard(grams[sha_a], grams[sha_b]), 4)
                repetition.append({"agency": agency, "year": y, "next_year": y + 1, "jaccard": score,
                                   "flag": score > REPETITION_FLAG})

        failing = Counter(r["family"] for r in summary_query(conn, "failing_checks") if r["sha256"] in rep)
        flagged = Counter(r["status"] for r in summary_query(conn, "flagged_cells") if r["sha256"] in rep)
        absent = sum(r["sha256"] in rep for r in summary_query(conn, "without_cells"))
        errors = summary_query(conn, "errors")[0]["errors"]
    health = {"absent": absent, "missing": flagged["missing"], "ambiguous": flagged["ambiguous"]}
    reports = len(rep)
    families = sorted(set(CHECK_FAMILIES) | set(failing))
    return {
        "reports": reports,
        "errors": errors,
        "tagged_reports": tagged,
        "role": role,
        "year": year,
        "themes_available": tagged > 0,
        "note": None if tagged else no_themes_note(reports, len(everyone), errors, year,
                                                   {r["year"] for r in everyone if r["year"] is not None}),
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


def _capped(rows: list[list[Any]], limit: int | None, width: int) -> list[list[Any]]:
    """The first `limit` rows and, if some are left out, a row saying how many (screen formats only)."""
    if limit is None or len(rows) <= limit:
        return rows
    return rows[:limit] + [[f"… {len(rows) - limit} more (all of them: --format json or csv)"] + [""] * (width - 1)]


def summary_tables(summary: dict[str, Any], limit: int | None = None) -> list[Table]:
    """The summary as titled tables; theme ids are shown with their Chinese taxonomy names.

    `limit` caps the per-agency lists (recurring themes, repetition: flagged and most similar first), which
    run to thousands of rows over a province; None keeps every row."""
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
                       _capped([[r["agency"], label(r["theme"]), "–".join(map(str, r["years"]))]
                                 for r in summary["recurring"]], limit, 3)))
    else:
        tables.append(("Themes", ["note"], [[summary["note"]]]))
    tables.append(("Repetition of sections 五+六 (char 3-gram Jaccard)", ["agency", "years", "jaccard", "> 50%"],
                   _capped([[r["agency"], f"{r['year']}–{r['next_year']}", r["jaccard"], "yes" if r["flag"] else ""]
                            for r in (sorted(summary["repetition"], key=lambda r: -r["jaccard"])
                                      if limit is not None else summary["repetition"])], limit, 4)))
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
    config = {"disable_xml_declaration": True, "js": [], "style": DefaultStyle, "width": 900,
              "explicit_size": True, "truncate_legend": -1, "truncate_label": -1}
    if summary["themes_available"] and summary["themes"]:
        # one series, a theme a bar, named on the axis: a legend of nine long names would overlap
        bar = pygal.HorizontalBar(title=f"Share of reports admitting each theme ({summary['role']}, %)",
                                  range=(0, 100), height=60 + 40 * len(summary["themes"]), show_legend=False,
                                  print_values=True, value_formatter=lambda v: f"{v:g}%", **config)
        bar.uuid = "themes"  # pygal's default is a random uuid4: the same database would give a different page
        themes = list(reversed(summary["themes"]))  # pygal draws the first label at the bottom
        bar.x_labels = [f"{t['theme']} {names.get(t['theme'], '')}" for t in themes]
        # pygal sizes labels for Latin letters; a CJK character is drawn about twice as wide
        bar.config.margin_left = 10 + 6 * max(sum(not c.isascii() for c in label) for label in bar.x_labels)
        bar.add("share", [round(t["share"] * 100, 1) for t in themes])
        charts.append(bar.render(is_unicode=True))
    if summary["themes_available"] and summary["trend"]:
        line = pygal.Line(title="Trend: share of reports by year (%; n = reports tagged that year)", height=500,
                          legend_at_bottom=True, legend_at_bottom_columns=2, x_label_rotation=30, range=(0, 100),
                          **config)
        line.uuid = "trend"
        line.x_labels = [f"{g['key']} (n={g['tagged']})" for g in summary["trend"]]
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


def render(summary: dict[str, Any], fmt: str = "table", top: int | None = None) -> str:
    """The summary as text in one of FORMATS. In table, markdown and html, `top` caps the per-agency lists;
    json and csv always carry every row."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "json":
        return json.dumps(summary, ensure_ascii=False)  # no indent: the C encoder, 10x faster
    tables = summary_tables(summary, top if fmt in ("table", "markdown", "html") else None)
    renderers = {"markdown": _markdown, "table": _plain, "csv": _csv}
    if fmt == "html":
        return _html(summary, tables)
    return renderers[fmt](tables)
