"""Commands over the results database: batch, export, summary and review."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from gkreport import options
from gkreport.cli.app import app
from gkreport.cli.common import (
    Backend,
    ExportFormat,
    ExportWhat,
    Paths,
    ReviewFormat,
    ReviewVerdict,
    SummaryBy,
    SummaryFormat,
    SummaryRole,
    SummaryTable,
    fail,
    write,
)
from gkreport.errors import ConfigError, OptionError
from gkreport.themes.shipped import DEFAULT_MODEL


@app.command("batch")
def batch_cmd(
    paths: Paths,
    db: Annotated[Path, typer.Option(help="SQLite database to write (created if absent).")],
    jobs: Annotated[int, typer.Option(help="Parallel worker processes (-1: one per core, -2: all but one…).")] = -1,
    backend: Annotated[
        Backend,
        typer.Option(
            help="local: worker processes on this machine; dask: joblib's Dask backend on a distributed cluster."
        ),
    ] = Backend.local,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, with --backend dask (default: start a LocalCluster).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Reprocess files already in the database.")] = False,
    retry_errors: Annotated[
        bool,
        typer.Option(
            "--retry-errors",
            help=(
                "Process again the files stored as errors whose bytes did not change (after a time-out, or "
                "after upgrading gkreport); by default a re-run skips them like the files done. A file you "
                "fixed is processed anyway: its bytes changed."
            ),
        ),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(
            help=(
                "Per-file time limit in seconds, 1 to 86400 (0: none). Locally a hard limit: a file still "
                "running 1 s past it is abandoned as an error and its worker process replaced."
            )
        ),
    ] = 60.0,
    model: Annotated[
        Path | None,
        typer.Option(
            help="Theme model folder (default: the shipped one; without one, --no-themes says to leave them out)."
        ),
    ] = None,
    no_themes: Annotated[
        bool,
        typer.Option(
            "--no-themes",
            help=("Leave the themes out: no model is loaded, only tables, checks and passages are stored."),
        ),
    ] = False,
) -> None:
    """Run the whole pipeline over folders of reports into SQLite; resumable, one bad file never stops it."""
    from gkreport.batch import run_batch
    from gkreport.records import nothing_found

    if no_themes and model is not None:
        raise OptionError("--no-themes", "--no-themes and --model exclude each other")
    options.check_jobs(jobs)
    options.check_timeout(timeout)
    if scheduler is not None and backend is not Backend.dask:
        raise OptionError("--scheduler", "needs --backend dask (the local backend has no scheduler)")
    if not no_themes and model is None and not (DEFAULT_MODEL / "card.json").exists():
        # themes are never dropped silently: an install without the shipped model says so
        raise OptionError(
            "--model",
            f"no shipped theme model in {DEFAULT_MODEL}; pass --model DIR, or "
            "--no-themes to store the reports without themes",
        )
    model_dir = None if no_themes else model or DEFAULT_MODEL
    stats = run_batch(
        paths,
        db,
        jobs=jobs,
        backend=backend.value,
        scheduler=scheduler,
        force=force,
        retry_errors=retry_errors,
        timeout=timeout,
        model_dir=model_dir,
        progress=sys.stderr.isatty(),
    )
    if not stats.total:
        fail(nothing_found(paths, stats.passed_over))
        raise typer.Exit(1)
    typer.echo(stats.line(), err=True)
    if stats.skipped_errors:
        typer.echo(
            f"note: {stats.skipped_errors} files stored as errors were skipped; to try them again, run the "
            "same command with --retry-errors (their reasons: gkreport export --db "
            f"{db} --what reports --format csv)",
            err=True,
        )
    if stats.interrupted:
        fail(
            f"interrupted: {stats.processed} files of this run are stored; run the same command again to do the "
            "rest (files done are skipped)"
        )
    for reason in stats.first_errors:
        typer.echo(f"  error: {reason}", err=True)
    if stats.errors > len(stats.first_errors):
        typer.echo(
            f"  … {stats.errors - len(stats.first_errors)} more; all of them: "
            f"gkreport export --db {db} --what reports --format csv",
            err=True,
        )
    raise typer.Exit(130 if stats.interrupted else 1 if stats.errors else 0)  # 130: the shell's code for Ctrl-C


@app.command("export")
def export_cmd(
    db: Annotated[Path, typer.Option(help="SQLite database written by `gkreport batch`.")],
    what: Annotated[ExportWhat, typer.Option(help="Which records to write.")] = ExportWhat.reports,
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="JSON Lines or CSV.")] = ExportFormat.jsonl,
) -> None:
    """Write reports, cells, checks or passages from the database to standard output."""
    from gkreport.store import export

    export(db, what.value, format.value, sys.stdout)


@app.command("summary")
def summary_cmd(
    db: Annotated[Path, typer.Option(help="SQLite database written by `gkreport batch`.")],
    by: Annotated[
        SummaryBy,
        typer.Option(help="Break the themes down by this field (a matrix: a row per group, a column per theme)."),
    ] = SummaryBy.year,
    role: Annotated[SummaryRole, typer.Option(help="Which passages to count.")] = SummaryRole.problem,
    year: Annotated[int | None, typer.Option(help="Only reports of this year.")] = None,
    top: Annotated[
        int,
        typer.Option(
            help="Rows per long list in table, markdown and html: theme pairs, "
            "recurring themes, repetition, a --by breakdown."
        ),
    ] = 10,
    format: Annotated[
        SummaryFormat,
        typer.Option(
            "--format", "-f", help="Output format; csv is one table per file; html is one offline page with heatmaps."
        ),
    ] = SummaryFormat.table,
    table: Annotated[SummaryTable | None, typer.Option(help="With --format csv: the one table to write.")] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            help="Write to this file instead of standard output; "
            "with --format csv and no --table, the folder that "
            "gets one NAME.csv per table."
        ),
    ] = None,
) -> None:
    """The common weaknesses across the batch: themes, breakdowns, trends, recurring problems, table health."""
    from gkreport.summary import build_summary, render, write_csv_tables

    fmt: str = format.value
    csv_format = fmt == "csv"
    if table is not None and not csv_format:
        raise OptionError("--table", "only with --format csv (the other formats show every table)")
    if csv_format and table is None and output is None:
        raise OptionError(
            "--format", "csv writes one table per file: name one with --table, or give --output DIR for all of them"
        )
    options.check_int("--top", top, 1)
    options.check_int("--year", year, 1900, 2100)
    if csv_format and table is None and output is not None:  # the folder of the CSV tables
        options.check_output_folder("--output", output)
    else:
        options.check_output_file("--output", output)

    summary = build_summary(db, by=by.value, role=role.value, year=year)
    try:
        if csv_format and table is None:
            assert output is not None
            written = write_csv_tables(summary, output)
            typer.echo(f"wrote {len(written)} tables to {output}", err=True)
            return
        write(render(summary, fmt, top=top, table=table), output)
    except OSError as exc:
        raise ConfigError(output, f"cannot write ({exc.strerror or exc})") from exc


@app.command("review")
def review_cmd(
    db: Annotated[Path, typer.Option(help="SQLite database written by `gkreport batch`.")],
    year: Annotated[int | None, typer.Option(help="Only reports of this year.")] = None,
    verdict: Annotated[ReviewVerdict | None, typer.Option(help="Only reports with this verdict.")] = None,
    format: Annotated[
        ReviewFormat,
        typer.Option(
            "--format",
            "-f",
            help="table: on screen; csv: a row "
            "per report; json: JSON Lines, an object per report; "
            "html: one offline page, sortable and filterable, with "
            "a detail panel per report.",
        ),
    ] = "table",
    output: Annotated[Path | None, typer.Option(help="Write to this file instead of standard output.")] = None,
) -> None:
    """One row per report for the office that receives them: what is missing or wrong, and a verdict."""
    options.check_int("--year", year, 1900, 2100)
    options.check_output_file("--output", output)
    from gkreport.review import build_review, render_review

    reviews = build_review(db, year=year)
    if verdict is not None:
        reviews = [r for r in reviews if r["verdict"] == verdict]
    try:
        write(render_review(reviews, format), output)
    except OSError as exc:
        raise ConfigError(output, f"cannot write ({exc.strerror or exc})") from exc
