"""Table 三: its rows read, narrowed jointly by R1/R2 across rows, and turned into cells."""

from __future__ import annotations

from collections.abc import Sequence

from gkreport.tables.cells import _agreed, _ambiguous_row, _cells_from_reading, _missing, _one_line, _printed
from gkreport.tables.model import Cell, Number
from gkreport.tables.readings import Reading, _dedupe, _row_readings, _Val, _val_of
from gkreport.tables.rows import _place_orphans, _RowHit, _walk_rows
from gkreport.tables.scan import _Doc, _Group
from gkreport.templates import ColumnSpec, Equation, Schema, expand_rules
from gkreport.templates.official import SUM_RULES

MAX_JOINT = 20000  # joint assignments tried across table-三 rows


def _solve_t3(
    schema: Schema, readings: dict[str, list[Reading]], equations: list[Equation]
) -> dict[str, list[Reading]] | None:
    """Narrow rows with several readings by R1/R2; return the surviving readings per row, or None when
    no combination is consistent (the source breaks an identity, or the truth is not among them)."""
    variables = [row for row, rs in readings.items() if len(rs) > 1]
    if not variables:
        return readings
    cols = [c.id for c in schema.tables["3"].columns]
    col_index = {c: i for i, c in enumerate(cols)}
    fixed = {row: rs[0] for row, rs in readings.items() if len(rs) == 1}
    relevant = [eq for eq in equations if any(r in variables for _, r, _ in eq.lhs + eq.rhs)]
    var_pos = {row: i for i, row in enumerate(variables)}
    # Check each equation as soon as its last variable row is assigned.
    by_depth: dict[int, list[Equation]] = {}
    for eq in relevant:
        depth = max(var_pos[r] for _, r, _ in eq.lhs + eq.rhs if r in var_pos)
        by_depth.setdefault(depth, []).append(eq)
    survivors: list[dict[str, Reading]] = []
    chosen: dict[str, Reading] = {}
    tried = 0

    def value(row: str, col: str) -> Number | None:
        reading = chosen.get(row) or fixed.get(row)
        if reading is None:
            return None
        v = reading[col_index[col]]
        return v.value if v.status == "ok" else None

    def holds(eq: Equation) -> bool:
        lhs = [value(r, c) for _, r, c in eq.lhs]
        rhs = [value(r, c) for _, r, c in eq.rhs]
        if any(v is None for v in lhs + rhs):
            return True
        return sum(lhs) == sum(rhs)  # type: ignore[arg-type]

    def walk(depth: int) -> bool:
        nonlocal tried
        if depth == len(variables):
            survivors.append(dict(chosen))
            return len(survivors) < 64
        row = variables[depth]
        for reading in readings[row]:
            tried += 1
            if tried > MAX_JOINT:
                return False
            chosen[row] = reading
            if all(holds(eq) for eq in by_depth.get(depth, [])) and not walk(depth + 1):
                del chosen[row]
                return False
        chosen.pop(row, None)
        return True

    if not walk(0) and tried > MAX_JOINT:
        return None
    if not survivors:
        return None
    out = dict(readings)
    for row in variables:
        out[row] = _dedupe([s[row] for s in survivors])
    return out


