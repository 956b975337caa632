"""gkreport.batch: resume after kill -9, bad files become error rows, Dask gives the same rows as local."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from gate_model import MARKER, held_at
from helpers import (
    EX01,
    EXAMPLES,
    HANG_GUARD_SECONDS,
    cli_command,
    example_texts,
    subprocess_env,
    wait_for,
    wait_until_ended,
)

from gkreport import pipeline, regions
from gkreport.batch import find_files, run_batch
from gkreport.errors import ConfigError, ModelError
from gkreport.limits import FileTimeout, time_limit
from gkreport.pipeline import process_files, run_pipeline
from gkreport.records import FileRecord

# Text examples survive extra trailing newlines unchanged (utf-16 ex10 and the zip/PDF ones would not).
TEXT_EXAMPLES = ("ex01", "ex02", "ex03", "ex04", "ex05", "ex08", "ex09", "ex11", "ex12")

# table -> columns that identify its content (no rowids or timestamps, which differ between runs)
CONTENT: dict[str, str] = {
    "files": "sha256, format, encoding, status, error, model_version",
    "reports": "sha256, template, agency, year, level, province, city",
    "sections": 'sha256, number, name, heading, status, start, "end", text',
    "cells": 'sha256, tbl, "row", col, value, raw, status, line, "offset", note',
    "checks": "sha256, check_id, family, status, expected, actual, message, severity",
    "passages": 'sha256, passage_id, section, role, text, start, "end", heading, pair',
}


def _content(db: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db)
    try:
        return {t: sorted(conn.execute(f"SELECT {cols} FROM {t}").fetchall(), key=repr) for t, cols in CONTENT.items()}
    finally:
        conn.close()


def _file_count(db: Path) -> int | None:
    """Rows in `files`, or None while the database or its schema is not there yet (or is locked a moment)."""
    if not db.exists():
        return None
    try:
        conn = sqlite3.connect(db, timeout=1)
        try:
            return conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return None


HELD_FROM = 8  # the gated copies: the first group of 8 goes through, every later file waits at the gate
THREE_TEXTS = ("ex01_2024_tabs_township.txt", "ex02_2023_cells_county.txt", "ex04_2020_tabs_township.txt")


def _gated_copies(folder: Path, n: int) -> list[Path]:
    """n copies of three text examples, each with its own trailing newlines (a new sha256); from the ninth on
    a passage of section 五 holds the gate model's marker, so those files wait until the gate opens."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = example_texts(*THREE_TEXTS)
    out = []
    for i in range(n):
        text = texts[i % len(texts)]
        if i >= HELD_FROM:
            text = re.sub(r"(?m)^(\s*五、[^\n]*\n)", rf"\1{MARKER}：本年度工作人员不足。\n", text, count=1)
        dest = folder / f"c{i:03d}.txt"
        dest.write_text(text + "\n" * (i + 1), "utf-8")
        out.append(dest)
    return out


def _batch_held_at_the_gate(folder: Path, db: Path, gate: tuple[Path, Path], stderr: int) -> subprocess.Popen[str]:
    """`gkreport batch` of `folder` with 2 jobs and the gate model, in a session of its own, returned once both
    workers are held at the gate and the files before it are committed (nothing else can be: all later files
    wait until the gate opens). No clock: the test waits for these states, however slow the machine."""
    model, gate_file = gate
    cmd = cli_command("batch", folder, "--db", db, "--jobs", "2", "--model", model)
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=stderr, text=True, start_new_session=True, env=subprocess_env()
    )
    try:
        wait_for(lambda: len(held_at(gate_file)) == 2, "both workers were held at the gate", proc)
        wait_for(lambda: (_file_count(db) or 0) >= HELD_FROM, "the files before the gate were committed", proc)
        assert _file_count(db) == HELD_FROM
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    return proc


