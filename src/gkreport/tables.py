"""Exact extraction of tables 二, 三 and 四 from a segmented report.

The extractor anchors on row labels, never on positions:

1. Each table is located by its anchors (第二十条第（一）项, the 勾稽 note / 申请人情况 / 本年新收, the first
   复议 after table 三, and the heading of section 五 as the end), so it works whether or not the section
   headings were found.
2. One combined regex per table finds the row labels (letter-spaced, line-broken, typo-tolerant). The text
   between one label and the next is the row's *zone*; the numbers in it are read per line and per cell
   (tabs, Markdown pipes, space-separated PDF lines, one cell per line, or digits run together).
3. A row whose numbers do not fit its columns gets several candidate readings (which column was lost,
   which number is extra, how a run of digits splits). Table 三 readings are narrowed by R3 per row and
   then jointly by R1/R2 across rows; a unique survivor is `ok`, otherwise the cells that differ are
   `ambiguous`. Nothing is guessed.
4. Values whose label got separated from them (PDF-to-Markdown debris) are placed by row order only where
   the count of such value lines equals the count of unlabelled rows between two labelled rows.

Every cell carries its value (None when unknown), the raw text, a status and its line/offset in
`report.document.text`. A blank ("", "/", "—", "-") is never 0.
"""

from __future__ import annotations

import bisect
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Literal

from gkreport.normalise import normalise_text
from gkreport.segment import Report
from gkreport.templates import (
    SCHEMAS,
    TABLE_NAMES,
    ColumnSpec,
    Equation,
    RowSpec,
    Schema,
    cell_label,
    col_label,
    expand_rules,
    row_label,
)
from gkreport.templates.official import SUM_RULES

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


# ---------------------------------------------------------------------------------------------------
# Patterns (all compiled at import)

_GAP = r"[\s|]*"  # letter spacing, line breaks and cell borders inside a label


def _spaced(text: str) -> str:
    return _GAP.join(re.escape(ch) for ch in text if not ch.isspace())


def _prefix_regex(prefix: str) -> str:
    if prefix.isdigit():
        return rf"{prefix}\s*[.、]\s*"
    if prefix.startswith("("):
        ordinal = prefix[1:-1]
        return rf"(?:[(（]\s*{ordinal}\s*[)）]|{ordinal}\s*、)\s*"
    return rf"{prefix}\s*[、.]\s*"


@dataclass(frozen=True, slots=True)
class _Alias:
    """One label phrase: its literal core (found by the fast alternation) and what may precede it."""

    row: str
    back: re.Pattern[str]  # the optional leading words and the printed ordinal, anchored at the core
    after: re.Pattern[str] | None  # words that must not follow the core (3.其他 is not 其他处理)
    rest: str = ""  # the official words after the core (white space removed), which a long label wraps over
    rest_match: re.Pattern[str] | None = None  # the longest printed start of `rest`, letter gaps allowed


@dataclass(frozen=True, slots=True)
class _LabelSet:
    cores: re.Pattern[str]  # one non-capturing alternation (capture groups would make it ~50x slower)
    aliases: dict[str, _Alias]  # core text (white space removed) -> alias
    printed: dict[str, _Alias] = field(default_factory=dict)  # core as printed -> alias, filled as met


_SQUEEZE = re.compile(r"[\s|]+")
_LOOKBACK = 24  # characters before a core searched for its ordinal and optional leading words


def _alias(row: RowSpec, alias: str) -> tuple[str, _Alias]:
    """Split an alias into its leading [optional] words and its literal core (the first plain part);
    anything after the core (more optional words, …) is label tail and needs no matching."""
    tokens = re.findall(r"\[[^\]]*\]|…|[^\[…]+", alias)
    leads: list[str] = []
    core = ""
    for token in tokens:
        if token.startswith("["):
            if core:
                break
            leads.append(token[1:-1])
        elif token == "…":
            break
        else:
            core = token
            break
    back = "".join(f"(?:{_spaced(lead)}{_GAP})?" for lead in leads)
    if row.prefix is not None:
        prefix = f"(?:{_prefix_regex(row.prefix)}{_GAP})"
        back = prefix + ("" if row.prefix_required else "?") + back
    after = re.compile(_GAP + "(?:法律|处理|情形)") if row.prefix_required else None
    rest = _words_after(_SQUEEZE.sub("", normalise_text(row.words)), normalise_text(core))
    # Nested optional characters: (?:G c1(?:G c2(?:G c3)?)?)? matches the longest printed start of `rest`.
    rest_match = re.compile("".join(f"(?:{_GAP}{_char(ch)}" for ch in rest) + ")?" * len(rest)) \
        if rest else None
    return core, _Alias(row.id, re.compile(back + _GAP + r"\Z"), after, rest, rest_match)


_SAME_CHARS = {"，": "[，,]", "“": "[“\"]", "”": "[”\"]"}  # punctuation printed either way


def _char(ch: str) -> str:
    return _SAME_CHARS.get(ch) or re.escape(ch)


def _words_after(words: str, core: str) -> str:
    """The official words that follow an alias core: after the core itself, else after its longest
    ending found in them (本单位不掌握 ends in 不掌握, and 相关政府信息 follows)."""
    for k in range(len(core), 1, -1):
        at = words.find(core[-k:])
        if at >= 0:
            return words[at + k:]
    return ""


