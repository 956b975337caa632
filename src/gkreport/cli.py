"""The `gkreport` command line: thin typer commands, each calling one function of the API."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from typer.core import TyperGroup

from gkreport import options
from gkreport.errors import AnnotationError, ConfigError, GkreportError, ModelError, OptionError, ReportError

if TYPE_CHECKING:  # the segmenter is imported by the commands that need it, not at start-up
    from gkreport.segment import Report


class _Commands(TyperGroup):
    """The one place a `GkreportError` becomes what the user sees: its line (one per problem where several
    were found at once) on standard error, and its class's exit code; never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except GkreportError as exc:
            for line in exc.lines():
                _fail(line)
            raise typer.Exit(exc.exit_code) from exc


app = typer.Typer(cls=_Commands, help="Read 政府信息公开工作年度报告 and turn them into checked data.",
                  no_args_is_help=True, add_completion=False, rich_markup_mode=None)
evaluate_app = typer.Typer(help="Score gkreport against gold files.", no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")
labelstudio_app = typer.Typer(help="Label passages in Label Studio: tasks out, its JSON export back in.",
                              no_args_is_help=True)
app.add_typer(labelstudio_app, name="labelstudio")



# the shipped theme model is package data (src/gkreport/models/themes), so an installed wheel has it too
DEFAULT_MODEL = Path(str(resources.files("gkreport") / "models" / "themes"))
# readable=False: click would stop the whole command with a usage error at the first unreadable file; the
# readers name it in one line and go on with the others
Paths = Annotated[list[Path], typer.Argument(metavar="PATH", readable=False,
                                             help="Report files or folders (folders are walked recursively).")]
AnnotationFiles = Annotated[list[Path], typer.Option(
    metavar="FILE", help="Annotation .jsonl file (repeat the option for several).")]
CorpusDirs = Annotated[list[Path], typer.Option(
    metavar="DIR", help="Folder of the reports the labels refer to, searched recursively (repeat for several).")]


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


_MODEL_NAME = {"sklearn": "linear", "spacy": "spacy", "keywords": "keyword"}


def _emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)


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
        if report is None or tables is None:  # tables is None exactly when the report could not be read
            yield path, None, None, None, error
            continue
        last = done[previous[i]][2] if i in previous else None
        yield path, report, tables, run_checks(report, tables, last), None


@app.command("tables")
def tables_cmd(paths: Paths,
               format: Annotated[TablesFormat, typer.Option(
                   "--format", "-f", help="json: JSON Lines per file; csv: one row per cell; text: the three "
                                          "tables (or the pre-2019 统计表) with Chinese labels."
               )] = TablesFormat.json) -> None:
    """Extract tables 二, 三 and 四 with every number tied to its row and column, and check them."""
    from gkreport.records import cells_record
    from gkreport.tables import render_text, table_rows_for_csv
    from gkreport.tables_old import render_text as render_old_text
    from gkreport.tables_old import rows_for_csv as old_rows_for_csv

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
        raise ModelError(where, "no theme model here; train one with `gkreport train` or pass --model DIR")
    return load_scorer(where)


def _score_texts(estimator: Any, texts: list[str],
                 roles: list[str | None] | None = None) -> list[tuple[list[str], dict[str, float]]]:
    """Themes and scores per text (scores rounded for output); a theme the model has no classifier for is
    left out of both."""
    from gkreport.themes.base import scored_themes

    return [(list(themes), {t: round(p, 4) for t, p in scores.items()})
            for scores, themes in scored_themes(estimator, texts, roles)]


