"""Summaries over a results database: themes, breakdowns, trends, recurring weaknesses, table health.

CLI: ``gkreport summary --db results.sqlite [--by year|level|region|agency] [--role
problem|improvement|innovation] [--year Y] [--top N] [--format table|markdown|csv|json|html]
[--output FILE]`` → ``render(build_summary(db, by, role, year, top), fmt)``.

Definitions (all counts are aggregated in SQL, see `gkreport.store.SUMMARY_SQL`):
- a report *admits* a theme when at least one of its passages with the chosen role was assigned that theme
  by the model; `share` = admitting reports / reports tagged by a model (reports processed without a
  model are not counted as "admits nothing"). Without any tagged report, themes are "not available".
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
            groups = {g["grp"]: {"key": g["grp"], "reports": g["reports"], "themes": {}}
                      for g in q("by_groups", group=field)}
            for row in q("by_themes", group=field):
                if row["grp"] in groups:
                    group = groups[row["grp"]]
                    group["themes"][row["theme"]] = {"reports": row["reports"],
                                                     "share": _share(row["reports"], group["reports"])}
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
