"""The `gkreport` command line: thin typer commands, each calling one function of the API."""

from __future__ import annotations

import csv
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from gkreport import options
from gkreport.errors import OptionError, ReportError

if TYPE_CHECKING:  # the segmenter is imported by the commands that need it, not at start-up
    from gkreport.segment import Report

app = typer.Typer(help="Read 政府信息公开工作年度报告 and turn them into checked data.", no_args_is_help=True,
                  add_completion=False, rich_markup_mode=None)
evaluate_app = typer.Typer(help="Score gkreport against gold files.", no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")



def _choices(name: str, *values: str) -> type[Enum]:
    """A str Enum for a typer option with fixed choices."""
    return Enum(name, {v: v for v in values}, type=str)  # type: ignore[return-value]


DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "themes"
# readable=False: click would stop the whole command with a usage error at the first unreadable file; the
# readers name it in one line and go on with the others
Paths = Annotated[list[Path], typer.Argument(metavar="PATH", readable=False,
                                             help="Report files or folders (folders are walked recursively).")]
AnnotationFiles = Annotated[list[Path], typer.Option(
    metavar="FILE", help="Annotation .jsonl file (repeat the option for several).")]
CorpusDirs = Annotated[list[Path], typer.Option(
    metavar="DIR", help="Folder of the reports the labels refer to, searched recursively (repeat for several).")]


SegmentFormat = _choices("SegmentFormat", "text", "json")


TablesFormat = _choices("TablesFormat", "json", "csv", "text")


TagFormat = _choices("TagFormat", "jsonl", "text")


ModelKind = _choices("ModelKind", "sklearn", "spacy", "keywords")


_MODEL_NAME = {"sklearn": "linear", "spacy": "spacy", "keywords": "keyword"}


def _emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)


@contextmanager
def _checked_options() -> Iterator[None]:
    """Option checks (`gkreport.options`): a bad value stops the command with one line and exit code 2."""
    try:
        yield
    except OptionError as exc:
        _fail(str(exc))
        raise typer.Exit(2) from exc


def _database_failed(db: Path, exc: Exception) -> NoReturn:
    """Stop with the reason a results database could not be used."""
    _fail(f"{db}: no such database" if isinstance(exc, FileNotFoundError) else str(exc))
    raise typer.Exit(2) from exc


def _file_failed(path: Path, message: str, as_json: bool) -> None:
    """A file that could not be processed: an error line in JSON output, else a message on standard error."""
    from gkreport.records import error_record

    if as_json:
        _emit(error_record(path, message))
    else:
        _fail(message)


def _reports(paths: list[Path], require: bool = True) -> Iterator[tuple[Path, Report | None, str | None]]:
    """(path, Report or None, error) for every input file; one bad file never stops the rest. With
    `require`, a file with too few statutory sections is an error: it is not an annual report."""
    from collections import Counter

    from gkreport.readers import read
    from gkreport.records import nothing_found, passed_over_text
    from gkreport.segment import require_report, segment
    from gkreport.walk import walk

    passed_over: Counter[str] = Counter()
    found = False
    for path in walk(paths, passed_over):
        found = True
        if isinstance(path, ReportError):  # a folder that cannot be listed, a dangling link…: named, not skipped
            yield Path(path.path or ""), None, str(path)
            continue
        try:
            report = segment(read(path))
            yield path, require_report(report) if require else report, None
        except ReportError as exc:
            yield path, None, str(exc)
    if not found:
        _fail(nothing_found(paths, passed_over))
        raise typer.Exit(1)
    if passed_over:
        typer.echo(f"note: {passed_over_text(passed_over)}", err=True)


