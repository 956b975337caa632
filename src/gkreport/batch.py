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
- Workers (joblib/loky processes, or Dask through `joblib.parallel_config(backend="dask")`) each run
  `pipeline.process_files` on a group of `GROUP_FILES` files: the theme model is loaded once per worker
  process, each file runs under a time limit (`pipeline.time_limit`), region and themes are resolved
  once per group, and any failure comes back as an error record, never an exception.
- Results stream back unordered; only the driver writes, a chunk of files per transaction, so a batch
  killed with kill -9 resumes without lost or duplicated rows; on Ctrl-C what came back is written first.
"""

from __future__ import annotations

import os
import time
import warnings
from collections import Counter
from collections.abc import Generator, Iterable
from contextlib import AbstractContextManager, closing, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from gkreport.errors import ReportError
from gkreport.pipeline import (
    FileRecord,
    cached_model,
    file_sha256,
    ignore_interrupts,
    process_files,
    unreadable_record,
)
from gkreport.records import iter_paths, passed_over_text
from gkreport.store import connect, done_sha256s, forget_replaced, write_records

Backend = Literal["local", "dask"]
DEFAULT_TIMEOUT = 60.0
CHUNK_FILES = 16  # files per transaction
CHUNK_SECONDS = 2.0  # …or sooner, so a slow batch still commits steadily
GROUP_FILES = 8  # files per worker task: one cpca and one predict_proba call per group
SHOWN_ERRORS = 5  # error reasons kept for the end-of-batch message


@dataclass(slots=True)
class BatchStats:
    total: int = 0  # files found
    skipped: int = 0  # already in the database
    copies: int = 0  # the same bytes as another file of this run
    processed: int = 0  # written this run (ok + errors)
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    first_errors: list[str] = field(default_factory=list)  # the reasons of the first few error rows
    passed_over: Counter[str] = field(default_factory=Counter)  # files in the folders not read, by suffix
    interrupted: bool = False  # stopped by Ctrl-C: the files that came back are stored, the rest are not

    def count(self, records: list[FileRecord]) -> None:
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
        return (f"{self.total} files: {self.processed} processed ({self.ok} ok, {self.errors} errors), "
                f"{self.skipped} already done{copies}{'; ' + other if other else ''}; "
                f"{self.seconds:.1f} s, {rate:.1f} files/s")


def find_files(paths: Iterable[str | Path], passed_over: Counter[str] | None = None) -> list[Path]:
    """Files named directly, plus report files found recursively in named folders (as `records.iter_paths`
    walks them, counting the other files in `passed_over`); unique, in the order found. A path that does not
    exist stops the batch before it starts."""
    missing = [Path(raw) for raw in paths if not Path(raw).exists()]
    if missing:
        raise ReportError(missing[0], "no such file or folder")
    return list(dict.fromkeys(iter_paths(paths, passed_over)))


def _backend_context(backend: Backend, scheduler: str | None, jobs: int) -> AbstractContextManager[object]:
    if backend == "local":
        return nullcontext()
    if backend != "dask":
        raise ValueError(f"unknown backend {backend!r}; choose local or dask")
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
            self.client = Client(self.scheduler)
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


def _progress(enabled: bool, total: int) -> tuple[AbstractContextManager[object], object | None]:
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

    progress = Progress(TextColumn("batch"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                        TextColumn("{task.fields[rate]:.1f} files/s"),
                        TextColumn("errors {task.fields[errors]}"),
                        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                        console=Console(stderr=True))
    task = progress.add_task("batch", total=total, rate=0.0, errors=0)
    return progress, (progress, task)


def run_batch(paths: Iterable[str | Path], db: str | Path, *, jobs: int = -1, backend: Backend = "local",
              scheduler: str | None = None, force: bool = False, retry_errors: bool = False,
              timeout: float | None = DEFAULT_TIMEOUT,
              model_dir: str | Path | None = None, progress: bool = True) -> BatchStats:
    """Process every report file under `paths` into the SQLite database `db`; returns the counts."""
    from joblib import Parallel, delayed

    started = time.monotonic()
    model_dir_s = str(model_dir) if model_dir else None
    if model_dir_s:  # fail fast on a bad model here, not once per file
        if jobs == 1 and backend == "local":
            cached_model(model_dir_s)  # the files run in this process: load it now
        else:
            from gkreport.themes.card import verify_model

            verify_model(model_dir_s)  # the workers load it; here only the card and sha256 (no 2 s load)
    passed_over: Counter[str] = Counter()
    files = [Path(os.path.abspath(p)) for p in find_files(paths, passed_over)]  # one key per file from anywhere
    stats = BatchStats(total=len(files), passed_over=passed_over)
    with closing(connect(db)) as conn:
        found: dict[str, str] = {}
        unreadable: list[FileRecord] = []
        for path in files:
            try:
                found[str(path)] = file_sha256(path)
            except OSError as exc:  # vanished or unreadable since the walk: an error row, not a stopped batch
                unreadable.append(unreadable_record(str(path), exc))
        forget_replaced(conn, found)
        write_records(conn, unreadable)
        stats.count(unreadable)
        done = set() if force else done_sha256s(conn, errors=not retry_errors)
        todo: list[tuple[str, str]] = []
        queued: set[str] = set()
        for path, sha in found.items():
            if sha in done:
                stats.skipped += 1
            elif sha in queued:  # the same bytes as a file met earlier in this run: stored once
                stats.copies += 1
            else:
                queued.add(sha)
                todo.append((path, sha))
        bar_ctx, bar = _progress(progress, len(todo))
        with bar_ctx, _backend_context(backend, scheduler, jobs):
            results: Generator[list[FileRecord], None, None] = (r for r in ())
            if todo:
                # loky's worker processes start by ignoring Ctrl-C (joblib passes `initializer` to loky)
                workers = {"initializer": ignore_interrupts} if backend == "local" else {}
                parallel = Parallel(n_jobs=jobs, return_as="generator_unordered", **workers)
                groups = (todo[i:i + GROUP_FILES] for i in range(0, len(todo), GROUP_FILES))
                results = parallel(delayed(process_files)(group, model_dir_s, timeout) for group in groups)
            chunk: list[FileRecord] = []
            last_write = time.monotonic()
            with warnings.catch_warnings():
                # on Ctrl-C joblib warns about the tasks it drops when the results are closed; a re-run does them
                warnings.filterwarnings("ignore", message=r".*tasks (have been successfully executed|which were "
                                        r"still being processed)", category=UserWarning)
                try:
                    for records in results:
                        chunk += records
                        stats.count(records)
                        if len(chunk) >= CHUNK_FILES or time.monotonic() - last_write >= CHUNK_SECONDS:
                            write_records(conn, chunk)
                            chunk, last_write = [], time.monotonic()
                        if bar is not None:
                            prog, task = bar  # type: ignore[misc]
                            elapsed = max(time.monotonic() - started, 1e-9)
                            prog.update(task, advance=len(records), rate=stats.processed / elapsed,
                                        errors=stats.errors)
                except KeyboardInterrupt:
                    stats.interrupted = True  # keep what came back (below); a re-run does the rest
                    results.close()
            write_records(conn, chunk)
    stats.seconds = time.monotonic() - started
    return stats
