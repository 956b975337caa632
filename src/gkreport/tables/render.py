"""Output helpers: the cells as CSV rows, and the three tables laid out as text."""

from __future__ import annotations

import io

from gkreport.tables.model import Cell, Number, TableResult
from gkreport.templates import SCHEMAS, TABLE_NAMES, col_label, row_label

# ---------------------------------------------------------------------------------------------------
# Output helpers

CSV_FIELDS = ("table", "row", "col", "row_label", "col_label", "value", "raw", "status", "line", "offset", "note")


def table_rows_for_csv(result: TableResult) -> list[dict[str, str | int | float | None]]:
    """One dict per cell with CSV_FIELDS as keys (for csv.DictWriter)."""
    return [
        csv_row(c, row_label(c.table, c.row, result.template), col_label(c.table, c.col, result.template))
        for c in result.cells
    ]


def csv_row(cell: Cell, row_name: str, col_name: str) -> dict[str, str | int | float | None]:
    """A cell with its Chinese row and column labels, keyed by CSV_FIELDS (both table layouts use it)."""
    return {
        "table": cell.table,
        "row": cell.row,
        "col": cell.col,
        "row_label": row_name,
        "col_label": col_name,
        "value": cell.value,
        "raw": cell.raw,
        "status": cell.status,
        "line": cell.line,
        "offset": cell.offset,
        "note": cell.note,
    }


_SHOW = {"blank": "（空）", "missing": "缺失", "ambiguous": "？"}


def format_number(value: Number | None) -> str:
    """A cell value as printed: integers plainly, decimals without trailing zeros (18651.06, not 18651.1)."""
    if type(value) is int:  # the common case first
        return str(value)
    if value is None:
        return "?"
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def show_cell(cell: Cell | None) -> str:
    """A cell as the text layout shows it: its number, or what it is when it has none."""
    if cell is None:
        return ""
    if cell.status == "ok":
        return format_number(cell.value)
    return _SHOW[cell.status]


def render_text(result: TableResult) -> str:
    """Tables 二, 三 and 四 laid out with their Chinese labels, as plain text."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    out = io.StringIO()
    console = Console(file=out, width=160, color_system=None, force_terminal=False, legacy_windows=False)
    schema = SCHEMAS.get(result.template)
    if schema is None:
        return f"（未识别到 2019/2021 格式的统计表：{result.template}）\n"
    console.print(f"模板：{result.template} 年格式    空白＝（空）  缺失＝缺失  无法确定＝？")
    for table_id in ("2", "3", "4"):
        spec = schema.tables[table_id]
        table = Table(title=f"{TABLE_NAMES[table_id]} {spec.title}", box=box.SIMPLE, title_justify="left")
        if table_id == "2":
            table.add_column("信息内容")
            table.add_column("数值")
            for row in spec.rows:
                parts = [
                    f"{col_label('2', c, result.template)} {show_cell(result.get('2', row.id, c))}"
                    for c in spec.row_columns(row)
                ]
                table.add_row(row.label, "；".join(parts))
        else:
            table.add_column("项目")
            for col in spec.columns:
                table.add_column(col.label, justify="right")
            replaced = {
                m
                for v, members in schema.variants.items()
                if result.has_row(table_id, v)
                for m in members
                if not result.has_row(table_id, m)
            }
            for row_id in result.rows(table_id):
                if row_id in replaced:
                    continue  # the report printed one （六）其他处理 row instead of these items
                table.add_row(
                    row_label(table_id, row_id, result.template),
                    *[show_cell(result.get(table_id, row_id, c.id)) for c in spec.columns],
                )
        console.print(table)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"