@app.command("segment")
def segment_cmd(paths: Paths,
                format: Annotated[SegmentFormat, typer.Option(
                    "--format", "-f", help="text: a summary per report; json: JSON Lines, one object per file."
                )] = SegmentFormat.text) -> None:
    """Split reports into the six statutory sections and detect template, agency, year and level."""
    from gkreport.records import segment_record, segment_text

    failed = 0
    for path, report, error in _reports(paths, require=False):  # shows what was found, even in a non-report
        if report is None:
            failed += 1
            _file_failed(path, error or "", format is SegmentFormat.json)
            continue
        if format is SegmentFormat.json:
            _emit(segment_record(report))
        else:
            typer.echo(segment_text(report))
    raise typer.Exit(1 if failed else 0)


def _tables_and_checks(paths: list[Path]):
    """Tables and checks per file; a report is checked against the same agency's previous year (X1) when
    that report is among the inputs too."""
    from gkreport.checks import run_checks
    from gkreport.records import previous_year_index
    from gkreport.tables import extract_tables

    done = [(path, report, extract_tables(report) if report else None, error)
            for path, report, error in _reports(paths)]
    previous = previous_year_index([report for _, report, _, _ in done])
    for i, (path, report, tables, error) in enumerate(done):
        if report is None:
            yield path, None, None, None, error
            continue
        last = done[previous[i]][2] if i in previous else None
        yield path, report, tables, run_checks(report, tables, last), None


@app.command("tables")
def tables_cmd(paths: Paths,
               format: Annotated[TablesFormat, typer.Option(
                   "--format", "-f", help="json: JSON Lines per file; csv: one row per cell; text: the three "
                                          "tables aligned with Chinese labels.")] = TablesFormat.json) -> None:
    """Extract tables 二, 三 and 四 with every number tied to its row and column, and check them."""
    from gkreport.records import cells_record
    from gkreport.tables import render_text, table_rows_for_csv

    failed = 0
    writer = None
    for path, report, tables, checks, error in _tables_and_checks(paths):
        if report is None:
            failed += 1
            _file_failed(path, error or "", format is TablesFormat.json)
            continue
        if format is TablesFormat.json:
            _emit(cells_record(str(path), tables.template, tables, checks))
        elif format is TablesFormat.csv:
            for row in table_rows_for_csv(tables):
                if writer is None:
                    writer = csv.DictWriter(sys.stdout, fieldnames=["path", *row])
                    writer.writeheader()
                writer.writerow({"path": str(path), **row})
        else:
            typer.echo(f"{path}  模板 {tables.template or '—'}")
            typer.echo(render_text(tables))
    raise typer.Exit(1 if failed else 0)


_ORDER = {"fail": 0, "not_assessable": 1, "pass": 2}
_MARK = {"fail": "✗ 不符", "not_assessable": "? 无法核验", "pass": "✓ 通过"}


@app.command("check")
def check_cmd(paths: Paths,
              strict: Annotated[bool, typer.Option(help="Exit non-zero when any check fails.")] = False,
              all_checks: Annotated[bool, typer.Option(
                  "--all", help="Also list the checks that pass (by default only failures and "
                                "not-assessable checks are listed).")] = False) -> None:
    """Check the tables against the 勾稽 rules and the prose, failures first, one line each."""
    failed_files = failed_checks = 0
    for path, report, _tables, checks, error in _tables_and_checks(paths):
        if report is None:
            failed_files += 1
            _fail(error or "")
            continue
        counts = {s: sum(c.status == s for c in checks) for s in _ORDER}
        failed_checks += counts["fail"]
        typer.echo(f"{path}: {counts['fail']} 不符 fail, {counts['not_assessable']} 无法核验 not assessable, "
                   f"{counts['pass']} 通过 pass")
        for result in sorted(checks, key=lambda c: (_ORDER[c.status], c.severity != "hard", c.id)):
            if result.status == "pass" and not all_checks:
                continue
            typer.echo(f"  {_MARK[result.status]} [{result.id}] {result.message}")
    raise typer.Exit(1 if failed_files or (strict and failed_checks) else 0)


def _load_theme_model(model: Path | None):
    from gkreport.themes import load_scorer

    where = model or DEFAULT_MODEL
    if not (where / "card.json").exists() and not any(where.glob("*.json")):
        raise ReportError(where, "no theme model here; train one with `gkreport train` or pass --model DIR")
    return load_scorer(where)


