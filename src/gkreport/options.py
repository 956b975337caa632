"""Checks of command-line option values, before any work: each bad value is one `OptionError` naming the option
and the reason (the CLI prints it as one line and exits with code 2)."""

from __future__ import annotations

import math
import stat
from pathlib import Path

from gkreport.errors import OptionError

MAX_TIMEOUT = 24 * 3600.0
MIN_TIMEOUT = 1.0  # below this a replaced worker's own start-up would dominate; 0 means no limit
MAX_JOBS = 1024


def check_int(option: str, value: int | None, low: int | None = None, high: int | None = None) -> None:
    """`value` within [low, high] (either end may be open); None passes (the option was not given)."""
    if value is None:
        return
    if (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            raise OptionError(option, f"must be at least {low} (got {value})")
        if low is None:
            raise OptionError(option, f"must be at most {high} (got {value})")
        raise OptionError(option, f"must be between {low} and {high} (got {value})")


def check_jobs(jobs: int) -> None:
    """N worker processes, or -1 for one per core, -2 for all but one…; 0 is nothing to run on."""
    if jobs == 0 or not -MAX_JOBS <= jobs <= MAX_JOBS:
        raise OptionError(
            "--jobs",
            f"must be a number of worker processes from 1 to {MAX_JOBS}, or -1 for one per "
            f"core (-2 all but one, …) (got {jobs})",
        )


def check_timeout(seconds: float) -> None:
    if seconds == 0:
        return
    if math.isnan(seconds) or not MIN_TIMEOUT <= seconds <= MAX_TIMEOUT:
        raise OptionError(
            "--timeout", f"must be 0 (no limit) or from {MIN_TIMEOUT:g} to {MAX_TIMEOUT:g} seconds (got {seconds:g})"
        )


def _not_regular(option: str, path: Path) -> None:
    """A named pipe or a socket is refused unopened: opening one waits for the other end, for ever."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        raise OptionError(option, f"{path} is a named pipe or socket, not a file: not opened")


def check_output_file(option: str, path: Path | None) -> None:
    """A file to write: its folder must exist, and it must not be a folder, a pipe or a socket."""
    if path is None:
        return
    if path.is_dir():
        raise OptionError(option, f"{path} is a folder; give a file name")
    _not_regular(option, path)
    if not path.parent.is_dir():
        raise OptionError(option, f"{path}: the folder {path.parent} does not exist")


def check_output_folder(option: str, path: Path) -> None:
    """A folder to write into (created if absent): its parent must exist, and it must not be a file."""
    if path.exists() and not path.is_dir():
        raise OptionError(option, f"{path} is a file, not a folder")
    if not path.parent.is_dir():
        raise OptionError(option, f"{path}: the folder {path.parent} does not exist")


def check_input_folder(option: str, path: Path) -> None:
    if not path.exists():
        raise OptionError(option, f"{path}: no such folder")
    if not path.is_dir():
        raise OptionError(option, f"{path} is not a folder")


def check_input_file(option: str, path: Path, may_be_missing: bool = False) -> None:
    """A file to read (one to append to, with `may_be_missing`): not a folder, a pipe or a socket."""
    if not path.exists():
        if may_be_missing:
            return
        raise OptionError(option, f"{path}: no such file")
    if path.is_dir():
        raise OptionError(option, f"{path} is a folder, not a file")
    _not_regular(option, path)
