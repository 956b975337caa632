"""Plain records (dicts) for each stage's output: what the CLI prints as JSON Lines and CSV."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from rich.cells import cell_len

from gkreport.readers import WALKED_SUFFIXES
from gkreport.segment import Report


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
    return (f"no report files in {where}: looked for {' '.join(WALKED_SUFFIXES)} and files without a suffix"
            + (f"; {other}" if other else ""))


def segment_record(report: Report) -> dict[str, Any]:
    doc = report.document
    return {
        "path": doc.path, "sha256": doc.sha256, "format": doc.format, "encoding": doc.encoding,
        "template": report.template, "agency": report.agency, "year": report.year, "level": report.level,
        "sections": [{"number": s.number, "name": s.name, "heading": s.heading, "status": s.status,
                      "start": s.start, "end": s.end, "text": s.text} for s in report.sections],
        "appendix": appendix_record(report), "warnings": list(report.warnings),
        "error": None,
    }


def appendix_record(report: Report) -> dict[str, Any] | None:
    """{"heading", "start", "end"} of the report's appendix (its statistics table), or None."""
    a = report.appendix
    return None if a is None else {"heading": a.heading, "start": a.start, "end": a.end}


def error_record(path: Path, error: str) -> dict[str, Any]:
    return {"path": str(path), "error": error}


def cells_record(path: str, template: str | None, tables: Any, checks: list[Any]) -> dict[str, Any]:
    return {
        "path": path, "template": template,
        "cells": [{"table": c.table, "row": c.row, "col": c.col, "value": c.value, "raw": c.raw,
                   "status": c.status, "line": c.line} for c in tables.cells],
        "checks": [{"id": r.id, "status": r.status, "severity": r.severity, "expected": r.expected,
                    "actual": r.actual, "message": r.message} for r in checks],
        "error": None,
    }


STATUS_ZH = {"found": "找到", "inferred": "推断", "missing": "缺失"}


def _pad(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns: a Chinese (East Asian wide) character takes two."""
    return text + " " * max(0, width - cell_len(text))


def segment_text(report: Report) -> str:
    """A compact human summary of one segmented report."""
    doc = report.document
    lines = [f"{doc.path}  [{doc.format}{', ' + doc.encoding if doc.encoding else ''}]",
             f"  模板 template: {report.template}   机关 agency: {report.agency or '—'}   "
             f"年度 year: {report.year or '—'}   层级 level: {report.level}"]
    for s in report.sections:
        shown = s.heading or ("(无标题 no heading)" if s.status == "inferred" else "")
        lines.append(f"  {s.number} {_pad(s.name, 36)} {STATUS_ZH[s.status]} {s.status:<8} "
                     f"{len(s.text):>6} 字  {shown}")
    if report.appendix is not None:
        lines.append(f"  附录 appendix: {report.appendix.heading}  {len(report.appendix.text)} 字")
    lines.extend(f"  警告 warning: {w}" for w in report.warnings)
    return "\n".join(lines)


def previous_year_index(reports: list[Report | None]) -> dict[int, int]:
    """For each report, the index of the same agency's report of the year before, when both were given.

    This is what the X1 check (last year's 结转下年度 = this year's 上年结转) compares.
    """
    by_key: dict[tuple[str, int], int] = {}
    for i, report in enumerate(reports):
        if report is not None and report.agency and report.year:
            by_key.setdefault((report.agency, report.year), i)
    return {i: by_key[(r.agency, r.year - 1)] for i, r in enumerate(reports)
            if r is not None and r.agency and r.year and (r.agency, r.year - 1) in by_key}