def _score_texts(estimator: Any, texts: list[str]) -> list[tuple[list[str], dict[str, float]]]:
    from gkreport.themes import THEME_IDS

    if not texts:
        return []
    proba = estimator.predict_proba(texts)
    thresholds = estimator.thresholds_
    out = []
    for row in proba:
        scores = {t: round(float(p), 4) for t, p in zip(THEME_IDS, row, strict=True)}
        themes = [t for t, p, th in zip(THEME_IDS, row, thresholds, strict=True) if p >= th]
        out.append((themes, scores))
    return out


@app.command("tag")
def tag_cmd(paths: Paths,
            format: Annotated[TagFormat, typer.Option(
                "--format", "-f", help="jsonl: one passage per line; text: passages grouped by role.")
            ] = TagFormat.jsonl,
            model: Annotated[Path | None, typer.Option(help="Theme model folder (default: the shipped one).")
                             ] = None) -> None:
    """Split sections 五 and 六 into passages with roles, and tag each with themes."""
    from gkreport.passages import split_passages

    try:
        estimator = _load_theme_model(model)
    except ReportError as exc:
        _fail(str(exc))
        raise typer.Exit(2) from exc
    from gkreport.themes import load_taxonomy

    names = {t.id: t.name for t in load_taxonomy().themes}
    failed = 0
    for path, report, error in _reports(paths):
        if report is None:
            failed += 1
            _file_failed(path, error or "", format is TagFormat.jsonl)
            continue
        passages = split_passages(report)
        if not passages:
            message = f"{path}: no passages (section 五 and 六 are missing or empty)"
            _file_failed(path, message, format is TagFormat.jsonl)
            failed += 1
            continue
        tagged = _score_texts(estimator, [p.text for p in passages])
        if format is TagFormat.jsonl:
            for p, (themes, scores) in zip(passages, tagged, strict=True):
                _emit({"path": str(path), "doc": p.doc, "passage": p.id, "sha1": p.sha1, "section": p.section,
                       "role": p.role, "pair": p.pair, "start": p.start, "end": p.end, "text": p.text,
                       "themes": themes, "scores": scores})
            continue
        typer.echo(f"{path}  {report.agency or ''} {report.year or ''}")
        for role in dict.fromkeys(p.role for p in passages):
            typer.echo(f"  [{role}]")
            for p, (themes, _s) in zip(passages, tagged, strict=True):
                if p.role == role:
                    shown = ", ".join(f"{names[t]} {t}" for t in themes) or "—"
                    typer.echo(f"    {p.id} ({shown}) {p.text[:80]}{'…' if len(p.text) > 80 else ''}")
    raise typer.Exit(1 if failed else 0)


