"""The summary's figures, computed from a results database into a typed `Summary` (plain JSON-ready data).

Definitions (rows are fetched by `gkreport.store.SUMMARY_SQL` and counted here):
- a report *admits* a theme when at least one of its passages with the chosen role was assigned that theme
  by the model; `share` = admitting reports / reports tagged by a model (reports processed without a
  model are not counted as "admits nothing"; the same holds per --by group). Without any tagged report,
  themes are "not available".
- `cooccurrence`: every pair of themes admitted by the same report (same role), most frequent first.
- `unanswered`: per theme, reports with a problem passage on it but no improvement passage on it.
- `recurring`: the same agency admits the same problem theme in year Y and Y+1.
- `repetition`: text of sections 五+六 of the same agency in year Y and Y+1, compared as the Jaccard index of
  their sets of character 3-grams (white space removed); pairs above 0.5 are flagged.
  For both, an agency has one report per year: of duplicates (the same report stored as PDF and HTML, say),
  the one with the lowest sha256.
- `region` groups by "province city" from the agency name; "(unknown)" where the gazetteer finds none.
- `checks`: per check family (R1..R5, X1, X2, …) the share of reports with at least one failing check;
  `tables`: share of reports with no table cells at all, with a cell `missing`, with a cell `ambiguous`.
- `small_group`: a year (or group) with fewer tagged reports than this is marked on every screen: one or two
  reports make a share swing between 0 and 100%.

The loaders below (`open_results`, `scoped_reports`, `themes_by_report`, `one_per_agency_year`,
`previous_years`, `section_texts`) are shared with `gkreport.review`.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable
from contextlib import AbstractContextManager
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, cast

from gkreport.errors import OptionError
from gkreport.normalise import compact
from gkreport.store import reading, summary_query

if TYPE_CHECKING:  # NumPy is imported where n-grams are compared, not by `gkreport review`
    import numpy as np

ROLES: tuple[str, ...] = ("problem", "improvement", "innovation")
GROUP_FIELDS: tuple[str, ...] = ("year", "level", "region", "agency")  # --by
CHECK_FAMILIES: tuple[str, ...] = ("R1", "R2", "R3", "R4", "R5", "X1", "X2")  # always listed, even at 0
REPETITION_FLAG = 0.5
SMALL_GROUP = 5  # fewer tagged reports than this: the share is marked as unreliable
NGRAM = 3
EXAMPLE_CANDIDATES = 12  # per theme: the best passages searched for three different texts (fewer if all repeat)


def no_themes_note(reports: int, stored: int, errors: int, year: int | None, years: set[int]) -> str:
    """Why there are no themes to show, as it really is: no report at all, none of that year, or none tagged."""
    if not stored and errors:
        return (
            f"themes are not available: the database holds no report, only {errors} error rows (their "
            "reasons: gkreport export --what reports)"
        )
    if not stored:
        return "themes are not available: the database holds no report"
    if not reports:
        known = ", ".join(str(y) for y in sorted(years)) or "none"
        return f"themes are not available: no report of {year} in the database (its years: {known})"
    return (
        f"themes are not available: none of the {reports} reports was tagged by a theme model (they were "
        "stored with --no-themes or without a model); to tag them from their stored passages, run gkreport "
        "batch again on the same files with --model DIR"
    )


class Example(TypedDict):
    agency: str | None
    year: int | None
    passage: str
    score: float
    text: str


class ThemeCount(TypedDict):
    theme: str
    name: str
    reports: int
    share: float
    passages: int
    examples: list[Example]


class ThemeShare(TypedDict):
    reports: int
    share: float


class Group(TypedDict):
    key: str | None
    reports: int
    tagged: int
    small: bool
    themes: dict[str, ThemeShare]


class Breakdown(TypedDict):
    field: str
    groups: list[Group]


class Pair(TypedDict):
    themes: list[str]
    reports: int


class Unanswered(TypedDict):
    theme: str
    name: str
    problem_reports: int
    unanswered: int


class Recurring(TypedDict):
    agency: str
    theme: str
    name: str
    years: list[int]


class Repetition(TypedDict):
    agency: str
    year: int
    next_year: int
    jaccard: float
    flag: bool


class CheckShare(TypedDict):
    family: str
    reports: int
    share: float


class TableHealth(TypedDict):
    reports: int
    share: float


class Summary(TypedDict):
    """Everything `gkreport summary` shows; `--format json` writes it as it is."""

    reports: int
    errors: int
    tagged_reports: int
    role: str
    year: int | None
    themes_available: bool
    note: str | None
    small_group: int
    theme_names: dict[str, str]
    themes: list[ThemeCount]
    by: Breakdown
    trend: list[Group]
    cooccurrence: list[Pair]
    unanswered: list[Unanswered]
    recurring: list[Recurring]
    repetition: list[Repetition]
    checks: list[CheckShare]
    tables: dict[str, TableHealth]


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def char_ngrams(text: str, n: int = NGRAM) -> np.ndarray:
    """The character n-grams (n ≤ 3) of a text, white space removed, as sorted unique int64 codes."""
    import numpy as np

    codes = np.frombuffer(compact(text).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if len(codes) < n:
        return np.empty(0, dtype=np.int64)
    keys = np.zeros(len(codes) - n + 1, dtype=np.int64)
    for i in range(n):  # 21 bits per code point
        keys = (keys << 21) | codes[i : len(codes) - n + 1 + i]
    keys.sort()
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))]  # unique; faster than np.unique


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard index of two sets given as sorted unique arrays."""
    import numpy as np

    shared = len(np.intersect1d(a, b, assume_unique=True))
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0


