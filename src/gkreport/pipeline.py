"""The whole pipeline: read → segment → tables → checks → passages per file, then region → (themes).

`run_pipeline(path, model=None)` returns a `FileRecord`: plain dataclasses of str/int/float/None only,
so it pickles cheaply from a joblib/Dask worker back to the driver, which alone writes the database.
A batch worker takes a group of files (`process_files`): each is analysed alone (`analyse_file`), then
region and themes are filled in for the whole group with one cpca and one `predict_proba` call
(`complete_records`), because each call has a fixed cost larger than one report's share of the work.
Bad input never raises out of here: a `ReportError` (or any other failure, or the per-file time limit)
becomes a record with status "error" and the reason, so a batch goes on.
"""

from __future__ import annotations

import hashlib
import json
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gkreport.errors import ReportError

if TYPE_CHECKING:  # the checks (and the tables under them) are imported by the stages that run them
    from gkreport.checks import CheckResult

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


class FileTimeout(BaseException):
    """Raised inside a worker when one file exceeds its time limit. A BaseException, like KeyboardInterrupt,
    so that the readers' `except Exception` (a corrupt file) cannot mistake it or swallow it."""


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cached_model(model_dir: str) -> tuple[Any, str]:
    """(scorer, card version) for a model directory, loaded once per process and card: a model retrained
    into the same folder (a new card, new hashes) is loaded anew, not served from memory."""
    from gkreport.themes.card import read_card

    card = read_card(Path(model_dir))
    return _loaded_model(model_dir, f"{card.get('scorer_sha256')}:{card.get('model_sha256')}")


@lru_cache(maxsize=4)
def _loaded_model(model_dir: str, fingerprint: str) -> tuple[Any, str]:
    from gkreport.themes.card import load_scorer, read_card

    return load_scorer(model_dir), str(read_card(Path(model_dir)).get("version"))


def _strip(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def regions_of(agencies: list[str | None]) -> list[tuple[str | None, str | None]]:
    """(province, city) of each agency name via cpca, in one call (cpca costs 1.4 ms per call, 0.06 ms per
    name in a list); a name cpca only guessed from a stray 县/区 is dropped."""
    named_agencies = [a for a in agencies if a]
    if not named_agencies:
        return [(None, None)] * len(agencies)
    import cpca  # slow first import (loads its address table); cached per process by Python

    looked_up = [_gazetteer_name(a) for a in named_agencies]
    table = cpca.transform(looked_up)
    found = iter(zip(looked_up, table["省"], table["市"], table["区"], strict=True))
    return [_trusted_region(*next(found)) if agency else (None, None) for agency in agencies]


@lru_cache(maxsize=1)
def _zone_divisions() -> dict[str, str]:
    raw = resources.files("gkreport.data").joinpath("regions.json").read_text(encoding="utf-8")
    return dict(json.loads(raw)["zone_divisions"])


def _gazetteer_name(agency: str) -> str:
    """The agency name as the gazetteer can read it: a zone it does not list (data/regions.json) becomes the
    administrative division the zone covers."""
    for zone, division in _zone_divisions().items():
        if zone in agency:
            return agency.replace(zone, division)
    return agency


def region_of(agency: str | None) -> tuple[str | None, str | None]:
    """(province, city) of one agency name; see `regions_of`."""
    return regions_of([agency])[0]


def _trusted_region(agency: str, province: object, city: object, district: object
                    ) -> tuple[str | None, str | None]:
    """cpca's 省/市/区 for `agency` (NaN where it found none), kept only where the name supports them."""
    province, city, district = (name if isinstance(name, str) else None for name in (province, city, district))

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
    """Raise `FileTimeout` in this thread after `seconds`.

    In the main thread (local joblib workers) a POSIX SIGALRM does it. Other threads (Dask runs tasks in
    worker threads) cannot take signals: there a timer thread sets an asynchronous exception on this thread
    (`PyThreadState_SetAsyncExc`). Either way the exception is raised when control is back in Python code, so
    a single C call that never returns (a regex, a PDF page) is not cut short."""
    if not seconds:
        yield
        return
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm(seconds):
            yield
    else:
        with _async_alarm(seconds):
            yield


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def _raise(signum: int, frame: object) -> None:
        raise FileTimeout(f"took longer than the {seconds:g} s time limit")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _async_alarm(seconds: float) -> Iterator[None]:
    import ctypes

    class _Expired(FileTimeout):  # the C API raises a type, instantiated without arguments
        def __init__(self) -> None:
            super().__init__(f"took longer than the {seconds:g} s time limit")

    target = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    done = fired = False

    def _fire() -> None:
        nonlocal fired
        with lock:
            if not done:
                fired = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(_Expired))

    timer = threading.Timer(seconds, _fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            done = True
            if fired:  # fired but perhaps not yet raised: clear what is still pending
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)
        timer.cancel()