@app.command("classify")
def classify_cmd(input: Annotated[str, typer.Argument(help="JSON Lines with \"text\" (and optional \"id\"); "
                                                           "- reads standard input.")],
                 output: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")
                                   ] = None,
                 model: Annotated[Path | None, typer.Option(help="Theme model folder (default: shipped).")
                                  ] = None) -> None:
    """Tag passages that come from elsewhere: adds "themes" and "scores" to each input line."""
    with _checked_options():
        options.check_output_file("--output", output)
        if input != "-":
            options.check_input_file("INPUT", Path(input))
    try:
        estimator = _load_theme_model(model)
        source = sys.stdin if input == "-" else open(input, encoding="utf-8")  # noqa: SIM115
    except (ReportError, OSError) as exc:
        _fail(str(exc))
        raise typer.Exit(2) from exc
    records = []
    with source:
        for number, line in enumerate(source, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                    raise ValueError('each line needs a "text" string')
            except ValueError as exc:
                _fail(f"{input}:{number}: {exc}")
                raise typer.Exit(2) from exc
            records.append(record)
    out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    for record, (themes, scores) in zip(records, _score_texts(estimator, [r["text"] for r in records]),
                                        strict=True):
        out.write(json.dumps({**record, "themes": themes, "scores": scores}, ensure_ascii=False) + "\n")
    if output:
        out.close()


@app.command("label")
def label_cmd(paths: Paths,
              out: Annotated[Path, typer.Option(metavar="FILE", help=(
                  "Annotation .jsonl file to add your labels to (created if absent; passages already labelled "
                  "in it are skipped, so a session can be stopped and resumed)."))],
              annotator: Annotated[str, typer.Option(help="Your name, stored in every record.")],
              role: Annotated[list[str] | None, typer.Option(
                  metavar="ROLE", help="Only passages the splitter gave this role (repeat for several).")] = None,
              ) -> None:
    """Label passages of sections 五 and 六 by reading them: confirm or correct the role, then type themes.

    Records refer to the passage by file name, passage id and sha1; the text stays in your reports. Type
    theme numbers or ids separated by spaces (- for none), s to skip a passage, q to stop."""
    from gkreport.annotations import append_label, labelled_keys, make_label, parse_themes
    from gkreport.passages import ROLES, split_passages
    from gkreport.themes import load_taxonomy

    unknown = [r for r in role or [] if r not in ROLES]
    if unknown:
        _fail(f"unknown role {', '.join(unknown)}; choose from {', '.join(ROLES)}")
        raise typer.Exit(2)
    with _checked_options():
        options.check_input_file("--out", out, may_be_missing=True)
        options.check_output_file("--out", out)
    try:
        done = labelled_keys(out)
    except (ReportError, ValueError) as exc:  # ValueError: not UTF-8 text
        if isinstance(exc, UnicodeDecodeError):
            exc = ReportError(out, f"not an annotation file: not UTF-8 text ({exc.reason})")
        _fail(str(exc))
        raise typer.Exit(2) from exc
    legend = "  ".join(f"{i} {t.id} {t.name}" for i, t in enumerate(load_taxonomy().themes, 1))
    typer.echo(f"themes: {legend}\nat any prompt: s skips the passage, q stops (your labels are saved as you go)")
    added = failed = 0
    answer = ""
    for _path, report, error in _reports(paths):
        if answer == "q":
            break
        if report is None:
            _fail(error or "")
            failed += 1
            continue
        for passage in split_passages(report):
            if (passage.doc, passage.id, passage.sha1) in done or (role and passage.role not in role):
                continue
            typer.echo(f"\n{passage.doc}  {passage.id}" + (f"  ({passage.heading})" if passage.heading else ""))
            typer.echo(passage.text)
            chosen_role = themes = None
            while chosen_role is None:
                answer = typer.prompt("role", default=passage.role).strip()
                if answer in ("s", "q"):
                    break
                if answer in ROLES:
                    chosen_role = answer
                else:
                    typer.echo(f"roles: {', '.join(ROLES)}")
            while chosen_role is not None and themes is None:
                answer = typer.prompt("themes (numbers or ids, - for none)").strip()
                if answer in ("s", "q"):
                    break
                try:
                    themes = parse_themes(answer)
                except ValueError as exc:
                    typer.echo(f"{exc}\nthemes: {legend}")
            if chosen_role is not None and themes is not None:
                append_label(out, make_label(passage, themes, annotator, role=chosen_role))
                done.add((passage.doc, passage.id, passage.sha1))
                added += 1
            elif answer == "q":
                break
    typer.echo(f"{added} labels added to {out}")
    raise typer.Exit(1 if failed and answer != "q" else 0)


@app.command("train")
def train_cmd(annotations: AnnotationFiles,
              corpus: CorpusDirs,
              out: Annotated[Path, typer.Option(help="Folder to write the model and its card to.")],
              model: Annotated[ModelKind, typer.Option(help="Which classifier to train.")] = ModelKind.sklearn,
              no_written: Annotated[bool, typer.Option("--no-written",
                                                        help="Leave out passages we wrote ourselves.")] = False,
              cv: Annotated[int, typer.Option(help="Grouped CV folds for the card's metrics (0: none).")] = 5,
              ) -> None:
    """Train a theme classifier on your labels and save it with its model card."""
    with _checked_options():
        _check_annotations(annotations)
        _check_corpus(corpus)
        options.check_output_folder("--out", out)
        if cv != 0:
            options.check_int("--cv", cv, 2, 100)
    from rich.progress import Progress

    from gkreport.annotations import load_annotations, resolve
    from gkreport.themes import cross_validate, save_model, train

    name = _MODEL_NAME[model.value]
    with Progress(transient=True) as progress:
        task = progress.add_task("resolving labels against the corpus", total=3 if cv else 2)
        try:
            data = resolve(load_annotations(annotations), corpus)
        except (ReportError, LookupError, ValueError) as exc:
            progress.stop()
            _fail(str(exc))
            raise typer.Exit(2) from exc
        progress.advance(task)
        extra: dict[str, Any] = {}
        if cv:
            progress.update(task, description=f"{cv}-fold grouped cross-validation")
            report = cross_validate([name], data, n_splits=cv, include_written=not no_written)
            extra["cv_metrics"] = report.summary(name)
            progress.advance(task)
        progress.update(task, description="training on all labels")
        started = time.perf_counter()
        estimator = train(name, data, include_written=not no_written)
        extra["training_seconds"] = round(time.perf_counter() - started, 2)
        card = save_model(estimator, out, extra, data=[d for d in data if not no_written or d.is_real],
                          model_kind=name)
        progress.advance(task)
    typer.echo(f"saved {name} model to {out} ({len(data)} labelled passages); card: {card}")


@evaluate_app.command("segment")
def evaluate_segment(gold: Annotated[Path, typer.Option(help="Folder of gold section files.")],
                     corpus: CorpusDirs) -> None:
    """Section boundaries against gold: per-report and total accuracy."""
    from gkreport.evaluate import evaluate_segments

    with _checked_options():
        options.check_input_folder("--gold", gold)
        _check_corpus(corpus)

    summary = _print_eval(_scored(evaluate_segments, gold, corpus), "sections", exit_after=False)
    extra = summary.extra
    typer.echo(f"template/year/level: {extra['metadata_total'] - extra['metadata_wrong']}/{extra['metadata_total']} "
               "as in the gold files")
    raise typer.Exit(1 if any(d.error for d in summary.docs) else 0)


@evaluate_app.command("tables")
def evaluate_tables_cmd(gold: Annotated[Path, typer.Option(help="Folder of gold table files.")],
                        corpus: CorpusDirs
                        ) -> None:
    """Table cells against gold: correct/total, wrong-but-ok (must be 0), ambiguous or missing."""
    from gkreport.evaluate import evaluate_tables

    with _checked_options():
        options.check_input_folder("--gold", gold)
        _check_corpus(corpus)

    summary = _print_eval(_scored(evaluate_tables, gold, corpus), "cells", exit_after=False)
    extra = summary.extra
    typer.echo(f"wrong but marked ok: {extra['wrong_but_ok']}   left ambiguous: {extra['ambiguous']}   "
               f"missing: {extra['missing']}")
    raise typer.Exit(1 if extra["wrong_but_ok"] or any(d.error for d in summary.docs) else 0)


def _scored(evaluate: Any, gold: Path, corpus: list[Path]) -> Any:
    """An evaluation's summary; gold files that cannot be used stop it with one line (exit 2)."""
    try:
        return evaluate(gold, corpus)
    except (ReportError, LookupError, ValueError) as exc:
        _fail(str(exc))
        raise typer.Exit(2) from exc


def _check_annotations(files: list[Path]) -> None:
    for path in files:
        options.check_input_file("--annotations", path)


def _check_corpus(corpus: list[Path]) -> None:
    if not corpus:
        raise OptionError("--corpus", "give at least one folder of reports")
    for folder in corpus:
        options.check_input_folder("--corpus", folder)


def _print_eval(summary: Any, unit: str, exit_after: bool = True) -> Any:
    for d in summary.docs:
        mark = "ERROR " + d.error if d.error else f"{d.correct}/{d.total}"
        typer.echo(f"{d.doc:<40} {mark}")
        for problem in d.problems[:12]:
            typer.echo(f"    {problem}")
    total = summary.total or 1
    typer.echo(f"total: {summary.correct}/{summary.total} {unit} correct ({100 * summary.correct / total:.1f}%) "
               f"over {len(summary.docs)} documents")
    if exit_after:
        raise typer.Exit(1 if any(d.error for d in summary.docs) else 0)
    return summary


@evaluate_app.command("themes")
def evaluate_themes(annotations: AnnotationFiles,
                    corpus: CorpusDirs,
                    splits: Annotated[int, typer.Option(help="Grouped CV folds.")] = 5,
                    no_written: Annotated[bool, typer.Option("--no-written",
                                                             help="Leave out passages we wrote.")] = False,
                    json_out: Annotated[Path | None, typer.Option("--json", help="Also write JSON here.")
                                        ] = None) -> None:
    """Grouped-CV comparison of the three classifiers (cue phrases, scikit-learn, spaCy) on your labels."""
    with _checked_options():
        _check_annotations(annotations)
        _check_corpus(corpus)
        options.check_int("--splits", splits, 2, 100)
        options.check_output_file("--json", json_out)
    from gkreport.annotations import load_annotations, resolve
    from gkreport.themes import cross_validate

    try:
        data = resolve(load_annotations(annotations), corpus)
    except (ReportError, LookupError, ValueError) as exc:
        _fail(str(exc))
        raise typer.Exit(2) from exc
    report = cross_validate(["keyword", "linear", "spacy"], data, n_splits=splits,
                            include_written=not no_written)
    typer.echo(report.to_markdown())
    if json_out:
        json_out.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")


Backend = _choices("Backend", "local", "dask")


ExportWhat = _choices("ExportWhat", "reports", "cells", "checks", "passages")


ExportFormat = _choices("ExportFormat", "jsonl", "csv")


SummaryBy = _choices("SummaryBy", "year", "level", "region", "agency")


SummaryRole = _choices("SummaryRole", "problem", "improvement", "innovation")


SummaryFormat = _choices("SummaryFormat", "table", "markdown", "csv", "json", "html")


@app.command("batch")
def batch_cmd(paths: Paths,
              db: Annotated[Path, typer.Option(help="SQLite database to write (created if absent).")],
              jobs: Annotated[int, typer.Option(help="Parallel worker processes (-1: one per core, -2: all but "
                                                     "one…).")] = -1,
              backend: Annotated[Backend, typer.Option(help="local: worker processes on this machine; dask: "
                                                            "joblib's Dask backend on a distributed cluster.")
                                 ] = Backend.local,
              scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, with --backend dask "
                                                                 "(default: start a LocalCluster).")] = None,
              force: Annotated[bool, typer.Option("--force", help="Reprocess files already in the database.")
                               ] = False,
              retry_errors: Annotated[bool, typer.Option("--retry-errors", help=(
                  "Process again the files stored as errors whose bytes did not change (after a time-out, or "
                  "after upgrading gkreport); by default a re-run skips them like the files done. A file you "
                  "fixed is processed anyway: its bytes changed."))] = False,
              timeout: Annotated[float, typer.Option(help=(
                  "Per-file time limit in seconds, 1 to 86400 (0: none). Locally a hard limit: a file still "
                  "running 1 s past it is abandoned as an error and its worker process replaced."))] = 60.0,
              model: Annotated[Path | None, typer.Option(help="Theme model folder (default: the shipped one; "
                                                              "themes are left out if there is none).")] = None,
              no_themes: Annotated[bool, typer.Option("--no-themes", help=(
                  "Leave the themes out: no model is loaded, only tables, checks and passages are stored."))
                                   ] = False,
              ) -> None:
    """Run the whole pipeline over folders of reports into SQLite; resumable, one bad file never stops it."""
    from gkreport.batch import run_batch
    from gkreport.records import nothing_found

    with _checked_options():
        if no_themes and model is not None:
            raise OptionError("--no-themes", "--no-themes and --model exclude each other")
        options.check_jobs(jobs)
        options.check_timeout(timeout)
        if scheduler is not None and backend is not Backend.dask:
            raise OptionError("--scheduler", "needs --backend dask (the local backend has no scheduler)")
    model_dir = None if no_themes else model or (DEFAULT_MODEL if (DEFAULT_MODEL / "card.json").exists() else None)
    try:
        stats = run_batch(paths, db, jobs=jobs, backend=backend.value, scheduler=scheduler, force=force,
                          retry_errors=retry_errors, timeout=timeout, model_dir=model_dir,
                          progress=sys.stderr.isatty())
    except ReportError as exc:
        _fail(str(exc))
        raise typer.Exit(2) from exc
    if not stats.total:
        _fail(nothing_found(paths, stats.passed_over))
        raise typer.Exit(1)
    typer.echo(stats.line(), err=True)
    if stats.skipped_errors:
        typer.echo(f"note: {stats.skipped_errors} files stored as errors were skipped; to try them again, run the "
                   "same command with --retry-errors (their reasons: gkreport export --db "
                   f"{db} --what reports --format csv)", err=True)
    if stats.interrupted:
        _fail(f"interrupted: {stats.processed} files of this run are stored; run the same command again to do the "
              "rest (files done are skipped)")
    for reason in stats.first_errors:
        typer.echo(f"  error: {reason}", err=True)
    if stats.errors > len(stats.first_errors):
        typer.echo(f"  … {stats.errors - len(stats.first_errors)} more; all of them: "
                   f"gkreport export --db {db} --what reports --format csv", err=True)
    raise typer.Exit(130 if stats.interrupted else 1 if stats.errors else 0)  # 130: the shell's code for Ctrl-C