@pytest.mark.slow
def test_resume_after_kill_keeps_every_file_exactly_once(tmp_path: Path, gate: tuple[Path, Path]) -> None:
    folder = tmp_path / "reports"
    copies = _gated_copies(folder, 40)
    db = tmp_path / "killed.sqlite"
    proc = _batch_held_at_the_gate(folder, db, gate, subprocess.DEVNULL)
    model, gate_file = gate
    os.killpg(proc.pid, signal.SIGKILL)  # the driver and its workers: its own session
    proc.wait()
    assert _file_count(db) == HELD_FROM

    gate_file.touch()
    stats = run_batch([folder], db, jobs=2, model_dir=model, progress=False)
    assert stats.skipped == HELD_FROM and stats.processed == len(copies) - HELD_FROM
    assert stats.errors == 0

    clean = tmp_path / "clean.sqlite"
    run_batch([folder], clean, jobs=1, model_dir=model, progress=False)
    resumed = _content(db)
    assert len(resumed["files"]) == len(copies)
    assert resumed == _content(clean)  # nothing lost, nothing duplicated, row for row

    again = run_batch([folder], db, jobs=2, progress=False)
    assert (again.skipped, again.processed) == (len(copies), 0)
    forced = run_batch([folder], db, jobs=2, force=True, model_dir=model, progress=False)
    assert forced.processed == len(copies)
    assert _content(db) == resumed


def test_ctrl_c_stores_what_came_back_and_says_how_to_go_on(tmp_path: Path, gate: tuple[Path, Path]) -> None:
    folder = tmp_path / "reports"
    copies = _gated_copies(folder, 40)
    db = tmp_path / "interrupted.sqlite"
    proc = _batch_held_at_the_gate(folder, db, gate, subprocess.PIPE)
    model, gate_file = gate
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the driver and its workers
    _, err = proc.communicate(timeout=HANG_GUARD_SECONDS)  # the driver ends on the signal, gate or not
    stored = _file_count(db)
    assert proc.returncode == 130, err
    assert stored == HELD_FROM
    assert f"error: interrupted: {stored} files of this run are stored; run the same command again" in err
    assert "Traceback" not in err and "UserWarning" not in err
    gate_file.touch()
    stats = run_batch([folder], db, jobs=2, model_dir=model, progress=False)
    assert (stats.skipped, stats.processed, stats.errors) == (stored, len(copies) - stored, 0)
    assert len(_content(db)["files"]) == len(copies)