def _label_set(rows: Sequence[RowSpec]) -> _LabelSet:
    entries = [_alias(row, alias) for row in rows for alias in row.aliases]
    # Longer cores first, so 其他处理 wins over 其他 at the same position.
    entries.sort(key=lambda e: -len(e[0]))
    pattern = "|".join(_spaced(core) for core, _a in entries)
    return _LabelSet(re.compile(pattern), {core: a for core, a in entries})


_LABELS: dict[tuple[str, str], _LabelSet] = {
    (name, table): _label_set(schema.tables[table].rows)
    for name, schema in SCHEMAS.items() for table in ("2", "3")
}

# Columns per row, looked up once per label in `_walk_rows`.
_ROW_WIDTHS: dict[tuple[str, str], dict[str, int]] = {
    (name, table): {row.id: len(schema.tables[table].row_columns(row)) for row in schema.tables[table].rows}
    for name, schema in SCHEMAS.items() for table in ("2", "3")
}

_T2_START = re.compile(_spaced("第二十条第") + r"\s*[(（]?\s*一\s*[)）]?\s*项")
_T2_FALLBACK = re.compile("|".join(_spaced(s) for s in ("第二十条", "本年制发件数", "本年新制作数量")))
# Anchors start with a literal so the regex engine can skip ahead fast; the printed ordinal before an
# anchor (四、…复议) is added by a short look back (_back_to_ordinal).
_T3_HEADING = re.compile(_spaced("收到和处理政府信息公开申请"))
_T3_START = re.compile("|".join(_spaced(s) for s in ("本列数据的勾稽", "勾稽关系", "申请人情况",
                                                      "本年新收政府")))
_T4_START = re.compile(_spaced("复议"))
_T4_HEADER = re.compile(_spaced("维持"))
_END = re.compile("|".join(
    _spaced(s) for s in ("存在的主要问题", "存在主要问题", "存在问题", "主要问题", "改进情况",
                         "其他需要报告的事项")))
_ORDINAL_BEFORE = re.compile(r"(?:[一二三四五六七]\s*、\s*)?(?:(?:政府信息公开|政府信息公开工作)\s*)?"
                             r"(?:行\s*政\s*)?\Z")
_LOOK_BACK_ORDINAL = 16
_TEMPLATE_MARKERS: dict[str, re.Pattern[str]] = {
    "2019": re.compile("|".join(_spaced(s) for s in ("本年新制作数量", "对外公开总数量", "上一年项目数量",
                                                     "政府集中采购", "采购总金额"))),
    "2021": re.compile("|".join(_spaced(s) for s in ("本年制发件数", "本年废止件数", "现行有效件数",
                                                     "本年收费金额"))),
}

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
_CELL_SEP = re.compile(r"[\t|]")
_FOOTER = re.compile(r"\s*(?:[-—–~]+\s*\d{1,4}\s*[-—–~]+|第\s*\d{1,4}\s*页.*|=+\s*PAGE.*)\s*")
_MD_RULE = re.compile(r"\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*")
_UNIT = re.compile(r"\s*(万?元)$")

MAX_READINGS = 64  # candidate alignments per row before we give up and call it ambiguous
MAX_JOINT = 20000  # joint assignments tried across table-三 rows
MAX_SPLITS = 5000  # splits of one digit run


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
        self.real_rows = sorted((b.start, b.end) for b in doc.blocks
                                if b.kind == "row" and b.table is not None)
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
    for part in (segment.split("\t") if "|" not in segment else _CELL_SEP.split(segment)):
        cells.append((part, base + pos))
        pos += len(part) + 1
    if segment.rstrip().endswith("|") and not cells[-1][0].strip():
        cells.pop()
    return cells


def _scan_zone(doc: _Doc, start: int, end: int, label_end_line: bool,
               search_all: bool = False) -> list[_Group]:
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
            toks = [_Val(int(raw) if raw.lstrip("+-").isdigit() else float(raw), raw, offset, "ok")
                    for raw, offset in chunks]
            groups.append(_Group(toks, chunks, False, 0, 0, False, True, False, chunks[0][1],
                                 doc.line_start(chunks[0][1]), stacked=True))
        return groups
    if pos < end and text[pos] == "\n":
        pos += 1
    while pos < end:
        nl = text.find("\n", pos, end)
        seg_end = end if nl == -1 else nl
        group = _scan_segment(doc, pos, seg_end, False, search_all)
        if group is not None:
            groups.append(group)
        pos = seg_end + 1
    return groups


def _scan_segment(doc: _Doc, start: int, end: int, label_cell: bool, search_all: bool) -> _Group | None:
    text = doc.text
    if _VALUE_CHARS.search(text, start, end) is None:
        return None
    segment = text[start:end]
    if label_cell:
        fast = _fast_row(doc, segment, start)
        if fast is not None:
            return fast
    if ("-" in segment or "—" in segment or "=" in segment or "页" in segment) and (
            _FOOTER.fullmatch(segment) or _MD_RULE.fullmatch(segment)):
        return None
    structured = "\t" in segment or "|" in segment
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
    return _Group(toks, chunks, glued or leading_zero, lead, len(pending), reliable, structured, label_cell,
                  chunks[0][1], line_start, tok_cells=tok_cells if structured else None,
                  empty_cells=tuple(empty))


