"""The typer applications the commands register on, and the one place an error becomes what the user sees."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from gkreport.errors import GkreportError


class _Commands(TyperGroup):
    """The one place a `GkreportError` becomes what the user sees: its line (one per problem where several
    were found at once) on standard error, and its class's exit code; never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except GkreportError as exc:
            for line in exc.lines():
                typer.echo(f"error: {line}", err=True)
            raise typer.Exit(exc.exit_code) from exc


app = typer.Typer(
    cls=_Commands,
    help="Read 政府信息公开工作年度报告 and turn them into checked data.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
evaluate_app = typer.Typer(help="Score gkreport against gold files.", no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")
labelstudio_app = typer.Typer(
    help="Label passages in Label Studio: tasks out, its JSON export back in.", no_args_is_help=True
)
app.add_typer(labelstudio_app, name="labelstudio")