def _descendants(pid: int) -> set[int]:
    """Every living process below `pid` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.mark.skipif(
    not Path("/proc/self/stat").exists() or not hasattr(os, "pidfd_open"),
    reason="needs /proc to list the batch's processes and pidfds to wait for them",
)
def test_kill_9_of_the_driver_leaves_no_process_behind(tmp_path: Path, gate: tuple[Path, Path]) -> None:
    folder = tmp_path / "reports"
    _gated_copies(folder, 40)
    db = tmp_path / "killed.sqlite"
    proc = _batch_held_at_the_gate(folder, db, gate, subprocess.DEVNULL)
    children = _descendants(proc.pid)
    try:
        assert held_at(gate[1]) <= children, "the workers held at the gate are not the batch's processes"
        os.kill(proc.pid, signal.SIGKILL)  # the driver alone, as `kill -9 PID` does
        proc.wait()
        left = wait_until_ended(children)  # each gone, or none ending for a long while: left behind
        assert not left, f"processes still running after the driver was killed: {left}"
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


# The time limit of the test below: the file held at the deaf gate really never finishes, so it always reaches
# it; every other step (a small example, or the group's themes) takes a few hundredths of a second, so it never
# does, even on a crowded machine. (A 1 s limit raced real work and failed there.)
STUCK_LIMIT = 8


def test_a_file_stuck_past_its_time_limit_is_abandoned_and_its_worker_replaced(
    tmp_path: Path, deaf_gate: tuple[Path, Path]
) -> None:
    # A file held in a call that no signal interrupts (a C call): only killing its worker ends it.
    folder = tmp_path / "reports"
    copies = _gated_copies(folder, HELD_FROM + 1)
    model, gate_file = deaf_gate
    db = tmp_path / "r.sqlite"
    cmd = cli_command("batch", folder, "--db", db, "--jobs", "1", "--timeout", str(STUCK_LIMIT), "--model", model)
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, env=subprocess_env()
    )
    try:
        # the gate never opens: the batch ends only by abandoning the held file
        _, err = proc.communicate(timeout=HANG_GUARD_SECONDS)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 1, err
    assert len(held_at(gate_file)) == 1 and not gate_file.exists()
    assert f"{len(copies)} files: {len(copies)} processed ({HELD_FROM} ok, 1 errors)" in err
    held = copies[HELD_FROM]
    assert (
        f"error: {held}: took longer than the {STUCK_LIMIT} s time limit; abandoned and its worker process replaced"
    ) in err
    assert "Traceback" not in err


def test_bad_files_become_error_rows_and_good_ones_are_processed(tmp_path: Path) -> None:
    from fpdf import FPDF

    folder = tmp_path / "mixed"
    folder.mkdir()
    text = (EXAMPLES / "ex01_2024_tabs_township.txt").read_text("utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 20)
    (folder / "gbk.txt").write_bytes(text.encode("gbk"))
    (folder / "truncated.txt").write_text(text[: len(text) // 3], "utf-8")
    # a note about the reports, quoting a heading: no title, one section — not a report
    (folder / "README.md").write_text(
        "# 说明\n\n本文件夹收存各单位的政府信息公开工作年度报告。\n\n"
        "报告的第五部分为“五、存在的主要问题及改进情况”，应写明整改措施。\n",
        "utf-8",
    )
    # legacy Word, and a web page saved with a .doc name (common on portals): walked, and decided by content
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    (folder / "page.doc").write_bytes((EXAMPLES / "ex05_2024_html_prefecture.html").read_bytes())
    scan = FPDF()
    scan.add_page()  # a page with no text layer, like a scan without OCR
    scan.output(str(folder / "scan.pdf"))
    good = [
        EXAMPLES / name
        for name in ("ex02_2023_cells_county.txt", "ex06_2021_docx_department.docx", "ex07_2022_pdf_department.pdf")
    ]
    db = tmp_path / "r.sqlite"
    stats = run_batch([folder, *good], db, jobs=2, progress=False)
    assert (stats.total, stats.ok, stats.errors) == (11, 6, 5)

    conn = sqlite3.connect(db)
    found = conn.execute("SELECT path, status, error FROM files")
    rows = {Path(p).name: (status, error) for p, status, error in found}
    assert rows["empty.txt"] == ("error", f"{folder / 'empty.txt'}: empty file")
    assert rows["junk.txt"][0] == "error" and "binary" in rows["junk.txt"][1]
    assert rows["scan.pdf"][0] == "error" and "no text layer" in rows["scan.pdf"][1]
    assert rows["README.md"][0] == "error" and "not an annual report" in rows["README.md"][1]
    assert rows["old.doc"][0] == "error" and "save it as .docx" in rows["old.doc"][1]
    assert rows["page.doc"] == ("ok", None)
    for name in ("gbk.txt", "truncated.txt", *(p.name for p in good)):
        assert rows[name] == ("ok", None), name
    encoding = conn.execute("SELECT encoding FROM files WHERE path LIKE '%gbk.txt'").fetchone()[0]
    assert encoding in ("gbk", "gb18030", "gb2312")
    assert conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 6


def test_a_file_changed_in_place_replaces_its_old_rows_and_errors_can_be_retried(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    report = folder / "a.txt"
    text = (EXAMPLES / "ex01_2024_tabs_township.txt").read_text("utf-8")
    report.write_text(text, "utf-8")
    broken = folder / "b.txt"
    broken.write_bytes(b"")
    db = tmp_path / "r.sqlite"
    first = run_batch([folder], db, jobs=1, progress=False)
    assert (first.ok, first.errors) == (1, 1)
    report.write_text(text + "\n补充说明：本报告数据截至年末。\n", "utf-8")  # edited in place: a new sha256
    second = run_batch([folder], db, jobs=1, progress=False)
    assert (second.processed, second.skipped) == (1, 1)  # the error row counts as done
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT path, status FROM files ORDER BY path").fetchall()
    assert rows == [(str(report), "ok"), (str(broken), "error")]  # the old version is gone
    assert conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 1
    third = run_batch([folder], db, jobs=1, retry_errors=True, progress=False)  # the empty file: still an error
    assert (third.processed, third.skipped, third.errors) == (1, 1, 1)
    assert conn.execute("SELECT COUNT(*) FROM files").fetchone()[0] == 2


def test_changed_files_and_copies_keep_one_row_per_content_still_on_disk(tmp_path: Path) -> None:
    texts = [
        (EXAMPLES / name).read_text("utf-8")
        for name in ("ex01_2024_tabs_township.txt", "ex02_2023_cells_county.txt", "ex04_2020_tabs_township.txt")
    ]
    folder = tmp_path / "reports"
    folder.mkdir()
    a, b, c = (folder / name for name in ("a.txt", "b.txt", "c.txt"))
    a.write_text(texts[0], "utf-8")
    b.write_text(texts[0], "utf-8")  # a copy of a: stored once
    c.write_text(texts[1], "utf-8")
    db = tmp_path / "r.sqlite"
    run_batch([folder], db, jobs=1, progress=False)
    a.write_text(texts[2], "utf-8")  # a edited: its old content lives on in b
    c.write_text(texts[2], "utf-8")  # c overwritten with what a now holds: c's old content is gone
    stats = run_batch([folder], db, jobs=1, progress=False)
    assert (stats.processed, stats.skipped, stats.copies) == (1, 1, 1)  # b stored before, c a copy of a
    conn = sqlite3.connect(db)
    stored = dict(conn.execute("SELECT path, sha256 FROM files").fetchall())
    assert sorted(Path(p).name for p in stored) == ["a.txt", "b.txt"]  # c's bytes are a's: one row
    assert conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 2


def test_same_file_names_in_folders_batched_from_different_working_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "all.sqlite"
    for name, example in (("gd", "ex01_2024_tabs_township.txt"), ("js", "ex02_2023_cells_county.txt")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "report.txt").write_bytes((EXAMPLES / example).read_bytes())
        monkeypatch.chdir(tmp_path / name)
        run_batch(["."], db, jobs=1, progress=False)
    paths = [p for (p,) in sqlite3.connect(db).execute("SELECT path FROM files ORDER BY path")]
    assert paths == [str(tmp_path / "gd" / "report.txt"), str(tmp_path / "js" / "report.txt")]


def _never_returns() -> None:
    """Blocks for ever: a read of a pipe nobody writes (the write end stays open), as a reader stuck on a file
    does. Only an exception raised by a signal handler ends it."""
    read_end, write_end = os.pipe()
    try:
        os.read(read_end, 1)
    finally:
        os.close(read_end)
        os.close(write_end)


def test_time_limit_raises_and_becomes_an_error_row(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FileTimeout):
        with time_limit(0.1):
            _never_returns()

    def stuck(path: str, *args: object, **kwargs: object) -> None:
        _never_returns()

    monkeypatch.setattr(pipeline, "analyse_file", stuck)
    [record] = process_files([(str(EX01), "c" * 64)], None, 0.1)
    assert record.status == "error" and "time limit" in (record.error or "")


class _ModelFailingOn:
    """A theme model whose predict_proba fails whenever one of its texts contains `marker`."""

    classes_ = ["staffing"]
    thresholds_ = [0.5]

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def predict_proba(self, texts: list[str]) -> list[list[float]]:
        if any(self.marker in text for text in texts):
            raise ValueError("cannot score this passage")
        return [[0.75] for _ in texts]


def test_a_group_tags_themes_in_one_call_and_a_failure_stays_with_its_file(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [
        str(EXAMPLES / name)
        for name in ("ex01_2024_tabs_township.txt", "ex02_2023_cells_county.txt", "ex04_2020_tabs_township.txt")
    ]
    alone = [run_pipeline(p) for p in paths]
    marker = alone[1].passages[0]["text"]
    assert all(marker not in p["text"] for r in (alone[0], alone[2]) for p in r.passages)
    monkeypatch.setattr(pipeline, "cached_model", lambda _: (_ModelFailingOn(marker), "m-1"))
    records: list[FileRecord] = process_files([(p, None) for p in paths], "some-model", 30)
    assert [r.status for r in records] == ["ok", "error", "ok"]
    assert "cannot score this passage" in (records[1].error or "")
    for record, single in zip((records[0], records[2]), (alone[0], alone[2]), strict=True):
        assert record.model_version == "m-1" and record.report == single.report
        assert [(p["themes"], p["scores"]) for p in record.passages] == [(["staffing"], {"staffing": 0.75})] * len(
            single.passages
        )


def _in_a_thread(work: Callable[[], object]) -> list[object]:
    """What `work` returned or raised, run in a thread other than the main one (no signals there)."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # a FileTimeout is one (so that readers cannot swallow it)
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG_GUARD_SECONDS)
    return outcome


