"""The `gkreport` command line: thin typer commands, each adapting library calls.

`app` is the entry point; the commands live by what they work on: `reports` (segment, tables, check, tag,
classify), `labels` (label, train, labelstudio), `evaluation` (evaluate), `database` (batch, export, summary,
review). `common` holds what they share.
"""

from __future__ import annotations

# isort: off
# the commands register in this order, which is the order of `gkreport --help`
from gkreport.cli import reports, labels, database, evaluation

# isort: on
from gkreport.cli.app import app
from gkreport.cli.common import (
    Backend,
    ExportFormat,
    ExportWhat,
    LabelOrder,
    ReviewFormat,
    ReviewVerdict,
    SummaryBy,
    SummaryFormat,
    SummaryRole,
    SummaryTable,
)
from gkreport.themes.shipped import DEFAULT_MODEL

__all__ = [
    "DEFAULT_MODEL",
    "Backend",
    "ExportFormat",
    "ExportWhat",
    "LabelOrder",
    "ReviewFormat",
    "ReviewVerdict",
    "SummaryBy",
    "SummaryFormat",
    "SummaryRole",
    "SummaryTable",
    "app",
    "database",
    "evaluation",
    "labels",
    "reports",
]
