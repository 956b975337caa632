"""Reading the pre-2019 statistics table out of the text (see the package docstring for the method)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise, product

from gkreport.segment import Report
from gkreport.tables import Cell, Number, TableResult
from gkreport.tables_old.schema import (
    CHILDREN,
    MAX_DIGITS,
    MAX_JOINT,
    MAX_SPLITS,
    OLD_SCHEMA,
    TABLE,
    chain_of,
    holds,
    match_row,
    normalise_label,
)

# ---------------------------------------------------------------------------------------------------
# Locating the table and its columns


def _spaced(word: str) -> str:
    return r"\s*".join(re.escape(ch) for ch in word)


# 指标名称 … (计量)单位 (平潭 forms), 统计指标 … 单位 (the national form).
_HEADER = re.compile(
    r"(?:"
    + _spaced("统计")
    + r")?\s*"
    + _spaced("指标")
    + r"\s*(?:"
    + _spaced("名称")
    + r")?"
    + r"[\s|]*(?:"
    + _spaced("计量")
    + r")?[\s|]*"
    + _spaced("单位")
)
_YEAR_WORD = r"(?:\d{4}\s*年\s*度?)"
_COLUMN_WORDS = [
    (
        col.id,
        re.compile(
            r"[\s|]*(?:"
            + "|".join(
                ([_YEAR_WORD] if col.id == "year" else [])
                + [_spaced(h) for h in sorted(col.headers, key=len, reverse=True)]
            )
            + ")"
        ),
    )
    for col in OLD_SCHEMA.columns
]


def locate_old_table(text: str, start: int = 0, end: int | None = None) -> int | None:
    """Where the last statistics-table header (指标名称 … 单位) at or after `start` begins, or None."""
    found = None
    for m in _HEADER.finditer(text, start, len(text) if end is None else end):
        found = m.start()
    return found


def _columns_after(text: str, pos: int) -> tuple[list[str], int]:
    """The value columns named right after the 单位 header cell, and where the header ends."""
    cols: list[str] = []
    while True:
        for col_id, pattern in _COLUMN_WORDS:
            m = pattern.match(text, pos)
            if m is not None:
                if col_id not in cols:
                    cols.append(col_id)
                pos = m.end()
                break
        else:
            return cols, pos


# ---------------------------------------------------------------------------------------------------
# Cutting the text into entries: label, unit, numbers

_NUMBER = r"\d+(?:\.\d+)?"
_BLANK = r"(?:[/／—–－]+|-+)(?!\d)"
_RUN = re.compile(rf"(?:{_NUMBER}|{_BLANK})(?:[ \t\n|]*(?:{_NUMBER}|{_BLANK}))*")
_CHUNK = re.compile(rf"{_NUMBER}|{_BLANK}")
_BORDER = re.compile(r"[\t|]")
_EMPTY_ROW_END = re.compile("(?:" + "|".join(OLD_SCHEMA.units) + r")[ ]*[\t|][ \t|]*\n")
_ORDINAL_PUNCT = re.compile(r"[ \t|]*[.、](?!\d)")
_DATE_AFTER = re.compile(r"\s*(?:年|-\d)")
_MD_RULE = re.compile(r"(?m)^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$")


@dataclass(slots=True)
class _Entry:
    text: str  # label words and unit as printed
    start: int
    chunks: list[tuple[str, int]]  # numbers and blank markers as printed, with their offsets
    sub: bool = False  # printed as a 其中 item (after an ordinal or 其中)


def _entries(text: str, start: int, end: int) -> list[_Entry]:
    entries: list[_Entry] = []
    pos = start
    for m in _RUN.finditer(text, start, end):
        entries.append(_Entry(text[pos : m.start()], pos, _chunks(m.group(0), m.start())))
        pos = m.end()
    entries.append(_Entry(text[pos:end], pos, []))
    entries = [part for entry in entries for part in _empty_rows_apart(entry)]
    # A year followed by 年 or - is a date after the table (…行政申诉数 条 0 2013年4月3日), not a cell.
    for prev, entry in pairwise(entries):
        if prev.chunks and _DATE_AFTER.match(entry.text) and re.fullmatch(r"(?:19|20)\d\d", prev.chunks[-1][0]):
            prev.chunks.pop()
    # An ordinal printed right after the numbers of the row before (条002.网上…) belongs to this label.
    for prev, entry in pairwise(entries):
        lead = _ORDINAL_PUNCT.match(entry.text)
        if lead is None or not prev.chunks or not prev.chunks[-1][0][-1:].isdigit():
            continue
        raw, offset = prev.chunks[-1]
        entry.sub = True
        entry.text = entry.text[lead.end() :]
        entry.start += lead.end()
        if len(raw) > 1:
            prev.chunks[-1] = (raw[:-1], offset)
        else:
            prev.chunks.pop()
    # A label part with no words (其中：1同意…) is the ordinal of the next label.
    merged: list[_Entry] = []
    carry = False
    for entry in entries:
        entry.sub = entry.sub or carry
        carry = not normalise_label(entry.text) and bool(merged) and (not entry.chunks or _is_ordinal(entry))
        if not carry:
            merged.append(entry)
    return merged


def _empty_rows_apart(entry: _Entry) -> list[_Entry]:
    """A row printed with empty cells only (行政诉讼数\t件\t\t) has no numbers to end its text: cut the
    text after each line that ends in a unit and a cell border, so it does not run into the next label."""
    parts: list[_Entry] = []
    start = 0
    for m in _EMPTY_ROW_END.finditer(entry.text):
        if entry.text[m.end() :].strip() and _label_and_unit(entry.text[start : m.end()]) is not None:
            parts.append(_Entry(entry.text[start : m.end()], entry.start + start, []))
            start = m.end()
    if not parts:
        return [entry]
    rest = _Entry(entry.text[start:], entry.start + start, entry.chunks, entry.sub)
    return [*parts, rest]


def _is_ordinal(entry: _Entry) -> bool:
    return len(entry.chunks) == 1 and entry.chunks[0][0].isdigit() and len(entry.chunks[0][0]) <= 2


def _chunks(run: str, base: int) -> list[tuple[str, int]]:
    return [(m.group(0), base + m.start()) for m in _CHUNK.finditer(run)]


def _label_and_unit(text: str) -> tuple[str, str, int] | None:
    """The label and unit an entry's text ends in, and where the unit ends in it. A group heading
    printed before the label (二、依申请公开情况（一）收到申请数) is cut off at the last Chinese ordinal."""
    stripped = text.rstrip(" \t\n|")
    for unit in _UNITS:
        if stripped.endswith(unit):
            label = stripped[: -len(unit)].strip(" \t\n|")
            ordinals = list(_CN_ORDINAL.finditer(label))
            if ordinals and normalise_label(label[ordinals[-1].end() :]):
                label = label[ordinals[-1].end() :]
            if normalise_label(label):
                return label, unit, len(stripped)
    return None


_CN_ORDINAL = re.compile(r"[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]")
_UNITS = sorted(OLD_SCHEMA.units, key=len, reverse=True)


# ---------------------------------------------------------------------------------------------------
# Reading the numbers of a row

_Part = tuple[Number | None, str, int, str]  # value, raw, offset, status (ok | blank)
_Reading = tuple[_Part, ...]


def _splits(chunks: list[tuple[str, int]], kinds: Sequence[str]) -> tuple[list[_Reading], bool]:
    """Every way to read `chunks` as len(kinds) cells (no leading zeros, decimals only in amounts), and
    whether a chunk had to be split."""
    n = len(kinds)
    out: list[_Reading] = []
    parts: list[_Part] = []

    def walk(ci: int, pos: int) -> None:
        if len(out) > MAX_SPLITS:
            return
        if ci == len(chunks):
            if len(parts) == n:
                out.append(tuple(parts))
            return
        raw, offset = chunks[ci]
        if len(parts) >= n:
            return
        if not raw[0].isdigit():
            parts.append((None, raw, offset, "blank"))
            walk(ci + 1, 0)
            parts.pop()
            return
        for cut in range(pos + 1, min(len(raw), pos + MAX_DIGITS) + 1):  # no cell holds 10^12
            piece = raw[pos:cut]
            if cut < len(raw) and raw[cut] == ".":
                continue
            if not _NUMBER_CELL.fullmatch(piece):
                continue  # a leading zero: 05 is not a number as printed
            kind = kinds[len(parts)]
            if "." in piece and kind != "amount":
                continue
            parts.append((float(piece) if "." in piece else int(piece), piece, offset + pos, "ok"))
            walk(ci + 1, 0) if cut == len(raw) else walk(ci, cut)
            parts.pop()

    walk(0, 0)
    if len(out) > MAX_SPLITS:
        return [], True
    return out, len(chunks) < n


def _bordered(segment: str, base: int, kinds: Sequence[str]) -> list[_Reading]:
    """The one reading of a row whose cells have tab or pipe borders (`segment`: from the end of the unit
    to the end of the line, at `base`). An empty cell is blank; anything but a number or a blank
    marker in a cell gives no reading."""
    borders = [m.start() for m in re.finditer(r"[\t|]", segment)]
    cells = [(a + 1, b) for a, b in pairwise([*borders, len(segment)])]
    if segment.rstrip().endswith("|") and cells and not segment[cells[-1][0] :].strip():
        cells.pop()  # the closing pipe of a Markdown row
    if len(cells) != len(kinds):
        return []
    reading: list[_Part] = []
    for (a, b), kind in zip(cells, kinds, strict=True):
        raw = segment[a:b].strip()
        offset = base + a + (segment[a:b].find(raw) if raw else 0)
        if not raw or _BLANK_CELL.fullmatch(raw):
            reading.append((None, raw, offset, "blank"))
        elif _NUMBER_CELL.fullmatch(raw) and len(raw) <= MAX_DIGITS and ("." not in raw or kind == "amount"):
            reading.append((float(raw) if "." in raw else int(raw), raw, offset, "ok"))
        else:
            return []
    return [tuple(reading)]


_BLANK_CELL = re.compile(_BLANK)
_NUMBER_CELL = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")


def _settle_by_prose(rows: dict[str, _Row], cols: Sequence[str], text: str, prose_end: int) -> None:
    """Keep the one split whose 本年度 value the report's prose (the text before the table) states
    (主动公开政府信息2122条 for 212210037). Nothing is kept when no candidate or more than one is stated."""
    if "year" not in cols:
        return
    c = cols.index("year")
    for row in rows.values():
        cue = OLD_SCHEMA.row(row.id).stated
        if len(row.readings) < 2 or not cue:
            continue
        stated = {int(m.group(1)) for m in _stated_pattern(cue).finditer(text, 0, prose_end)}
        kept = [r for r in row.readings if r[c][0] in stated]
        if len(kept) == 1:
            row.readings = kept
            row.note = "digits run together; split by the figure stated in the text"


@lru_cache(maxsize=16)
def _stated_pattern(cue: str) -> re.Pattern[str]:
    # The cue, then up to 12 characters of the same clause, then the figure and a unit.
    return re.compile(r"\s*".join(map(re.escape, cue)) + r"[^。；;，,\d]{0,12}?(\d+)\s*[条件项个]")


def _plausible(reading: _Reading, cols: Sequence[str]) -> bool:
    """历年累计 includes the year, so it is not smaller (O2)."""
    if "year" not in cols or "cumulative" not in cols:
        return True
    year, cum = reading[cols.index("year")][0], reading[cols.index("cumulative")][0]
    return year is None or cum is None or cum >= year


@dataclass(slots=True)
class _Row:
    id: str
    entry: _Entry
    readings: list[_Reading]
    split: bool  # the printed chunks had to be split
    note: str = ""


def _narrow(rows: dict[str, _Row], cols: Sequence[str]) -> None:
    """Keep the readings of each identity group (a total and its printed items) that satisfy it."""
    for _ in range(2):  # nested groups (办结 inside 受理) settle in a second pass
        for identity in OLD_SCHEMA.sums:
            parts = [r for r in CHILDREN.get(identity.total, []) if r in rows]
            if identity.total not in rows or not parts:
                continue
            group = [rows[identity.total], *(rows[p] for p in parts)]
            if all(len(r.readings) <= 1 for r in group) or any(not r.readings for r in group):
                continue
            size = 1
            for r in group:
                size *= len(r.readings)
            if size > MAX_JOINT:
                continue
            survivors = [
                combo for combo in product(*(r.readings for r in group)) if _holds(combo, len(cols), identity.relation)
            ]
            if not survivors:
                continue
            for i, r in enumerate(group):
                kept = list(dict.fromkeys(combo[i] for combo in survivors))
                if len(kept) < len(r.readings):
                    r.readings = kept
                    r.note = f"digits run together; split by {identity.id}"


def _holds(combo: tuple[_Reading, ...], n_cols: int, relation: str) -> bool:
    for c in range(n_cols):
        values = [reading[c][0] for reading in combo]
        if any(v is None for v in values):
            continue
        if not holds(values[0], values[1:], relation):  # type: ignore[arg-type]
            return False
    return True


# ---------------------------------------------------------------------------------------------------
# Public API


def read_old_table(text: str, start: int = 0, end: int | None = None) -> list[Cell]:
    """The cells of the statistics table whose header is the last one in text[start:end] (none if there
    is no header). Offsets and lines refer to `text`."""
    end = len(text) if end is None else end
    head = locate_old_table(text, start, end)
    if head is None:
        return []
    header = _HEADER.match(text, head)
    assert header is not None
    cols, body = _columns_after(text, header.end())
    if not cols:
        return []
    # Markdown rules (|---|---|) would read as blank markers: blank them out, offsets kept.
    if "---" in text[body:end]:
        text = text[:body] + _MD_RULE.sub(lambda m: " " * len(m.group(0)), text[body:end])
    rows: dict[str, _Row] = {}
    order: list[str] = []
    chain: list[str] = []
    short_rows = False
    for entry in _entries(text, body, end):
        found = _label_and_unit(entry.text)
        if found is None:
            break
        row_id, _score = match_row(found[0], chain, entry.sub)
        if row_id is None:
            if entry.chunks:
                continue  # a row of no known kind, or as like two rows as each other (行政甲诉数): skipped
            break
        chain = chain_of(row_id)
        kinds = [OLD_SCHEMA.row(row_id).kind] * len(cols)
        unit_end = entry.start + found[2]
        line_end = text.find("\n", unit_end, end)
        line_end = end if line_end < 0 else line_end
        first = entry.chunks[0][1] if entry.chunks else line_end
        if _BORDER.search(text, unit_end, min(first, line_end)):  # tab or pipe cells: blanks are real
            readings, split = _bordered(text[unit_end:line_end], unit_end, kinds), False
        else:
            readings, split = _splits(entry.chunks, kinds)
        digits = [raw for raw, _ in entry.chunks]
        if digits and sum(len(d) if d[0].isdigit() else 1 for d in digits) < len(cols):
            short_rows = True  # this table leaves cells empty without a mark
        if len(readings) > 1:
            readings = [r for r in readings if _plausible(r, cols)] or readings
        if row_id in rows:
            if [tuple(p[0] for p in r) for r in rows[row_id].readings] != [tuple(p[0] for p in r) for r in readings]:
                rows[row_id].readings = []
                rows[row_id].note = "row printed twice with different numbers"
            continue
        rows[row_id] = _Row(row_id, entry, readings, split, "digits run together" if split else "")
        order.append(row_id)
    if short_rows:
        for row in rows.values():
            if row.split:
                row.readings = []
                row.note = "digits run together in a table that leaves cells empty unmarked"
    _settle_by_prose(rows, cols, text, head)
    _narrow(rows, cols)
    newlines = [m.start() for m in re.finditer("\n", text)]
    cells: list[Cell] = []
    for row_id in order:
        cells += _row_cells(rows[row_id], cols, newlines)
    return cells


def _row_cells(row: _Row, cols: Sequence[str], newlines: list[int]) -> list[Cell]:
    def line(offset: int) -> int:
        return bisect.bisect_right(newlines, offset - 1) + 1

    printed = " ".join(raw for raw, _ in row.entry.chunks)
    first = row.entry.chunks[0][1] if row.entry.chunks else row.entry.start
    if not row.readings and not row.entry.chunks:
        return [Cell(TABLE, row.id, col, None, "", "blank", line(first), first, "no number printed") for col in cols]
    if not row.readings:
        why = row.note or (
            "fewer numbers than columns"
            if len(printed.replace(" ", "")) < len(cols)
            else "numbers do not fit the columns"
        )
        return [Cell(TABLE, row.id, col, None, printed, "ambiguous", line(first), first, why) for col in cols]
    cells = []
    for c, col in enumerate(cols):
        options = {r[c][:2] for r in row.readings}
        if len(options) == 1:
            value, raw, offset, status = row.readings[0][c]
            cells.append(
                Cell(
                    TABLE,
                    row.id,
                    col,
                    value,
                    raw,
                    status,  # type: ignore[arg-type]
                    line(offset),
                    offset,
                    row.note,
                )
            )
        else:
            cells.append(
                Cell(
                    TABLE,
                    row.id,
                    col,
                    None,
                    printed,
                    "ambiguous",
                    line(first),
                    first,
                    "digits run together; the split is not certain",
                )
            )
    return cells


def extract_old(report: Report) -> TableResult:
    """The statistics table of a pre-2019 report as a TableResult of template `old` (no cells, and the
    report's own template, when it has none). The table is read from the report's appendix (the part after the
    last section) when it has one; without one, the whole text is searched for the table's header."""
    start = report.appendix.start if report.appendix is not None else 0
    cells = read_old_table(report.document.text, start)
    return TableResult(TABLE, cells) if cells else TableResult(report.template, [])