@app.command("export")
def export_cmd(db: Annotated[Path, typer.Option(help="SQLite database written by `gkreport batch`.")],
               what: Annotated[ExportWhat, typer.Option(help="Which records to write.")] = ExportWhat.reports,
               format: Annotated[ExportFormat, typer.Option("--format", "-f", help="JSON Lines or CSV.")
                                 ] = ExportFormat.jsonl) -> None:
    """Write reports, cells, checks or passages from the database to standard output."""
    from gkreport.store import export

    try:
        export(db, what.value, format.value, sys.stdout)
    except (FileNotFoundError, ReportError, ValueError) as exc:
        _database_failed(db, exc)


@app.command("summary")
def summary_cmd(db: Annotated[Path, typer.Option(help="SQLite database written by `gkreport batch`.")],
                by: Annotated[SummaryBy, typer.Option(help="Break the themes down by this field.")] = SummaryBy.year,
                role: Annotated[SummaryRole, typer.Option(help="Which passages to count.")] = SummaryRole.problem,
                year: Annotated[int | None, typer.Option(help="Only reports of this year.")] = None,
                top: Annotated[int, typer.Option(help="Rows per list: co-occurrences; in table, markdown and html also "
                                                 "recurring themes and repetition.")] = 10,
                format: Annotated[SummaryFormat, typer.Option("--format", "-f", help="Output format; html is one "
                                                              "self-contained file with charts.")
                                  ] = SummaryFormat.table,
                output: Annotated[Path | None, typer.Option(help="Write to this file instead of standard output.")
                                  ] = None) -> None:
    """The common weaknesses across the batch: themes, breakdowns, trends, recurring problems, table health."""
    from gkreport.summary import build_summary, render

    with _checked_options():
        options.check_int("--top", top, 1)
        options.check_int("--year", year, 1900, 2100)
        options.check_output_file("--output", output)

    try:
        summary = build_summary(db, by=by.value, role=role.value, year=year, top=top)
    except (FileNotFoundError, ReportError, ValueError) as exc:
        _database_failed(db, exc)
    text = render(summary, format.value, top=top)
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
    else:
        typer.echo(text)


if __name__ == "__main__":
    app()