def _flush_blanks(pending: list[tuple[int, int]], toks: list[_Val], chunks: list[tuple[str, int]],
                  tok_cells: list[int]) -> None:
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
    if tab < 0 or "|" in segment or not _FAST_CELLS.fullmatch(segment, tab) or \
            (tab and _VALUE_CHARS.search(segment, 0, tab)):
        return None
    parts = segment[tab + 1:].split("\t")
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
    return _Group(toks, chunks, False, 0, trail, doc.is_real_row(start), True, True, chunks[0][1], line_start,
                  tok_cells=tok_cells, empty_cells=empty)


def _chunks(run: str, base: int) -> list[tuple[str, int]]:
    return [(m.group(), base + m.start()) for m in _CHUNK.finditer(run)]


# ---------------------------------------------------------------------------------------------------
# Candidate readings of one row


Reading = tuple[_Val, ...]


def _val_of(tok: _Val, kind: str, unit_col: str | None) -> _Val:
    """The token as a value of a column (a fee printed in 元 goes into a 万元 column converted)."""
    raw = tok.raw
    if unit_col == "万元" and tok.value is not None and raw.endswith("元") and not raw.endswith("万元"):
        return _Val(round(tok.value / 10000, 6), tok.raw, tok.offset, "ok", "converted from 元 to 万元")
    return tok


def _normal_readings(groups: list[_Group], cols: Sequence[ColumnSpec], derive: bool) -> list[Reading]:
    """Readings of a row from separated numbers: the only one if the count fits, else each way a column
    could have been lost or a number be extra. With `derive` (table 三), one lost column is filled
    from R3 and readings that break R3 are dropped when others keep it."""
    n = len(cols)
    toks = [t for g in groups for t in g.toks]
    k = len(toks)
    if k < n and len(groups) == 1 and groups[0].reliable:
        # Markdown/HTML rows keep empty cells: trailing (then leading) empties are blank cells.
        g = groups[0]
        pad_trail = min(g.trail, n - k)
        pad_lead = min(g.lead, n - k - pad_trail)
        pad = _Val(None, "", g.start, "blank")
        toks = [pad] * pad_lead + toks + [pad] * pad_trail
        k = len(toks)
    if k == n:
        return [tuple(_val_of(t, c.kind, c.unit) for t, c in zip(toks, cols, strict=True))]
    if k == 0 or any(c.unit for c in cols):
        return _positional_readings(toks, cols) if k else []
    note = f"row prints {k} numbers for {n} columns"
    vals = [_Val(v.value, v.raw, v.offset, v.status, note) for v in toks]
    lost_val = _Val(None, "", None, "missing", note)
    if all(v.status == "ok" and v.value == 0 for v in vals) and (k > n or (k == n - 1 and derive)):
        # Every alignment of an all-zero row reads the same (R3 makes one unprinted column 0).
        zero = _Val(0, "", None, "ok", note + "; every alignment reads 0")
        return [tuple(vals[:n]) if k > n else tuple(vals + [zero])]
    if k < n:
        positions = list(combinations(range(n), n - k))
        if len(positions) > MAX_READINGS:
            return []
        out: list[Reading] = []
        for lost in positions:
            it = iter(vals)
            out.append(tuple(lost_val if i in lost else next(it) for i in range(n)))
    else:
        positions = list(combinations(range(k), k - n))
        if len(positions) > MAX_READINGS:
            return []
        out = [tuple(v for i, v in enumerate(vals) if i not in drop) for drop in positions]
    if derive:
        derived = [_derive_lost(r) for r in out]
        out = [r for r in derived if r is not None]
        consistent = [r for r in out if _t3_row_accept([v.value for v in r])]
        out = consistent or out
    return _dedupe(out)


def _positional_readings(toks: list[_Val], cols: Sequence[ColumnSpec]) -> list[Reading]:
    """Lost/extra readings for rows whose columns differ in kind or unit (table 二)."""
    n, k = len(cols), len(toks)
    out: list[Reading] = []
    note = f"row prints {k} numbers for {n} columns"
    if k < n:
        for lost in combinations(range(n), n - k):
            it = iter(toks)
            out.append(tuple(_Val(None, "", None, "missing", note) if i in lost
                             else _val_of(next(it), cols[i].kind, cols[i].unit) for i in range(n)))
    else:
        for drop in combinations(range(k), k - n):
            kept = [t for i, t in enumerate(toks) if i not in drop]
            out.append(tuple(_val_of(t, c.kind, c.unit) for t, c in zip(kept, cols, strict=True)))
    return _dedupe(out)


