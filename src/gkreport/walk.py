"""The files a command works on: the paths named, and the report files found in named folders.

`walk(paths, passed_over)` yields, in path order, each file to read (a `Path`) and each thing found that
cannot be walked or read (a `ReportError` naming it and saying why): a folder that cannot be listed, a dangling
symbolic link, a link loop. Nothing found is dropped without a word: files of other types in the folders are
counted by suffix in `passed_over`. Named paths are always yielded (a missing one is the reader's error to
give); folders are walked recursively for `readers.WALKED_SUFFIXES` and for files without a suffix; hidden
files and folders (.git, .venv) and Word's ~$ lock files are passed over. Symbolic links to folders are
followed, except back into a folder being walked. Pipes, sockets and devices are yielded like files: the reader
refuses them without opening them (`readers.open_report_file`).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from gkreport.errors import ReportError
from gkreport.readers import WALKED_SUFFIXES

_WALKED = set(WALKED_SUFFIXES)


def _is_report_name(name: str) -> bool:
    suffix = Path(name).suffix.lower()
    return suffix in _WALKED or not suffix


def _link_problem(path: Path, exc: OSError) -> ReportError:
    if isinstance(exc, FileNotFoundError):
        return ReportError(path, f"dangling symbolic link: its target {os.readlink(path)} does not exist")
    return ReportError(path, f"symbolic link loop: {exc.strerror or exc}")


def _folder_key(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino


def _walk_folder(
    folder: Path, ancestors: dict[tuple[int, int], Path], found: list[Path | ReportError], passed_over: Counter[str]
) -> None:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        found.append(ReportError(folder, f"cannot read folder: {exc.strerror or exc}; its files are not read"))
        return
    for entry in entries:
        if entry.name.startswith((".", "~$")):  # hidden (.git, .venv), or the lock file beside an open document
            continue
        path = Path(entry.path)
        try:
            is_folder = entry.is_dir()  # follows a link; False for a dangling one or a loop
        except OSError:
            is_folder = False
        if is_folder:
            try:
                key = _folder_key(path)
            except OSError as exc:
                found.append(ReportError(path, f"cannot read folder: {exc.strerror or exc}"))
                continue
            if key in ancestors:
                found.append(ReportError(path, f"symbolic link loop: leads back to {ancestors[key]}; not followed"))
                continue
            _walk_folder(path, {**ancestors, key: path}, found, passed_over)
            continue
        if not _is_report_name(entry.name):
            passed_over[path.suffix.lower()] += 1
            continue
        if entry.is_symlink():
            try:
                os.stat(path)
            except OSError as exc:
                found.append(_link_problem(path, exc))
                continue
        found.append(path)


def _sort_key(item: Path | ReportError) -> Path:
    return item if isinstance(item, Path) else Path(item.path or "")


def walk(paths: Iterable[str | Path], passed_over: Counter[str] | None = None) -> Iterator[Path | ReportError]:
    """Files to read and problems met, as the module docstring says."""
    counts: Counter[str] = Counter() if passed_over is None else passed_over
    for raw in paths:
        path = Path(raw)
        try:
            is_folder = path.is_dir()
        except OSError:  # a link loop given by name: the reader says so
            is_folder = False
        if not is_folder:
            yield path
            continue
        found: list[Path | ReportError] = []
        try:
            _walk_folder(path, {_folder_key(path): path}, found, counts)
        except OSError as exc:
            found.append(ReportError(path, f"cannot read folder: {exc.strerror or exc}"))
        yield from sorted(found, key=_sort_key)
