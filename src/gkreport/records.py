"""Plain records (dicts), one shape per type: what the CLI prints as JSON Lines and CSV, what `export`
gives, and what a batch worker sends back to be stored (`FileRecord`). `gkreport.store` maps the keys to its
columns in one place."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from gkreport.readers import WALKED_SUFFIXES

if TYPE_CHECKING:
    from gkreport.checks import CheckResult
    from gkreport.passages import Passage
    from gkreport.report import Report, Section
    from gkreport.tables import Cell


def iter_paths(paths: Iterable[str | Path], passed_over: Counter[str] | None = None) -> Iterator[Path]:
    """The files `walk.walk` finds (named files as given, folders walked recursively for report formats),
    without the problems it reports; the commands use `walk.walk` itself, which names them."""
    from gkreport.walk import walk

    for item in walk(paths, passed_over):
        if isinstance(item, Path):
            yield item


def passed_over_text(passed_over: Counter[str]) -> str:
    """'3 other files passed over (.jsonl 2, .xls 1)', or '' when there were none."""
    total = sum(passed_over.values())
    if not total:
        return ""
    kinds = ", ".join(f"{suffix} {n}" for suffix, n in sorted(passed_over.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"{total} other file{'s' if total > 1 else ''} passed over ({kinds})"


def nothing_found(paths: Iterable[str | Path], passed_over: Counter[str]) -> str:
    """The message for folders that hold no report file."""
    where = ", ".join(str(p) for p in paths)
    other = passed_over_text(passed_over)
    return f"no report files in {where}: looked for {' '.join(WALKED_SUFFIXES)} and files without a suffix" + (
        f"; {other}" if other else ""
    )


# ---------------------------------------------------------------------------------------------------
# One record shape per type


def section_record(section: Section) -> dict[str, Any]:
    return {
        "number": section.number,
        "name": section.name,
        "heading": section.heading,
        "status": section.status,
        "start": section.start,
        "end": section.end,
        "text": section.text,
    }


def appendix_record(report: Report) -> dict[str, Any] | None:
    """{"heading", "start", "end"} of the report's appendix (its statistics table), or None."""
    a = report.appendix
    return None if a is None else {"heading": a.heading, "start": a.start, "end": a.end}


def cell_record(cell: Cell) -> dict[str, Any]:
    return {
        "table": cell.table,
        "row": cell.row,
        "col": cell.col,
        "value": cell.value,
        "raw": cell.raw,
        "status": cell.status,
        "line": cell.line,
        "offset": cell.offset,
        "note": cell.note,
    }


def check_record(check: CheckResult) -> dict[str, Any]:
    return {
        "check_id": check.id,
        "status": check.status,
        "severity": check.severity,
        "expected": check.expected,
        "actual": check.actual,
        "message": check.message,
    }


def passage_record(passage: Passage, digits: int | None = None) -> dict[str, Any]:
    """A passage with its themes (assigned) and its score for each theme the model has, `digits` places
    (all when None); both are empty when no model tagged it."""
    return {
        "doc": passage.doc,
        "passage": passage.id,
        "sha1": passage.sha1,
        "section": passage.section,
        "role": passage.role,
        "pair": passage.pair,
        "heading": passage.heading,
        "start": passage.start,
        "end": passage.end,
        "text": passage.text,
        "themes": [theme for theme, _score, assigned in passage.themes if assigned],
        "scores": {
            theme: score if digits is None else round(score, digits) for theme, score, _assigned in passage.themes
        },
    }


def report_record(report: Report) -> dict[str, Any]:
    """What was found about the report as a whole, without its parts."""
    doc = report.document
    return {
        "path": doc.path,
        "sha256": doc.sha256,
        "format": doc.format,
        "encoding": doc.encoding,
        "template": report.template,
        "agency": report.agency,
        "year": report.year,
        "level": report.level,
        "province": report.province,
        "city": report.city,
        "appendix": appendix_record(report),
        "warnings": list(report.warnings),
    }


def segment_record(report: Report) -> dict[str, Any]:
    """`gkreport segment -f json`: the report and its sections."""
    return {**report_record(report), "sections": [section_record(s) for s in report.sections], "error": None}


def cells_record(report: Report) -> dict[str, Any]:
    """`gkreport tables -f json`: the cells and checks of one report (the tables' template: "old" for a
    pre-2019 统计表)."""
    tables = report.tables
    return {
        "path": report.document.path,
        "template": tables.template if tables is not None else None,
        "cells": [cell_record(c) for c in tables.cells] if tables is not None else [],
        "checks": [check_record(c) for c in report.checks],
        "error": None,
    }


def error_record(path: str, sha256: str, reason: str) -> FileRecord:
    """The record of a file that failed (`reason` is the whole message, naming the file)."""
    return FileRecord(sha256=sha256, path=path, status="error", error=reason)


def failed_file_record(path: Path, error: str) -> dict[str, Any]:
    """What a command prints as JSON for a file it could not read."""
    return {"path": str(path), "error": error}


@dataclass(slots=True)
class FileRecord:
    """Everything one file contributes to the database (plain data: it pickles cheaply from a worker)."""

    sha256: str
    path: str
    status: str  # ok | error
    format: str | None = None
    encoding: str | None = None
    error: str | None = None
    model_version: str | None = None
    report: dict[str, Any] | None = None  # report_record
    sections: list[dict[str, Any]] = field(default_factory=list)
    cells: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    passages: list[dict[str, Any]] = field(default_factory=list)  # passage_record, scores unrounded


def file_record(report: Report, sha256: str, path: str) -> FileRecord:
    """A report as the batch stores it (its file's bytes hash to `sha256`)."""
    doc = report.document
    return FileRecord(
        sha256=sha256,
        path=path,
        status="ok",
        format=doc.format,
        encoding=doc.encoding,
        model_version=report.model_version,
        report=report_record(report),
        sections=[section_record(s) for s in report.sections],
        cells=[cell_record(c) for c in report.tables.cells] if report.tables is not None else [],
        checks=[check_record(c) for c in report.checks],
        passages=[passage_record(p) for p in report.passages],
    )


def path_key(path: str) -> str:
    """The key of a file whose bytes could not be hashed: the sha256 of its path."""
    return hashlib.sha256(path.encode()).hexdigest()


STATUS_ZH = {"found": "找到", "inferred": "推断", "missing": "缺失"}


def _pad(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns: a Chinese (East Asian wide) character takes two."""
    return text + " " * max(0, width - cell_len(text))


def segment_text(report: Report) -> str:
    """A compact human summary of one segmented report."""
    doc = report.document
    lines = [
        f"{doc.path}  [{doc.format}{', ' + doc.encoding if doc.encoding else ''}]",
        f"  模板 template: {report.template}   机关 agency: {report.agency or '—'}   "
        f"年度 year: {report.year or '—'}   层级 level: {report.level}",
    ]
    for s in report.sections:
        shown = s.heading or ("(无标题 no heading)" if s.status == "inferred" else "")
        lines.append(
            f"  {s.number} {_pad(s.name, 36)} {STATUS_ZH[s.status]} {s.status:<8} {len(s.text):>6} 字  {shown}"
        )
    if report.appendix is not None:
        lines.append(f"  附录 appendix: {report.appendix.heading}  {len(report.appendix.text)} 字")
    lines.extend(f"  警告 warning: {w}" for w in report.warnings)
    return "\n".join(lines)
