"""The whole pipeline on one file: read → segment → tables → checks → passages → (themes) → region.

`run_pipeline(path, model=None)` returns a `FileRecord`: plain dataclasses of str/int/float/None only,
so it pickles cheaply from a joblib/Dask worker back to the driver, which alone writes the database.
Bad input never raises out of here: a `ReportError` (or any other failure, or the per-file time limit)
becomes a record with status "error" and the reason, so a batch goes on.
"""

from __future__ import annotations

import hashlib
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from gkreport.errors import ReportError

# Suffixes cpca gives to prefecture-level names; stripped to test that the name really is in the agency.
_CITY_SUFFIXES: tuple[str, ...] = ("自治州", "地区", "市", "盟", "州")
_PROVINCE_SUFFIXES: tuple[str, ...] = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")
_DISTRICT_SUFFIXES: tuple[str, ...] = ("自治县", "自治旗", "县", "区", "市", "旗")


@dataclass(slots=True)
class FileRecord:
    """Everything one file contributes to the database; `rows` keys are table names of `store.SCHEMA`."""

    sha256: str
    path: str
    status: str  # ok | error
    format: str | None = None
    encoding: str | None = None
    error: str | None = None
    model_version: str | None = None
    report: dict[str, Any] | None = None
    sections: list[dict[str, Any]] = field(default_factory=list)
    cells: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    # each passage dict may carry "themes": [(theme, score, assigned), ...]
    passages: list[dict[str, Any]] = field(default_factory=list)


class FileTimeout(Exception):
    """Raised inside a worker when one file exceeds its time limit."""


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=4)
def cached_model(model_dir: str) -> tuple[Any, str]:
    """(estimator, card version) for a model directory, loaded once per worker process."""
    from gkreport.themes import load_model
    from gkreport.themes.card import read_card

    return load_model(model_dir), str(read_card(Path(model_dir)).get("version"))


def _strip(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def region_of(agency: str | None) -> tuple[str | None, str | None]:
    """(province, city) of an agency name via cpca; a name cpca only guessed from a stray 县/区 is dropped."""
    if not agency:
        return None, None
    import cpca  # slow first import (loads its address table); cached per process by Python

    row = cpca.transform([agency]).iloc[0]
    province, city, district = (row.get(k) if isinstance(row.get(k), str) else None for k in ("省", "市", "区"))

    def named(name: str | None, suffixes: tuple[str, ...]) -> bool:
        stem = _strip(name, suffixes) if name else ""
        return len(stem) >= 2 and stem in agency

    # cpca fills a province from a city or district and vice versa; trust its answer only when a city or
    # district it found is really named in the agency (not a guess from a bare 县 or 区)
    district_ok = named(district, _DISTRICT_SUFFIXES)
    city_ok = bool(city) and (district_ok or named(city, _CITY_SUFFIXES))
    province_ok = bool(province) and (city_ok or district_ok or named(province, _PROVINCE_SUFFIXES))
    return (province if province_ok else None), (city if city_ok else None)


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise `FileTimeout` after `seconds` (POSIX SIGALRM). Only the main thread can take signals, so in a
    thread-based worker (Dask processes=False) this is a no-op and the file runs without a limit."""
    in_main = threading.current_thread() is threading.main_thread()
    usable = bool(seconds) and hasattr(signal, "setitimer") and in_main
    if not usable:
        yield
        return

    def _raise(signum: int, frame: object) -> None:
        raise FileTimeout(f"took longer than the {seconds:g} s time limit")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))  # type: ignore[arg-type]
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _tag_themes(model: Any, passages: list[dict[str, Any]]) -> None:
    if not passages:
        return
    scores = model.predict_proba([p["text"] for p in passages])
    labels = [str(t) for t in model.classes_]
    for passage, row in zip(passages, scores, strict=True):
        passage["themes"] = [(label, float(score), int(score >= float(threshold)))
                             for label, score, threshold in zip(labels, row, model.thresholds_, strict=True)]


def run_pipeline(path: str | Path, model: Any = None, *, model_version: str | None = None,
                 sha256: str | None = None) -> FileRecord:
    """Run every stage on one file. Themes are tagged only when `model` is given."""
    from gkreport.checks import run_checks
    from gkreport.passages import split_passages
    from gkreport.readers import read
    from gkreport.segment import segment
    from gkreport.tables import extract_tables

    path = str(path)
    try:
        sha = sha256 or file_sha256(path)
    except OSError as exc:
        return FileRecord(sha256=hashlib.sha256(path.encode()).hexdigest(), path=path, status="error",
                          error=str(ReportError(path, f"cannot read file: {exc.strerror or exc}")))
    try:
        doc = read(path)
        report = segment(doc)
        tables = extract_tables(report)
        checks = run_checks(report, tables)
        passages = split_passages(report)
        province, city = region_of(report.agency)
    except ReportError as exc:
        return FileRecord(sha256=sha, path=path, status="error", error=str(exc))
    except FileTimeout as exc:
        return FileRecord(sha256=sha, path=path, status="error", error=f"{path}: {exc}")
    except Exception as exc:  # a bug in a stage must not stop the batch; keep the reason for triage
        return FileRecord(sha256=sha, path=path, status="error",
                          error=f"{path}: internal error {type(exc).__name__}: {exc}")
    record = FileRecord(
        sha256=sha, path=path, status="ok", format=doc.format, encoding=doc.encoding,
        model_version=model_version if model is not None else None,
        report={"template": report.template, "agency": report.agency, "year": report.year,
                "level": report.level, "province": province, "city": city},
        sections=[{"number": s.number, "name": s.name, "heading": s.heading, "status": s.status,
                   "start": s.start, "end": s.end, "text": s.text} for s in report.sections],
        cells=[{"tbl": c.table, "row": c.row, "col": c.col,
                "value": float(c.value) if c.value is not None else None, "raw": c.raw, "status": c.status,
                "line": c.line, "offset": c.offset, "note": c.note} for c in tables.cells],
        checks=[{"check_id": c.id, "status": c.status,
                 "expected": float(c.expected) if c.expected is not None else None,
                 "actual": float(c.actual) if c.actual is not None else None,
                 "message": c.message, "severity": c.severity} for c in checks],
        passages=[{"passage_id": p.id, "section": p.section, "role": p.role, "text": p.text, "start": p.start,
                   "end": p.end, "heading": p.heading, "pair": p.pair} for p in passages],
    )
    if model is not None:
        _tag_themes(model, record.passages)
    return record


def process_file(path: str, sha256: str | None, model_dir: str | None, timeout: float | None) -> FileRecord:
    """Worker entry point: cached model, per-file time limit, never raises."""
    model, version = cached_model(str(model_dir)) if model_dir else (None, None)
    try:
        with time_limit(timeout):
            return run_pipeline(path, model, model_version=version, sha256=sha256)
    except FileTimeout as exc:  # the alarm fired outside run_pipeline's own try (e.g. during tagging)
        return FileRecord(sha256=sha256 or file_sha256(path), path=path, status="error",
                          error=f"{path}: {exc}")
