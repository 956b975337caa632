"""Commands over report files: segment, tables, check, tag and classify."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gkreport import options
from gkreport.cli.app import app
from gkreport.cli.common import (
    Paths,
    SegmentFormat,
    TablesFormat,
    TagFormat,
    emit,
    fail,
    file_failed,
    reports,
)
from gkreport.errors import ConfigError
from gkreport.themes.shipped import load_theme_model

if TYPE_CHECKING:
    from gkreport.report import Report


@app.command("segment")
def segment_cmd(
    paths: Paths,
    format: Annotated[
        SegmentFormat,
        typer.Option("--format", "-f", help="text: a summary per report; json: JSON Lines, one object per file."),
    ] = SegmentFormat.text,
) -> None:
    """Split reports into the six statutory sections and detect template, agency, year and level."""
    from gkreport.pipeline import Pipeline
    from gkreport.records import segment_record, segment_text

    failed = 0
    # shows what was found, even in a file that is not a report
    for path, report, error in reports(paths, Pipeline("segment", require=False)):
        if report is None:
            failed += 1
            file_failed(path, error or "", format is SegmentFormat.json)
            continue
        if format is SegmentFormat.json:
            emit(segment_record(report))
        else:
            typer.echo(segment_text(report))
    raise typer.Exit(1 if failed else 0)


def checked_reports(paths: list[Path]) -> Iterator[tuple[Path, Report | None, str | None]]:
    """Reports with their tables and checks; a report is checked against the same agency's previous year
    (X1) when that report is among the inputs too."""
    from gkreport.pipeline import Pipeline

    return reports(paths, Pipeline("segment", "tables", "checks", "cross_year"))


@app.command("tables")
def tables_cmd(
    paths: Paths,
    format: Annotated[
        TablesFormat,
        typer.Option(
            "--format",
            "-f",
            help="json: JSON Lines per file; csv: one row per cell; text: the three "
            "tables (or the pre-2019 统计表) with Chinese labels.",
        ),
    ] = TablesFormat.json,
) -> None:
    """Extract tables 二, 三 and 四 with every number tied to its row and column, and check them."""
    from gkreport.records import cells_record
    from gkreport.tables import render_text, table_rows_for_csv
    from gkreport.tables_old import render_text as render_old_text
    from gkreport.tables_old import rows_for_csv as old_rows_for_csv

    failed = 0
    writer = None
    for path, report, error in checked_reports(paths):
        if report is None or report.tables is None:
            failed += 1
            file_failed(path, error or "", format is TablesFormat.json)
            continue
        tables = report.tables
        if format is TablesFormat.json:
            emit(cells_record(report))
        elif format is TablesFormat.csv:
            for row in (old_rows_for_csv if tables.template == "old" else table_rows_for_csv)(tables):
                if writer is None:
                    writer = csv.DictWriter(sys.stdout, fieldnames=["path", *row])
                    writer.writeheader()
                writer.writerow({"path": str(path), **row})
        else:
            typer.echo(f"{path}  模板 {tables.template or '—'}")
            typer.echo((render_old_text if tables.template == "old" else render_text)(tables))
    raise typer.Exit(1 if failed else 0)


_ORDER = {"fail": 0, "not_assessable": 1, "pass": 2}
_MARK = {"fail": "✗ 不符", "not_assessable": "? 无法核验", "pass": "✓ 通过"}


@app.command("check")
def check_cmd(
    paths: Paths,
    strict: Annotated[bool, typer.Option(help="Exit non-zero when any check fails.")] = False,
    all_checks: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Also list the checks that pass (by default only failures and not-assessable checks are listed).",
        ),
    ] = False,
) -> None:
    """Check the tables against the 勾稽 rules and the prose, failures first, one line each."""
    failed_files = failed_checks = 0
    for path, report, error in checked_reports(paths):
        if report is None:
            failed_files += 1
            fail(error or "")
            continue
        checks = report.checks
        counts = {s: sum(c.status == s for c in checks) for s in _ORDER}
        failed_checks += counts["fail"]
        typer.echo(
            f"{path}: {counts['fail']} 不符 fail, {counts['not_assessable']} 无法核验 not assessable, "
            f"{counts['pass']} 通过 pass"
        )
        for result in sorted(checks, key=lambda c: (_ORDER[c.status], c.severity != "hard", c.id)):
            if result.status == "pass" and not all_checks:
                continue
            typer.echo(f"  {_MARK[result.status]} [{result.id}] {result.message}")
    raise typer.Exit(1 if failed_files or (strict and failed_checks) else 0)


@app.command("tag")
def tag_cmd(
    paths: Paths,
    format: Annotated[
        TagFormat, typer.Option("--format", "-f", help="jsonl: one passage per line; text: passages grouped by role.")
    ] = TagFormat.jsonl,
    model: Annotated[Path | None, typer.Option(help="Theme model folder (default: the shipped one).")] = None,
) -> None:
    """Split sections 五 and 六 into passages with roles, and tag each with themes."""
    estimator = load_theme_model(model)
    from gkreport.pipeline import Pipeline
    from gkreport.records import passage_record
    from gkreport.themes import load_taxonomy

    names = {t.id: t.name for t in load_taxonomy().themes}
    failed = 0
    for path, report, error in reports(paths, Pipeline("segment", "passages", "themes", model=estimator)):
        if report is None:
            failed += 1
            file_failed(path, error or "", format is TagFormat.jsonl)
            continue
        passages = [passage_record(p, digits=4) for p in report.passages]
        if not passages:
            message = f"{path}: no passages (section 五 and 六 are missing or empty)"
            file_failed(path, message, format is TagFormat.jsonl)
            failed += 1
            continue
        if format is TagFormat.jsonl:
            for record in passages:
                emit({"path": str(path), **record})
            continue
        typer.echo(f"{path}  {report.agency or ''} {report.year or ''}")
        for role in dict.fromkeys(p["role"] for p in passages):
            typer.echo(f"  [{role}]")
            for p in passages:
                if p["role"] == role:
                    shown = ", ".join(f"{names[t]} {t}" for t in p["themes"]) or "—"
                    text = p["text"]
                    typer.echo(f"    {p['passage']} ({shown}) {text[:80]}{'…' if len(text) > 80 else ''}")
    raise typer.Exit(1 if failed else 0)


@app.command("classify")
def classify_cmd(
    input: Annotated[
        str,
        typer.Argument(
            help=(
                'JSON Lines with "text" (and optional "id", and "role": a role-aware model gives '
                "no theme to a lead-in, fee or other passage); - reads standard input."
            )
        ),
    ],
    output: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
    model: Annotated[Path | None, typer.Option(help="Theme model folder (default: shipped).")] = None,
) -> None:
    """Tag passages that come from elsewhere: adds "themes" and "scores" to each input line."""
    options.check_output_file("--output", output)
    if input != "-":
        options.check_input_file("INPUT", Path(input))
    estimator = load_theme_model(model)
    try:
        source = sys.stdin if input == "-" else open(input, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise ConfigError(input, f"cannot read: {exc.strerror or exc}") from exc
    records = []
    with source:
        try:
            lines = list(source)
        except UnicodeDecodeError as exc:
            raise ConfigError(input, f"not UTF-8 text ({exc.reason})") from exc
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                    raise ValueError('each line needs a "text" string')
            except ValueError as exc:
                raise ConfigError(f"{input}:{number}", str(exc)) from exc
            records.append(record)
    from gkreport.themes.base import tagged_records

    out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    for record in tagged_records(estimator, records):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    if output:
        out.close()
