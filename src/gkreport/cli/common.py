"""What the commands share: output of records and failures, option checks, the reports of the PATH arguments
through a pipeline, progress on a terminal, and the option types and choices."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from gkreport import options
from gkreport.errors import AnnotationError, ConfigError, OptionError, ReportError

if TYPE_CHECKING:  # the pipeline is imported by the commands that need it, not at start-up
    from gkreport.pipeline import Pipeline
    from gkreport.report import Report

# readable=False: click would stop the whole command with a usage error at the first unreadable file; the
# readers name it in one line and go on with the others
Paths = Annotated[
    list[Path],
    typer.Argument(metavar="PATH", readable=False, help="Report files or folders (folders are walked recursively)."),
]
AnnotationFiles = Annotated[
    list[Path], typer.Option(metavar="FILE", help="Annotation .jsonl file (repeat the option for several).")
]
CorpusDirs = Annotated[
    list[Path],
    typer.Option(
        metavar="DIR", help="Folder of the reports the labels refer to, searched recursively (repeat for several)."
    ),
]

# The choices of the options, spelt out so that the CLI starts without importing the modules that define
# them; tests/test_cli.py checks each against the library's constant.


class SegmentFormat(str, Enum):
    text = "text"
    json = "json"


class TablesFormat(str, Enum):
    json = "json"
    csv = "csv"
    text = "text"


class TagFormat(str, Enum):
    jsonl = "jsonl"
    text = "text"


class ModelKind(str, Enum):
    sklearn = "sklearn"
    spacy = "spacy"
    keywords = "keywords"


MODEL_NAME = {"sklearn": "linear", "spacy": "spacy", "keywords": "keyword"}


class LabelOrder(str, Enum):
    """`gkreport.labelling.ORDERS`, spelt out so that the CLI starts without importing it."""

    uncertain = "uncertain"
    document = "document"
    random = "random"


class Backend(str, Enum):
    local = "local"
    dask = "dask"


class ExportWhat(str, Enum):
    reports = "reports"
    cells = "cells"
    checks = "checks"
    passages = "passages"


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"


class SummaryBy(str, Enum):
    year = "year"
    level = "level"
    region = "region"
    agency = "agency"


class SummaryRole(str, Enum):
    problem = "problem"
    improvement = "improvement"
    innovation = "innovation"


class SummaryFormat(str, Enum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"
    html = "html"


# Literal choices: typer lists them in --help and mypy knows them (the API's tuples, checked by the tests)
SummaryTable = Literal[
    "themes", "by", "trend", "examples", "cooccurrence", "unanswered", "recurring", "repetition", "checks"
]
ReviewFormat = Literal["table", "csv", "json", "html"]
ReviewVerdict = Literal["needs correction", "to look at", "fine"]


def emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)


def file_failed(path: Path, message: str, as_json: bool) -> None:
    """A file that could not be processed: an error line in JSON output, else a message on standard error."""
    from gkreport.records import failed_file_record

    if as_json:
        emit(failed_file_record(path, message))
    else:
        fail(message)


def reports(paths: list[Path], pipeline: Pipeline) -> Iterator[tuple[Path, Report | None, str | None]]:
    """(path, Report or None, error) for every input file through `pipeline`; one bad file never stops the
    rest. A path that holds no report file at all stops the command (exit 1)."""
    from collections import Counter

    from gkreport.records import nothing_found, passed_over_text
    from gkreport.walk import walk

    passed_over: Counter[str] = Counter()
    found = False

    def walked() -> Iterator[Path | ReportError]:
        nonlocal found
        for item in walk(paths, passed_over):
            found = True
            yield item

    yield from pipeline.over(walked())
    if not found:
        fail(nothing_found(paths, passed_over))
        raise typer.Exit(1)
    if passed_over:
        typer.echo(f"note: {passed_over_text(passed_over)}", err=True)


@contextmanager
def steps() -> Iterator[Any]:
    """A progress callback (done, total, what) that drives a rich bar on a terminal, and does nothing
    elsewhere (a log or a pipe gets the results only)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("starting", total=None)

        def advance(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, total=total, description=what)

        yield advance


def passages_to_label(paths: list[Path], roles: list[str]) -> Any:
    """`labelling.collect` for a command: files that fail are named (one line each) and the rest go on; no
    report file at all exits 1 (ReportError), an unknown role 2 (OptionError), no passage in the reports 1."""
    from gkreport.labelling import collect

    with busy("reading the reports"):
        found = collect(paths, roles)
    for error in found.errors:
        fail(error)
    if found.passed_over:
        typer.echo(f"note: {found.passed_over}", err=True)
    if not found.candidates:
        fail(
            f"{', '.join(map(str, paths))}: no passages of sections 五/六"
            + (f" with role {', '.join(roles)}" if roles else "")
        )
        raise typer.Exit(1)
    return found


@contextmanager
def busy(what: str) -> Iterator[None]:
    """A spinner saying what is being done, on a terminal only."""
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(f"{what}…"):
        yield


def write_or_exit(out: Path, text: str) -> None:
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(out, f"cannot write: {exc.strerror or exc}") from exc


def check_annotations(files: list[Path]) -> None:
    for path in files:
        options.check_input_file("--annotations", path)


def check_corpus(corpus: list[Path]) -> None:
    if not corpus:
        raise OptionError("--corpus", "give at least one folder of reports")
    for folder in corpus:
        options.check_input_folder("--corpus", folder)


def write(text: str, output: Path | None) -> None:
    """Text to a file (saying so on standard error) or to standard output."""
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def resolved_labels(annotations: list[Path], corpus: list[Path]) -> list[Any]:
    """The labels resolved against the corpus (an AnnotationError lists every problem)."""
    from gkreport.annotations import load_annotations, resolve

    return resolve(load_annotations(annotations), corpus)


@contextmanager
def labels_in(files: list[Path]) -> Iterator[None]:
    """A problem of the labels as a whole (nothing to learn, too few reports to split) names their files."""
    try:
        yield
    except AnnotationError as exc:
        if exc.path is not None:
            raise
        raise AnnotationError(", ".join(map(str, files)), exc.reason) from exc
