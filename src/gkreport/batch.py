"""Run the pipeline over many files in parallel and store the results in SQLite.

CLI: ``gkreport batch PATH... --db results.sqlite [--jobs N] [--backend local|dask] [--scheduler ADDRESS]
[--force] [--retry-errors] [--timeout SECONDS] [--model DIR | --no-themes]`` → ``run_batch(paths, db, jobs=, backend=,
scheduler=, force=, retry_errors=, timeout=, model_dir=, progress=)`` returning `BatchStats`; the CLI prints
`BatchStats.line()`.

How it works:
- PATH arguments are files or folders (searched recursively for the suffixes the readers know).
- The driver hashes every file (sha256 of its bytes) and skips hashes already in `files` unless `force`
  (error rows too, unless `retry_errors`). Paths are stored absolute. A stored file whose path now holds other
  bytes was changed in place: its row moves to another path that still holds its content, or is deleted.
- A named path that is missing, a folder that cannot be listed, a dangling link, a pipe: each becomes an error
  row naming it (`walk.walk`, `readers.open_report_file`), and the rest of the batch goes on.
- Workers (our own processes, `gkreport.workers`, or Dask through `joblib.parallel_config(backend="dask")`)
  each run `pipeline.process_files` on a group of `GROUP_FILES` files: the theme model is loaded once per
  worker process, each file runs under a time limit (`limits.time_limit`; locally also a hard one: a file
  still running past it is abandoned and its worker replaced), region and themes are resolved once per group,
  and any failure comes back as an error record, never an exception.
- With a model, files stored earlier without themes (`--no-themes`) are tagged from their stored passages,
  without reading the files again.
- After the files are stored, X1 (last year's 结转下年 = this year's 上年结转) checks each report written by
  this run against the same agency's stored report of the year before, and each stored report of the year
  after against it, from the stored cells (`_check_years`); its rows replace the report's earlier X1 rows.
- Results stream back unordered; only the driver writes, a chunk of files per transaction, so a batch
  killed with kill -9 resumes without lost or duplicated rows; on Ctrl-C what came back is written first.
  It writes in a thread of its own (`_Writer`), so that it goes on taking results from the workers while
  SQLite waits on the disk.
"""

from __future__ import annotations

import hashlib
import os
import queue
import sqlite3
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Sequence
from contextlib import AbstractContextManager, closing, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from gkreport.checks import X1_ROWS, cross_year_checks
from gkreport.errors import ConfigError, OptionError, ReportError
from gkreport.pipeline import problem_record, process_files
from gkreport.readers import open_report_file
from gkreport.records import FileRecord, check_record, error_record, passed_over_text
from gkreport.store import (
    FileRows,
    connect,
    cross_year_pairs,
    file_rows,
    forget_replaced,
    replace_checks,
    stored_passages,
    stored_statuses,
    stored_table3,
    untagged_files,
    write_records,
    write_rows,
    write_themes,
)
from gkreport.tables import Cell, TableResult
from gkreport.tables_old.schema import TABLE as OLD_TABLE
from gkreport.templates import SCHEMAS
from gkreport.walk import walk

if TYPE_CHECKING:  # rich is imported only when a progress bar is shown
    from rich.progress import Progress, TaskID

    ProgressBar = tuple[Progress, TaskID]


Backend = Literal["local", "dask"]
DEFAULT_TIMEOUT = 60.0
CHUNK_FILES = 16  # files per transaction
CHUNK_SECONDS = 2.0  # …or sooner, so a slow batch still commits steadily
WRITE_QUEUE = 8  # chunks waiting for the writer thread; then the driver waits for it
GROUP_FILES = 8  # files per worker task: one cpca and one predict_proba call per group
SHOWN_ERRORS = 5  # error reasons kept for the end-of-batch message
CONNECT_SECONDS = 5  # to reach a Dask scheduler
TAG_CHUNK_FILES = 64  # stored files tagged per transaction