class ThemeScoreCache:
    """The theme scores of the passage texts one model scored last, so a worker scores each distinct text
    once: reports repeat passages (boilerplate, the same text year after year, one report as PDF and as
    HTML; 41% of the passages of the real reports in ../shared). Each text's scores are its own, whatever
    else is scored with it (its TF-IDF vector and its dot products are computed row by row), so a cached row
    is the row a new call would give. Bounded: `limit` texts, then it starts afresh."""

    def __init__(self, limit: int = 8192) -> None:
        self.limit = limit
        self._model: Any = None
        self._rows: dict[str, Any] = {}
        self._lock = threading.Lock()  # a Dask worker runs several files at once in its threads

    def scores(self, model: Any, texts: list[str]) -> list[Any]:
        """One row of probabilities per text (in `model.classes_` order). Only the numpy scorer's rows are
        known to be independent of the batch: any other model scores every call afresh."""
        from gkreport.themes.scoring import LinearScorer

        if not isinstance(model, LinearScorer):
            return list(model.predict_proba(texts))
        with self._lock:
            return self._scores(model, texts)

    def _scores(self, model: Any, texts: list[str]) -> list[Any]:
        if model is not self._model:
            self._model, self._rows = model, {}
        rows = self._rows
        new = list(dict.fromkeys(t for t in texts if t not in rows))
        if len(rows) + len(new) > self.limit:
            rows.clear()
            new = list(dict.fromkeys(texts))
        if new:
            rows.update(zip(new, model.predict_proba(new), strict=True))
        return [rows[t] for t in texts]


_THEME_SCORES = ThemeScoreCache()


def _tag_themes(model: Any, passages: list[dict[str, Any]]) -> None:
    if not passages:
        return
    import numpy as np

    from gkreport.themes.base import gate_roles

    # a fresh array: the gate writes into it, and the cached rows stay as scored
    scores = gate_roles(model, np.array(_THEME_SCORES.scores(model, [p["text"] for p in passages]), dtype=float),
                        [p["role"] for p in passages])
    labels = [str(t) for t in model.classes_]
    for passage, row in zip(passages, scores, strict=True):
        passage["themes"] = [(label, float(score), int(score >= float(threshold)))
                             for label, score, threshold in zip(labels, row, model.thresholds_, strict=True)]


def error_record(path: str, sha256: str, reason: str) -> FileRecord:
    """The record of a file that failed (`reason` is the whole message, naming the file)."""
    return FileRecord(sha256=sha256, path=path, status="error", error=reason)


def problem_record(path: str, problem: ReportError) -> FileRecord:
    """The error record of a path that could not be read at all (missing, a pipe, a folder not listed…),
    keyed by the sha256 of its path."""
    return error_record(path, _path_key(path), str(problem))


def tag_passages(model: Any, passages: list[dict[str, Any]]) -> None:
    """Set "themes" on each passage dict (which needs "text"), in one `predict_proba` call."""
    _tag_themes(model, passages)


def _path_key(path: str) -> str:
    """The key of a file whose bytes could not be hashed: the sha256 of its path."""
    return hashlib.sha256(path.encode()).hexdigest()


def unreadable_record(path: str, exc: OSError) -> FileRecord:
    """The error record of a file that cannot be opened or read (vanished, no permission)."""
    return error_record(path, _path_key(path), str(ReportError(path, f"cannot read file: {exc.strerror or exc}")))


def analyse_file(path: str | Path, sha256: str | None = None) -> FileRecord:
    """Read → segment → tables → checks → passages for one file; region and themes come later, per group
    (`complete_records`). A bad file gives an error record; only `FileTimeout` passes through (it is not an
    Exception)."""
    from gkreport.checks import run_checks
    from gkreport.passages import split_passages
    from gkreport.readers import read
    from gkreport.records import appendix_record
    from gkreport.segment import require_report, segment
    from gkreport.tables import extract_tables

    path = str(path)
    try:
        sha = sha256 or file_sha256(path)
    except OSError as exc:
        return unreadable_record(path, exc)
    try:
        doc = read(path)
        report = require_report(segment(doc))
        tables = extract_tables(report)
        checks = run_checks(report, tables)
        passages = split_passages(report)
        return FileRecord(
            sha256=sha, path=path, status="ok", format=doc.format, encoding=doc.encoding,
            report={"template": report.template, "agency": report.agency, "year": report.year,
                    "level": report.level, "province": None, "city": None, "warnings": report.warnings,
                    "appendix": appendix_record(report)},
            sections=[{"number": s.number, "name": s.name, "heading": s.heading, "status": s.status,
                       "start": s.start, "end": s.end, "text": s.text} for s in report.sections],
            cells=[{"tbl": c.table, "row": c.row, "col": c.col,
                    "value": float(c.value) if c.value is not None else None, "raw": c.raw,
                    "status": c.status, "line": c.line, "offset": c.offset, "note": c.note} for c in tables.cells],
            checks=[check_record(c) for c in checks],
            passages=[{"passage_id": p.id, "section": p.section, "role": p.role, "text": p.text,
                       "start": p.start, "end": p.end, "heading": p.heading, "pair": p.pair} for p in passages],
        )
    except ReportError as exc:
        return error_record(path, sha, str(exc))
    except Exception as exc:  # a bug in a stage must not stop the batch; keep the reason for triage
        return error_record(path, sha, _internal(path, exc))