def _extract_t3(doc: _Doc, schema: Schema, region: tuple[int, int] | None) -> list[Cell]:
    spec = schema.tables["3"]
    cols = [c.id for c in spec.columns]
    official = [row for row in spec.rows if row.id not in schema.variants]
    if region is None:
        return [c for row in official for c in _missing("3", row.id, cols)]
    hits, orphans = _walk_rows(doc, schema, "3", *region)
    placed = _place_orphans(schema, "3", hits, orphans)
    by_row: dict[str, list[_RowHit]] = {}
    for hit in hits + placed:
        by_row.setdefault(hit.row, []).append(hit)

    readings: dict[str, list[Reading]] = {}
    conflicts = {h.row for h in hits if h.unsure}
    gridded = _grid_readings([h for h in hits if not h.unsure], spec.columns)
    units = any(c.unit for c in spec.columns)
    for row_id, row_hits in by_row.items():
        if row_id in conflicts:
            continue
        if row_id in gridded and len(row_hits) == 1:
            readings[row_id] = [gridded[row_id]]
            continue
        options = [o for h in row_hits if (o := _row_readings(h.groups, spec.columns, "3", units))]
        if not options:
            conflicts.add(row_id)
            continue
        if len(options) > 1 and len({tuple((v.value, v.status) for v in o[0]) for o in options}) > 1:
            conflicts.add(row_id)  # the row is printed twice with different numbers
        readings[row_id] = options[0]

    def has_row(row_id: str) -> bool:
        return row_id in by_row

    equations = [eq for eq in expand_rules(schema, SUM_RULES, has_row) if eq.rule in ("R1", "R2")]
    solved = _solve_t3(schema, readings, equations)
    placed_rows = {h.row for h in placed}
    if placed_rows and solved is not None and _breaks(equations, solved, cols):
        conflicts |= placed_rows  # row-order placement is only trusted where the identities hold

    cells: list[Cell] = []
    rows = list(official)
    if "other" in by_row and "other" in schema.variants:
        at = next(i for i, r in enumerate(rows) if r.id in schema.variants["other"])
        rows.insert(at, spec.row("other"))
    for row in rows:
        hits_of_row = by_row.get(row.id)
        if not hits_of_row:
            cells += _missing("3", row.id, cols)
            continue
        hit = hits_of_row[0]
        line = doc.line(hit.groups[0].start if hit.groups else hit.label_start)
        if row.id in conflicts:
            cells += _ambiguous_row(
                doc,
                "3",
                row.id,
                cols,
                hit,
                hit.note if hit.unsure else "label and numbers could not be matched with certainty",
            )
            continue
        choices = (solved or readings)[row.id]
        if solved is None and len(choices) > 1:
            cells += _agreed(doc, "3", row.id, cols, choices, line, hit.note, _printed(hit.groups))
        elif len(choices) == 1:
            note = hit.note
            if len(readings[row.id]) > 1:
                note = "; ".join(x for x in (note, "alignment chosen by R1/R2 across rows") if x)
            # `line` is the line of the hit's first group, so of all its values when it has only one.
            values_line = line if _one_line(hits_of_row) is not None else None
            cells += _cells_from_reading(doc, "3", row.id, cols, choices[0], line, note, values_line)
        else:
            cells += _agreed(doc, "3", row.id, cols, choices, line, hit.note, _printed(hit.groups))
    return cells


def _grid_readings(hits: list[_RowHit], cols: Sequence[ColumnSpec]) -> dict[str, Reading]:
    """Rows of a tab/pipe table that print fewer numbers than columns, read by the table's cell grid.

    When every complete row puts its numbers in the same cells of its line, that grid is the table's
    own: a shorter row whose numbers sit in those cells and whose other grid cells are empty has blank
    cells there (ex10: 总计 left empty), not a lost column.
    """
    n = len(cols)

    def single(hit: _RowHit) -> _Group | None:
        if len(hit.groups) != 1 or hit.wrapped:  # a continuation line's cells are not the grid's
            return None
        g = hit.groups[0]
        ok = g.same_line and g.structured and not g.run_mode and g.tok_cells is not None
        return g if ok else None

    spans = set()
    complete = 0
    for hit in hits:
        g = single(hit)
        if g is not None and g.count == n and g.tok_cells is not None:
            first_cell, last_cell = g.tok_cells[0], g.tok_cells[-1]
            contiguous = g.tok_cells == list(range(first_cell, last_cell + 1))
            spans.add((first_cell, last_cell, contiguous))
            complete += 1
    if complete < 3 or len(spans) != 1:
        return {}
    first, last, contiguous = next(iter(spans))
    if not contiguous or last - first != n - 1:
        return {}
    out: dict[str, Reading] = {}
    for hit in hits:
        g = single(hit)
        if g is None or g.count >= n or g.tok_cells is None:
            continue
        at = dict(zip(g.tok_cells, g.toks, strict=True))
        if any(c < first or c > last for c in at) or len(at) != g.count:
            continue
        if any(c not in at and c not in g.empty_cells for c in range(first, last + 1)):
            continue
        note = "empty cell in the table's column grid read as blank"
        out[hit.row] = tuple(
            _val_of(at[c], col.kind, col.unit) if c in at else _Val(None, "", None, "blank", note)
            for c, col in zip(range(first, last + 1), cols, strict=True)
        )
    return out


def _breaks(equations: list[Equation], readings: dict[str, list[Reading]], cols: list[str]) -> bool:
    col_index = {c: i for i, c in enumerate(cols)}

    def value(row: str, col: str) -> Number | None:
        rs = readings.get(row)
        if not rs or len(rs) != 1:
            return None
        v = rs[0][col_index[col]]
        return v.value if v.status == "ok" else None

    for eq in equations:
        lhs = [value(r, c) for _, r, c in eq.lhs]
        rhs = [value(r, c) for _, r, c in eq.rhs]
        if all(v is not None for v in lhs + rhs) and sum(lhs) != sum(rhs):  # type: ignore[arg-type]
            return True
    return False