@dataclass(slots=True)
class BatchStats:
    total: int = 0  # files found
    skipped: int = 0  # already in the database
    skipped_errors: int = 0  # of those, stored as errors (a re-run with --retry-errors tries them again)
    tagged: int = 0  # stored earlier without themes, tagged now from their stored passages
    cross_year: int = 0  # reports checked against the same agency's previous year (X1) after this run
    copies: int = 0  # the same bytes as another file of this run
    processed: int = 0  # written this run (ok + errors)
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    first_errors: list[str] = field(default_factory=list)  # the reasons of the first few error rows
    passed_over: Counter[str] = field(default_factory=Counter)  # files in the folders not read, by suffix
    interrupted: bool = False  # stopped by Ctrl-C: the files that came back are stored, the rest are not

    def count(self, records: Sequence[FileRecord | FileRows]) -> None:
        self.processed += len(records)
        for record in records:
            self.ok += record.status == "ok"
            if record.status == "error":
                self.errors += 1
                if len(self.first_errors) < SHOWN_ERRORS:
                    self.first_errors.append(record.error or record.path)

    def line(self) -> str:
        rate = self.processed / self.seconds if self.seconds > 0 else 0.0
        copies = f", {self.copies} identical copies of others" if self.copies else ""
        other = passed_over_text(self.passed_over)
        stored_errors = f" ({self.skipped_errors} of them stored as errors)" if self.skipped_errors else ""
        tagged = f", {self.tagged} stored reports tagged with themes" if self.tagged else ""
        x1 = f", {self.cross_year} checked against their previous year (X1)" if self.cross_year else ""
        return (
            f"{self.total} files: {self.processed} processed ({self.ok} ok, {self.errors} errors), "
            f"{self.skipped} already done{stored_errors}{copies}{tagged}{x1}"
            f"{'; ' + other if other else ''}; "
            f"{self.seconds:.1f} s, {rate:.1f} files/s"
        )


def find_files(paths: Iterable[str | Path], passed_over: Counter[str] | None = None) -> list[Path | ReportError]:
    """Files named directly, plus report files found recursively in named folders, and the problems met on the
    way (`walk.walk`: a folder that cannot be listed, a dangling link…); unique, in the order found. A named
    path that does not exist is taken like a file: it becomes an error row, the batch goes on."""
    return list(dict.fromkeys(walk(paths, passed_over)))


def _hashed(path: Path) -> str:
    """The sha256 of a regular file's bytes; a pipe, socket or device is refused unopened (ReportError)."""
    digest = hashlib.sha256()
    with open_report_file(path) as handle:
        try:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        except OSError as exc:
            raise ReportError(path, f"cannot read file: {exc.strerror or exc}") from exc
    return digest.hexdigest()


def _backend_context(backend: Backend, scheduler: str | None, jobs: int) -> AbstractContextManager[object]:
    if backend == "local":
        return nullcontext()
    if backend != "dask":
        raise OptionError("--backend", f"unknown backend {backend!r}; choose local or dask")
    return _dask_context(scheduler, jobs)