def _split_readings(groups: list[_Group], cols: Sequence[ColumnSpec],
                    accept: Callable[[list[Number | None]], bool] | None,
                    partial: bool = False) -> list[Reading]:
    """Readings of digits run together: every split of the chunks into len(cols) numbers (no leading
    zeros, signs only in signed columns, decimals only in amount columns) that `accept` allows.

    Printed spaces are forced boundaries. With `partial`, `accept` also prunes incomplete splits
    (R4 block by block); otherwise it sees only complete ones (R3 needs the 总计 at the end).
    """
    shapes: list[tuple[str, str, int]] = []  # (body, unit, most parts it can give)
    offsets: list[int] = []
    for g in groups:
        for chunk, offset in g.chunks:
            unit_match = _UNIT.search(chunk) if not chunk.isdigit() else None
            body = chunk[: unit_match.start()] if unit_match else chunk
            unit = unit_match.group(0) if unit_match else ""
            digits = body.lstrip("+-")
            if not digits or not digits[0].isdigit():
                shapes.append((body, unit, 1))  # a blank marker is one cell
            else:
                dot = digits.find(".")
                shapes.append((body, unit, dot if dot != -1 else len(digits)))
            offsets.append(offset)
    if not shapes:
        return []
    # The search depends only on the printed chunks, the column kinds and the identity, so it is
    # memoised on those; offsets are put back per row.
    key = (tuple(shapes), tuple(c.kind for c in cols), accept, partial)
    found = _SPLIT_MEMO.get(key)
    if found is None:
        if len(_SPLIT_MEMO) >= _SPLIT_MEMO_SIZE:
            _SPLIT_MEMO.clear()
        found = _SPLIT_MEMO[key] = _split_search(shapes, key[1], accept, partial)
    note = "digits run together; split by the 勾稽 identities" if accept else "digits run together"
    # tuple([...]) rather than tuple(generator): a generator costs ~2x per item here.
    return [tuple([_Val(v, raw, offsets[ci] + at, st, note) for v, raw, ci, at, st in split]) for split in found]


_SplitPart = tuple[Number | None, str, int, int, CellStatus]  # value, raw, chunk index, start in chunk, status
_SPLIT_MEMO: dict[tuple[object, ...], tuple[tuple[_SplitPart, ...], ...]] = {}
_SPLIT_MEMO_SIZE = 4096


def _split_search(chunks: list[tuple[str, str, int]], kinds: tuple[str, ...],
                  accept: Callable[[list[Number | None]], bool] | None,
                  partial: bool) -> tuple[tuple[_SplitPart, ...], ...]:
    """The splits of `_split_readings`, with positions relative to their chunks."""
    n = len(kinds)
    n_chunks = len(chunks)
    capacity = [0] * (n_chunks + 1)  # most parts the chunks from i on can give
    for i in range(n_chunks - 1, -1, -1):
        capacity[i] = capacity[i + 1] + chunks[i][2]
    if not n_chunks <= n <= capacity[0]:
        return ()
    prune = accept if partial else None
    results: list[tuple[_SplitPart, ...]] = []
    values: list[Number | None] = []
    parts: list[tuple[str, int, int, CellStatus]] = []

    def walk(ci: int, pos: int) -> None:
        if len(results) > MAX_SPLITS:
            return
        if ci == n_chunks:
            if len(values) == n and (accept is None or partial or accept(values)):
                results.append(tuple((v, raw, c, at, st) for v, (raw, c, at, st) in zip(values, parts,
                                                                                         strict=True)))
            return
        body, unit, most = chunks[ci]
        k = len(values)
        if most == 1 and not any(ch.isdigit() for ch in body):
            values.append(None)
            parts.append((body, ci, 0, "blank"))
            if prune is None or prune(values):
                walk(ci + 1, 0)
            values.pop()
            parts.pop()
            return
        sign = 1 if body[:1] in "+-" else 0
        dot = body.find(".")
        digits_end = dot if dot != -1 else len(body)
        start = pos
        kind = kinds[k]
        left = n - k - 1  # parts still needed after this one
        chunks_after = n_chunks - ci - 1
        cap_after = capacity[ci + 1]
        for cut in range(max(start + sign + 1 if pos == 0 else pos + 1, start + 1), digits_end + 1):
            last = cut == digits_end
            if left < chunks_after + (0 if last else 1) or left > (0 if last else digits_end - cut) + cap_after:
                continue
            piece = body[start:len(body) if last else cut]
            lead = piece[1:] if piece[:1] in "+-" else piece
            if len(lead) > 1 and lead[0] == "0" and lead[1] != ".":
                continue  # no leading zeros: "05" is not a number as printed
            if (piece[0] in "+-" and kind != "signed") or ("." in piece and kind != "amount"):
                continue
            values.append(float(piece) if "." in piece else int(piece))
            parts.append((piece + (unit if last else ""), ci, start, "ok"))
            if prune is None or prune(values):
                walk(ci + 1, 0) if last else walk(ci, cut)
            values.pop()
            parts.pop()

    walk(0, 0)
    if len(results) > MAX_SPLITS:
        return ()
    return tuple(results)


def _t3_row_accept(values: list[Number | None]) -> bool:
    """R3 on one candidate split: the six applicant columns sum to 总计."""
    if any(v is None for v in values):
        return True
    return sum(values[:6]) == values[6]  # type: ignore[arg-type]


def _derive_lost(reading: Reading) -> Reading | None:
    """Fill the one column a table-三 row did not print from R3; None if that makes it negative."""
    lost = [i for i, v in enumerate(reading) if v.status == "missing"]
    if len(lost) != 1 or any(v.status != "ok" for i, v in enumerate(reading) if i != lost[0]):
        return reading
    i = lost[0]
    values = [v.value for v in reading]
    known = [v for j, v in enumerate(values[:6]) if j != i and v is not None]  # every cell but the lost one is ok
    total = values[6]
    if i == 6 or total is None:
        derived = sum(known)
    else:
        derived = total - sum(known)
    if derived < 0:
        return None
    note = reading[i].note + "; the unprinted column is implied by R3"
    out = list(reading)
    out[i] = _Val(derived, "", None, "ok", note)
    return tuple(out)


