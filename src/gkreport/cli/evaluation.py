"""`gkreport evaluate`: segments, tables and themes against gold files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from gkreport import options
from gkreport.cli.app import evaluate_app
from gkreport.cli.common import (
    AnnotationFiles,
    CorpusDirs,
    check_annotations,
    check_corpus,
    labels_in,
    resolved_labels,
    steps,
)
from gkreport.errors import OptionError


@evaluate_app.command("segment")
def evaluate_segment(
    gold: Annotated[
        list[Path],
        typer.Option(
            help="Folder of gold section files; give it again for more folders, each reported apart, then the total."
        ),
    ],
    corpus: CorpusDirs,
) -> None:
    """Section boundaries (and the appendix) against gold: per-report and total accuracy, per gold folder."""
    from gkreport.evaluate import evaluate_segment_folders

    for folder in gold:
        options.check_input_folder("--gold", folder)
    check_corpus(corpus)
    correct = total = docs = wrong = meta = 0
    errors = False
    results = evaluate_segment_folders(gold, corpus)
    for folder, summary in results:
        if len(gold) > 1:
            typer.echo(f"== {folder}")
        _print_eval(summary, "sections", exit_after=False)
        extra = summary.extra
        typer.echo(
            f"template/year/level: {extra['metadata_total'] - extra['metadata_wrong']}/"
            f"{extra['metadata_total']} as in the gold files"
        )
        correct, total, docs = correct + summary.correct, total + summary.total, docs + len(summary.docs)
        wrong, meta = wrong + extra["metadata_wrong"], meta + extra["metadata_total"]
        errors = errors or any(d.error for d in summary.docs)
    if len(gold) > 1:
        typer.echo(
            f"== all {len(gold)} gold folders: {correct}/{total} sections correct "
            f"({100 * correct / (total or 1):.1f}%) over {docs} documents; template/year/level "
            f"{meta - wrong}/{meta}"
        )
    raise typer.Exit(1 if errors else 0)


@evaluate_app.command("tables")
def evaluate_tables_cmd(
    gold: Annotated[Path, typer.Option(help="Folder of gold table files.")], corpus: CorpusDirs
) -> None:
    """Table cells against gold: correct/total, wrong-but-ok (must be 0), ambiguous or missing."""
    from gkreport.evaluate import evaluate_tables

    options.check_input_folder("--gold", gold)
    check_corpus(corpus)

    summary = _print_eval(evaluate_tables(gold, corpus), "cells", exit_after=False)
    extra = summary.extra
    typer.echo(
        f"wrong but marked ok: {extra['wrong_but_ok']}   left ambiguous: {extra['ambiguous']}   "
        f"missing: {extra['missing']}"
    )
    raise typer.Exit(1 if extra["wrong_but_ok"] or any(d.error for d in summary.docs) else 0)


def _print_eval(summary: Any, unit: str, exit_after: bool = True) -> Any:
    for d in summary.docs:
        mark = "ERROR " + d.error if d.error else f"{d.correct}/{d.total}"
        typer.echo(f"{d.doc:<40} {mark}")
        for problem in d.problems[:12]:
            typer.echo(f"    {problem}")
    total = summary.total or 1
    typer.echo(
        f"total: {summary.correct}/{summary.total} {unit} correct ({100 * summary.correct / total:.1f}%) "
        f"over {len(summary.docs)} documents"
    )
    if exit_after:
        raise typer.Exit(1 if any(d.error for d in summary.docs) else 0)
    return summary


@evaluate_app.command("themes")
def evaluate_themes(
    annotations: AnnotationFiles,
    corpus: CorpusDirs,
    splits: Annotated[int, typer.Option(help="Grouped CV folds.")] = 5,
    no_written: Annotated[bool, typer.Option("--no-written", help="Leave out passages we wrote.")] = False,
    variant: Annotated[
        list[str] | None,
        typer.Option(
            help="Model variant to score (repeat for several; 'all' for every one; default: the "
            "cue-phrase baseline and the shipped variant). See gkreport.themes.comparison."
        ),
    ] = None,
    curve: Annotated[
        bool,
        typer.Option(
            "--curve",
            help="Also the learning curve of the shipped variant (of the last one when "
            "it is not scored): micro-F1 when training on 25/50/75/100% of the "
            "report groups.",
        ),
    ] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write JSON here.")] = None,
) -> None:
    """Honest grouped CV of theme models on your labels: reports that share a passage (or a near copy) are one
    group, and a text that occurs several times counts once."""
    check_annotations(annotations)
    check_corpus(corpus)
    options.check_int("--splits", splits, 2, 100)
    options.check_output_file("--json", json_out)
    from gkreport.themes.comparison import SHIPPED_VARIANT, VARIANTS, honest_cross_validate
    from gkreport.themes.honest import honest_data

    names = variant or ["keyword", SHIPPED_VARIANT]
    names = list(VARIANTS) if "all" in names else names
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        raise OptionError("--variant", f"unknown {', '.join(unknown)}; choose from all, {', '.join(VARIANTS)}")
    data = resolved_labels(annotations, corpus)
    with labels_in(annotations), steps() as progress:
        report = honest_cross_validate(
            names,
            honest_data(data),
            n_splits=splits,
            include_written=not no_written,
            curve=(SHIPPED_VARIANT if SHIPPED_VARIANT in names else names[-1]) if curve else None,
            progress=progress,
        )
    typer.echo(report.to_markdown())
    if json_out:
        json_out.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
