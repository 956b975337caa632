"""The cells of tables 二/三/四 as extracted, and the result that holds them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CellStatus = Literal["ok", "blank", "missing", "ambiguous"]
Number = int | float


@dataclass(slots=True)
class Cell:
    """One data cell as extracted. `value` is None unless the number is known (status ok).

    Treat it as read-only; it is not frozen only because frozen dataclasses are ~4x slower to build.
    """

    table: str
    row: str
    col: str
    value: Number | None
    raw: str
    status: CellStatus
    line: int | None = None
    offset: int | None = None
    note: str = ""


@dataclass(slots=True)
class TableResult:
    """The cells of tables 二/三/四 for one report, in reading order, with lookups."""

    template: str
    cells: list[Cell]
    # Where tables 二, 三 and 四 sit in the text, as `table_spans` gives them (the prose is everything else);
    # None when not known (a result rebuilt from stored cells): then `table_spans` locates them again.
    regions: list[tuple[int, int]] | None = None
    _index: dict[tuple[str, str, str], Cell] = field(init=False, repr=False)
    _printed: set[tuple[str, str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {(c.table, c.row, c.col): c for c in self.cells}
        self._printed = {(c.table, c.row) for c in self.cells if c.status != "missing"}

    def get(self, table: str, row: str, col: str) -> Cell | None:
        return self._index.get((table, row, col))

    @property
    def cell_index(self) -> dict[tuple[str, str, str], Cell]:
        """(table, row, col) -> cell, for callers that look up many cells."""
        return self._index

    def value(self, table: str, row: str, col: str) -> Number | None:
        """The value of an `ok` cell, else None (blank, missing, ambiguous or not in the template)."""
        cell = self._index.get((table, row, col))
        return cell.value if cell is not None and cell.status == "ok" else None

    def has_row(self, table: str, row: str) -> bool:
        """Whether the report printed this row (any cell not `missing`)."""
        return (table, row) in self._printed

    def rows(self, table: str) -> list[str]:
        seen: dict[str, None] = {}
        for c in self.cells:
            if c.table == table:
                seen.setdefault(c.row)
        return list(seen)
