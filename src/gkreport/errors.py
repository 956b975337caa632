"""The one error type that every stage raises for bad input."""

from __future__ import annotations

from pathlib import Path


class ReportError(Exception):
    """A file that cannot be read or understood as a report.

    The message always names the file and the reason, e.g.
    ``scan.pdf: scanned PDF, no text layer; OCR is not supported``.
    """

    def __init__(self, path: str | Path | None, reason: str) -> None:
        self.path = str(path) if path is not None else None
        self.reason = reason
        super().__init__(f"{self.path}: {reason}" if self.path else reason)


class OptionError(ReportError):
    """A command-line option with a value that cannot be used: ``--top: must be at least 1 (got -1)``."""

    def __init__(self, option: str, reason: str) -> None:
        self.option = option
        super().__init__(None, f"{option}: {reason}")
