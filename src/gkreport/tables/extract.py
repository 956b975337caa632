"""Extraction of tables 二, 三 and 四 from a segmented report (the entry point), and tables 二 and 四."""

from __future__ import annotations

from itertools import combinations

from gkreport.segment import Report
from gkreport.tables.cells import _agreed, _ambiguous_row, _cells_from_reading, _missing, _one_line, _printed
from gkreport.tables.locate import _detect_template, _locate, _section_starts
from gkreport.tables.model import Cell, Number, TableResult
from gkreport.tables.readings import Reading, _dedupe, _row_readings, _split_readings, _Val, _val_of
from gkreport.tables.rows import _RowHit, _walk_rows
from gkreport.tables.scan import _Doc, _Group, _scan_zone
from gkreport.tables.t3 import _extract_t3
from gkreport.templates import SCHEMAS, Schema

# ---------------------------------------------------------------------------------------------------
# Public API


def extract_tables(report: Report) -> TableResult:
    """Cells of tables 二, 三 and 四 of `report`, each with value, raw text, status and position."""
    text = report.document.text
    regions = _locate(text, *_section_starts(report))
    spans = regions.spans()
    name = _detect_template(text, regions, report)
    if name is None:
        from gkreport.tables_old import extract_old  # no 2019/2021 table: the pre-2019 统计表, if any

        result = extract_old(report)
        result.regions = spans
        return result
    doc = _Doc(report)
    schema = SCHEMAS[name]
    cells: list[Cell] = []
    cells += _extract_t2(doc, schema, regions.t2)
    cells += _extract_t3(doc, schema, regions.t3)
    cells += _extract_t4(doc, schema, regions.t4)
    return TableResult(name, cells, spans)


def _extract_t2(doc: _Doc, schema: Schema, region: tuple[int, int] | None) -> list[Cell]:
    spec = schema.tables["2"]
    hits: dict[str, list[_RowHit]] = {}
    if region is not None:
        found, _orphans = _walk_rows(doc, schema, "2", *region)
        for hit in found:
            hits.setdefault(hit.row, []).append(hit)
    cells: list[Cell] = []
    for row in spec.rows:
        cols = spec.row_columns(row)
        col_specs = [spec.column(c) for c in cols]
        row_hits = hits.get(row.id)
        if not row_hits:
            cells += _missing("2", row.id, cols)
            continue
        units = any(c.unit for c in col_specs)
        readings = _dedupe([r for h in row_hits for r in _row_readings(h.groups, col_specs, "2", units)])
        line = doc.line(row_hits[0].label_start)
        unsure = next((h for h in row_hits if h.unsure), None)
        if unsure is not None:
            cells += _ambiguous_row(doc, "2", row.id, cols, unsure, unsure.note)
        elif not readings:
            cells += _ambiguous_row(doc, "2", row.id, cols, row_hits[0], "numbers do not fit the columns")
        elif len(readings) == 1:
            group = _one_line(row_hits)
            values_line = doc.line(group.start) if group is not None else None
            cells += _cells_from_reading(doc, "2", row.id, cols, readings[0], line, "", values_line)
        else:
            cells += _agreed(doc, "2", row.id, cols, readings, line, "", _printed(row_hits[0].groups))
    return cells


def _extract_t4(doc: _Doc, schema: Schema, region: tuple[int, int] | None) -> list[Cell]:
    spec = schema.tables["4"]
    col_specs = list(spec.columns)
    cols = [c.id for c in col_specs]
    blocks = [row.id for row in spec.rows]
    if region is None:
        return [c for row in blocks for c in _missing("4", row, cols)]
    groups = _scan_zone(doc, region[0], region[1], False, search_all=True)
    # Values come after the header; take groups until the 15 cells are filled.
    taken: list[_Group] = []
    count = 0
    for g in groups:
        if count >= 15:
            break
        taken.append(g)
        count += g.count if not g.run_mode else 15
    if not taken:
        return [c for row in blocks for c in _missing("4", row, cols)]
    all_cols = [c for _ in blocks for c in col_specs]
    line = doc.line(taken[0].start)

    readings: list[Reading]
    if any(g.run_mode for g in taken):
        readings = _split_readings(taken, all_cols, _t4_accept, partial=True)
    else:
        toks = [t for g in taken for t in g.toks]
        if len(toks) == 15:
            readings = [tuple(_val_of(t, c.kind, c.unit) for t, c in zip(toks, all_cols, strict=True))]
        elif len(taken) == 1 and len(toks) % 5 == 0 and taken[0].lead == 15 - len(toks):
            # Leading empty cells stand for the blocks whose numbers were lost (seeds 000/002).
            lost = (15 - len(toks)) // 5
            vals = [_Val(None, "", None, "missing", "block lost in the source (empty cells)")] * (lost * 5)
            vals += [_val_of(t, c.kind, c.unit) for t, c in zip(toks, all_cols[lost * 5 :], strict=True)]
            readings = [tuple(vals)]
        elif len(toks) % 5 == 0 and 0 < len(toks) < 15:
            readings = []
            present = len(toks) // 5
            for kept_blocks in combinations(range(3), present):
                it = iter(toks)
                vals = []
                for b in range(3):
                    for c in col_specs:
                        vals.append(
                            _val_of(next(it), c.kind, c.unit)
                            if b in kept_blocks
                            else _Val(None, "", None, "missing", "block lost")
                        )
                readings.append(tuple(vals))
            readings = [r for r in readings if _t4_accept([v.value for v in r])] or readings
        else:
            readings = []
    readings = _dedupe(readings)
    cells: list[Cell] = []
    if not readings:
        raw = _printed(taken)
        return [
            Cell("4", row, col, None, raw, "ambiguous", line, taken[0].start, f"{count} numbers where 15 are expected")
            for row in blocks
            for col in cols
        ]
    values_line = line if len(taken) == 1 and not taken[0].stacked else None  # `line` is taken[0]'s
    for b, row in enumerate(blocks):
        part = [r[b * 5 : (b + 1) * 5] for r in readings]
        if len(readings) == 1:
            cells += _cells_from_reading(doc, "4", row, cols, part[0], line, "", values_line)
        else:
            cells += _agreed(doc, "4", row, cols, part, line, "", _printed(taken))
    for i, cell in enumerate(cells):
        if cell.status == "missing":
            cells[i] = Cell(cell.table, cell.row, cell.col, None, "", "missing", None, None, cell.note)
    return cells


def _t4_accept(values: list[Number | None]) -> bool:
    """R4 on every block of a candidate split."""
    for b in range(3):
        block = values[b * 5 : (b + 1) * 5]
        if len(block) == 5 and all(v is not None for v in block) and sum(block[:4]) != block[4]:  # type: ignore[arg-type]
            return False
    return True