class _dask_context(AbstractContextManager[object]):
    """A distributed Client on `scheduler`, or on a LocalCluster made (and closed) here; joblib → dask."""

    def __init__(self, scheduler: str | None, jobs: int) -> None:
        self.scheduler, self.jobs = scheduler, jobs

    def __enter__(self) -> object:
        import joblib
        from distributed import Client, LocalCluster

        self.cluster = None
        if self.scheduler:
            try:  # a wrong address fails in seconds with one line, not after 30 s with a page of traceback
                self.client = Client(self.scheduler, timeout=CONNECT_SECONDS)
            except (OSError, TimeoutError, ValueError, TypeError) as exc:
                raise ConfigError(
                    f"--scheduler {self.scheduler}",
                    "cannot reach the Dask scheduler "
                    f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})",
                ) from exc
        else:
            workers = self.jobs if self.jobs > 0 else None
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None)
            self.client = Client(self.cluster)
        self.config = joblib.parallel_config(backend="dask")
        self.config.__enter__()
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.config.__exit__(*exc)
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _progress(enabled: bool, total: int) -> tuple[AbstractContextManager[object], ProgressBar | None]:
    if not enabled:
        return nullcontext(), None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("batch"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]:.1f} files/s"),
        TextColumn("errors {task.fields[errors]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )
    task = progress.add_task("batch", total=total, rate=0.0, errors=0)
    return progress, (progress, task)


def run_batch(
    paths: Iterable[str | Path],
    db: str | Path,
    *,
    jobs: int = -1,
    backend: Backend = "local",
    scheduler: str | None = None,
    force: bool = False,
    retry_errors: bool = False,
    timeout: float | None = DEFAULT_TIMEOUT,
    model_dir: str | Path | None = None,
    progress: bool = True,
) -> BatchStats:
    """Process every report file under `paths` into the SQLite database `db`; returns the counts."""
    started = time.monotonic()
    model_dir_s = str(model_dir) if model_dir else None
    if model_dir_s:  # fail fast on a bad model here, not once per file
        from gkreport.themes.card import verify_model

        verify_model(model_dir_s)  # the workers load it; here only the card and sha256 (no 2 s load)
    passed_over: Counter[str] = Counter()
    found_items = find_files(paths, passed_over)
    if backend == "local" and found_items:
        from gkreport.workers import start_fork_server

        start_fork_server(model_dir_s)  # it imports the stages while this process hashes the files
    stats = BatchStats(total=len(found_items), passed_over=passed_over)
    with closing(connect(db)) as conn:
        try:
            _run(
                conn,
                db,
                found_items,
                stats,
                force=force,
                retry_errors=retry_errors,
                jobs=jobs,
                backend=backend,
                scheduler=scheduler,
                timeout=timeout,
                model_dir=model_dir_s,
                progress=progress,
                started=started,
            )
        except KeyboardInterrupt:
            stats.interrupted = True  # what came back is stored; a re-run does the rest
    stats.seconds = time.monotonic() - started
    return stats


def _run(
    conn: sqlite3.Connection,
    db: str | Path,
    found_items: list[Path | ReportError],
    stats: BatchStats,
    *,
    force: bool,
    retry_errors: bool,
    jobs: int,
    backend: Backend,
    scheduler: str | None,
    timeout: float | None,
    model_dir: str | None,
    progress: bool,
    started: float,
) -> None:
    """Hash, skip what is stored, tag stored passages without themes, process the rest (see `run_batch`)."""
    found: dict[str, str] = {}
    unreadable: list[FileRecord] = []
    for item in found_items:
        if isinstance(item, ReportError):  # met on the walk: a folder not listed, a dangling link…
            unreadable.append(problem_record(str(Path(os.path.abspath(item.path or ""))), item))
            continue
        path = str(Path(os.path.abspath(item)))  # one key per file from anywhere
        try:
            found[path] = _hashed(Path(path))
        except ReportError as exc:  # vanished, unreadable, a pipe: an error row, not a stopped batch
            unreadable.append(problem_record(path, ReportError(path, exc.reason)))
    forget_replaced(conn, found)
    write_records(conn, unreadable)
    stats.count(unreadable)
    stored = {} if force else stored_statuses(conn)
    todo: list[tuple[str, str]] = []
    queued: set[str] = set()
    for path, sha in found.items():
        status = stored.get(sha)
        if status == "ok" or (status == "error" and not retry_errors):
            stats.skipped += 1
            stats.skipped_errors += status == "error"
        elif sha in queued:  # the same bytes as a file met earlier in this run: stored once
            stats.copies += 1
        else:
            queued.add(sha)
            todo.append((path, sha))
    untagged = untagged_files(conn, set(found.values()) - queued) if model_dir else []
    bar_ctx, bar = _progress(progress, len(todo) + len(untagged))
    with bar_ctx:
        stats.tagged = _tag_stored(conn, untagged, model_dir, bar, stats, started) if untagged else 0
        _process(
            db,
            todo,
            stats,
            jobs=jobs,
            backend=backend,
            scheduler=scheduler,
            timeout=timeout,
            model_dir=model_dir,
            bar=bar,
            started=started,
        )
    stats.cross_year = _check_years(conn, {sha for _path, sha in todo})


def _check_years(conn: sqlite3.Connection, added: set[str]) -> int:
    """X1 over the stored years: every pair (report, the same agency's report of the year before) with a
    report of `added`, or whose report has no X1 check yet, is checked from the stored table-三 cells (the
    files are not read again) and its X1 rows replace the stored ones; the X1 rows of a report whose previous
    year is no longer stored are deleted. Returns how many reports were checked."""
    pairs = cross_year_pairs(conn, added, templates=list(SCHEMAS), old=OLD_TABLE)
    if not pairs:
        return 0
    stored = stored_table3(conn, {sha for pair in pairs for sha in pair if sha is not None}, X1_ROWS)
    tables = {sha: _table3(template, cells) for sha, (template, cells) in stored.items()}
    replace_checks(
        conn,
        "X1",
        {
            report: [check_record(c) for c in cross_year_checks(tables[report], tables[previous])]
            if previous is not None
            else []
            for report, previous in pairs
        },
    )
    return sum(previous is not None for _report, previous in pairs)


def _table3(template: str | None, rows: list[tuple[Any, ...]]) -> TableResult:
    """Stored table-三 cells as a `TableResult`. Only a 2019/2021 report comes here (`cross_year_pairs`); its
    tables' template is not stored, the report's may be another, and X1 needs only table 三's columns, which
    are the same in both templates."""
    cells = [
        Cell("3", row, col, value, raw or "", status, line, offset, note or "")
        for row, col, value, raw, status, line, offset, note in rows
    ]
    return TableResult(template if template in SCHEMAS else "2021", cells)


def _advance(bar: ProgressBar | None, done: int, stats: BatchStats, started: float) -> None:
    if bar is not None:
        prog, task = bar
        elapsed = max(time.monotonic() - started, 1e-9)
        prog.update(task, advance=done, rate=stats.processed / elapsed, errors=stats.errors)


def _tag_stored(
    conn: sqlite3.Connection,
    shas: list[str],
    model_dir: str | None,
    bar: ProgressBar | None,
    stats: BatchStats,
    started: float,
) -> int:
    """Themes for the passages of stored files that have none (stored with --no-themes), from their stored
    text: the files are not read again. In this process; returns how many files were tagged."""
    from gkreport.pipeline import cached_model, tag_passages

    model, version = cached_model(str(model_dir))
    tagged = 0
    for i in range(0, len(shas), TAG_CHUNK_FILES):
        chunk = shas[i : i + TAG_CHUNK_FILES]
        passages = stored_passages(conn, chunk)
        tag_passages(model, passages)
        write_themes(conn, chunk, passages, version)
        tagged += len(chunk)
        _advance(bar, len(chunk), stats, started)
    return tagged


class _Writer:
    """Writes chunks of records in a thread of its own, with its own connection, in the order given: the
    driver meanwhile keeps taking results from the workers (a worker whose results are not taken waits, its
    pipe full, and the driver's writes wait on the disk). A write that fails is raised again in the driver
    (`put`, `close`); the chunks after it are not written."""

    def __init__(self, db: str | Path) -> None:
        self.db = db
        self.chunks: queue.Queue[list[FileRows] | None] = queue.Queue(maxsize=WRITE_QUEUE)
        self.failure: BaseException | None = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._write, name="gkreport-batch-writer")  # not a daemon: the
        self.thread.start()  # chunks queued are written even when the driver stops on an exception
        self.ready.wait()
        self._raise()

    def _write(self) -> None:
        try:
            conn = connect(self.db)
        except BaseException as exc:  # noqa: BLE001 - raised again in the driver
            self.failure = exc
            return
        finally:
            self.ready.set()
        with closing(conn):
            while (chunk := self.chunks.get()) is not None:
                if self.failure is None:
                    try:
                        write_rows(conn, chunk)
                    except BaseException as exc:  # noqa: BLE001 - raised again in the driver
                        self.failure = exc

    def _raise(self) -> None:
        if self.failure is not None:
            raise self.failure

    def put(self, chunk: list[FileRows]) -> None:
        self._raise()
        if chunk:
            self.chunks.put(chunk)

    def close(self) -> None:
        """Wait until every chunk queued is written."""
        if self.thread.is_alive():
            self.chunks.put(None)
            self.thread.join()
        self._raise()