@app.command("tag")
def tag_cmd(paths: Paths,
            format: Annotated[TagFormat, typer.Option(
                "--format", "-f", help="jsonl: one passage per line; text: passages grouped by role.")
            ] = TagFormat.jsonl,
            model: Annotated[Path | None, typer.Option(help="Theme model folder (default: the shipped one).")
                             ] = None) -> None:
    """Split sections 五 and 六 into passages with roles, and tag each with themes."""
    from gkreport.passages import split_passages

    estimator = _load_theme_model(model)
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
        tagged = _score_texts(estimator, [p.text for p in passages], [p.role for p in passages])
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
def classify_cmd(input: Annotated[str, typer.Argument(help=(
                     "JSON Lines with \"text\" (and optional \"id\", and \"role\": a role-aware model gives "
                     "no theme to a lead-in, fee or other passage); - reads standard input."))],
                 output: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")
                                   ] = None,
                 model: Annotated[Path | None, typer.Option(help="Theme model folder (default: shipped).")
                                  ] = None) -> None:
    """Tag passages that come from elsewhere: adds "themes" and "scores" to each input line."""
    options.check_output_file("--output", output)
    if input != "-":
        options.check_input_file("INPUT", Path(input))
    estimator = _load_theme_model(model)
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
    out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    for record, (themes, scores) in zip(records, _score_texts(estimator, [r["text"] for r in records],
                                                                  [r.get("role") for r in records]),
                                        strict=True):
        out.write(json.dumps({**record, "themes": themes, "scores": scores}, ensure_ascii=False) + "\n")
    if output:
        out.close()


class LabelOrder(str, Enum):
    """`gkreport.labelling.ORDERS`, spelt out so that the CLI starts without importing it."""

    uncertain = "uncertain"
    document = "document"
    random = "random"


@app.command("label")
def label_cmd(paths: Paths,
              out: Annotated[Path, typer.Option(metavar="FILE", help=(
                  "Annotation .jsonl file to add your labels to (created if absent; passages already labelled "
                  "in it are skipped, so a session can be stopped and resumed)."))],
              annotator: Annotated[str, typer.Option(help="Your name, stored in every record.")],
              role: Annotated[list[str] | None, typer.Option(
                  metavar="ROLE", help="Only passages the splitter gave this role (repeat for several).")] = None,
              order: Annotated[LabelOrder, typer.Option(help=(
                  "uncertain: passages whose theme scores sit nearest the model's thresholds first, passing over "
                  "near-duplicates of passages already labelled; document: as in the reports; random: shuffled "
                  "(the same shuffle on every resume)."))] = LabelOrder.uncertain,
              model: Annotated[Path | None, typer.Option(help="Theme model whose suggestions are pre-selected "
                                                              "(default: the shipped one).")] = None,
              no_suggestions: Annotated[bool, typer.Option("--no-suggestions", help=(
                  "Show no model suggestion (themes start empty; the order falls back to document)."))] = False,
              ) -> None:
    """Label passages of sections 五 and 六 by reading them, on one fixed screen.

    The model's themes are pre-selected with their scores and the splitter's role is chosen: Enter saves
    what is shown. 1-9 toggle themes, 0 clears them, a-h choose the role, s skips, u undoes the last answer,
    q (or Ctrl-C, Ctrl-D) stops. Each answer is appended to FILE at once (file name, passage id and sha1, no
    text), so the next session resumes with the passages not labelled yet."""
    from rich.console import Console

    from gkreport.labelling_screen import run
    from gkreport.themes import load_taxonomy

    options.check_input_file("--out", out, may_be_missing=True)
    options.check_output_file("--out", out)
    try:
        found, session = _label_session(paths, out, annotator, role or [], order, model, no_suggestions)
    except KeyboardInterrupt:
        typer.echo("stopped before the first passage: nothing was labelled", err=True)
        raise typer.Exit(0) from None
    names = {t.id: t.name for t in load_taxonomy().themes}
    run(session, names, Console())
    typer.echo(session.summary())
    raise typer.Exit(1 if found.errors and session.current is None else 0)


def _label_session(paths: list[Path], out: Path, annotator: str, roles: list[str], order: LabelOrder,
                   model: Path | None, no_suggestions: bool) -> tuple[Any, Any]:
    """The passages found and the labelling session over them, in the order asked for."""
    from gkreport.labelling import Session, order_candidates, thresholds_of, with_suggestions

    found = _passages_to_label(paths, roles)
    scorer = None if no_suggestions else _load_theme_model(model)
    with _busy(f"scoring {len(found.candidates)} passages"):
        candidates = with_suggestions(found.candidates, scorer) if scorer is not None else found.candidates
    thresholds = thresholds_of(scorer) if scorer is not None else None
    session_order = order.value if thresholds is not None or order is not LabelOrder.uncertain else "document"
    if session_order != order.value:
        typer.echo("note: without the model's scores the passages come in document order", err=True)
    session = Session(order_candidates(candidates, session_order, thresholds), out, annotator,
                      skip_near_duplicates=session_order == "uncertain")
    return found, session