def _row_readings(groups: list[_Group], cols: Sequence[ColumnSpec], table: str, units: bool) -> list[Reading]:
    """Candidate readings of a row; `units` says whether any of `cols` has a unit (asked once per table)."""
    if len(groups) == 1 and not units and not groups[0].run_mode and len(groups[0].toks) == len(cols):
        return [tuple(groups[0].toks)]  # the common case: one line, one number per column
    if any(g.run_mode for g in groups):
        accept = _t3_row_accept if table == "3" else None
        readings = _split_readings(groups, cols, accept)
    else:
        readings = []
        count = sum(g.count for g in groups) if len(groups) > 1 else groups[0].count
        if (table == "3" and count < len(cols) and not any(g.structured for g in groups)
                and len(cols) <= sum(ch.isdigit() for g in groups for c, _ in g.chunks for ch in c)):
            # Space-separated runs (平潭 2022: "713000074"): a split that satisfies R3 beats a lost column.
            readings = _split_readings(groups, cols, _t3_row_accept)
        if readings:
            return _dedupe(readings)
        return _normal_readings(groups, cols, table == "3")
    return _dedupe(readings)


def _dedupe(readings: list[Reading]) -> list[Reading]:
    if len(readings) < 2:
        return readings
    seen: dict[tuple[tuple[Number | None, str], ...], Reading] = {}
    for r in readings:
        seen.setdefault(tuple((v.value, v.status) for v in r), r)
    return list(seen.values())


# ---------------------------------------------------------------------------------------------------
# Walking the labels of one table


@dataclass(slots=True)
class _Label:
    row: str
    start: int
    end: int
    alias: _Alias
    left: str = ""  # official words the label still lacked where its zone ended without numbers


@dataclass(slots=True)
class _RowHit:
    row: str
    label_start: int
    groups: list[_Group]
    note: str = ""
    unsure: bool = False  # the numbers could as well be another row's: the row is ambiguous
    wrapped: bool = False  # the numbers follow the label's last words on a later line


def _find_labels(doc: _Doc, label_set: _LabelSet, start: int, end: int) -> list[_Label]:
    text = doc.text
    labels: list[_Label] = []
    printed = label_set.printed
    for m in label_set.cores.finditer(text, start, end):
        core = m.group()
        alias = printed.get(core)
        if alias is None:
            if len(printed) > 4096:
                printed.clear()  # bounded: letter-spaced variants are few, but batches are long
            alias = printed[core] = label_set.aliases[_SQUEEZE.sub("", core)]
        if alias.after is not None and alias.after.match(text, m.end()):
            continue
        core_start = m.start()
        # The look back runs on the text itself, bounded (its \Z matches at the core; no slice is made).
        back = alias.back.search(text, max(start, core_start - _LOOKBACK), core_start)
        if back is None:
            continue  # a required ordinal is absent: 总计 in a header is not （七）总计
        labels.append(_Label(alias.row, back.start(), m.end(), alias))
    return labels


def _walk_rows(doc: _Doc, schema: Schema, table: str, start: int, end: int
               ) -> tuple[list[_RowHit], list[tuple[int, _Group]]]:
    """Assign value groups to row labels; return the hits and the orphan groups (no usable label)."""
    spec = schema.tables[table]
    widths = _ROW_WIDTHS[(schema.name, table)]
    labels = _find_labels(doc, _LABELS[(schema.name, table)], start, end)
    hits: list[_RowHit] = []
    orphans: list[tuple[int, _Group]] = []
    pending: list[_Label] = []
    for i, label in enumerate(labels):
        if pending and pending[-1].row == label.row:
            pending[-1].end = label.end  # the same label found twice in a row (a split or repeated cell)
        elif pending and label.row in spec.row(pending[-1].row).members:
            pending[-1] = label  # （六）其他处理 printed as a group head above its items
        else:
            pending.append(label)
        zone_end = labels[i + 1].start if i + 1 < len(labels) else end
        groups = _scan_zone(doc, label.end, zone_end, True)
        wrapped = False
        rest = label.alias.rest_match
        if (not groups or not groups[0].same_line) and rest is not None:
            words_start = label.end
            joined = _wrapped_end(doc.text, rest, words_start, zone_end)
            if joined is not None:
                groups = _scan_zone(doc, joined, zone_end, True)
                # The continuation could also finish an earlier label that is still waiting for its
                # words and numbers: then neither row can have the numbers for sure.
                cont = _SQUEEZE.sub("", doc.text[doc.text.find("\n", label.end):joined])
                rivals = [p for p in pending[:-1] if p.left and p.left.startswith(cont)]
                if groups and rivals:
                    note = "a wrapped label's last line could finish more than one label"
                    hits += [_RowHit(p.row, p.start, groups, note, unsure=True) for p in [*rivals, pending[-1]]]
                    pending = []
                    continue
                label.end = pending[-1].end = joined
                wrapped = True
            if not groups:
                # The words it still lacks: a later line that begins with them could be its continuation.
                printed = rest.match(doc.text, words_start, zone_end)
                done = len(_SQUEEZE.sub("", printed.group())) if printed else 0
                pending[-1].left = label.alias.rest[done:]
        if not groups:
            continue
        current = pending[-1]
        n = widths[current.row]
        collected: list[_Group] = []
        single_mode = False
        # Below a label (not on its line), a line with exactly one full row of numbers beats stray
        # single numbers before it (024: a lone "1" between the label and its row).
        full = None
        if not groups[0].same_line and groups[0].count < n:
            full = next((g for g in groups if g.count == n and not g.run_mode), None)
        for g in groups:
            if full is not None:
                if g is full and len(pending) == 1:
                    collected.append(g)
                else:
                    orphans.append((g.start, g))
            elif not collected:
                if g.same_line or len(pending) == 1:
                    collected.append(_take(g, n) if g.stacked else g)
                    single_mode = (g.count == 1 or g.stacked) and not g.run_mode and n > 1
                else:
                    orphans.append((g.start, g))
            elif single_mode and (g.count == 1 or g.stacked) and sum(x.count for x in collected) < n:
                collected.append(_take(g, n - sum(x.count for x in collected)))
            else:
                orphans.append((g.start, g))
        if collected:
            # (Only groups below the label can follow words; the first test spares the common case.)
            if (len(collected) > 1 or not collected[0].same_line) and \
                    any(not g.same_line and _words_before_numbers(doc.text, g) for g in collected):
                # Numbers below the label that follow other label words on their line: the first line of a
                # label cut inside its words, whose numbers stayed on it. They could be this row's or the
                # row whose words these are (its core found further down): neither is certain.
                hits.append(_RowHit(current.row, current.start, collected,
                                    "numbers below the label follow other label words", unsure=True))
            else:
                hits.append(_RowHit(current.row, current.start, collected, wrapped=wrapped))
        pending = []
    return hits, orphans


