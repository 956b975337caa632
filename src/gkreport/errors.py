"""The one error hierarchy of gkreport: every stage raises one of these for bad input.

Each class carries the exit code the command line ends with when the error stops a command (the CLI maps
them in one place); the message is one line naming the file or option and the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar


class GkreportError(Exception):
    """Bad input that gkreport refuses: ``<file or option>: <reason>``."""

    exit_code: ClassVar[int] = 2

    def __init__(self, path: str | Path | None, reason: str) -> None:
        self.path = str(path) if path is not None else None
        self.reason = reason
        super().__init__(f"{self.path}: {reason}" if self.path else reason)

    def lines(self) -> list[str]:
        """The message as the command line prints it: one line, or one per problem where several are found
        at once."""
        return [str(self)]


class ReportError(GkreportError):
    """A file that cannot be read or understood as a report, or paths that hold no report file.

    The message always names the file and the reason, e.g.
    ``scan.pdf: scanned PDF, no text layer; OCR is not supported``. Exit code 1: the other files go on.
    """

    exit_code: ClassVar[int] = 1


class ModelError(GkreportError):
    """A theme model that is missing or unreadable, or a file whose sha256 does not match its card: refused."""

    exit_code: ClassVar[int] = 2


class AnnotationError(GkreportError):
    """An annotation, gold or label file (or a Label Studio export) that cannot be used. `problems` lists
    every bad record found at once (``file:line: reason`` each), so an annotator fixes a file in one pass."""

    exit_code: ClassVar[int] = 2

    def __init__(self, path: str | Path | None, reason: str, problems: Sequence[str] = ()) -> None:
        self.problems = tuple(problems)
        super().__init__(path, reason)

    def lines(self) -> list[str]:
        return list(self.problems) or [str(self)]


class ConfigError(GkreportError):
    """A bad option or configuration: a value out of range, a database or output file that cannot be used."""

    exit_code: ClassVar[int] = 2


class OptionError(ConfigError):
    """A command-line option with a value that cannot be used: ``--top: must be at least 1 (got -1)``."""

    def __init__(self, option: str, reason: str) -> None:
        self.option = option
        super().__init__(None, f"{option}: {reason}")