def check_record(check: CheckResult) -> dict[str, Any]:
    """A check as the `checks` table stores it."""
    return {"check_id": check.id, "status": check.status,
            "expected": float(check.expected) if check.expected is not None else None,
            "actual": float(check.actual) if check.actual is not None else None,
            "message": check.message, "severity": check.severity}


def _internal(path: str, exc: Exception) -> str:
    return f"{path}: internal error {type(exc).__name__}: {exc}"


def complete_records(records: list[FileRecord], model: Any = None, model_version: str | None = None) -> None:
    """Fill in region (and themes, when `model` is given) for the ok records, in one cpca call and one
    `predict_proba` call for the whole group: per call both cost more than a report's own share."""
    done = [r for r in records if r.status == "ok" and r.report is not None]
    reports = [r.report for r in done if r.report is not None]  # every one of them (narrowed for the types)
    for report, (province, city) in zip(reports, regions_of([r["agency"] for r in reports]), strict=True):
        report.update(province=province, city=city)
    if model is not None:
        _tag_themes(model, [p for r in done for p in r.passages])
        for record in done:
            record.model_version = model_version


def run_pipeline(path: str | Path, model: Any = None, *, model_version: str | None = None,
                 sha256: str | None = None) -> FileRecord:
    """Run every stage on one file. Themes are tagged only when `model` is given."""
    return _completed_alone(analyse_file(path, sha256), model, model_version, None)


def process_files(items: list[tuple[str, str | None]], model_dir: str | None,
                  timeout: float | None, on_step: Callable[[int | None], None] | None = None) -> list[FileRecord]:
    """Worker entry point for a group of files: one record per file, in order; a file's failure or time-out
    becomes its error record. Only a model that cannot be loaded raises (it would fail every file).

    Each file is analysed under its own time limit; region and themes are then filled in for the group at
    once, under one more limit. Should that fail, each file is completed alone under its own limit, so only
    the file at fault becomes an error (a group can thus take up to about (2 × files + 1) × timeout).
    `on_step(i)` is called as file i starts (its analysis or its completion alone), `on_step(None)` as the
    group's completion starts: the batch driver times each step (`gkreport.workers`)."""
    step = on_step or (lambda _: None)
    model, version = cached_model(str(model_dir)) if model_dir else (None, None)
    records = []
    for i, (path, sha) in enumerate(items):
        step(i)
        records.append(_analysed(path, sha, timeout))
    step(None)
    if _completed(records, model, version, timeout) is None:
        return records
    completed = []
    for i, record in enumerate(records):
        step(i)
        completed.append(_completed_alone(record, model, version, timeout) if record.status == "ok" else record)
    return completed


def _analysed(path: str, sha: str | None, timeout: float | None) -> FileRecord:
    """`analyse_file` under the time limit, or an error record when the limit is reached. The record is
    taken only once the limit is cleared, so a file finished at the deadline is never counted twice."""
    try:
        with time_limit(timeout):
            record = analyse_file(path, sha)
    except FileTimeout as exc:
        return error_record(path, sha or _path_key(path), f"{path}: {exc}")
    return record


def _completed(records: list[FileRecord], model: Any, version: str | None, timeout: float | None) -> str | None:
    """`complete_records` under the time limit: None when it worked, else the reason it did not."""
    who = records[0].path if len(records) == 1 else "group"
    try:
        with time_limit(timeout):
            complete_records(records, model, version)
    except FileTimeout as exc:
        return f"{who}: {exc}"
    except Exception as exc:  # one file's failure becomes its error row
        return _internal(who, exc)
    return None


def _completed_alone(record: FileRecord, model: Any, version: str | None, timeout: float | None) -> FileRecord:
    """`record` completed on its own, or its error record when that fails."""
    failure = _completed([record], model, version, timeout)
    return record if failure is None else error_record(record.path, record.sha256, failure)