def _words_before_numbers(text: str, group: _Group) -> bool:
    """The group's line prints words (not only cell borders) before its first number."""
    return bool(text[group.line_start:group.start].strip(" \t|\u3000"))


# What may follow a wrapped label's last words on their line: a number, a blank marker or the line end
# (so the line is the row's line of numbers, not more label text).
_AFTER_WORDS = re.compile(r"[ \t|]*(?:[\d/／\\—–－+-]|无(?![^\s|])|\n|\Z)")


def _wrapped_end(text: str, rest: re.Pattern[str], start: int, end: int) -> int | None:
    """Where a label (its core ending at `start`) ends if it wraps: the rest of its line holds nothing but
    the start of its official words (`rest`), the next line(s) begin with the remaining words, and numbers
    or nothing follow them. None when the label does not wrap that way."""
    m = rest.match(text, start, end)
    if m is None or text.find("\n", start, m.end()) < 0 or not _AFTER_WORDS.match(text, m.end(), end):
        return None
    return m.end()


def _take(group: _Group, n: int) -> _Group:
    """The first n numbers of a stacked group (the numbers after them belong to no row)."""
    if group.count <= n:
        return group
    toks = group.toks[:n]
    return _Group(toks, group.chunks[:n], False, 0, 0, False, group.structured, False, toks[0].start,
                  group.line_start, stacked=True)


def _place_orphans(schema: Schema, table: str, hits: list[_RowHit], orphans: list[tuple[int, _Group]]
                   ) -> list[_RowHit]:
    """Give value lines that lost their label to the unlabelled rows between two labelled rows, in row
    order, where the counts match exactly and every such line carries a full row of numbers."""
    spec = schema.tables[table]
    order = {row.id: i for i, row in enumerate(spec.rows) if row.id not in schema.variants}
    n = len(spec.columns)
    assigned = {h.row for h in hits}
    # An unsure hit's numbers may be another row's line, so it neither anchors a gap nor lets one be
    # filled: its own line may be among the orphans, and the counts would match by accident.
    anchors = sorted((h.groups[0].start, order[h.row]) for h in hits if h.row in order and not h.unsure)
    unsure = [order[h.row] for h in hits if h.unsure and h.row in order]
    if not anchors or not orphans:
        return []
    by_gap: dict[int, list[_Group]] = {}
    for pos, g in orphans:
        if g.run_mode or g.count != n:
            continue
        gap = bisect.bisect_right([a for a, _ in anchors], pos)
        by_gap.setdefault(gap, []).append(g)
    placed: list[_RowHit] = []
    rows_in_order = [row.id for row in spec.rows if row.id in order]
    for gap, groups in by_gap.items():
        lo = anchors[gap - 1][1] if gap > 0 else -1
        hi = anchors[gap][1] if gap < len(anchors) else len(rows_in_order)
        if lo >= hi or any(lo < u < hi for u in unsure):
            continue
        missing = [r for r in rows_in_order[lo + 1:hi] if r not in assigned]
        if len(missing) != len(groups):
            continue
        for row, g in zip(missing, groups, strict=True):
            placed.append(_RowHit(row, g.start, [g], "label detached from its numbers; placed by row order"))
    return placed


# ---------------------------------------------------------------------------------------------------
# Resolving readings into cells


def _cells_from_reading(doc: _Doc, table: str, row: str, cols: Sequence[str], reading: Reading,
                        line: int, note: str, values_line: int | None = None) -> list[Cell]:
    """Cells of one reading; a value without an offset gets `line`. `values_line`, when given, is the line
    of every value with an offset (the reading of one line's group), which spares a lookup per cell (the
    lookup was ~40% of a cell's cost). `note`, when given, goes before each value's own note."""
    newlines = doc.newlines
    line_of = bisect.bisect_right
    return [Cell(table, row, col, v.value, v.raw, v.status,
                 line if v.offset is None else values_line or line_of(newlines, v.offset - 1) + 1, v.offset,
                 (f"{note}; {v.note}" if v.note else note) if note else v.note)
            for col, v in zip(cols, reading, strict=True)]