@app.command("train")
def train_cmd(annotations: AnnotationFiles,
              corpus: CorpusDirs,
              out: Annotated[Path, typer.Option(help="Folder to write the model and its card to.")],
              model: Annotated[ModelKind, typer.Option(help="Which classifier to train.")] = ModelKind.sklearn,
              no_written: Annotated[bool, typer.Option("--no-written",
                                                        help="Leave out passages we wrote ourselves.")] = False,
              cv: Annotated[int, typer.Option(help="Grouped CV folds for the card's metrics (0: none; skipped, "
                                                   "with a note, when the labels come from one report).")] = 5,
              ) -> None:
    """Train a theme classifier on your labels and save it with its model card.

    Themes that none (or all) of your passages have get no classifier: the model does not score them, and
    a warning names them."""
    _check_annotations(annotations)
    _check_corpus(corpus)
    options.check_output_folder("--out", out)
    if cv != 0:
        options.check_int("--cv", cv, 2, 100)
    from gkreport.themes.card import save_model
    from gkreport.themes.training import train_on_labels

    name = _MODEL_NAME[model.value]
    data = _resolved_labels(annotations, corpus)
    with _labels_in(annotations), _steps() as progress:
        run = train_on_labels(name, data, include_written=not no_written, cv=cv, progress=progress)
    try:
        card = save_model(run.model, out, run.card_extra(name), data=run.used, model_kind=name)
    except OSError as exc:
        raise ModelError(out, f"cannot save the model: {exc}") from exc
    if run.cv_skipped:
        typer.echo(f"note: trained without cross-validation: {run.cv_skipped}", err=True)
    for why in dict.fromkeys(run.untrained.values()):
        themes = [t for t, reason in run.untrained.items() if reason == why]
        typer.echo(f"warning: no classifier for {', '.join(themes)} ({why}): the model does not score "
                   f"{'them' if len(themes) > 1 else 'it'}", err=True)
    if run.cv is not None:
        typer.echo(f"CV: micro-F1 {run.cv.models[name].micro_f1:.3f} over {run.cv.n_test_passages} passages "
                   f"from {run.cv.n_test_groups} reports ({run.cv.n_splits} folds)")
    typer.echo(f"saved {name} model to {out} ({len(run.used)} labelled passages, "
               f"{len(run.model.classes_)} themes); card: {card}")


def _resolved_labels(annotations: list[Path], corpus: list[Path]) -> list[Any]:
    """The labels resolved against the corpus (an AnnotationError lists every problem)."""
    from gkreport.annotations import load_annotations, resolve

    return resolve(load_annotations(annotations), corpus)


@contextmanager
def _labels_in(files: list[Path]) -> Iterator[None]:
    """A problem of the labels as a whole (nothing to learn, too few reports to split) names their files."""
    try:
        yield
    except AnnotationError as exc:
        if exc.path is not None:
            raise
        raise AnnotationError(", ".join(map(str, files)), exc.reason) from exc


