"""The summary as CSV: one table per file, each with one header row, in long ("tidy") form so that a
spreadsheet or `pandas.read_csv` opens it unchanged. `--table NAME` writes one; `--output DIR` all of them
as DIR/NAME.csv. Every row is kept (no screen caps)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gkreport.errors import OptionError
from gkreport.summary.compute import Group, Summary

CsvTable = tuple[list[str], list[list[Any]]]


def _themes(s: Summary) -> CsvTable:
    return (
        ["theme", "name", "reports", "tagged_reports", "share", "passages"],
        [[t["theme"], t["name"], t["reports"], s["tagged_reports"], t["share"], t["passages"]] for t in s["themes"]],
    )


def _groups(s: Summary, key: str, groups: list[Group]) -> CsvTable:
    """A row per (group, theme) the group admits; groups admitting none still get one row with empty theme."""
    names = s["theme_names"]
    rows: list[list[Any]] = []
    for g in groups:
        cells = [
            [g["key"], g["reports"], g["tagged"], g["small"], t, names.get(t, t), v["reports"], v["share"]]
            for t, v in g["themes"].items()
        ]
        rows += cells or [[g["key"], g["reports"], g["tagged"], g["small"], "", "", 0, 0.0]]
    return [key, "reports", "tagged", "small", "theme", "name", "admitting", "share"], rows


def _examples(s: Summary) -> CsvTable:
    return (
        ["theme", "agency", "year", "passage", "score", "text"],
        [
            [t["theme"], e["agency"], e["year"], e["passage"], e["score"], e["text"]]
            for t in s["themes"]
            for e in t["examples"]
        ],
    )


def _checks(s: Summary) -> CsvTable:
    return (
        ["check", "reports", "share"],
        [[c["family"], c["reports"], c["share"]] for c in s["checks"]]
        + [[f"tables {k}", v["reports"], v["share"]] for k, v in s["tables"].items()],
    )


TABLES: dict[str, Callable[[Summary], CsvTable]] = {
    "themes": _themes,
    "by": lambda s: _groups(s, s["by"]["field"], s["by"]["groups"]),
    "trend": lambda s: _groups(s, "year", s["trend"]),
    "examples": _examples,
    "cooccurrence": lambda s: (
        ["theme_a", "theme_b", "reports"],
        [[*c["themes"], c["reports"]] for c in s["cooccurrence"]],
    ),
    "unanswered": lambda s: (
        ["theme", "name", "problem_reports", "unanswered"],
        [[u["theme"], u["name"], u["problem_reports"], u["unanswered"]] for u in s["unanswered"]],
    ),
    "recurring": lambda s: (
        ["agency", "theme", "name", "year", "next_year"],
        [[r["agency"], r["theme"], r["name"], *r["years"]] for r in s["recurring"]],
    ),
    "repetition": lambda s: (
        ["agency", "year", "next_year", "jaccard", "flag"],
        [[r["agency"], r["year"], r["next_year"], r["jaccard"], r["flag"]] for r in s["repetition"]],
    ),
    "checks": _checks,
}


def csv_text(header: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def render_csv(summary: Summary, table: str) -> str:
    """One table of the summary as CSV text."""
    if table not in TABLES:
        raise OptionError("--table", f"unknown table {table!r}; choose one of {', '.join(TABLES)}")
    return csv_text(*TABLES[table](summary))


def write_csv_tables(summary: Summary, folder: Path) -> list[Path]:
    """Every table as folder/NAME.csv (UTF-8 with a byte-order mark, so that Excel reads the Chinese)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLES:
        path = folder / f"{name}.csv"
        path.write_text(render_csv(summary, name), encoding="utf-8-sig")
        written.append(path)
    return written
