"""Commands that label passages and train on the labels: label, train, labelstudio."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from gkreport import options
from gkreport.cli.app import app, labelstudio_app
from gkreport.cli.common import (
    MODEL_NAME,
    AnnotationFiles,
    CorpusDirs,
    LabelOrder,
    ModelKind,
    Paths,
    busy,
    check_annotations,
    check_corpus,
    fail,
    labels_in,
    passages_to_label,
    resolved_labels,
    steps,
    write_or_exit,
)
from gkreport.errors import ConfigError, ModelError
from gkreport.themes.shipped import load_theme_model, model_version


@app.command("label")
def label_cmd(
    paths: Paths,
    out: Annotated[
        Path,
        typer.Option(
            metavar="FILE",
            help=(
                "Annotation .jsonl file to add your labels to (created if absent; passages already labelled "
                "in it are skipped, so a session can be stopped and resumed)."
            ),
        ),
    ],
    annotator: Annotated[str, typer.Option(help="Your name, stored in every record.")],
    role: Annotated[
        list[str] | None,
        typer.Option(metavar="ROLE", help="Only passages the splitter gave this role (repeat for several)."),
    ] = None,
    order: Annotated[
        LabelOrder,
        typer.Option(
            help=(
                "uncertain: passages whose theme scores sit nearest the model's thresholds first, passing over "
                "near-duplicates of passages already labelled; document: as in the reports; random: shuffled "
                "(the same shuffle on every resume)."
            )
        ),
    ] = LabelOrder.uncertain,
    model: Annotated[
        Path | None, typer.Option(help="Theme model whose suggestions are pre-selected (default: the shipped one).")
    ] = None,
    no_suggestions: Annotated[
        bool,
        typer.Option(
            "--no-suggestions",
            help=("Show no model suggestion (themes start empty; the order falls back to document)."),
        ),
    ] = False,
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


def _label_session(
    paths: list[Path],
    out: Path,
    annotator: str,
    roles: list[str],
    order: LabelOrder,
    model: Path | None,
    no_suggestions: bool,
) -> tuple[Any, Any]:
    """The passages found and the labelling session over them, in the order asked for."""
    from gkreport.labelling import start_session, thresholds_of, with_suggestions

    found = passages_to_label(paths, roles)
    scorer = None if no_suggestions else load_theme_model(model)
    with busy(f"scoring {len(found.candidates)} passages"):
        candidates = with_suggestions(found.candidates, scorer) if scorer is not None else found.candidates
    session, note = start_session(
        candidates, out, annotator, order.value, thresholds_of(scorer) if scorer is not None else None
    )
    if note:
        typer.echo(f"note: {note}", err=True)
    return found, session


@app.command("train")
def train_cmd(
    annotations: AnnotationFiles,
    corpus: CorpusDirs,
    out: Annotated[Path, typer.Option(help="Folder to write the model and its card to.")],
    model: Annotated[ModelKind, typer.Option(help="Which classifier to train.")] = ModelKind.sklearn,
    no_written: Annotated[bool, typer.Option("--no-written", help="Leave out passages we wrote ourselves.")] = False,
    cv: Annotated[
        int,
        typer.Option(
            help="Grouped CV folds for the card's metrics (0: none; skipped, "
            "with a note, when the labels come from one report)."
        ),
    ] = 5,
) -> None:
    """Train a theme classifier on your labels and save it with its model card.

    Themes that none (or all) of your passages have get no classifier: the model does not score them, and
    a warning names them."""
    check_annotations(annotations)
    check_corpus(corpus)
    options.check_output_folder("--out", out)
    if cv != 0:
        options.check_int("--cv", cv, 2, 100)
    from gkreport.themes.card import save_model
    from gkreport.themes.training import train_on_labels

    name = MODEL_NAME[model.value]
    data = resolved_labels(annotations, corpus)
    with labels_in(annotations), steps() as progress:
        run = train_on_labels(name, data, include_written=not no_written, cv=cv, progress=progress)
    try:
        card = save_model(run.model, out, run.card_extra(name), data=run.used, model_kind=name)
    except OSError as exc:
        raise ModelError(out, f"cannot save the model: {exc}") from exc
    if run.cv_skipped:
        typer.echo(f"note: trained without cross-validation: {run.cv_skipped}", err=True)
    for why in dict.fromkeys(run.untrained.values()):
        themes = [t for t, reason in run.untrained.items() if reason == why]
        typer.echo(
            f"warning: no classifier for {', '.join(themes)} ({why}): the model does not score "
            f"{'them' if len(themes) > 1 else 'it'}",
            err=True,
        )
    if run.cv is not None:
        typer.echo(
            f"CV: micro-F1 {run.cv.models[name].micro_f1:.3f} over {run.cv.n_test_passages} passages "
            f"from {run.cv.n_test_groups} reports ({run.cv.n_splits} folds)"
        )
    typer.echo(
        f"saved {name} model to {out} ({len(run.used)} labelled passages, "
        f"{len(run.model.classes_)} themes); card: {card}"
    )


@labelstudio_app.command("export")
def labelstudio_export(
    paths: Paths,
    out: Annotated[Path, typer.Option(metavar="FILE", help="Label Studio tasks (JSON) to write.")],
    role: Annotated[
        list[str] | None,
        typer.Option(metavar="ROLE", help="Only passages the splitter gave this role (repeat for several)."),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(help="Theme model whose suggestions become pre-annotations (default: the shipped one)."),
    ] = None,
    no_predictions: Annotated[
        bool, typer.Option("--no-predictions", help=("Write the tasks without the model's pre-annotations."))
    ] = False,
) -> None:
    """Write the passages of sections 五/六 as Label Studio tasks, with the model's themes and the splitter's
    role as pre-annotations. Import the file into a project set up with `gkreport labelstudio config`."""
    options.check_output_file("--out", out)
    from gkreport.labelling import thresholds_of, with_suggestions
    from gkreport.labelstudio import task

    found = passages_to_label(paths, role or [])
    version = thresholds = None
    candidates = found.candidates
    if not no_predictions:
        scorer = load_theme_model(model)
        version = model_version(model)
        thresholds = thresholds_of(scorer)
        with busy(f"scoring {len(candidates)} passages"):
            candidates = with_suggestions(candidates, scorer)
    tasks = [task(c, version, thresholds) for c in candidates]
    write_or_exit(out, json.dumps(tasks, ensure_ascii=False, indent=1) + "\n")
    typer.echo(
        f"wrote {len(tasks)} tasks to {out}"
        + (f" with predictions of model {version}" if version else "")
        + "; labelling config: gkreport labelstudio config > config.xml",
        err=True,
    )
    raise typer.Exit(1 if found.errors else 0)


@labelstudio_app.command("import")
def labelstudio_import(
    export: Annotated[Path, typer.Argument(help="Label Studio's JSON export of the project.")],
    corpus: CorpusDirs,
    out: Annotated[
        Path,
        typer.Option(
            metavar="FILE", help=("Annotation .jsonl file to write (one record per labelled task, as in annotations/).")
        ),
    ],
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
    write_or_exit(out, "".join(json.dumps(label.to_record(), ensure_ascii=False) + "\n" for label in imported.labels))
    for reason in imported.refused:
        fail(f"{export}: {reason}")
    typer.echo(
        f"{len(imported.labels)} labels written to {out}; {len(imported.skipped)} tasks skipped or not "
        f"labelled; {len(imported.refused)} refused",
        err=True,
    )
    raise typer.Exit(1 if imported.refused else 0)


@labelstudio_app.command("config")
def labelstudio_config() -> None:
    """Print the Label Studio labelling config (XML) the exported tasks are made for."""
    from gkreport.labelstudio import config_xml

    sys.stdout.write(config_xml())