def _one_line(hits: list[_RowHit]) -> _Group | None:
    """The group of a row read from one hit with one line's numbers (not stacked over lines): every
    value of its readings sits on that group's line."""
    if len(hits) == 1 and len(hits[0].groups) == 1 and not hits[0].groups[0].stacked:
        return hits[0].groups[0]
    return None


def _agreed(doc: _Doc, table: str, row: str, cols: Sequence[str], readings: list[Reading], line: int,
            note: str, printed: str) -> list[Cell]:
    """Cells on which every reading agrees are kept; the others are ambiguous."""
    cells = []
    raw_all = printed
    for i, col in enumerate(cols):
        options = {(r[i].value, r[i].status) for r in readings}
        first = readings[0][i]
        if len(options) == 1:
            cell_line = doc.line(first.offset) if first.offset is not None else line
            full_note = "; ".join(x for x in (note, first.note, "every candidate alignment agrees") if x)
            cells.append(Cell(table, row, col, first.value if first.status == "ok" else None, first.raw,
                              first.status, cell_line, first.offset, full_note))
        else:
            values = sorted({str(v) for v, _ in options})
            cells.append(Cell(table, row, col, None, raw_all, "ambiguous", line, first.offset,
                              f"{len(readings)} readings fit ({'/'.join(values)}); none is certain"))
    return cells


