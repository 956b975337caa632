"""Resolving readings into cells: one reading, the cells all readings agree on, ambiguous and missing
rows."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from gkreport.tables.model import Cell
from gkreport.tables.readings import Reading
from gkreport.tables.rows import _RowHit
from gkreport.tables.scan import _Doc, _Group

# ---------------------------------------------------------------------------------------------------
# Resolving readings into cells


def _cells_from_reading(
    doc: _Doc,
    table: str,
    row: str,
    cols: Sequence[str],
    reading: Reading,
    line: int,
    note: str,
    values_line: int | None = None,
) -> list[Cell]:
    """Cells of one reading; a value without an offset gets `line`. `values_line`, when given, is the line
    of every value with an offset (the reading of one line's group), which spares a lookup per cell (the
    lookup was ~40% of a cell's cost). `note`, when given, goes before each value's own note."""
    newlines = doc.newlines
    line_of = bisect.bisect_right
    return [
        Cell(
            table,
            row,
            col,
            v.value,
            v.raw,
            v.status,
            line if v.offset is None else values_line or line_of(newlines, v.offset - 1) + 1,
            v.offset,
            (f"{note}; {v.note}" if v.note else note) if note else v.note,
        )
        for col, v in zip(cols, reading, strict=True)
    ]


def _one_line(hits: list[_RowHit]) -> _Group | None:
    """The group of a row read from one hit with one line's numbers (not stacked over lines): every
    value of its readings sits on that group's line."""
    if len(hits) == 1 and len(hits[0].groups) == 1 and not hits[0].groups[0].stacked:
        return hits[0].groups[0]
    return None


def _agreed(
    doc: _Doc, table: str, row: str, cols: Sequence[str], readings: list[Reading], line: int, note: str, printed: str
) -> list[Cell]:
    """Cells on which every reading agrees are kept; the others are ambiguous."""
    cells = []
    raw_all = printed
    for i, col in enumerate(cols):
        options = {(r[i].value, r[i].status) for r in readings}
        first = readings[0][i]
        if len(options) == 1:
            cell_line = doc.line(first.offset) if first.offset is not None else line
            full_note = "; ".join(x for x in (note, first.note, "every candidate alignment agrees") if x)
            cells.append(
                Cell(
                    table,
                    row,
                    col,
                    first.value if first.status == "ok" else None,
                    first.raw,
                    first.status,
                    cell_line,
                    first.offset,
                    full_note,
                )
            )
        else:
            values = sorted({str(v) for v, _ in options})
            cells.append(
                Cell(
                    table,
                    row,
                    col,
                    None,
                    raw_all,
                    "ambiguous",
                    line,
                    first.offset,
                    f"{len(readings)} readings fit ({'/'.join(values)}); none is certain",
                )
            )
    return cells


def _missing(table: str, row: str, cols: Sequence[str], note: str = "") -> list[Cell]:
    return [Cell(table, row, col, None, "", "missing", None, None, note) for col in cols]


def _printed(groups: list[_Group]) -> str:
    """The numbers of a row as printed, chunks separated by single spaces."""
    return " ".join(c for g in groups for c, _ in g.chunks if c)


def _ambiguous_row(doc: _Doc, table: str, row: str, cols: Sequence[str], hit: _RowHit, why: str) -> list[Cell]:
    raw = _printed(hit.groups)
    offset = hit.groups[0].start if hit.groups else None
    line = doc.line(offset if offset is not None else hit.label_start)
    return [Cell(table, row, col, None, raw, "ambiguous", line, offset, why) for col in cols]