def char_ngram_jaccard(a: str, b: str, n: int = NGRAM) -> float:
    """Jaccard index of the character n-gram sets of two texts, white space removed."""
    return jaccard(char_ngrams(a, n), char_ngrams(b, n))


def theme_names() -> dict[str, str]:
    from gkreport.themes import load_taxonomy

    return {theme.id: theme.name for theme in load_taxonomy().themes}


# ---------------------------------------------------------------------------------------------------
# Loaders shared with gkreport.review


def rows(conn: sqlite3.Connection, name: str, **params: Any) -> list[sqlite3.Row]:
    """One of `store.SUMMARY_SQL`, rows indexed by column name."""
    return cast(list[sqlite3.Row], summary_query(conn, name, **params))


def tuples(conn: sqlite3.Connection, name: str, **params: Any) -> list[tuple[Any, ...]]:
    """One of `store.SUMMARY_SQL`, rows as plain tuples in the query's column order (cheaper on many rows)."""
    return cast(list[tuple[Any, ...]], summary_query(conn, name, as_tuples=True, **params))


def open_results(db: str | Path) -> AbstractContextManager[sqlite3.Connection]:
    """The results database written by `gkreport batch`, opened read-only for a `with` block; a missing file,
    a file that is not gkreport's database, or one of a newer schema is refused (ConfigError) unchanged."""
    return reading(db)


def scoped_reports(everyone: Iterable[sqlite3.Row], year: int | None) -> dict[str, sqlite3.Row]:
    """The stored reports (ok files) by sha256, of one year or all."""
    return {r["sha256"]: r for r in everyone if year is None or r["year"] == year}