def test_time_limit_also_stops_work_in_a_thread_that_cannot_take_signals() -> None:
    # Dask runs each task in a worker thread, where SIGALRM cannot be used.
    def endless() -> None:
        with time_limit(0.2):
            while True:  # Python code that never ends: the asynchronous exception stops it
                sum(range(1000))

    [stopped] = _in_a_thread(endless)
    assert isinstance(stopped, FileTimeout) and str(stopped) == "took longer than the 0.2 s time limit"


def test_a_time_limit_that_fires_after_its_block_ended_leaves_nothing_pending(monkeypatch: pytest.MonkeyPatch) -> None:
    # The timer thread may fire just as the block ends; the test fires it itself, after the block, instead of
    # hoping a real timer falls in that moment. Nothing may then be raised in the code that follows.
    timers: list[threading.Timer] = []

    class HeldTimer(threading.Timer):
        def start(self) -> None:
            timers.append(self)  # never started: the test calls its function when it chooses

    def work() -> str:
        with time_limit(0.2):
            pass
        [timer] = timers
        assert timer.finished.is_set(), "the timer was not cancelled when its block ended"
        timer.function(*timer.args, **timer.kwargs)  # fires anyway, as a timer already under way would
        total = 0
        for i in range(100_000):  # Python code running on: a pending exception would be raised here
            total += i
        return "clean"

    monkeypatch.setattr(threading, "Timer", HeldTimer)
    assert _in_a_thread(work) == ["clean"]


