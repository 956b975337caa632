"""The typer applications the commands register on."""

from __future__ import annotations

import typer

app = typer.Typer(help="Read 政府信息公开工作年度报告 and turn them into checked data.", no_args_is_help=True,
                  add_completion=False, rich_markup_mode=None)
evaluate_app = typer.Typer(help="Score gkreport against gold files.", no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")
labelstudio_app = typer.Typer(help="Label passages in Label Studio: tasks out, its JSON export back in.",
                              no_args_is_help=True)
app.add_typer(labelstudio_app, name="labelstudio")
