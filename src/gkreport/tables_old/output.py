"""Showing a table-`old` result: Chinese labels, CSV rows and the text layout of `gkreport tables`."""

from __future__ import annotations

import io
from functools import lru_cache

from gkreport.tables import TableResult, csv_row, show_cell
from gkreport.tables_old.schema import OLD_SCHEMA, ROWS, TABLE, chain_of


@lru_cache(maxsize=256)
def row_label(row_id: str) -> str:
    """The Chinese label of a row; an item is shown under its total (受理申请总数 › 当面申请数)."""
    row = ROWS.get(row_id)
    if row is None:
        return row_id
    depth = len(chain_of(row_id)) - 1
    return "  " * depth + ("其中：" if depth else "") + row.label if depth else row.label


def col_label(col_id: str) -> str:
    return next((c.label for c in OLD_SCHEMA.columns if c.id == col_id), col_id)


def rows_for_csv(result: TableResult) -> list[dict[str, str | int | float | None]]:
    """`tables.table_rows_for_csv` for a table-`old` result: the same fields, with this schema's labels."""
    return [csv_row(c, row_label(c.row).strip(), col_label(c.col)) for c in result.cells]


def render_text(result: TableResult) -> str:
    """The statistics table with its Chinese labels, as plain text (values as `tables.render_text`)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    out = io.StringIO()
    console = Console(file=out, width=160, color_system=None, force_terminal=False, legacy_windows=False)
    console.print("模板：2019 年以前的统计表    空白＝（空）  缺失＝缺失  无法确定＝？")
    cols = list(dict.fromkeys(c.col for c in result.cells))
    table = Table(title=OLD_SCHEMA.title, box=box.SIMPLE, title_justify="left")
    table.add_column("指标名称")
    for col in cols:
        table.add_column(col_label(col), justify="right")
    for row in result.rows(TABLE):
        shown = []
        for col in cols:
            cell = result.get(TABLE, row, col)
            shown.append(show_cell(cell))
        table.add_row(row_label(row), *shown)
    console.print(table)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"
