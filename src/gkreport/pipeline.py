"""One pipeline from a file to everything found in it: read → segment → tables → checks → passages, then,
over a group of reports, cross_year → region → themes.

`Pipeline(*stages)` names the stages it runs (`STAGES`, each with the stages it needs) and is the only place
they are put together: every command, the batch workers, evaluate, the annotations and the bench build one.
`Pipeline.analyse(path)` reads a file into a `Report` and runs the per-report stages on it;
`Pipeline.complete(reports)` runs the group stages once over many reports, because cpca and the theme
model each cost more per call than one report's share of the work, and the cross-year check (X1) pairs the
reports of consecutive years among them.

For the batch, `process_files` runs a group of files in a worker: each file is analysed under its own time
limit, the group is completed at once, and each report becomes a `FileRecord` (plain data, cheap to pickle
back to the driver, which alone writes the database). Bad input never raises out of here: a `ReportError`,
any other failure or the time limit becomes a record with status "error" and the reason, so a batch goes on.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gkreport.errors import ReportError
from gkreport.limits import FileTimeout, time_limit
from gkreport.records import FileRecord, error_record, file_record, path_key

if TYPE_CHECKING:
    from gkreport.document import Document
    from gkreport.report import Report


# ---------------------------------------------------------------------------------------------------
# The stages


@dataclass(frozen=True, slots=True)
class Stage:
    """A named step. `each` fills in one report (under its file's time limit in a batch); `group` fills in
    a list of reports at once. `needs` are the stages that must have run before."""

    name: str
    needs: tuple[str, ...] = ()
    each: Callable[[Report], None] | None = None
    group: Callable[[list[Report], Pipeline], None] | None = None


def _tables(report: Report) -> None:
    from gkreport.tables import extract_tables

    report.tables = extract_tables(report)


def _checks(report: Report) -> None:
    from gkreport.checks import run_checks

    assert report.tables is not None  # "checks" needs "tables"
    report.checks = run_checks(report, report.tables)


def _passages(report: Report) -> None:
    from gkreport.passages import split_passages

    report.passages = split_passages(report)


def _cross_year(reports: list[Report], pipeline: Pipeline) -> None:
    """X1 for each report whose agency's report of the year before is in the same group: its results go after
    the table identities and before the prose facts, where `run_checks` puts them."""
    from gkreport.checks import cross_year_checks

    for i, j in previous_year_index(reports).items():
        report, previous = reports[i], reports[j]
        if report.tables is None or previous.tables is None:
            continue
        x1 = cross_year_checks(report.tables, previous.tables)
        at = next((k for k, c in enumerate(report.checks) if c.id.startswith("X2")), len(report.checks))
        report.checks[at:at] = x1


def previous_year_index(reports: Sequence[Report | None]) -> dict[int, int]:
    """For each report, the index of the same agency's report of the year before, when both were given."""
    by_key: dict[tuple[str, int], int] = {}
    for i, report in enumerate(reports):
        if report is not None and report.agency and report.year:
            by_key.setdefault((report.agency, report.year), i)
    return {
        i: by_key[(r.agency, r.year - 1)]
        for i, r in enumerate(reports)
        if r is not None and r.agency and r.year and (r.agency, r.year - 1) in by_key
    }


def _region(reports: list[Report], pipeline: Pipeline) -> None:
    from gkreport.regions import regions_of

    for report, (province, city) in zip(reports, regions_of([r.agency for r in reports]), strict=True):
        report.province, report.city = province, city


def _themes(reports: list[Report], pipeline: Pipeline) -> None:
    passages = [p for r in reports for p in r.passages]
    texts, roles = [p.text for p in passages], [p.role for p in passages]
    for passage, (scores, assigned) in zip(passages, theme_scores(pipeline.model, texts, roles), strict=True):
        passage.themes = [(theme, score, int(theme in assigned)) for theme, score in scores.items()]
    for report in reports:
        report.model_version = pipeline.model_version


STAGES: dict[str, Stage] = {
    stage.name: stage
    for stage in (
        Stage("segment"),  # always first: a file is read and segmented into a Report (see Pipeline.read)
        Stage("tables", ("segment",), each=_tables),
        Stage("checks", ("tables",), each=_checks),
        Stage("passages", ("segment",), each=_passages),
        Stage("cross_year", ("checks",), group=_cross_year),
        Stage("region", ("segment",), group=_region),
        Stage("themes", ("passages",), group=_themes),
    )
}


# ---------------------------------------------------------------------------------------------------
# The pipeline


class Pipeline:
    """The stages to run, in `STAGES` order, and what they need (the theme model).

    `require`: a file with too few statutory sections and no title is an error (it is not an annual
    report); `Pipeline("segment", require=False)` shows what was found in any file."""

    def __init__(self, *stages: str, model: Any = None, model_version: str | None = None, require: bool = True) -> None:
        unknown = [s for s in stages if s not in STAGES]
        if unknown:
            raise ValueError(f"unknown pipeline stage {', '.join(unknown)}; the stages are {', '.join(STAGES)}")
        wanted = set(stages) | {"segment"}
        missing = [f"{s} needs {n}" for s in wanted for n in STAGES[s].needs if n not in wanted]
        if missing:
            raise ValueError("; ".join(sorted(missing)))
        if "themes" in wanted and model is None:
            raise ValueError("the themes stage needs a model")
        self.stages = tuple(s for s in STAGES if s in wanted)
        self.model, self.model_version, self.require = model, model_version, require

    def __repr__(self) -> str:
        return f"Pipeline({', '.join(map(repr, self.stages))})"

    def read(self, source: str | Path | Document) -> Report:
        """A file (or a document already read) segmented into a `Report`."""
        from gkreport.document import Document
        from gkreport.readers import read
        from gkreport.segment import require_report, segment

        report = segment(source if isinstance(source, Document) else read(source))
        return require_report(report) if self.require else report

    def analyse(self, source: str | Path | Document | Report) -> Report:
        """`read` (unless given a report already segmented), then every per-report stage."""
        from gkreport.report import Report

        report = source if isinstance(source, Report) else self.read(source)
        for name in self.stages:
            each = STAGES[name].each
            if each is not None:
                each(report)
        return report

    def complete(self, reports: list[Report]) -> None:
        """Every group stage, once over `reports`."""
        for name in self.stages:
            group = STAGES[name].group
            if group is not None and reports:
                group(reports, self)

    def run(self, sources: Iterable[str | Path | Document]) -> list[Report]:
        """Every stage over `sources`; the first bad file raises its `ReportError`."""
        reports = [self.analyse(s) for s in sources]
        self.complete(reports)
        return reports

    def over(self, items: Iterable[Path | ReportError]) -> Iterator[tuple[Path, Report | None, str | None]]:
        """(path, report, None) or (path, None, reason) for every item `walk.walk` gives, in order: one bad
        file never stops the rest. Each report is completed alone and given at once, unless the pipeline
        pairs years ("cross_year"): then all are read first and completed together."""
        together = "cross_year" in self.stages
        done: list[tuple[Path, Report | None, str | None]] = []
        for item in items:
            if isinstance(item, ReportError):  # a folder that cannot be listed, a dangling link…: named
                outcome: tuple[Path, Report | None, str | None] = (Path(item.path or ""), None, str(item))
            else:
                outcome = self._analysed(item)
                if not together:
                    outcome = self._completed(outcome)
            if together:
                done.append(outcome)
            else:
                yield outcome
        if together:
            reports = [report for _path, report, _error in done if report is not None]
            self.complete(reports)
            yield from done

    def _analysed(self, path: Path) -> tuple[Path, Report | None, str | None]:
        report, reason = self.attempt(path)
        return path, report, reason

    def attempt(self, path: str | Path) -> tuple[Report | None, str | None]:
        """(`analyse(path)`, None), or (None, the reason) when the file cannot be read as a report or a stage
        fails: one bad file never stops the others. (`FileTimeout`, not an Exception, passes through.)"""
        try:
            return self.analyse(path), None
        except ReportError as exc:
            return None, str(exc)
        except Exception as exc:  # a bug in a stage: keep the reason, named, for triage
            return None, internal_error(str(path), exc)

    def _completed(self, outcome: tuple[Path, Report | None, str | None]) -> tuple[Path, Report | None, str | None]:
        path, report, _error = outcome
        if report is None:
            return outcome
        try:
            self.complete([report])
        except Exception as exc:
            return path, None, internal_error(str(path), exc)
        return outcome


def internal_error(path: str, exc: Exception) -> str:
    """The reason given for a failure that is a bug, not bad input: named, so it can be triaged."""
    return f"{path}: internal error {type(exc).__name__}: {exc}"


# ---------------------------------------------------------------------------------------------------
# Themes: the model, and the scores of each distinct text once per worker


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


def theme_scores(
    model: Any, texts: list[str], roles: Sequence[str | None]
) -> list[tuple[dict[str, float], tuple[str, ...]]]:
    """As `themes.base.scored_themes` (each theme's score, and the themes assigned), with the texts scored
    before taken from the cache: one `predict_proba` call for the others."""
    if not texts:
        return []
    import numpy as np

    from gkreport.themes.base import gate_roles, themes_of

    # a fresh array: the gate writes into it, and the cached rows stay as scored
    return themes_of(model, gate_roles(model, np.array(_THEME_SCORES.scores(model, texts), dtype=float), roles))


def tag_passages(model: Any, passages: list[dict[str, Any]]) -> None:
    """Set "themes" and "scores" (as `records.passage_record` has them) on each stored passage dict ("text",
    "role"): the batch tags the passages it stored without a model, without reading the files again."""
    texts, roles = [p["text"] for p in passages], [p.get("role") for p in passages]
    for passage, (scores, assigned) in zip(passages, theme_scores(model, texts, roles), strict=True):
        passage["themes"], passage["scores"] = list(assigned), scores


# ---------------------------------------------------------------------------------------------------
# The batch worker's side


BATCH_STAGES: tuple[str, ...] = ("segment", "tables", "checks", "passages", "region")  # + "themes" with a model


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def batch_pipeline(model: Any = None, model_version: str | None = None) -> Pipeline:
    """The stages of a batch: all but cross_year (the batch checks years over the stored reports)."""
    return Pipeline(
        *BATCH_STAGES, *(("themes",) if model is not None else ()), model=model, model_version=model_version
    )


def problem_record(path: str, problem: ReportError) -> FileRecord:
    """The error record of a path that could not be read at all (missing, a pipe, a folder not listed…),
    keyed by the sha256 of its path."""
    return error_record(path, path_key(path), str(problem))


def unreadable_record(path: str, exc: OSError) -> FileRecord:
    """The error record of a file that cannot be opened or read (vanished, no permission)."""
    return error_record(path, path_key(path), str(ReportError(path, f"cannot read file: {exc.strerror or exc}")))


def analyse_file(pipeline: Pipeline, path: str | Path, sha256: str | None = None) -> tuple[FileRecord, Report | None]:
    """The file's per-report stages: (its record, the report to complete), or (its error record, None). Only
    `FileTimeout` passes through (it is not an Exception)."""
    path = str(path)
    try:
        sha = sha256 or file_sha256(path)
    except OSError as exc:
        return unreadable_record(path, exc), None
    report, reason = pipeline.attempt(path)
    if report is None:
        return error_record(path, sha, reason or ""), None
    return FileRecord(sha256=sha, path=path, status="ok"), report


def run_pipeline(
    path: str | Path, model: Any = None, *, model_version: str | None = None, sha256: str | None = None
) -> FileRecord:
    """Every batch stage on one file, as its record (themes only when `model` is given)."""
    pipeline = batch_pipeline(model, model_version)
    record, report = analyse_file(pipeline, path, sha256)
    if report is None:
        return record
    return _completed(pipeline, [(record, report)], None)[0]


def process_files(
    items: list[tuple[str, str | None]],
    model_dir: str | None,
    timeout: float | None,
    on_step: Callable[[int | None], None] | None = None,
) -> list[FileRecord]:
    """Worker entry point for a group of files: one record per file, in order; a file's failure or time-out
    becomes its error record. Only a model that cannot be loaded raises (it would fail every file).

    Each file is analysed under its own time limit; the group stages (region, themes) then run for the group
    at once, under one more limit. Should that fail, each report is completed alone under its own limit, so
    only the file at fault becomes an error (a group can thus take up to about (2 × files + 1) × timeout).
    `on_step(i)` is called as file i starts (its analysis or its completion alone), `on_step(None)` as the
    group's completion starts: the batch driver times each step (`gkreport.workers`)."""
    step = on_step or (lambda _: None)
    model, version = cached_model(str(model_dir)) if model_dir else (None, None)
    pipeline = batch_pipeline(model, version)
    analysed: list[tuple[FileRecord, Report | None]] = []
    for i, (path, sha) in enumerate(items):
        step(i)
        analysed.append(_analysed(pipeline, path, sha, timeout))
    step(None)
    pending = [(record, report) for record, report in analysed if report is not None]
    try:
        completed = iter(_completed(pipeline, pending, timeout))
    except _GroupFailed:
        completed = iter(
            _completed_alone(pipeline, record, report, timeout, partial(step, i))
            for i, (record, report) in enumerate(analysed)
            if report is not None
        )
    return [next(completed) if report is not None else record for record, report in analysed]


class _GroupFailed(Exception):
    """The group stages failed for a group of files: each is then completed alone."""


def _analysed(
    pipeline: Pipeline, path: str, sha: str | None, timeout: float | None
) -> tuple[FileRecord, Report | None]:
    """`analyse_file` under the time limit, or an error record when the limit is reached. The result is
    taken only once the limit is cleared, so a file finished at the deadline is never counted twice."""
    try:
        with time_limit(timeout):
            outcome = analyse_file(pipeline, path, sha)
    except FileTimeout as exc:
        return error_record(path, sha or path_key(path), f"{path}: {exc}"), None
    return outcome


def _completed(pipeline: Pipeline, pending: list[tuple[FileRecord, Report]], timeout: float | None) -> list[FileRecord]:
    """The group stages over `pending` under the time limit, then each report as its record; `_GroupFailed`
    (or, for one file, its error record) when they fail."""
    who = pending[0][0].path if len(pending) == 1 else "group"
    try:
        with time_limit(timeout):
            pipeline.complete([report for _record, report in pending])
    except FileTimeout as exc:
        return _failed(pending, f"{who}: {exc}")
    except Exception as exc:  # one file's failure becomes its error row
        return _failed(pending, internal_error(who, exc))
    return [file_record(report, record.sha256, record.path) for record, report in pending]


def _failed(pending: list[tuple[FileRecord, Report]], reason: str) -> list[FileRecord]:
    if len(pending) != 1:
        raise _GroupFailed(reason)
    record = pending[0][0]
    return [error_record(record.path, record.sha256, reason)]


def _completed_alone(
    pipeline: Pipeline, record: FileRecord, report: Report, timeout: float | None, announce: Callable[[], None]
) -> FileRecord:
    announce()
    return _completed(pipeline, [(record, report)], timeout)[0]
