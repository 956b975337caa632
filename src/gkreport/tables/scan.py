"""Reading numbers out of a zone of text: per line and per cell (tabs, Markdown pipes, space-separated
PDF lines, one cell per line, or digits run together), each with its position."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from gkreport.segment import Report
from gkreport.tables.model import CellStatus, Number

# Numbers and blank markers inside a cell. A chunk is one number as printed; a run is chunks separated
# by spaces (PDF lines) or by nothing at all (平潭 archive pages: 21710000218).
_NUM = r"[+-]?\d+(?:\.\d+)?(?:\s*万?元)?"
_BLANK = r"(?:[/／\\—–－]+|-+)(?!\d)"
_CHUNK = re.compile(rf"{_NUM}|{_BLANK}")
_RUN = re.compile(rf"(?:{_NUM}|{_BLANK})(?: *(?:{_NUM}|{_BLANK}))*")
_RUN_SEARCH = re.compile(rf"(?:{_NUM}|(?<=\s){_BLANK})(?: *(?:{_NUM}|{_BLANK}))*")
_BLANK_WORDS = frozenset({"无"})
_VALUE_CHARS = re.compile(r"[\d/／\\—–－-]|无")  # what could be a value or a blank marker
_FAST_CELLS = re.compile(r"(?:\t[ ]*\d+[ ]*)+(?:\t[ ]*)?")  # tab cells of plain integers
_STACKED = re.compile(r"(?:\n[ \t]*(?:[+-]?\d+(?:\.\d+)?)?[ \t]*)*")  # lines of at most one number
_STACKED_NUM = re.compile(r"(?m)^[ \t]*([+-]?\d+(?:\.\d+)?)[ \t]*$")
_SPACED_INTS = re.compile(r"\d+(?: +\d+)* *")  # plain integers separated by spaces
_DIGITS = re.compile(r"\d+")
_CELL_SEP = re.compile(r"[\t|]")
_FOOTER = re.compile(r"\s*(?:[-—–~]+\s*\d{1,4}\s*[-—–~]+|第\s*\d{1,4}\s*页.*|=+\s*PAGE.*)\s*")
_MD_RULE = re.compile(r"\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*")
_UNIT = re.compile(r"\s*(万?元)$")


# ---------------------------------------------------------------------------------------------------
# Reading numbers out of a zone


@dataclass(slots=True)
class _Val:
    """A number (or blank) as read, and later as placed in a column."""

    value: Number | None  # None unless status is ok (cells copy it as is)
    raw: str
    offset: int | None
    status: CellStatus  # ok | blank | missing (a column the row did not print)
    note: str = ""

    @property
    def start(self) -> int:
        return self.offset or 0


@dataclass(slots=True)
class _Group:
    """The numbers of one line (segment) of a zone."""

    toks: list[_Val]  # numbers and blanks, in order (normal mode)
    chunks: list[tuple[str, int]]  # the same as printed chunks (run mode splits these)
    run_mode: bool  # digits run together: chunks may hold several numbers
    lead: int  # empty cells before the first number
    trail: int  # empty cells after the last number
    reliable: bool  # empty cells are real cells (Markdown pipes, HTML/DOCX rows)
    structured: bool  # the line has tab or pipe cell borders
    same_line: bool  # on the line where the row label ends
    start: int
    line_start: int
    stacked: bool = False  # one number per line over several lines (one cell per line layouts)
    tok_cells: list[int] | None = None  # cell index on its line of each token (tab/pipe lines only)
    empty_cells: tuple[int, ...] = ()  # indices of the empty cells on the line after the label

    @property
    def count(self) -> int:
        return len(self.toks)


def _parse_number(chunk: str) -> tuple[Number | None, str | None]:
    """(value, unit) of one printed chunk; (None, None) for a blank marker."""
    if chunk.isdigit():
        return int(chunk), None
    unit_match = _UNIT.search(chunk)
    unit = unit_match.group(1) if unit_match else None
    digits = chunk[: unit_match.start()] if unit_match else chunk
    if not any(ch.isdigit() for ch in digits):
        return None, None
    return (float(digits) if "." in digits else int(digits)), unit


class _Doc:
    """The document text with its line index and the spans of real-table rows."""

    def __init__(self, report: Report) -> None:
        doc = report.document
        self.text = doc.text
        self.newlines = [m.start() for m in re.finditer("\n", self.text)]
        # Rows from HTML/DOCX/Markdown tables keep their empty cells as real cells.
        self.real_rows = sorted((b.start, b.end) for b in doc.blocks if b.kind == "row" and b.table is not None)
        self._real_starts = [s for s, _ in self.real_rows]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.newlines, offset - 1) + 1

    def line_start(self, offset: int) -> int:
        i = bisect.bisect_right(self.newlines, offset - 1)
        return self.newlines[i - 1] + 1 if i else 0

    def is_real_row(self, offset: int) -> bool:
        i = bisect.bisect_right(self._real_starts, offset) - 1
        return i >= 0 and self.real_rows[i][0] <= offset <= self.real_rows[i][1]


def _cells_of(segment: str, base: int) -> list[tuple[str, int]]:
    """Cells of a tab/pipe line segment as (text, absolute start); a closing Markdown pipe dropped."""
    cells: list[tuple[str, int]] = []
    pos = 0
    for part in segment.split("\t") if "|" not in segment else _CELL_SEP.split(segment):
        cells.append((part, base + pos))
        pos += len(part) + 1
    if segment.rstrip().endswith("|") and not cells[-1][0].strip():
        cells.pop()
    return cells


def _scan_zone(doc: _Doc, start: int, end: int, label_end_line: bool, search_all: bool = False) -> list[_Group]:
    """The value groups between a row label (ending at `start`) and the next label (at `end`)."""
    text = doc.text
    if _VALUE_CHARS.search(text, start, end) is None:
        return []
    groups: list[_Group] = []
    pos = start
    if label_end_line:
        nl = text.find("\n", start, end)
        group = _scan_segment(doc, start, end if nl == -1 else nl, True, search_all)
        if group is not None:
            groups.append(group)
        if nl == -1:
            return groups
        pos = nl
    if not search_all and _STACKED.fullmatch(text, pos, end):
        # One cell per line (Word tables flattened that way): read all the lines in one pass.
        chunks = [(m.group(1), m.start(1)) for m in _STACKED_NUM.finditer(text, pos, end)]
        if chunks:
            toks = [
                _Val(int(raw) if raw.lstrip("+-").isdigit() else float(raw), raw, offset, "ok")
                for raw, offset in chunks
            ]
            groups.append(
                _Group(
                    toks,
                    chunks,
                    False,
                    0,
                    0,
                    False,
                    True,
                    False,
                    chunks[0][1],
                    doc.line_start(chunks[0][1]),
                    stacked=True,
                )
            )
        return groups
    if pos < end and text[pos] == "\n":
        pos += 1
    while pos < end:
        # Lines without a value character give no group: go straight to the line of the next one.
        value = _VALUE_CHARS.search(text, pos, end)
        if value is None:
            break
        pos = text.rfind("\n", pos, value.start()) + 1 or pos
        nl = text.find("\n", pos, end)
        seg_end = end if nl == -1 else nl
        group = _scan_segment(doc, pos, seg_end, False, search_all)
        if group is not None:
            groups.append(group)
        pos = seg_end + 1
    return groups


def _scan_segment(doc: _Doc, start: int, end: int, label_cell: bool, search_all: bool) -> _Group | None:
    text = doc.text
    first_value = _VALUE_CHARS.search(text, start, end)
    if first_value is None:
        return None
    segment = text[start:end]
    if label_cell:
        fast = _fast_row(doc, segment, start)
        if fast is not None:
            return fast
    if ("-" in segment or "—" in segment or "=" in segment or "页" in segment) and (
        _FOOTER.fullmatch(segment) or _MD_RULE.fullmatch(segment)
    ):
        return None
    structured = "\t" in segment or "|" in segment
    if label_cell and not structured:
        spaced = _spaced_row(doc, segment, start, first_value.start() - start)
        if spaced is not None:
            return spaced
    if structured:
        cells = _cells_of(segment, start)
        if not label_cell and cells and not cells[0][0].strip() and segment.lstrip().startswith("|"):
            cells = cells[1:]
    else:
        cells = [(segment, start)]

    # One pass over the cells. Empty cells before the first value are leading, those after the last value
    # trailing; the ones between two values are blank cells (held in `pending` until a value follows).
    # Cells of label text are skipped.
    toks: list[_Val] = []
    chunks: list[tuple[str, int]] = []
    tok_cells: list[int] = []
    empty: list[int] = []  # the cell index on its line of every empty cell
    pending: list[tuple[int, int]] = []  # (start, cell index) of the empty cells since the last value
    lead = 0
    glued = False
    leading_zero = False  # a number printed with a leading zero: digits run together
    line_start = doc.line_start(start)
    base = (text.count("\t", line_start, start) + text.count("|", line_start, start)) if structured else 0
    for i, (cell, cell_start) in enumerate(cells):
        stripped = cell.strip()
        if stripped.isdigit() and (i or not label_cell):
            # The common cell, one plain integer: taken directly, without a run of chunks.
            if pending:
                _flush_blanks(pending, toks, chunks, tok_cells)
            offset = cell_start + cell.index(stripped)
            leading_zero = leading_zero or (stripped[0] == "0" and len(stripped) > 1)
            toks.append(_Val(int(stripped), stripped, offset, "ok"))
            chunks.append((stripped, offset))
            tok_cells.append(base + i)
            continue
        if i == 0 and label_cell:
            # The rest of the label's own cell: numbers may follow the label text directly.
            m = _RUN_SEARCH.search(cell)
            if m is None:
                continue  # the label cell itself is not an empty value cell
            run_start = cell_start + m.start()
            glued = run_start > 0 and not text[run_start - 1].isspace() and text[run_start - 1] != "|"
            run = _chunks(m.group(), run_start)
        elif not stripped:
            empty.append(base + i)
            if toks:
                pending.append((cell_start, base + i))
            else:
                lead += 1
            continue
        elif stripped in _BLANK_WORDS:
            run = [(stripped, cell_start + cell.index(stripped))]
        elif _RUN.fullmatch(stripped):
            run = _chunks(stripped, cell_start + cell.index(stripped))
        else:
            m2 = _RUN_SEARCH.search(cell) if search_all and not structured else None
            if m2 is None:
                continue  # label text
            run_start = cell_start + m2.start()
            glued = glued or (run_start > 0 and not text[run_start - 1].isspace())
            run = _chunks(m2.group(), run_start)
        cell_id = base + i
        if pending:
            _flush_blanks(pending, toks, chunks, tok_cells)
        for chunk, offset in run:
            if chunk.isdigit():
                value: Number | None = int(chunk)
                leading_zero = leading_zero or (chunk[0] == "0" and len(chunk) > 1)
            else:
                value = _parse_number(chunk)[0] if chunk not in _BLANK_WORDS else None
                leading_zero = leading_zero or (len(chunk) > 1 and chunk[0] == "0" and chunk[1] != ".")
            toks.append(_Val(value, chunk, offset, "ok" if value is not None else "blank"))
            chunks.append((chunk, offset))
            tok_cells.append(cell_id)

    if not toks:
        return None
    reliable = "|" in segment or doc.is_real_row(start)
    return _Group(
        toks,
        chunks,
        glued or leading_zero,
        lead,
        len(pending),
        reliable,
        structured,
        label_cell,
        chunks[0][1],
        line_start,
        tok_cells=tok_cells if structured else None,
        empty_cells=tuple(empty),
    )


def _flush_blanks(
    pending: list[tuple[int, int]], toks: list[_Val], chunks: list[tuple[str, int]], tok_cells: list[int]
) -> None:
    """The empty cells between two numbers are blank cells: append them as tokens."""
    for blank_start, blank_id in pending:
        toks.append(_Val(None, "", blank_start, "blank"))
        chunks.append(("", blank_start))
        tok_cells.append(blank_id)
    pending.clear()


def _fast_row(doc: _Doc, segment: str, start: int) -> _Group | None:
    """The common case read without the general cell loop: the rest of a label's line is
    tab-separated cells that each hold a plain integer. Returns None for anything else."""
    tab = segment.find("\t")
    if (
        tab < 0
        or "|" in segment
        or not _FAST_CELLS.fullmatch(segment, tab)
        or (tab and _VALUE_CHARS.search(segment, 0, tab))
    ):
        return None
    parts = segment[tab + 1 :].split("\t")
    trail = 0
    if not parts[-1].strip():
        parts.pop()
        trail = 1
    toks: list[_Val] = []
    chunks: list[tuple[str, int]] = []
    pos = start + tab + 1
    for part in parts:
        digits = part.strip()
        if len(digits) > 1 and digits[0] == "0":
            return None  # a leading zero: digits run together, read by the general path
        offset = pos + part.index(digits)
        toks.append(_Val(int(digits), digits, offset, "ok"))
        chunks.append((digits, offset))
        pos += len(part) + 1
    line_start = doc.line_start(start)
    base = doc.text.count("\t", line_start, start)
    tok_cells = list(range(base + 1, base + 1 + len(toks)))
    empty = (base + 1 + len(toks),) if trail else ()
    return _Group(
        toks,
        chunks,
        False,
        0,
        trail,
        doc.is_real_row(start),
        True,
        True,
        chunks[0][1],
        line_start,
        tok_cells=tok_cells,
        empty_cells=empty,
    )


def _spaced_row(doc: _Doc, segment: str, start: int, first: int) -> _Group | None:
    """The common PDF case read without the general cell loop: the rest of a label's line (no tab or pipe)
    is words without a value character, then plain integers separated by spaces. `first` is where the
    first value character of `segment` is. Returns None for anything else; reads what the general path
    reads (the words are label text, the integers one run)."""
    if first and not segment[first - 1].isspace() or not _SPACED_INTS.fullmatch(segment, first):
        return None
    text = doc.text
    run_start = start + first
    glued = run_start > 0 and not text[run_start - 1].isspace() and text[run_start - 1] != "|"
    toks: list[_Val] = []
    chunks: list[tuple[str, int]] = []
    leading_zero = False
    for m in _DIGITS.finditer(segment, first):
        digits = m.group()
        offset = start + m.start()
        leading_zero = leading_zero or (digits[0] == "0" and len(digits) > 1)
        toks.append(_Val(int(digits), digits, offset, "ok"))
        chunks.append((digits, offset))
    return _Group(
        toks,
        chunks,
        glued or leading_zero,
        0,
        0,
        doc.is_real_row(start),
        False,
        True,
        chunks[0][1],
        doc.line_start(start),
        tok_cells=None,
        empty_cells=(),
    )


def _chunks(run: str, base: int) -> list[tuple[str, int]]:
    return [(m.group(), base + m.start()) for m in _CHUNK.finditer(run)]