def _process(
    db: str | Path,
    todo: list[tuple[str, str]],
    stats: BatchStats,
    *,
    jobs: int,
    backend: Backend,
    scheduler: str | None,
    timeout: float | None,
    model_dir: str | None,
    bar: ProgressBar | None,
    started: float,
) -> None:
    """Run the workers over `todo` and write what comes back, a chunk of files per transaction (`_Writer`).
    On Ctrl-C (KeyboardInterrupt, re-raised) every record that came back is written first."""
    if not todo:
        return
    groups = [todo[i : i + GROUP_FILES] for i in range(0, len(todo), GROUP_FILES)]
    chunk: list[FileRows] = []
    writer = _Writer(db)
    try:
        with _backend_context(backend, scheduler, jobs), warnings.catch_warnings():
            # on Ctrl-C joblib warns about the tasks it drops when the results are closed; a re-run does them
            warnings.filterwarnings(
                "ignore",
                message=r".*tasks (have been successfully executed|which were "
                r"still being processed)",
                category=UserWarning,
            )
            results = _results(groups, backend, jobs, model_dir, timeout)
            last_write = time.monotonic()
            try:
                for records in results:
                    chunk += records
                    stats.count(records)
                    if len(chunk) >= CHUNK_FILES or time.monotonic() - last_write >= CHUNK_SECONDS:
                        writer.put(chunk)
                        chunk, last_write = [], time.monotonic()
                    _advance(bar, len(records), stats, started)
            finally:  # normal end, Ctrl-C or a failure: what came back is stored, the workers are stopped
                results.close()
                writer.put(chunk)
    finally:  # also when the workers could not be started (a Dask scheduler out of reach)
        writer.close()


def _results(
    groups: list[list[tuple[str, str]]], backend: Backend, jobs: int, model_dir: str | None, timeout: float | None
) -> Generator[list[FileRows], None, None]:
    """Each group's records as they come back: local worker processes with the hard time limit, or Dask."""
    if backend == "local":
        from gkreport.workers import run_groups

        return run_groups(groups, jobs=jobs, model_dir=model_dir, timeout=timeout, make_error=_error_rows)
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=jobs, return_as="generator_unordered")
    return parallel(delayed(group_rows)(group, model_dir, timeout) for group in groups)


def group_rows(
    group: list[tuple[str, str]],
    model_dir: str | None,
    timeout: float | None,
    on_step: Callable[[int | None], None] | None = None,
) -> list[FileRows]:
    """A worker's task: the rows of a group of files (`pipeline.process_files`, then `store.file_rows`)."""
    return [file_rows(record) for record in process_files(list(group), model_dir, timeout, on_step)]


def _error_rows(path: str, sha256: str, reason: str) -> FileRows:
    """The rows of a file whose worker was abandoned."""
    return file_rows(error_record(path, sha256, reason))