def themes_by_report(assigned: Iterable[tuple[Any, ...]]) -> dict[str, dict[str, set[str]]]:
    """role -> report -> the themes its passages of that role were assigned, from the `assigned` rows."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for sha, passage_role, theme, *_ in assigned:
        found[passage_role][sha].add(theme)
    return found


def one_per_agency_year(reports: Iterable[sqlite3.Row]) -> dict[tuple[str, int], sqlite3.Row]:
    """The report of each (agency, year); of duplicates (e.g. the same report as PDF and HTML) the lowest sha256."""
    chosen: dict[tuple[str, int], sqlite3.Row] = {}
    for r in sorted(reports, key=lambda r: r["sha256"]):
        if r["agency"] is not None and r["year"] is not None:
            chosen.setdefault((r["agency"], r["year"]), r)
    return chosen


def previous_years(
    per_agency_year: dict[tuple[str, int], sqlite3.Row], year: int | None = None
) -> list[tuple[str, int]]:
    """(agency, Y) for every agency with a report in Y and Y+1 (with `year`: only the pairs (year-1, year))."""
    return [
        (agency, y)
        for agency, y in sorted(per_agency_year)
        if (agency, y + 1) in per_agency_year and (year is None or y + 1 == year)
    ]


def section_texts(conn: sqlite3.Connection, shas: Iterable[str]) -> dict[str, str]:
    """The text of sections 五 and 六 of each report, joined by a line break."""
    parts: dict[str, list[str]] = defaultdict(list)
    for row in rows(conn, "section_texts", shas=sorted(set(shas))):
        parts[row["sha256"]].append(row["text"])
    return {sha: "\n".join(texts) for sha, texts in parts.items()}


# ---------------------------------------------------------------------------------------------------


def _group_key(by: str, report: sqlite3.Row) -> str | None:
    if by == "year":
        return None if report["year"] is None else str(report["year"])
    if by == "region":
        return (report["province"] or "(unknown)") + (f" {report['city']}" if report["city"] else "")
    return report[by]


def _ordered(keys: Any) -> list[Any]:
    """Group keys in SQL order: NULL first, then by value."""
    return sorted(keys, key=lambda k: (k is not None, k or ""))


def _examples(
    conn: sqlite3.Connection, rep: dict[str, sqlite3.Row], chosen: list[tuple[str, str, int, float]]
) -> dict[str, list[Example]]:
    """Per theme, up to three passages of different reports and different texts, highest score first."""
    best: dict[tuple[str, str], tuple[float, int]] = {}  # (theme, report) -> its highest-scoring passage
    for sha, theme, passage, score in sorted(chosen, key=lambda a: (-a[3], a[2])):
        best.setdefault((theme, sha), (score, passage))
    # Candidates in order of score; an agency's boilerplate repeated in other reports is shown once.
    candidates: dict[str, list[tuple[str, float, int]]] = defaultdict(list)
    for (theme, sha), (score, passage) in sorted(best.items(), key=lambda kv: (kv[0][0], -kv[1][0], kv[0][1])):
        if len(candidates[theme]) < EXAMPLE_CANDIDATES:
            candidates[theme].append((sha, score, passage))
    ids = [passage for picks in candidates.values() for _, _, passage in picks]
    texts = {r["id"]: r for r in rows(conn, "passages", ids=ids)}
    examples: dict[str, list[Example]] = defaultdict(list)
    for theme, picks in candidates.items():
        shown: set[str] = set()
        for sha, score, passage in picks:
            key = "".join(texts[passage]["text"].split())
            if key not in shown and len(examples[theme]) < 3:
                shown.add(key)
                examples[theme].append(
                    {
                        "agency": rep[sha]["agency"],
                        "year": rep[sha]["year"],
                        "passage": texts[passage]["passage_id"],
                        "score": round(score, 4),
                        "text": texts[passage]["text"],
                    }
                )
    return examples


def _grouped(field: str, rep: dict[str, sqlite3.Row], role_themes: dict[str, set[str]]) -> list[Group]:
    groups: dict[Any, dict[str, Any]] = {}
    for r in rep.values():
        g = groups.setdefault(_group_key(field, r), {"reports": 0, "tagged": 0, "themes": Counter()})
        g["reports"] += 1
        g["tagged"] += r["model_version"] is not None
        g["themes"].update(role_themes.get(r["sha256"], ()))
    return [
        {
            "key": key,
            "reports": g["reports"],
            "tagged": g["tagged"],
            "small": g["tagged"] < SMALL_GROUP,
            "themes": {t: {"reports": n, "share": _share(n, g["tagged"])} for t, n in sorted(g["themes"].items())},
        }
        for key, g in ((k, groups[k]) for k in _ordered(groups))
    ]


def build_summary(db: str | Path, by: str = "year", role: str = "problem", year: int | None = None) -> Summary:
    """All summary figures of `db` (the `--format json` output)."""
    if role not in ROLES:
        raise OptionError("--role", f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if by not in GROUP_FIELDS:
        raise OptionError("--by", f"cannot group by {by!r}; choose one of {', '.join(GROUP_FIELDS)}")
    names = theme_names()
    with open_results(db) as conn:
        everyone = rows(conn, "reports")
        rep = scoped_reports(everyone, year)
        tagged = sum(r["model_version"] is not None for r in rep.values())
        assigned = tuples(conn, "assigned", role=role)  # (sha256, role, theme, passage, score)
        report_themes = themes_by_report(assigned)
        chosen = [
            (sha, theme, passage, score)
            for sha, passage_role, theme, passage, score in assigned
            if passage_role == role and sha in rep
        ]
        passages = Counter(theme for _, theme, _, _ in chosen)  # (passage, theme) is unique
        examples = _examples(conn, rep, chosen)

        def in_scope(passage_role: str) -> dict[str, set[str]]:
            return {sha: themes for sha, themes in report_themes[passage_role].items() if sha in rep}

        role_themes = in_scope(role)
        admitting = Counter(theme for themes in role_themes.values() for theme in themes)
        themes: list[ThemeCount] = [
            {
                "theme": theme,
                "name": names.get(theme, theme),
                "reports": n,
                "share": _share(n, tagged),
                "passages": passages[theme],
                "examples": examples.get(theme, []),
            }
            for theme, n in sorted(admitting.items(), key=lambda kv: (-kv[1], kv[0]))
        ]

        by_groups = _grouped(by, rep, role_themes)
        trend = _grouped("year", rep, role_themes) if by != "year" else by_groups
        trend = [g for g in trend if g["key"] is not None]

        pairs = Counter(pair for themes in role_themes.values() for pair in combinations(sorted(themes), 2))
        cooccurrence: list[Pair] = [
            {"themes": list(pair), "reports": n} for pair, n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        ]

        problems = in_scope("problem")
        improvements = report_themes["improvement"]
        problem_reports = Counter(t for themes in problems.values() for t in themes)
        open_problems = Counter(t for sha, themes in problems.items() for t in themes - improvements.get(sha, set()))
        unanswered: list[Unanswered] = [
            {"theme": t, "name": names.get(t, t), "problem_reports": problem_reports[t], "unanswered": n}
            for t, n in sorted(open_problems.items(), key=lambda kv: (-kv[1], kv[0]))
        ]

        # consecutive years of the same agency, over all years (with --year Y: the pairs (Y-1, Y))
        per_agency_year = one_per_agency_year(everyone)
        consecutive = previous_years(per_agency_year, year)

        def problem_themes(agency: str, y: int) -> set[str]:
            return report_themes["problem"].get(per_agency_year[agency, y]["sha256"], set())

        recurring: list[Recurring] = [
            {"agency": agency, "theme": t, "name": names.get(t, t), "years": [y, y + 1]}
            for agency, y in consecutive
            for t in sorted(problem_themes(agency, y) & problem_themes(agency, y + 1))
        ]

        text = section_texts(
            conn,
            (per_agency_year[key]["sha256"] for agency, y in consecutive for key in ((agency, y), (agency, y + 1))),
        )
        grams = {sha: char_ngrams(t) for sha, t in text.items()}  # once per report
        repetition: list[Repetition] = []
        for agency, y in consecutive:
            sha_a, sha_b = per_agency_year[agency, y]["sha256"], per_agency_year[agency, y + 1]["sha256"]
            if sha_a in grams and sha_b in grams:
                score = round(jaccard(grams[sha_a], grams[sha_b]), 4)
                repetition.append(
                    {"agency": agency, "year": y, "next_year": y + 1, "jaccard": score, "flag": score > REPETITION_FLAG}
                )

        failing = Counter(r["family"] for r in rows(conn, "failing_checks") if r["sha256"] in rep)
        flagged = Counter(r["status"] for r in rows(conn, "flagged_cells") if r["sha256"] in rep)
        absent = sum(r["sha256"] in rep for r in rows(conn, "without_cells"))
        errors = rows(conn, "errors")[0]["errors"]
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
        "note": None
        if tagged
        else no_themes_note(
            reports, len(everyone), errors, year, {r["year"] for r in everyone if r["year"] is not None}
        ),
        "small_group": SMALL_GROUP,
        "theme_names": names,
        "themes": themes,
        "by": {"field": by, "groups": by_groups},
        "trend": trend if len(trend) > 1 else [],
        "cooccurrence": cooccurrence,
        "unanswered": unanswered,
        "recurring": recurring,
        "repetition": repetition,
        "checks": [
            {"family": f, "reports": failing.get(f, 0), "share": _share(failing.get(f, 0), reports)} for f in families
        ],
        "tables": {
            k: {"reports": health[k], "share": _share(health[k], reports)} for k in ("absent", "missing", "ambiguous")
        },
    }
