"""One review row per report, for the 政务公开 office that receives a hundred subordinate reports and sends
back corrections. Built from the batch database alone, with the loaders `gkreport.summary.compute` uses.

Per report: the six statutory sections found, inferred (no heading) or missing, and the segmenter's warnings
(when the database has a `reports.warnings` column); table cells missing or ambiguous; failed checks with
their messages (R1–R5 hard, X1/X2 soft); the problem themes it admits and those no improvement passage of it
answers; text of sections 五+六 repeated verbatim from the same agency's previous year (sentence by sentence:
the share of characters, and the longest repeated runs); and a verdict with its reasons, by the rules in
data/review_rules.json.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, TypedDict

from gkreport.normalise import compact
from gkreport.summary.compute import (
    one_per_agency_year,
    open_results,
    rows,
    scoped_reports,
    section_texts,
    themes_by_report,
    tuples,
)

MIN_REPEATED = 10  # characters: a shorter sentence ("无。", "详见附表。") repeats in every report
LONGEST_SHOWN = 3  # repeated passages listed per report
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n")


class FailedCheck(TypedDict):
    check: str
    severity: str
    message: str


class Repeated(TypedDict):
    previous_year: int
    previous_sha256: str
    share: float  # of this year's characters of 五+六 (white space removed), in sentences repeated verbatim
    passages: list[str]  # the longest runs of repeated sentences, longest first


class ReportReview(TypedDict):
    sha256: str
    path: str
    agency: str | None
    year: int | None
    level: str | None
    template: str | None
    verdict: str
    reasons: list[str]
    sections_missing: list[str]
    sections_inferred: list[str]
    warnings: list[str]
    cells_missing: list[str]
    cells_ambiguous: list[str]
    tables_absent: bool
    failed_checks: list[FailedCheck]
    themes: list[str]
    unanswered: list[str]
    repeated: Repeated | None


@lru_cache(maxsize=1)
def verdict_rules() -> dict[str, Any]:
    return json.loads(files("gkreport").joinpath("data/review_rules.json").read_text(encoding="utf-8"))


Sentences = list[tuple[str, str]]  # (sentence, its text without white space)


def sentences(text: str) -> Sentences:
    return [(s, compact(s)) for s in (part.strip() for part in _SENTENCE_END.split(text)) if s]


def repeated_runs(text: str, previous: str) -> tuple[float, list[str]]:
    """(share of the characters of `text` in sentences that `previous` has verbatim, white space ignored;
    the runs of consecutive repeated sentences, longest first). Sentences under MIN_REPEATED are neither."""
    return _repeated(sentences(text), sentences(previous))


def _repeated(text: Sentences, previous: Sentences) -> tuple[float, list[str]]:
    seen = {key for _, key in previous}
    total = repeated = 0
    runs: list[list[str]] = []
    open_run = False
    for sentence, key in text:
        total += len(key)
        if len(key) >= MIN_REPEATED and key in seen:
            repeated += len(key)
            if not open_run:
                runs.append([])
            runs[-1].append(sentence)
            open_run = True
        elif len(key) >= MIN_REPEATED:
            open_run = False  # a short sentence between two repeated ones does not break the run
    passages = sorted(("".join(run) for run in runs), key=lambda p: (-len(p), p))
    return (round(repeated / total, 4) if total else 0.0), passages


def _listed(items: list[str], most: int) -> str:
    return "、".join(items[:most]) + (f" … (+{len(items) - most})" if len(items) > most else "")


def _failed(review: ReportReview, soft: bool) -> list[str]:
    return [c["check"] for c in review["failed_checks"] if (c["severity"] == "soft") == soft]


# metric -> (its value, what it counts: only spelt out for a rule that fired)
METRICS: dict[str, tuple[Callable[[ReportReview], float], Callable[[ReportReview], str]]] = {
    "checks_failed_hard": (lambda r: len(_failed(r, False)), lambda r: _listed(_failed(r, False), 3)),
    "checks_failed_soft": (lambda r: len(_failed(r, True)), lambda r: _listed(_failed(r, True), 3)),
    "sections_missing": (lambda r: len(r["sections_missing"]), lambda r: _listed(r["sections_missing"], 6)),
    "sections_inferred": (lambda r: len(r["sections_inferred"]), lambda r: _listed(r["sections_inferred"], 6)),
    "warnings": (lambda r: len(r["warnings"]), lambda r: _listed(r["warnings"], 2)),
    "cells_missing": (lambda r: len(r["cells_missing"]), lambda r: _listed(r["cells_missing"], 2)),
    "cells_ambiguous": (lambda r: len(r["cells_ambiguous"]), lambda r: _listed(r["cells_ambiguous"], 2)),
    "tables_absent": (lambda r: int(r["tables_absent"]), lambda r: ""),
    "repeated_share": (lambda r: r["repeated"]["share"] if r["repeated"] else 0.0, lambda r: ""),
    "unanswered_problems": (lambda r: len(r["unanswered"]), lambda r: _listed(r["unanswered"], 9)),
}


def judge(review: ReportReview) -> tuple[str, list[str]]:
    """The verdict and the reasons for it, by the rules in data/review_rules.json."""
    rules = verdict_rules()
    fired: dict[str, list[str]] = defaultdict(list)
    for rule in rules["rules"]:
        value_of, detail_of = METRICS[rule["metric"]]
        value = value_of(review)
        if ("at_least" in rule and value >= rule["at_least"]) or ("above" in rule and value > rule["above"]):
            fired[rule["verdict"]].append(rule["reason"].format(value=value, detail=detail_of(review)))
    verdict = next((v for v in rules["verdicts"] if fired.get(v)), rules["verdicts"][-1])
    return verdict, [reason for v in rules["verdicts"] for reason in fired.get(v, [])]


def _warnings(conn: sqlite3.Connection) -> dict[str, list[str]]:
    if "warnings" not in {row["name"] for row in rows(conn, "report_columns")}:
        return {}
    found: dict[str, list[str]] = {}
    for row in rows(conn, "warnings"):
        try:
            value = json.loads(row["warnings"])
        except (TypeError, ValueError):
            value = [row["warnings"]]
        found[row["sha256"]] = [str(w) for w in value] if isinstance(value, list) else [str(value)]
    return found


def build_review(db: str | Path, year: int | None = None) -> list[ReportReview]:
    """A review of every stored report (of `year`, if given), ordered by verdict, agency, year, path."""
    from gkreport.templates import cell_label

    with open_results(db) as conn:
        everyone = rows(conn, "reports")
        rep = scoped_reports(everyone, year)
        report_themes = themes_by_report(tuples(conn, "assigned", role="problem"))
        not_found: dict[tuple[str, str], list[str]] = defaultdict(list)  # (report, status) -> "3 name"
        for sha, number, name, status in sorted(tuples(conn, "sections_not_found")):
            not_found[sha, status].append(f"{number} {name or ''}".strip())
        checks: dict[str, list[FailedCheck]] = defaultdict(list)
        for sha, check_id, _family, severity, message in tuples(conn, "failed_checks"):
            if sha in rep:
                checks[sha].append({"check": check_id, "severity": severity or "hard", "message": message or ""})
        cells: dict[tuple[str, str], list[str]] = defaultdict(list)
        for sha, tbl, row, col, status in tuples(conn, "flagged_cell_list"):
            if sha in rep:
                cells[sha, status].append(cell_label(tbl, row, col, rep[sha]["template"] or "2021"))
        absent = {r["sha256"] for r in rows(conn, "without_cells")}
        warnings = _warnings(conn)
        # the same agency's previous year: its report (one per agency and year) and both texts of 五+六
        per_agency_year = one_per_agency_year(everyone)
        previous = {
            sha: per_agency_year[r["agency"], r["year"] - 1]["sha256"]
            for sha, r in rep.items()
            if r["agency"] is not None and r["year"] is not None and (r["agency"], r["year"] - 1) in per_agency_year
        }
        texts = section_texts(conn, [*previous, *previous.values()])
    split = {sha: sentences(text) for sha, text in texts.items()}  # each text once, as this year or the last

    reviews: list[ReportReview] = []
    for sha, r in rep.items():
        problems = report_themes["problem"].get(sha, set())
        repeated: Repeated | None = None
        before = previous.get(sha)
        if before is not None and sha in split and before in split:
            share, passages = _repeated(split[sha], split[before])
            repeated = {
                "previous_year": r["year"] - 1,
                "previous_sha256": before,
                "share": share,
                "passages": passages[:LONGEST_SHOWN],
            }
        review: ReportReview = {
            "sha256": sha,
            "path": r["path"],
            "agency": r["agency"],
            "year": r["year"],
            "level": r["level"],
            "template": r["template"],
            "verdict": "",
            "reasons": [],
            "sections_missing": not_found.get((sha, "missing"), []),
            "sections_inferred": not_found.get((sha, "inferred"), []),
            "warnings": warnings.get(sha, []),
            "cells_missing": cells.get((sha, "missing"), []),
            "cells_ambiguous": cells.get((sha, "ambiguous"), []),
            "tables_absent": sha in absent,
            "failed_checks": checks.get(sha, []),
            "themes": sorted(problems),
            "unanswered": sorted(problems - report_themes["improvement"].get(sha, set())),
            "repeated": repeated,
        }
        review["verdict"], review["reasons"] = judge(review)
        reviews.append(review)
    order = {v: i for i, v in enumerate(verdict_rules()["verdicts"])}
    reviews.sort(key=lambda v: (order[v["verdict"]], v["agency"] or "", v["year"] or 0, v["path"]))
    return reviews