def _solve_t3(schema: Schema, readings: dict[str, list[Reading]], equations: list[Equation]
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


# ---------------------------------------------------------------------------------------------------
# Locating the tables


@dataclass(frozen=True, slots=True)
class _Regions:
    t2: tuple[int, int] | None
    t3: tuple[int, int] | None
    t4: tuple[int, int] | None


def _back_to_ordinal(text: str, pos: int) -> int:
    """Where a heading that ends in the anchor at `pos` starts (四、政府信息公开行政复议 → at 四)."""
    window_start = max(0, pos - _LOOK_BACK_ORDINAL)
    m = _ORDINAL_BEFORE.search(text[window_start:pos])
    return window_start + m.start() if m else pos


@lru_cache(maxsize=16)
def _locate(text: str, sec2: int | None = None, sec3: int | None = None, sec5: int | None = None) -> _Regions:
    """The spans of tables 二/三/四. Section starts from the segmenter (where it found them) narrow the
    anchor searches; without them, or when an anchor is not inside its section, the whole text is used."""
    n = len(text)
    m2 = None
    if sec2 is not None:
        m2 = _T2_START.search(text, sec2) or _T2_FALLBACK.search(text, sec2)
    m2 = m2 or _T2_START.search(text) or _T2_FALLBACK.search(text)
    t2_start = m2.start() if m2 else None
    after = t2_start if t2_start is not None else 0
    m3 = _T3_START.search(text, sec3) if sec3 is not None and sec3 >= after else None
    m3 = m3 or _T3_START.search(text, after)
    t3_start = m3.start() if m3 else None
    if t2_start is not None:
        heading = _T3_HEADING.search(text, t2_start)
        heading_start = _back_to_ordinal(text, heading.start()) if heading else None
        t2_end = min(x for x in (heading_start, t3_start, n) if x is not None)
        if heading_start is not None and t3_start is not None and heading_start < t3_start:
            t3_start = heading_start
        t2 = (t2_start, t2_end)
    else:
        t2 = None
    t3 = t4 = None
    search_from = t3_start if t3_start is not None else (t2[1] if t2 else None)
    t4_start = None
    if search_from is not None:
        m4 = _T4_START.search(text, search_from)
        end_match = _END.search(text, search_from)
        end = _back_to_ordinal(text, end_match.start()) if end_match else n
        if sec5 is not None and search_from < sec5 < end:
            end = sec5
        if m4 is not None and m4.start() < end:
            t4_start = _back_to_ordinal(text, m4.start())
            end4 = _END.search(text, m4.end())
            t4 = (t4_start, _back_to_ordinal(text, end4.start()) if end4 else n)
            if _T4_HEADER.search(text, t4[0], t4[1]) is None:
                t4 = None
        if t3_start is not None:
            t3 = (t3_start, min(x for x in (t4_start, end) if x is not None))
    return _Regions(t2, t3, t4)


def _section_starts(report: Report) -> tuple[int | None, int | None, int | None]:
    """Starts of sections 2, 3 and 5 where the segmenter found or inferred them."""
    starts: dict[int, int] = {}
    for section in report.sections:
        if section.status != "missing" and section.start is not None:
            starts[section.number] = section.start
    return starts.get(2), starts.get(3), starts.get(5)


def table_spans(text: str, report: Report | None = None) -> list[tuple[int, int]]:
    """Where tables 二, 三 and 四 sit in `text`, as [start, end) spans (the prose is everything else)."""
    regions = _locate(text, *_section_starts(report)) if report is not None else _locate(text)
    return [span for span in (regions.t2, regions.t3, regions.t4) if span is not None]


def _detect_template(text: str, regions: _Regions, report: Report) -> str | None:
    if regions.t2 is not None:
        for name in ("2019", "2021"):
            if _TEMPLATE_MARKERS[name].search(text, *regions.t2):
                return name
    if report.template in SCHEMAS:
        return report.template
    if regions.t3 is None and regions.t2 is None:
        return None
    for name in ("2019", "2021"):
        if _TEMPLATE_MARKERS[name].search(text):
            return name
    if regions.t3 is not None:
        # Items of （六） only exist in the 2021 template.
        labels = _find_labels(_DocText(text), _LABELS[("2021", "3")], *regions.t3)
        if any(lb.row.startswith("other.") for lb in labels):
            return "2021"
        if any(lb.row == "other" for lb in labels):
            return "2019"
    return "2021"


class _DocText(_Doc):
    """A `_Doc` over bare text (template detection needs no blocks)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = []
        self.real_rows = []
        self._real_starts = []


# ---------------------------------------------------------------------------------------------------
# Public API


def extract_tables(report: Report) -> TableResult:
    """Cells of tables 二, 三 and 四 of `report`, each with value, raw text, status and position."""
    doc = _Doc(report)
    regions = _locate(doc.text, *_section_starts(report))
    name = _detect_template(doc.text, regions, report)
    if name is None:
        from gkreport.tables_old import extract_old  # no 2019/2021 table: the pre-2019 统计表, if any

        return extract_old(report)
    schema = SCHEMAS[name]
    cells: list[Cell] = []
    cells += _extract_t2(doc, schema, regions.t2)
    cells += _extract_t3(doc, schema, regions.t3)
    cells += _extract_t4(doc, schema, regions.t4)
    return TableResult(name, cells)


def _missing(table: str, row: str, cols: Sequence[str], note: str = "") -> list[Cell]:
    return [Cell(table, row, col, None, "", "missing", None, None, note) for col in cols]


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


def _printed(groups: list[_Group]) -> str:
    """The numbers of a row as printed, chunks separated by single spaces."""
    return " ".join(c for g in groups for c, _ in g.chunks if c)


def _ambiguous_row(doc: _Doc, table: str, row: str, cols: Sequence[str], hit: _RowHit,
                   why: str) -> list[Cell]:
    raw = _printed(hit.groups)
    offset = hit.groups[0].start if hit.groups else None
    line = doc.line(offset if offset is not None else hit.label_start)
    return [Cell(table, row, col, None, raw, "ambiguous", line, offset, why) for col in cols]


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
            cells += _ambiguous_row(doc, "3", row.id, cols, hit, hit.note if hit.unsure else
                                    "label and numbers could not be matched with certainty")
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
            for c, col in zip(range(first, last + 1), cols, strict=True))
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
            vals += [_val_of(t, c.kind, c.unit) for t, c in zip(toks, all_cols[lost * 5:], strict=True)]
            readings = [tuple(vals)]
        elif len(toks) % 5 == 0 and 0 < len(toks) < 15:
            readings = []
            present = len(toks) // 5
            for kept_blocks in combinations(range(3), present):
                it = iter(toks)
                vals = []
                for b in range(3):
                    for c in col_specs:
                        vals.append(_val_of(next(it), c.kind, c.unit) if b in kept_blocks
                                    else _Val(None, "", None, "missing", "block lost"))
                readings.append(tuple(vals))
            readings = [r for r in readings if _t4_accept([v.value for v in r])] or readings
        else:
            readings = []
    readings = _dedupe(readings)
    cells: list[Cell] = []
    if not readings:
        raw = _printed(taken)
        return [Cell("4", row, col, None, raw, "ambiguous", line, taken[0].start,
                     f"{count} numbers where 15 are expected") for row in blocks for col in cols]
    values_line = line if len(taken) == 1 and not taken[0].stacked else None  # `line` is taken[0]'s
    for b, row in enumerate(blocks):
        part = [r[b * 5:(b + 1) * 5] for r in readings]
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
        block = values[b * 5:(b + 1) * 5]
        if len(block) == 5 and all(v is not None for v in block) and sum(block[:4]) != block[4]:  # type: ignore[arg-type]
            return False
    return True


# ---------------------------------------------------------------------------------------------------
# Output helpers

CSV_FIELDS = ("table", "row", "col", "row_label", "col_label", "value", "raw", "status", "line", "offset",
              "note")


def table_rows_for_csv(result: TableResult) -> list[dict[str, str | int | float | None]]:
    """One dict per cell with CSV_FIELDS as keys (for csv.DictWriter)."""
    return [
        {"table": c.table, "row": c.row, "col": c.col,
         "row_label": row_label(c.table, c.row, result.template),
         "col_label": col_label(c.table, c.col, result.template),
         "value": c.value, "raw": c.raw, "status": c.status, "line": c.line, "offset": c.offset,
         "note": c.note}
        for c in result.cells
    ]


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


def _show(cell: Cell | None) -> str:
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
                parts = [f"{col_label('2', c, result.template)} {_show(result.get('2', row.id, c))}"
                         for c in spec.row_columns(row)]
                table.add_row(row.label, "；".join(parts))
        else:
            table.add_column("项目")
            for col in spec.columns:
                table.add_column(col.label, justify="right")
            replaced = {m for v, members in schema.variants.items() if result.has_row(table_id, v)
                        for m in members if not result.has_row(table_id, m)}
            for row_id in result.rows(table_id):
                if row_id in replaced:
                    continue  # the report printed one （六）其他处理 row instead of these items
                table.add_row(row_label(table_id, row_id, result.template),
                              *[_show(result.get(table_id, row_id, c.id)) for c in spec.columns])
        console.print(table)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"


__all__ = [
    "CSV_FIELDS", "Cell", "CellStatus", "TableResult", "cell_label", "extract_tables", "render_text",
    "table_rows_for_csv", "table_spans",
]