def test_find_files_recurses_and_names_the_missing(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "r.TXT").write_text("x")
    (tmp_path / "a" / "notes.json").write_text("{}")
    (tmp_path / ".git" / "objects").mkdir(parents=True)  # hidden folders hold no reports, and
    (tmp_path / ".git" / "objects" / "ab12").write_bytes(b"x")  # their suffix-less files must not be taken
    (tmp_path / "a" / ".~lock.r.TXT#").write_text("x")
    (tmp_path / "a" / "~$report.docx").write_bytes(b"x")  # Word's lock file beside an open document
    assert find_files([tmp_path]) == [tmp_path / "a" / "b" / "r.TXT"]
    # a named path that is missing is taken like a file: it becomes an error row, the rest goes on
    assert find_files([tmp_path / "missing", tmp_path]) == [tmp_path / "missing", tmp_path / "a" / "b" / "r.TXT"]


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_rows_as_local(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    files = sorted(p for p in EXAMPLES.iterdir() if p.name.startswith("ex"))
    local, dask = tmp_path / "local.sqlite", tmp_path / "dask.sqlite"
    local_stats = run_batch(files, local, jobs=2, progress=False)
    dask_stats = run_batch(files, dask, jobs=2, backend="dask", progress=False)
    assert local_stats.ok == dask_stats.ok == len(files)
    assert _content(local) == _content(dask)


def _scheduler_address(scheduler_file: Path) -> str | None:
    """The address in the file a `dask scheduler` writes once it listens (None until it is there, whole)."""
    import json

    try:
        return json.loads(scheduler_file.read_text("utf-8"))["address"]
    except (OSError, ValueError, KeyError):
        return None


@pytest.mark.slow
def test_dask_scheduler_address_runs_on_separate_scheduler_and_worker_processes(tmp_path: Path) -> None:
    # `--scheduler ADDRESS` as on a real cluster: a scheduler and a worker started by the `dask` CLI as
    # processes of their own; the driver only connects to the address. The scheduler picks a free port and
    # says it in its scheduler file; the test waits for that file, then for both workers, whatever it takes.
    pytest.importorskip("distributed")
    dask_cli = Path(sys.executable).with_name("dask")
    if not dask_cli.exists():
        pytest.skip(f"the dask command is not installed next to {sys.executable}")
    scheduler_file = tmp_path / "scheduler.json"
    logs = tmp_path / "dask.log"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with open(logs, "wb") as log:
            procs.append(
                subprocess.Popen(
                    [
                        str(dask_cli),
                        "scheduler",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        "0",
                        "--scheduler-file",
                        str(scheduler_file),
                        "--no-dashboard",
                    ],
                    stdout=log,
                    stderr=log,
                )
            )
            wait_for(lambda: _scheduler_address(scheduler_file) is not None, "the scheduler listened", procs[0])
            address = _scheduler_address(scheduler_file)
            assert address is not None
            procs.append(
                subprocess.Popen(
                    [str(dask_cli), "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
                    stdout=log,
                    stderr=log,
                )
            )
        from distributed import Client

        with Client(address, timeout=HANG_GUARD_SECONDS) as client:
            wait_for(lambda: len(client.scheduler_info()["workers"]) == 2, "both dask workers joined", procs[1])
        files = sorted(p for p in EXAMPLES.iterdir() if p.name.startswith("ex"))
        local, remote = tmp_path / "local.sqlite", tmp_path / "remote.sqlite"
        run_batch(files, local, jobs=1, progress=False)
        stats = run_batch(files, remote, backend="dask", scheduler=address, progress=False)
        assert stats.ok == len(files), logs.read_text(errors="replace")[-2000:]
        assert _content(local) == _content(remote)
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_batch_with_a_saved_model_tags_every_passage(tmp_path: Path, keyword_model: Path) -> None:
    from gkreport.summary import build_summary
    from gkreport.themes import THEME_IDS
    from gkreport.themes.card import read_card

    model_dir = keyword_model
    files = sorted(p for p in EXAMPLES.iterdir() if p.name[:4] in TEXT_EXAMPLES)
    db = tmp_path / "r.sqlite"
    stats = run_batch(files, db, jobs=2, model_dir=model_dir, progress=False)
    assert stats.ok == len(files)
    conn = sqlite3.connect(db)
    versions = {v for (v,) in conn.execute("SELECT DISTINCT model_version FROM files")}
    assert versions == {read_card(model_dir)["version"]}
    passages = conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
    assert conn.execute("SELECT COUNT(*) FROM passage_themes").fetchone()[0] == passages * len(THEME_IDS)
    summary = build_summary(db)
    assert summary["themes_available"] and summary["tagged_reports"] == len(files)
    assert summary["themes"], "the keyword model finds cue phrases in the examples' problem passages"


@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_refuses_a_tampered_model_before_any_file(tmp_path: Path, keyword_model: Path, jobs: int) -> None:
    model_dir = keyword_model
    with (model_dir / "model.joblib").open("ab") as handle:
        handle.write(b"tampered")
    db = tmp_path / "r.sqlite"
    with pytest.raises(ModelError, match="does not match its card"):
        run_batch([EXAMPLES], db, jobs=jobs, model_dir=model_dir, progress=False)
    assert not db.exists() or sqlite3.connect(db).execute("SELECT COUNT(*) FROM files").fetchone()[0] == 0


def test_region_of_agency_names() -> None:
    assert regions.region_of("广东省深圳市福田区人民政府") == ("广东省", "深圳市")
    assert regions.region_of("杭州市教育局") == ("浙江省", "杭州市")  # province inferred from a named city
    assert regions.region_of("青禾县白石镇人民政府") == (None, None)  # cpca's guess from a bare 县 is dropped
    assert regions.region_of("洪泽区人民政府") == ("江苏省", "淮安市")  # a district names its city
    assert regions.region_of(None) == (None, None)
    # a zone cpca does not list, read as the county it covers (data/regions.json)
    assert regions.region_of("平潭综合实验区地方税务局") == ("福建省", "福州市")
    assert regions.region_of("平潭综合实验区") == ("福建省", "福州市")
    # one cpca call for a group: answers stay aligned with their names, gaps included
    assert regions.regions_of([None, "杭州市教育局", "", "洪泽区人民政府"]) == [
        (None, None),
        ("浙江省", "杭州市"),
        (None, None),
        ("江苏省", "淮安市"),
    ]


def _themes(db: Path) -> list[tuple[object, ...]]:
    """Each passage's themes, by file and passage id (passage rowids differ between databases)."""
    conn = sqlite3.connect(db)
    try:
        return sorted(
            conn.execute(
                "SELECT p.sha256, p.passage_id, t.theme, t.score, t.assigned, f.model_version "
                "FROM passage_themes t JOIN passages p ON p.id = t.passage "
                "JOIN files f USING (sha256)"
            ).fetchall(),
            key=repr,
        )
    finally:
        conn.close()


def test_a_batch_with_a_model_tags_what_an_earlier_batch_stored_without_themes(
    tmp_path: Path, keyword_model: Path
) -> None:
    from gkreport.summary import build_summary

    model_dir = keyword_model
    files = sorted(p for p in EXAMPLES.iterdir() if p.name[:4] in TEXT_EXAMPLES)
    db, at_once = tmp_path / "later.sqlite", tmp_path / "once.sqlite"
    plain = run_batch(files, db, jobs=2, model_dir=None, progress=False)
    assert plain.ok == len(files) and not build_summary(db)["themes_available"]
    tagged = run_batch(files, db, jobs=2, model_dir=model_dir, progress=False)
    # tagged from the stored passages: no file is processed again
    assert (tagged.skipped, tagged.processed, tagged.tagged) == (len(files), 0, len(files))
    assert f"{len(files)} stored reports tagged with themes" in tagged.line()
    run_batch(files, at_once, jobs=2, model_dir=model_dir, progress=False)
    assert _themes(db) and _themes(db) == _themes(at_once)  # the same themes as a batch with the model at once
    assert build_summary(db)["tagged_reports"] == len(files)
    again = run_batch(files, db, jobs=2, model_dir=model_dir, progress=False)
    assert (again.skipped, again.tagged) == (len(files), 0)  # tagged once


def test_a_failed_write_is_raised_in_the_driver_and_the_writer_thread_ends(tmp_path: Path) -> None:
    from gkreport.batch import _Writer
    from gkreport.store import file_rows

    writer = _Writer(tmp_path / "w.sqlite")
    good = file_rows(FileRecord(sha256="a" * 64, path="/x/a.txt", status="error", error="/x/a.txt: empty file"))
    bad = good._replace(sha256="b" * 64, files=(*good.files[:4], "broken", *good.files[5:]))  # status CHECK fails
    writer.put([good])
    writer.put([bad])
    with pytest.raises(sqlite3.IntegrityError):
        writer.close()
    assert not writer.thread.is_alive()
    stored = sqlite3.connect(tmp_path / "w.sqlite").execute("SELECT sha256 FROM files").fetchall()
    assert stored == [("a" * 64,)]


def test_a_dask_scheduler_out_of_reach_leaves_no_writer_thread(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    with pytest.raises(ConfigError, match="cannot reach"):
        run_batch(
            [EXAMPLES / "ex01_2024_tabs_township.txt"],
            tmp_path / "r.sqlite",
            backend="dask",
            scheduler="tcp://127.0.0.1:1",
            progress=False,
        )
    assert not [t for t in set(threading.enumerate()) - before if t.name == "gkreport-batch-writer"]
