"""The local worker processes of `gkreport batch`: a hard per-file time limit, and no process left behind.

`run_groups(groups, jobs=, model_dir=, timeout=)` runs `pipeline.process_files` on each group of files in
`jobs` worker processes and yields each group's rows (`store.file_rows`, built in the worker so that the driver
only inserts them) as they come back (unordered).

Why not joblib/loky: a loky worker cannot be replaced while the others go on (a killed worker breaks the whole
pool), so a file stuck in one C call (a regex over a 49 MB text, a PDF page) held its worker as long as it
liked, and the batch with it. Here the driver keeps the clock:
- A worker first warms up (imports, theme model, cpca, jieba's dictionary) and says it is ready; each file's
  clock starts only when the worker says it starts that file, so a worker's start-up never counts.
- Inside the worker the soft limit (`limits.time_limit`, SIGALRM) turns most slow files into an error record
  at `timeout`. A file still running `GRACE_SECONDS` later is abandoned: the driver kills its worker, stores
  the file as an error, starts a new worker and queues the group's other files again. A worker that dies by
  itself (a crash in a C library, the kernel's OOM killer) is treated the same way.
- Workers die with the driver, even after `kill -9`: a watchdog thread in each exits the process when a pipe
  whose write end only the driver holds reaches its end. Their parent, multiprocessing's fork server, exits
  once the driver and its children are gone; so does multiprocessing's resource tracker.
- Workers ignore Ctrl-C: the driver handles it (stores what came back) and then ends them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from gkreport.errors import GkreportError, ModelError

Group = list[tuple[str, str]]  # (path, sha256) of each file of one task
GRACE_SECONDS = 1.0  # after the soft limit, before the worker is killed
STARTUP_SECONDS = 300.0  # a worker that is not ready by then is broken (it is not a file's fault)
IDLE_SECONDS = 1.0  # with nothing back for this long, an empty list is yielded (the driver commits meanwhile)
# Imported once by the fork server; each worker is a fork of it, so a replaced worker starts in milliseconds.
# The libraries the stages import on first use are among them: a soft time-out that struck a worker in the middle
# of such an import left the module half-initialised, and every later file of that worker failed with it.
PRELOAD = [
    "gkreport.pipeline",
    "gkreport.regions",
    "gkreport.batch",
    "gkreport.store",
    "gkreport.checks",
    "gkreport.passages",
    "gkreport.segment",
    "gkreport.tables",
    "gkreport.readers",
    "gkreport.readers.textfile",
    "gkreport.readers.htmlpage",
    "gkreport.readers.wordfile",
    "gkreport.readers.pdffile",
    "charset_normalizer",
    "pypdfium2",
    "docx",
    "cn2an",
    "cpca",
    "jieba",
    "gkreport.themes.card",
    "joblib",
    "numpy",
]
PRELOAD_THEMES = ["gkreport.warm"]  # with a theme model: jieba's dictionary and cpca's tables, once for all workers


def worker_count(jobs: int) -> int:
    """Worker processes for `--jobs`: N, or with -1 one per core, -2 all but one… (joblib's convention)."""
    cores = os.cpu_count() or 1
    return jobs if jobs > 0 else max(1, cores + 1 + jobs)


# ---------------------------------------------------------------------------------------------------
# In the worker process


def _die_with_driver(lifeline: Connection) -> None:
    """Exit as soon as the driver is gone, busy or not: a thread waits on the read end of a pipe whose only
    write end the driver holds; the kernel closes it when the driver dies, even by kill -9. (The worker's
    parent is the fork server, which lives as long as its children do, so watching the parent would not do.)"""

    def watch() -> None:
        try:
            lifeline.recv_bytes()
        except (EOFError, OSError):
            pass
        os._exit(1)

    threading.Thread(target=watch, name="driver-watchdog", daemon=True).start()


def _warm_up(model_dir: str | None) -> None:
    """Everything a first file would otherwise pay for, so that it is not counted against that file."""
    import importlib

    from gkreport import pipeline
    from gkreport.regions import regions_of

    for module in PRELOAD:
        importlib.import_module(module)
    regions_of(["北京市人民政府"])  # cpca's first lookup builds its tables
    if model_dir:
        model, _version = pipeline.cached_model(model_dir)
        model.predict_proba(["工作人员业务能力有待提高。"])  # jieba loads its dictionary on its first words


def _worker_main(conn: Connection, lifeline: Connection, model_dir: str | None, timeout: float | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's
    _die_with_driver(lifeline)
    from gkreport.batch import group_rows

    try:
        _warm_up(model_dir)
    except BaseException as exc:  # noqa: BLE001 - a model that cannot load: say why, the driver stops
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", None))
    while True:
        try:
            group = conn.recv()
        except EOFError:
            return
        if group is None:
            return
        conn.send(("done", group_rows(group, model_dir, timeout, on_step=lambda step: conn.send(("start", step)))))


# ---------------------------------------------------------------------------------------------------
# In the driver


@dataclass(slots=True)
class _Worker:
    process: Any
    conn: Connection
    started: float = field(default_factory=time.monotonic)
    ready: bool = False
    group: Group | None = None
    step: int | None = None  # index of the file under way; None while the group is being completed
    deadline: float | None = None


def _context(model_dir: str | None) -> Any:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD + PRELOAD_THEMES if model_dir else PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def start_fork_server(model_dir: str | None) -> None:
    """Start the fork server the workers will be forked from, now rather than with the first worker: it imports
    `PRELOAD` (about 1 s of CPU) while the driver goes on (hashing the files)."""
    ctx = _context(model_dir)
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


class _Pool:
    def __init__(
        self, jobs: int, model_dir: str | None, timeout: float | None, make_error: Callable[[str, str, str], Any]
    ) -> None:
        self.size, self.model_dir, self.timeout = jobs, model_dir, timeout
        self.make_error = make_error
        self.ctx = _context(model_dir)
        self.workers: list[_Worker] = []
        # the workers' lifeline: they read it, only this process writes it (never), so it closes when we die
        self.lifeline, self.lifeline_end = self.ctx.Pipe(duplex=False)

    def start_worker(self) -> None:
        ours, theirs = self.ctx.Pipe()
        process = self.ctx.Process(
            target=_worker_main,
            args=(theirs, self.lifeline, self.model_dir, self.timeout),
            daemon=True,
            name="gkreport-worker",
        )
        process.start()
        theirs.close()
        self.workers.append(_Worker(process, ours))

    def stop(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        self.workers.remove(worker)

    def close(self) -> None:
        for worker in list(self.workers):
            self.stop(worker)
        self.lifeline.close()
        self.lifeline_end.close()

    def abandon(self, worker: _Worker, reason: str, queue: deque[Group]) -> list[Any]:
        """Worker gone (killed at the deadline, or died): the file under way becomes an error record, the
        group's other files are queued again (all of them one by one if the group was being completed)."""
        group, step = worker.group or [], worker.step
        self.stop(worker)
        self.start_worker()
        if step is None and len(group) > 1:
            queue.extendleft([item] for item in reversed(group))
            return []
        culprit = group[step or 0]
        rest = [item for i, item in enumerate(group) if i != (step or 0)]
        if rest:
            queue.appendleft(rest)
        return [self.make_error(culprit[0], culprit[1], f"{culprit[0]}: {reason}")]


def run_groups(
    groups: Iterable[Group],
    *,
    jobs: int,
    model_dir: str | None,
    timeout: float | None,
    make_error: Callable[[str, str, str], Any],
) -> Generator[list[Any], None, None]:
    """Each group's rows (a list per group, as `batch.group_rows` returns it), in the order they finish, and an
    empty list after each `IDLE_SECONDS` with nothing back. `make_error(path, sha256, message)` builds the error
    record of a file that was abandoned."""
    queue: deque[Group] = deque(groups)
    pool = _Pool(min(worker_count(jobs), len(queue)) or 1, model_dir, timeout, make_error)
    hard = timeout + GRACE_SECONDS if timeout else None
    try:
        for _ in range(pool.size if queue else 0):
            pool.start_worker()
        while queue or any(w.group is not None for w in pool.workers):
            for worker in list(pool.workers):
                if worker.ready and worker.group is None and queue:
                    group = queue.popleft()
                    try:
                        worker.conn.send(group)
                    except OSError:  # it died while idle: the group waits for its replacement
                        queue.appendleft(group)
                        pool.stop(worker)
                        pool.start_worker()
                        continue
                    worker.group, worker.step, worker.deadline = group, 0, None
            now = time.monotonic()
            deadlines = [w.deadline if w.ready else w.started + STARTUP_SECONDS for w in pool.workers]
            due = min((d for d in deadlines if d is not None), default=None)
            waiting = [w.conn for w in pool.workers] + [w.process.sentinel for w in pool.workers]
            ready = set(wait(waiting, IDLE_SECONDS if due is None else max(0.0, min(due - now, IDLE_SECONDS))))
            if not ready and (due is None or time.monotonic() < due):
                yield []  # nothing came back for a while: the driver may commit what it holds
                continue
            for worker in list(pool.workers):
                if worker.conn in ready:
                    try:
                        kind, payload = worker.conn.recv()
                    except (EOFError, OSError):
                        kind, payload = "died", None
                    if kind == "ready":
                        worker.ready = True
                    elif kind == "failed":  # the model cannot be loaded: it would fail every file
                        raise ModelError(None, f"a worker process could not start: {payload}")
                    elif kind == "start":
                        worker.step = payload
                        worker.deadline = time.monotonic() + hard if hard else None
                    elif kind == "done":
                        worker.group = worker.step = worker.deadline = None
                        yield payload
                    if kind != "died":
                        continue
                elif worker.process.sentinel not in ready:
                    if worker.deadline is not None and time.monotonic() >= worker.deadline:
                        yield pool.abandon(
                            worker,
                            f"took longer than the {timeout:g} s time limit; abandoned and its worker process replaced",
                            queue,
                        )
                    elif not worker.ready and time.monotonic() >= worker.started + STARTUP_SECONDS:
                        raise GkreportError(None, f"a worker process did not start within {STARTUP_SECONDS:g} s")
                    continue
                if worker.conn in ready and worker.process.is_alive():
                    worker.process.join(1)
                code = worker.process.exitcode
                if not worker.ready:
                    raise GkreportError(None, f"a worker process ended while starting (exit code {code})")
                if worker.group is None:  # idle worker gone: replace it quietly
                    pool.stop(worker)
                    pool.start_worker()
                    continue
                how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                records = pool.abandon(worker, f"its worker process died ({how}) while reading it", queue)
                if records:
                    yield records
    finally:
        pool.close()
