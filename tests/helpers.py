"""What the test files share that is not a fixture (those are in conftest.py): where the examples, the gold and
the shared reports are, running the CLI in this process or in a new one, and waiting for a condition or for
processes to end without racing a clock."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
EXAMPLES = ROOT / "corpora" / "examples"
GOLD = ROOT / "annotations" / "gold"
SHARED = ROOT.parent / "shared"  # the real reports, read-only, beside the repo (absent in some checkouts)
SHIPPED_MODEL = ROOT / "src" / "gkreport" / "models" / "themes"
EX01 = EXAMPLES / "ex01_2024_tabs_township.txt"  # a small clean 2021-template report: the usual good input
# A condition a test waits for comes true in well under a second; this bound only turns a hang (a bug) into a
# failure. It is not a time anything is expected to take, so a slow machine never fails on it.
HANG_GUARD_SECONDS = 300.0

# Invented values of the 2021 template's tables that satisfy R1–R4 (what a consistent report states): table 三
# by row (six applicant columns and the total; rows not named are all zero), 四 and 二 by row / (row, column).
ZERO = (0, 0, 0, 0, 0, 0, 0)
CONSISTENT_T3 = {
    "new_received": (5, 1, 0, 0, 1, 0, 7),
    "carried_over": (1, 0, 0, 0, 0, 0, 1),
    "granted": (2, 1, 0, 0, 0, 0, 3),
    "partially_granted": (1, 0, 0, 0, 0, 0, 1),
    "denied.third_party": (1, 0, 0, 0, 0, 0, 1),
    "unable.not_held": (1, 0, 0, 0, 1, 0, 2),
    "total": (5, 1, 0, 0, 1, 0, 7),
    "carry_forward": (1, 0, 0, 0, 0, 0, 1),
}
CONSISTENT_T4 = {
    "reconsideration": (2, 1, 0, 1, 4),
    "litigation_direct": (1, 0, 0, 0, 1),
    "litigation_after_review": (0, 0, 1, 0, 1),
}
CONSISTENT_T2 = {
    ("regulations", "made"): 0,
    ("regulations", "repealed"): 0,
    ("regulations", "in_force"): 3,
    ("normative_docs", "made"): 2,
    ("normative_docs", "repealed"): 1,
    ("normative_docs", "in_force"): 15,
    ("licensing", "decisions"): 120,
    ("punishment", "decisions"): 35,
    ("coercion", "decisions"): 4,
    ("fees", "amount"): 12.5,
}


def example_texts(*names: str) -> list[str]:
    """The text of bundled examples, by file name."""
    return [(EXAMPLES / name).read_text("utf-8") for name in names]


def shared_path(*parts: str | Path) -> Path:
    """A path in ../shared (parts below it, or a path already in it), or skip the test saying it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the real reports live in the shared folder next to the repo")
    return path


def needs_shipped_model() -> Path:
    """The theme model shipped with the package, or skip the test."""
    if not (SHIPPED_MODEL / "card.json").exists():
        pytest.skip("no shipped theme model in src/gkreport/models/themes")
    return SHIPPED_MODEL


def cli(*args: str | os.PathLike[str], input: str | None = None) -> Any:
    """`gkreport ARGS` in this process (typer's CliRunner); the result has exit_code, output, stdout."""
    from typer.testing import CliRunner

    from gkreport.cli import app

    return CliRunner().invoke(app, [str(a) for a in args], input=input)


def cli_command(*args: str | os.PathLike[str]) -> list[str]:
    """The command line of `gkreport ARGS` in a new Python process of this interpreter."""
    return [sys.executable, "-m", "gkreport.cli", *map(str, args)]


def subprocess_env() -> dict[str, str]:
    """The environment of a CLI subprocess that may import modules of the tests folder (the gate model)."""
    path = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), str(TESTS)) if p)
    return {**os.environ, "PYTHONPATH": path}


def wait_for(
    condition: Callable[[], bool], what: str | Callable[[], str], proc: subprocess.Popen[Any] | None = None
) -> None:
    """Return once `condition()` holds; fail if `proc` ends first (or on a hang, after HANG_GUARD_SECONDS).
    `what` (or what it returns, at the failure) says what was awaited."""

    def said() -> str:
        return what if isinstance(what, str) else what()

    guard = time.monotonic() + HANG_GUARD_SECONDS
    while not condition():
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the process ended (exit {proc.returncode}) before {said()}")
        if time.monotonic() > guard:
            pytest.fail(f"hung waiting until {said()}")
        time.sleep(0.02)


def wait_until_ended(pids: Iterable[int]) -> list[int]:
    """Block until each process has ended (its pidfd becomes readable when it exits, zombie or reaped); returns
    those still running after HANG_GUARD_SECONDS with none ending, sorted."""
    fds: dict[int, int] = {}
    for pid in pids:
        try:
            fds[os.pidfd_open(pid)] = pid
        except ProcessLookupError:  # already gone
            continue
    try:
        while fds:
            ended, _, _ = select.select(list(fds), [], [], HANG_GUARD_SECONDS)
            if not ended:
                break
            for fd in ended:
                os.close(fd)
                del fds[fd]
        return sorted(fds.values())
    finally:
        for fd in fds:
            os.close(fd)


# Stored rows for a hand-built results database (tests of summary and review): one batch record of a report,
# its passages, cells and checks, with the keys `store.write_records` takes. Each test file says what differs.
def stored_passage(pid: str, role: str, themes: dict[str, float], text: str | None = None) -> dict[str, Any]:
    """A passage of section 五; themes: theme -> score, assigned when score >= 0.5 (the fake model's threshold)."""
    return {
        "passage": pid,
        "section": 5,
        "role": role,
        "text": text,
        "start": 0,
        "end": 1,
        "heading": None,
        "pair": None,
        "themes": [t for t, s in themes.items() if s >= 0.5],
        "scores": dict(themes),
    }


def stored_cell(table: str, row: str, col: str, status: str) -> dict[str, Any]:
    return {
        "table": table,
        "row": row,
        "col": col,
        "value": 1.0,
        "raw": "1",
        "status": status,
        "line": 1,
        "offset": 0,
        "note": "",
    }


def stored_check(check_id: str, status: str, severity: str = "hard", message: str = "") -> dict[str, Any]:
    return {
        "check_id": check_id,
        "status": status,
        "expected": 1.0,
        "actual": 2.0,
        "message": message,
        "severity": severity,
    }


def stored_record(
    sha: str,
    agency: str,
    year: int,
    *,
    path: str,
    level: str = "county",
    province: str | None = None,
    city: str | None = None,
    model: str | None = "m1",
    sections: list[dict[str, Any]],
    cells: list[dict[str, Any]],
    checks: list[dict[str, Any]],
    passages: list[dict[str, Any]],
) -> Any:
    """The batch's record of one report that was read (status ok) as a 2021-template text file."""
    from gkreport.records import FileRecord

    return FileRecord(
        sha256=sha,
        path=path,
        status="ok",
        format="txt",
        encoding="utf-8",
        model_version=model,
        report={"template": "2021", "agency": agency, "year": year, "level": level, "province": province, "city": city},
        sections=sections,
        cells=cells,
        checks=checks,
        passages=passages,
    )