@contextmanager
def _steps() -> Iterator[Any]:
    """A progress callback (done, total, what) that drives a rich bar on a terminal, and does nothing
    elsewhere (a log or a pipe gets the results only)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("starting", total=None)

        def advance(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, total=total, description=what)

        yield advance


def _passages_to_label(paths: list[Path], roles: list[str]) -> Any:
    """`labelling.collect` for a command: files that fail are named (one line each) and the rest go on; no
    report file at all exits 1 (ReportError), an unknown role 2 (OptionError), no passage in the reports 1."""
    from gkreport.labelling import collect

    with _busy("reading the reports"):
        found = collect(paths, roles)
    for error in found.errors:
        _fail(error)
    if found.passed_over:
        typer.echo(f"note: {found.passed_over}", err=True)
    if not found.candidates:
        _fail(f"{', '.join(map(str, paths))}: no passages of sections 五/六"
              + (f" with role {', '.join(roles)}" if roles else ""))
        raise typer.Exit(1)
    return found


@contextmanager
def _busy(what: str) -> Iterator[None]:
    """A spinner saying what is being done, on a terminal only."""
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(f"{what}…"):
        yield


def _write_or_exit(out: Path, text: str) -> None:
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(out, f"cannot write: {exc.strerror or exc}") from exc


@labelstudio_app.command("export")
def labelstudio_export(paths: Paths,
                       out: Annotated[Path, typer.Option(metavar="FILE", help="Label Studio tasks (JSON) to write.")],
                       role: Annotated[list[str] | None, typer.Option(
                           metavar="ROLE", help="Only passages the splitter gave this role (repeat for several).")
                                       ] = None,
                       model: Annotated[Path | None, typer.Option(help="Theme model whose suggestions become "
                                                                       "pre-annotations (default: the shipped one).")
                                        ] = None,
                       no_predictions: Annotated[bool, typer.Option("--no-predictions", help=(
                           "Write the tasks without the model's pre-annotations."))] = False,
                       ) -> None:
    """Write the passages of sections 五/六 as Label Studio tasks, with the model's themes and the splitter's
    role as pre-annotations. Import the file into a project set up with `gkreport labelstudio config`."""
    options.check_output_file("--out", out)
    from gkreport.labelling import thresholds_of, with_suggestions
    from gkreport.labelstudio import task
    from gkreport.themes.card import read_card

    found = _passages_to_label(paths, role or [])
    version = thresholds = None
    candidates = found.candidates
    if not no_predictions:
        scorer = _load_theme_model(model)
        version = str(read_card(model or DEFAULT_MODEL).get("version") or "gkreport")
        thresholds = thresholds_of(scorer)
        with _busy(f"scoring {len(candidates)} passages"):
            candidates = with_suggestions(candidates, scorer)
    tasks = [task(c, version, thresholds) for c in candidates]
    _write_or_exit(out, json.dumps(tasks, ensure_ascii=False, indent=1) + "\n")
    typer.echo(f"wrote {len(tasks)} tasks to {out}" + (f" with predictions of model {version}" if version else "")
               + "; labelling config: gkreport labelstudio config > config.xml", err=True)
    raise typer.Exit(1 if found.errors else 0)


@labelstudio_app.command("import")
def labelstudio_import(export: Annotated[Path, typer.Argument(help="Label Studio's JSON export of the project.")],
                       corpus: CorpusDirs,
                       out: Annotated[Path, typer.Option(metavar="FILE", help=(
                           "Annotation .jsonl file to write (one record per labelled task, as in annotations/)."))],
                       force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
                       ) -> None:
    """Read Label Studio's JSON export back into annotation records, checking every task against the corpus.

    A task labelled twice gives its latest answer that was not cancelled; skipped tasks are passed over; a task
    whose text no longer matches the corpus is refused with its id and the reason (exit code 1)."""
    from gkreport.labelstudio import import_export

    options.check_output_file("--out", out)
    if out.exists() and out.stat().st_size and not force:
        raise ConfigError(out, "exists; pass --force to replace it, or name a new file")
    imported = import_export(export, corpus)
    _write_or_exit(out, "".join(json.dumps(label.to_record(), ensure_ascii=False) + "\n"
                                for label in imported.labels))
    for reason in imported.refused:
        _fail(f"{export}: {reason}")
    typer.echo(f"{len(imported.labels)} labels written to {out}; {len(imported.skipped)} tasks skipped or not "
               f"labelled; {len(imported.refused)} refused", err=True)
    raise typer.Exit(1 if imported.refused else 0)


@labelstudio_app.command("config")
def labelstudio_config() -> None:
    """Print the Label Studio labelling config (XML) the exported tasks are made for."""
    from gkreport.labelstudio import config_xml

    sys.stdout.write(config_xml())


@evaluate_app.command("segment")
def evaluate_segment(gold: Annotated[list[Path], typer.Option(
                         help="Folder of gold section files; give it again for more folders, each reported "
                              "apart, then the total.")],
                     corpus: CorpusDirs) -> None:
    """Section boundaries (and the appendix) against gold: per-report and total accuracy, per gold folder."""
    from gkreport.evaluate import evaluate_segment_folders

    for folder in gold:
        options.check_input_folder("--gold", folder)
    _check_corpus(corpus)
    correct = total = docs = wrong = meta = 0
    errors = False
    results = evaluate_segment_folders(gold, corpus)
    for folder, summary in results:
        if len(gold) > 1:
            typer.echo(f"== {folder}")
        _print_eval(summary, "sections", exit_after=False)
        extra = summary.extra
        typer.echo(f"template/year/level: {extra['metadata_total'] - extra['metadata_wrong']}/"
                   f"{extra['metadata_total']} as in the gold files")
        correct, total, docs = correct + summary.correct, total + summary.total, docs + len(summary.docs)
        wrong, meta = wrong + extra["metadata_wrong"], meta + extra["metadata_total"]
        errors = errors or any(d.error for d in summary.docs)
    if len(gold) > 1:
        typer.echo(f"== all {len(gold)} gold folders: {correct}/{total} sections correct "
                   f"({100 * correct / (total or 1):.1f}%) over {docs} documents; template/year/level "
                   f"{meta - wrong}/{meta}")
    raise typer.Exit(1 if errors else 0)


@evaluate_app.command("tables")
def evaluate_tables_cmd(gold: Annotated[Path, typer.Option(help="Folder of gold table files.")],
                        corpus: CorpusDirs
                        ) -> None:
    """Table cells against gold: correct/total, wrong-but-ok (must be 0), ambiguous or missing."""
    from gkreport.evaluate import evaluate_tables

    options.check_input_folder("--gold", gold)
    _check_corpus(corpus)

    summary = _print_eval(evaluate_tables(gold, corpus), "cells", exit_after=False)
    extra = summary.extra
    typer.echo(f"wrong but marked ok: {extra['wrong_but_ok']}   left ambiguous: {extra['ambiguous']}   "
               f"missing: {extra['missing']}")
    raise typer.Exit(1 if extra["wrong_but_ok"] or any(d.error for d in summary.docs) else 0)


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
                    variant: Annotated[list[str] | None, typer.Option(
                        help="Model variant to score (repeat for several; 'all' for every one; default: the "
                             "cue-phrase baseline and the shipped variant). See gkreport.themes.comparison.")
                                       ] = None,
                    curve: Annotated[bool, typer.Option(
                        "--curve", help="Also the learning curve of the shipped variant (of the last one when "
                                        "it is not scored): micro-F1 when training on 25/50/75/100% of the "
                                        "report groups.")] = False,
                    json_out: Annotated[Path | None, typer.Option("--json", help="Also write JSON here.")
                                        ] = None) -> None:
    """Honest grouped CV of theme models on your labels: reports that share a passage (or a near copy) are one
    group, and a text that occurs several times counts once."""
    _check_annotations(annotations)
    _check_corpus(corpus)
    options.check_int("--splits", splits, 2, 100)
    options.check_output_file("--json", json_out)
    from gkreport.themes.comparison import SHIPPED_VARIANT, VARIANTS, honest_cross_validate
    from gkreport.themes.honest import honest_data

    names = variant or ["keyword", SHIPPED_VARIANT]
    names = list(VARIANTS) if "all" in names else names
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        raise OptionError("--variant", f"unknown {', '.join(unknown)}; choose from all, {', '.join(VARIANTS)}")
    data = _resolved_labels(annotations, corpus)
    with _labels_in(annotations), _steps() as progress:
        report = honest_cross_validate(names, honest_data(data), n_splits=splits, include_written=not no_written,
                                       curve=(SHIPPED_VARIANT if SHIPPED_VARIANT in names else names[-1])
                                       if curve else None, progress=progress)
    typer.echo(report.to_markdown())
    if json_out:
        json_out.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")


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
SummaryTable = Literal["themes", "by", "trend", "examples", "cooccurrence", "unanswered", "recurring",
                       "repetition", "checks"]
ReviewFormat = Literal["table", "csv", "json", "html"]
ReviewVerdict = Literal["needs correction", "to look at", "fine"]


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
                                                              "without one, --no-themes says to leave them out)."
                                                         )] = None,
              no_themes: Annotated[bool, typer.Option("--no-themes", help=(
                  "Leave the themes out: no model is loaded, only tables, checks and passages are stored."))
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
        raise OptionError("--model", f"no shipped theme model in {DEFAULT_MODEL}; pass --model DIR, or "
                                     "--no-themes to store the reports without themes")
    model_dir = None if no_themes else model or DEFAULT_MODEL
    stats = run_batch(paths, db, jobs=jobs, backend=backend.value, scheduler=scheduler, force=force,
                      retry_errors=retry_errors, timeout=timeout, model_dir=model_dir,
                      progress=sys.stderr.isatty())
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

    export(db, what.value, format.value, sys.stdout)


@app.command("summary")
def summary_cmd(db: Annotated[Path, typer.Option(help="SQLite database written by `gkreport batch`.")],
                by: Annotated[SummaryBy, typer.Option(help="Break the themes down by this field (a matrix: a row "
                                                      "per group, a column per theme).")] = SummaryBy.year,
                role: Annotated[SummaryRole, typer.Option(help="Which passages to count.")] = SummaryRole.problem,
                year: Annotated[int | None, typer.Option(help="Only reports of this year.")] = None,
                top: Annotated[int, typer.Option(help="Rows per long list in table, markdown and html: theme pairs, "
                                                 "recurring themes, repetition, a --by breakdown.")] = 10,
                format: Annotated[SummaryFormat, typer.Option("--format", "-f", help="Output format; csv is one "
                                                              "table per file; html is one offline page with "
                                                              "heatmaps.")] = SummaryFormat.table,
                table: Annotated[SummaryTable | None, typer.Option(help="With --format csv: the one table to write."
                                                                   )] = None,
                output: Annotated[Path | None, typer.Option(help="Write to this file instead of standard output; "
                                                            "with --format csv and no --table, the folder that "
                                                            "gets one NAME.csv per table.")] = None) -> None:
    """The common weaknesses across the batch: themes, breakdowns, trends, recurring problems, table health."""
    from gkreport.summary import build_summary, render, write_csv_tables

    fmt: str = format.value
    csv_format = fmt == "csv"
    if table is not None and not csv_format:
        raise OptionError("--table", "only with --format csv (the other formats show every table)")
    if csv_format and table is None and output is None:
        raise OptionError("--format", "csv writes one table per file: name one with --table, or give --output DIR "
                                      "for all of them")
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
        _write(render(summary, fmt, top=top, table=table), output)
    except OSError as exc:
        raise ConfigError(output, f"cannot write ({exc.strerror or exc})") from exc


def _write(text: str, output: Path | None) -> None:
    """Text to a file (saying so on standard error) or to standard output."""
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


@app.command("review")
def review_cmd(db: Annotated[Path, typer.Option(help="SQLite database written by `gkreport batch`.")],
               year: Annotated[int | None, typer.Option(help="Only reports of this year.")] = None,
               verdict: Annotated[ReviewVerdict | None, typer.Option(help="Only reports with this verdict.")] = None,
               format: Annotated[ReviewFormat, typer.Option("--format", "-f", help="table: on screen; csv: a row "
                                                            "per report; json: JSON Lines, an object per report; "
                                                            "html: one offline page, sortable and filterable, with "
                                                            "a detail panel per report.")] = "table",
               output: Annotated[Path | None, typer.Option(help="Write to this file instead of standard output.")
                                 ] = None) -> None:
    """One row per report for the office that receives them: what is missing or wrong, and a verdict."""
    options.check_int("--year", year, 1900, 2100)
    options.check_output_file("--output", output)
    from gkreport.review import build_review, render_review

    reviews = build_review(db, year=year)
    if verdict is not None:
        reviews = [r for r in reviews if r["verdict"] == verdict]
    try:
        _write(render_review(reviews, format), output)
    except OSError as exc:
        raise ConfigError(output, f"cannot write ({exc.strerror or exc})") from exc


if __name__ == "__main__":
    app()
