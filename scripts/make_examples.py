"""Generate the bundled example reports (corpora/examples) and their gold files.

Every example is one `Example` description below: agency, year, template, table numbers and prose. The
files and the gold (annotations/gold/segments, annotations/gold/tables) are both derived from that one
description, so they cannot drift apart. All agencies, numbers and prose are invented; only the official
headings and table row labels are taken from the national templates.

Usage:  python scripts/make_examples.py [--root /work/main]

The output is byte-for-byte deterministic (fixed zip timestamps for DOCX, reportlab "invariant" mode for
PDF), which tests/test_examples.py checks.
"""

from __future__ import annotations

import argparse
import codecs
import hashlib
import html
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gkreport.normalise import normalise_text

EXAMPLES_DIR = Path("corpora/examples")
SEGMENTS_DIR = Path("annotations/gold/segments")
TABLES_DIR = Path("annotations/gold/tables")
ANCHOR_CHARS = 12

CellKey = tuple[str, str, str]  # (table "2"|"3"|"4", row id, column id)
Number = int | float

# ---------------------------------------------------------------------------------------------------------
# Official table schemas (labels as printed in the national templates; ids as used by the gold files).
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class T2Block:
    title: str
    headers: tuple[str, ...]  # column headers after 信息内容
    rows: tuple[tuple[str, str], ...]  # (row id, label)
    cols: tuple[str, ...]  # column ids, same length as headers


T2_SCHEMA: dict[str, tuple[T2Block, ...]] = {
    "2021": (
        T2Block(
            "第二十条第（一）项",
            ("本年制发件数", "本年废止件数", "现行有效件数"),
            (("regulations", "规章"), ("normative_docs", "行政规范性文件")),
            ("made", "repealed", "in_force"),
        ),
        T2Block("第二十条第（五）项", ("本年处理决定数量",), (("licensing", "行政许可"),), ("decisions",)),
        T2Block(
            "第二十条第（六）项",
            ("本年处理决定数量",),
            (("punishment", "行政处罚"), ("coercion", "行政强制")),
            ("decisions",),
        ),
        T2Block("第二十条第（八）项", ("本年收费金额（单位：万元）",), (("fees", "行政事业性收费"),), ("amount",)),
    ),
    "2019": (
        T2Block(
            "第二十条第（一）项",
            ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
            (("regulations", "规章"), ("normative_docs", "规范性文件")),
            ("new_made", "new_published", "total_published"),
        ),
        T2Block(
            "第二十条第（五）项",
            ("上一年项目数量", "本年增/减", "处理决定数量"),
            (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")),
            ("prev_count", "change", "decisions"),
        ),
        T2Block(
            "第二十条第（六）项",
            ("上一年项目数量", "本年增/减", "处理决定数量"),
            (("punishment", "行政处罚"), ("coercion", "行政强制")),
            ("prev_count", "change", "decisions"),
        ),
        T2Block(
            "第二十条第（八）项",
            ("上一年项目数量", "本年增/减"),
            (("fees", "行政事业性收费"),),
            ("prev_count", "change"),
        ),
        T2Block(
            "第二十条第（九）项",
            ("采购项目数量", "采购总金额"),
            (("procurement", "政府集中采购"),),
            ("projects", "amount"),
        ),
    ),
}
T2_WIDTH = 4  # 信息内容 + up to three value columns

_RESULTS = "三、本年度办理结果"
_DENIED = "（三）不予公开"
_UNABLE = "（四）无法提供"
_NOT_PROCESSED = "（五）不予处理"
_OTHER = "（六）其他处理"

# Row id and its label path in the official form; a shared prefix is one merged (rowspan) label cell.
_T3_HEAD: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("new_received", ("一、本年新收政府信息公开申请数量",)),
    ("carried_over", ("二、上年结转政府信息公开申请数量",)),
    ("granted", (_RESULTS, "（一）予以公开")),
    ("partially_granted", (_RESULTS, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")),
    ("denied.state_secret", (_RESULTS, _DENIED, "1.属于国家秘密")),
    ("denied.law_prohibited", (_RESULTS, _DENIED, "2.其他法律行政法规禁止公开")),
    ("denied.security_stability", (_RESULTS, _DENIED, "3.危及“三安全一稳定”")),
    ("denied.third_party", (_RESULTS, _DENIED, "4.保护第三方合法权益")),
    ("denied.internal_affairs", (_RESULTS, _DENIED, "5.属于三类内部事务信息")),
    ("denied.process_info", (_RESULTS, _DENIED, "6.属于四类过程性信息")),
    ("denied.enforcement_file", (_RESULTS, _DENIED, "7.属于行政执法案卷")),
    ("denied.query_item", (_RESULTS, _DENIED, "8.属于行政查询事项")),
    ("unable.not_held", (_RESULTS, _UNABLE, "1.本机关不掌握相关政府信息")),
    ("unable.needs_creation", (_RESULTS, _UNABLE, "2.没有现成信息需要另行制作")),
    ("unable.still_unclear", (_RESULTS, _UNABLE, "3.补正后申请内容仍不明确")),
    ("not_processed.petition", (_RESULTS, _NOT_PROCESSED, "1.信访举报投诉类申请")),
    ("not_processed.repeated", (_RESULTS, _NOT_PROCESSED, "2.重复申请")),
    ("not_processed.publication", (_RESULTS, _NOT_PROCESSED, "3.要求提供公开出版物")),
    ("not_processed.mass_repeated", (_RESULTS, _NOT_PROCESSED, "4.无正当理由大量反复申请")),
    ("not_processed.confirm_existing", (_RESULTS, _NOT_PROCESSED, "5.要求行政机关确认或重新出具已获取信息")),
)
_T3_TAIL: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("total", (_RESULTS, "（七）总计")),
    ("carry_forward", ("四、结转下年度继续办理",)),
)
T3_LAYOUT: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "2021": _T3_HEAD
    + (
        ("other.no_correction", (_RESULTS, _OTHER, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")),
        (
            "other.no_fee",
            (_RESULTS, _OTHER, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ),
        ("other.other", (_RESULTS, _OTHER, "3.其他")),
    )
    + _T3_TAIL,
    "2019": _T3_HEAD + (("other", (_RESULTS, _OTHER)),) + _T3_TAIL,
}
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_APPLICANTS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org")
T3_COLS = T3_APPLICANTS + ("total",)
T3_ORG_LABELS = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
T3_LABEL_WIDTH = 3

T4_BLOCKS = ("reconsideration", "litigation_direct", "litigation_after_review")
T4_COLS = ("upheld", "corrected", "other", "pending", "total")
T4_RESULT_LABELS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

SECTION_HEADINGS = {
    1: "一、总体情况",
    2: "二、主动公开政府信息情况",
    3: "三、收到和处理政府信息公开申请情况",
    4: "四、政府信息公开行政复议、行政诉讼情况",
    5: "五、存在的主要问题及改进情况",
    6: "六、其他需要报告的事项",
}

# ---------------------------------------------------------------------------------------------------------
# Document model: what an example contains, independent of the file format it is written in.
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Title:
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Head:
    text: str
    section: int | None  # the statutory section this heading opens; None for a sub-heading
    level: int


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class TableRef:
    kind: str  # "2" | "3" | "4"


@dataclass(frozen=True)
class SectionStart:
    """A section that begins here without a heading line (gold status "inferred")."""

    section: int


Element = Title | Head | Para | TableRef | SectionStart


def H(n: int, text: str | None = None, level: int = 2) -> Head:
    return Head(text if text is not None else SECTION_HEADINGS[n], n, level)


def S(text: str, level: int = 3) -> Head:
    return Head(text, None, level)


def P(text: str) -> Para:
    return Para(text)


@dataclass(frozen=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1


Grid = list[list[Cell]]  # only origin cells; positions covered by a span are implicit


@dataclass
class Example:
    code: str
    year: int
    template: str  # "2021" | "2019" | "pre2019"
    agency: str
    level: str
    layout: str  # tabs | cells | markdown | plain | html | docx | pdf
    layout_note: str
    exercises: str
    elements: list[Element]
    suffix: str = ".txt"
    encoding: str = "utf-8"  # utf-8 | gb18030 | utf-16 (written with BOM)
    newline: str = "\n"
    proactive: int = 0
    t2: dict[str, tuple[Number, ...]] = field(default_factory=dict)
    t3_outcomes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    t3_carried: tuple[int, ...] = (0,) * 6
    t3_forward: tuple[int, ...] = (0,) * 6
    t4: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    label_map: dict[str, str] = field(default_factory=dict)  # official label -> label as written
    blanks: dict[CellKey, str] = field(default_factory=dict)  # cell -> blank marker as written
    broken: dict[CellKey, int] = field(default_factory=dict)  # cell -> deliberate error added
    stated_delta: dict[str, int] = field(default_factory=dict)  # prose fact -> deliberate error added
    fullwidth_facts: bool = False
    amount_suffix: str = ""  # unit written inside the 2019 procurement amount cell
    html_heading: str = "h3"  # h3 | strong

    @property
    def filename(self) -> str:
        layout = {"plain": "freeform"}.get(self.layout, self.layout)
        enc = {"utf-8": "", "gb18030": "_gb18030", "utf-16": "_utf16"}[self.encoding]
        tag = "_broken" if self.broken else ""
        return f"{self.code}_{self.year}_{layout}{enc}{tag}_{self.level}{self.suffix}"

    def label(self, official: str) -> str:
        return self.label_map.get(official, official)


# ---------------------------------------------------------------------------------------------------------
# Numbers: complete the tables from their free parts so that R1–R4 hold by construction.
# ---------------------------------------------------------------------------------------------------------


def table_values(ex: Example) -> dict[CellKey, Number]:
    """All cell values of an example (before blanks), with the deliberate errors applied."""
    values: dict[CellKey, Number] = {}
    if ex.template == "pre2019":
        return values
    for block in T2_SCHEMA[ex.template]:
        for row, _label in block.rows:
            nums = ex.t2[row]
            if len(nums) != len(block.cols):
                raise ValueError(f"{ex.code}: table 2 row {row} needs {len(block.cols)} values")
            for col, num in zip(block.cols, nums, strict=True):
                values[("2", row, col)] = num
    layout = T3_LAYOUT[ex.template]
    derived = ("new_received", "carried_over", "total", "carry_forward")
    outcome_rows = [r for r, _ in layout if r not in derived]
    unknown = set(ex.t3_outcomes) - set(outcome_rows)
    if unknown:
        raise ValueError(f"{ex.code}: unknown table 3 rows {sorted(unknown)}")
    rows: dict[str, list[int]] = {r: list(ex.t3_outcomes.get(r, (0,) * 6)) for r in outcome_rows}
    rows["total"] = [sum(rows[r][c] for r in outcome_rows) for c in range(6)]  # R2
    rows["carried_over"] = list(ex.t3_carried)
    rows["carry_forward"] = list(ex.t3_forward)
    rows["new_received"] = [rows["total"][c] + ex.t3_forward[c] - ex.t3_carried[c] for c in range(6)]  # R1
    if min(rows["new_received"]) < 0:
        raise ValueError(f"{ex.code}: negative new_received")
    for row, _ in layout:
        nums = rows[row]
        for col, num in zip(T3_COLS, [*nums, sum(nums)], strict=True):  # R3
            values[("3", row, col)] = num
    for block in T4_BLOCKS:
        nums4 = ex.t4.get(block, (0, 0, 0, 0))
        for col, num in zip(T4_COLS, [*nums4, sum(nums4)], strict=True):  # R4
            values[("4", block, col)] = num
    for key, delta in ex.broken.items():
        values[key] += delta
    return values


def cell_text(ex: Example, values: dict[CellKey, Number], key: CellKey) -> str:
    if key in ex.blanks:
        return ex.blanks[key]
    value = values[key]
    if key[2] == "change" and value:
        return f"{value:+d}"
    if key == ("2", "procurement", "amount"):
        return f"{value}{ex.amount_suffix}"
    return str(value)


def facts(ex: Example, values: dict[CellKey, Number]) -> dict[str, str]:
    """Numbers the prose of section 一 states; deliberately wrong where `stated_delta` says so."""
    nums: dict[str, int] = {"year": ex.year, "proactive": ex.proactive}
    if values:
        nums |= {
            "received": int(values[("3", "new_received", "total")]),
            "carried": int(values[("3", "carried_over", "total")]),
            "granted": int(values[("3", "granted", "total")]),
            "partial": int(values[("3", "partially_granted", "total")]),
            "forward": int(values[("3", "carry_forward", "total")]),
            "recon": int(values[("4", "reconsideration", "total")]),
            "lit": int(values[("4", "litigation_direct", "total")] + values[("4", "litigation_after_review", "total")]),
        }
    for name, delta in ex.stated_delta.items():
        nums[name] += delta
    out = {k: str(v) for k, v in nums.items()}
    if ex.fullwidth_facts:
        out = {k: v.translate(FULLWIDTH_DIGITS) for k, v in out.items()}
    return out


FULLWIDTH_DIGITS = str.maketrans("0123456789.", "０１２３４５６７８９．")

# ---------------------------------------------------------------------------------------------------------
# Grids: the official merged-cell layout of each table.
# ---------------------------------------------------------------------------------------------------------


def t2_grid(ex: Example, values: dict[CellKey, Number]) -> Grid:
    grid: Grid = []
    for block in T2_SCHEMA[ex.template]:
        last_span = T2_WIDTH - len(block.headers)
        grid.append([Cell(ex.label(block.title), colspan=T2_WIDTH)])
        heads = [Cell(ex.label("信息内容"))] + [Cell(ex.label(h)) for h in block.headers]
        heads[-1] = Cell(heads[-1].text, colspan=last_span)
        grid.append(heads)
        for row, label in block.rows:
            cells = [Cell(ex.label(label))] + [Cell(cell_text(ex, values, ("2", row, c))) for c in block.cols]
            cells[-1] = Cell(cells[-1].text, colspan=last_span)
            grid.append(cells)
    return grid


def t3_grid(ex: Example, values: dict[CellKey, Number]) -> Grid:
    grid: Grid = [
        [Cell(ex.label(T3_NOTE), rowspan=3, colspan=T3_LABEL_WIDTH), Cell(ex.label("申请人情况"), colspan=7)],
        [
            Cell(ex.label("自然人"), rowspan=2),
            Cell(ex.label("法人或其他组织"), colspan=5),
            Cell(ex.label("总计"), rowspan=2),
        ],
        [Cell(ex.label(lab)) for lab in T3_ORG_LABELS],
    ]
    layout = T3_LAYOUT[ex.template]
    paths = [path for _, path in layout]
    for i, (row, path) in enumerate(layout):
        cells: list[Cell] = []
        for depth, label in enumerate(path):
            prefix = path[: depth + 1]
            if i > 0 and paths[i - 1][: depth + 1] == prefix:
                continue  # covered by the merged label cell above
            span = 1
            while i + span < len(paths) and paths[i + span][: depth + 1] == prefix:
                span += 1
            colspan = T3_LABEL_WIDTH - depth if depth == len(path) - 1 else 1
            cells.append(Cell(ex.label(label), rowspan=span, colspan=colspan))
        cells += [Cell(cell_text(ex, values, ("3", row, c))) for c in T3_COLS]
        grid.append(cells)
    return grid


def t4_grid(ex: Example, values: dict[CellKey, Number]) -> Grid:
    results = [Cell(ex.label(lab)) for lab in T4_RESULT_LABELS]
    return [
        [Cell(ex.label("行政复议"), colspan=5), Cell(ex.label("行政诉讼"), colspan=10)],
        [Cell(c.text, rowspan=2) for c in results]
        + [Cell(ex.label("未经复议直接起诉"), colspan=5), Cell(ex.label("复议后起诉"), colspan=5)],
        results + results,
        [Cell(cell_text(ex, values, ("4", b, c))) for b in T4_BLOCKS for c in T4_COLS],
    ]


GRID_BUILDERS: dict[str, Callable[[Example, dict[CellKey, Number]], Grid]] = {"2": t2_grid, "3": t3_grid, "4": t4_grid}


def place(grid: Grid) -> list[list[tuple[int, Cell]]]:
    """Column position of every origin cell, honouring rowspans from the rows above."""
    occupied: set[tuple[int, int]] = set()
    placed: list[list[tuple[int, Cell]]] = []
    for r, row in enumerate(grid):
        col, out = 0, []
        for cell in row:
            while (r, col) in occupied:
                col += 1
            out.append((col, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    occupied.add((r + dr, col + dc))
            col += cell.colspan
        placed.append(out)
    return placed


def grid_width(grid: Grid) -> int:
    return sum(c.colspan for c in grid[0])


def flatten_expanded(grid: Grid) -> list[list[str]]:
    """Every grid position as a cell; spanned positions empty (how tab-separated exports look)."""
    width = grid_width(grid)
    rows = [[""] * width for _ in grid]
    for r, row in enumerate(place(grid)):
        for col, cell in row:
            rows[r][col] = cell.text
    return rows


def flatten_word(grid: Grid) -> list[list[str]]:
    """Word's view: a colspan is one cell, a rowspan leaves an empty continuation cell below."""
    placed = place(grid)
    origins: dict[tuple[int, int], Cell] = {}
    for r, row in enumerate(placed):
        for col, cell in row:
            origins[(r, col)] = cell
    width = grid_width(grid)
    out: list[list[str]] = []
    for r in range(len(grid)):
        cells, col = [], 0
        while col < width:
            if (r, col) in origins:
                cell = origins[(r, col)]
                cells.append(cell.text)
                col += cell.colspan
                continue
            above = next(
                ((rr, c) for (rr, c), cell in origins.items() if rr < r < rr + cell.rowspan and c == col), None
            )
            if above is None:
                raise ValueError(f"hole in grid at row {r}, column {col}")
            cells.append("")
            col += origins[above].colspan
        out.append(cells)
    return out


# ---------------------------------------------------------------------------------------------------------
# Renderers: one per layout. Each returns the file bytes.
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Rendered:
    ex: Example
    values: dict[CellKey, Number]
    facts: dict[str, str]

    def text(self, s: str) -> str:
        return s.format_map(self.facts)

    def grid(self, kind: str) -> Grid:
        return GRID_BUILDERS[kind](self.ex, self.values)


def encode_text(ex: Example, text: str) -> bytes:
    text = text.replace("\n", ex.newline)
    if ex.encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(ex.encoding)


def render_tabs(r: Rendered, markdown: bool = False) -> bytes:
    """Seeds 000/002/003 style: tab-separated rows, blank lines between blocks; optionally Markdown."""
    out: list[str] = []
    for el in r.ex.elements:
        if isinstance(el, Title):
            out.append("\n".join(("# " if markdown else "") + line for line in el.lines))
        elif isinstance(el, Head):
            out.append(("#" * el.level + " " if markdown else "") + r.text(el.text))
        elif isinstance(el, Para):
            out.append(r.text(el.text))
        elif isinstance(el, TableRef):
            rows = flatten_expanded(r.grid(el.kind))
            if markdown:
                lines = ["| " + " | ".join(row) + " |" for row in rows]
                lines.insert(1, "|" + "---|" * len(rows[0]))
                out.append("\n".join(lines))
            else:
                out.append("\n".join("\t".join(row) for row in rows))
    return encode_text(r.ex, "\n\n".join(out) + "\n")


def render_markdown(r: Rendered) -> bytes:
    return render_tabs(r, markdown=True)


def render_cells(r: Rendered) -> bytes:
    """Seeds 001/004 style: no blank lines between paragraphs; each table cell on its own tab-led line."""
    out: list[str] = []
    for el in r.ex.elements:
        if isinstance(el, Title):
            out.extend(el.lines)
        elif isinstance(el, Head | Para):
            out.append(r.text(el.text))
        elif isinstance(el, TableRef):
            for row in flatten_word(r.grid(el.kind)):
                out.extend("\t" + cell for cell in row)
                out.append("")
    return encode_text(r.ex, "\n".join(out) + "\n")


def html_table(grid: Grid) -> str:
    lines = ['<table border="1" cellspacing="0" cellpadding="3" style="border-collapse:collapse">']
    for row in grid:
        tds = []
        for cell in row:
            attrs = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
            )
            tds.append(f"<td{attrs}>{html.escape(cell.text) if cell.text else '&nbsp;'}</td>")
        lines.append("<tr>" + "".join(tds) + "</tr>")
    lines.append("</table>")
    return "\n".join(lines)


def render_html(r: Rendered) -> bytes:
    title = next(el for el in r.ex.elements if isinstance(el, Title))
    body: list[str] = []
    for el in r.ex.elements:
        if isinstance(el, Title):
            body.append(f"<h1>{html.escape(''.join(el.lines))}</h1>")
        elif isinstance(el, Head):
            text = html.escape(r.text(el.text))
            if el.section is not None and r.ex.html_heading == "h3":
                body.append(f"<h3>{text}</h3>")
            else:
                body.append(f'<p style="text-indent:2em"><strong>{text}</strong></p>')
        elif isinstance(el, Para):
            body.append(f'<p style="text-indent:2em">{html.escape(r.text(el.text))}</p>')
        elif isinstance(el, TableRef):
            body.append(html_table(r.grid(el.kind)))
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(''.join(title.lines))}</title>\n</head>\n<body>\n"
        '<div class="article-content">\n' + "\n".join(body) + "\n</div>\n</body>\n</html>\n"
    )
    return encode_text(r.ex, page)


FIXED_TIME = datetime(2022, 1, 10, 9, 0, 0)


def deterministic_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so that the DOCX bytes do not depend on when it was built."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return buf.getvalue()


def render_docx(r: Rendered) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = docx.Document()
    props = doc.core_properties
    props.author = props.last_modified_by = "gkreport examples"
    props.created = props.modified = props.last_printed = FIXED_TIME
    props.revision = 1
    for el in r.ex.elements:
        if isinstance(el, Title):
            para = doc.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            para.add_run("".join(el.lines)).bold = True
        elif isinstance(el, Head):
            if el.section is not None:
                doc.add_heading(r.text(el.text), level=1)
            else:
                doc.add_paragraph().add_run(r.text(el.text)).bold = True
        elif isinstance(el, Para):
            doc.add_paragraph(r.text(el.text))
        elif isinstance(el, TableRef):
            grid = r.grid(el.kind)
            table = doc.add_table(rows=len(grid), cols=grid_width(grid))
            table.style = "Table Grid"
            for row_index, row in enumerate(place(grid)):
                for col, cell in row:
                    target = table.cell(row_index, col)
                    if cell.rowspan > 1 or cell.colspan > 1:
                        corner = table.cell(row_index + cell.rowspan - 1, col + cell.colspan - 1)
                        target = target.merge(corner)
                    target.text = cell.text
    buf = io.BytesIO()
    doc.save(buf)
    return deterministic_zip(buf.getvalue())


def render_pdf(r: Rendered) -> bytes:
    from reportlab import rl_config

    rl_config.invariant = 1  # fixed dates and document id: reproducible bytes
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = "STSong-Light"  # a built-in CID font: no font file needed
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, firstLineIndent=21, wordWrap="CJK")
    head = ParagraphStyle("head", fontName=font, fontSize=12.5, leading=20, spaceBefore=6, wordWrap="CJK")
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=24, alignment=TA_CENTER, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9.5, wordWrap="CJK")
    widths = {
        "2": [50 * mm, 40 * mm, 40 * mm, 40 * mm],
        "3": [24 * mm, 20 * mm, 56 * mm] + [10.5 * mm] * 7,
        "4": [11.5 * mm] * 15,
    }

    def para(text: str, style: ParagraphStyle) -> Paragraph:
        # pdfium drops a line that holds a single glyph of this non-embedded CID font (pdftotext keeps it);
        # a trailing WORD JOINER keeps a wrapped last character company and normalise_text removes it.
        return Paragraph(html.escape(text) + "\u2060", style)

    story: list = []
    for el in r.ex.elements:
        if isinstance(el, Title):
            story += [para("".join(el.lines), title), Spacer(1, 6)]
        elif isinstance(el, Head):
            story.append(para(r.text(el.text), head if el.section else body))
        elif isinstance(el, Para):
            story.append(para(r.text(el.text), body))
        elif isinstance(el, TableRef):
            grid = r.grid(el.kind)
            data = [[para(t, cell) if t else "" for t in row] for row in flatten_expanded(grid)]
            style = [
                ("FONT", (0, 0), (-1, -1), font, 7.5),
                ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
            for row_index, row in enumerate(place(grid)):
                for col, c in row:
                    if c.rowspan > 1 or c.colspan > 1:
                        end = (col + c.colspan - 1, row_index + c.rowspan - 1)
                        style.append(("SPAN", (col, row_index), end))
            story += [Table(data, colWidths=widths[el.kind], style=TableStyle(style)), Spacer(1, 8)]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title="".join(next(e for e in r.ex.elements if isinstance(e, Title)).lines),
        author="gkreport examples",
        creator="gkreport make_examples",
        invariant=1,
    )
    doc.build(story)
    return buf.getvalue()


RENDERERS: dict[str, Callable[[Rendered], bytes]] = {
    "tabs": render_tabs,
    "plain": render_tabs,
    "markdown": render_markdown,
    "cells": render_cells,
    "html": render_html,
    "docx": render_docx,
    "pdf": render_pdf,
}

# ---------------------------------------------------------------------------------------------------------
# Gold files.
# ---------------------------------------------------------------------------------------------------------

_WS = re.compile(r"\s+")


def collapse(text: str) -> str:
    """normalise_text, then runs of white space to one space: the form the gold uses."""
    return _WS.sub(" ", normalise_text(text)).strip()


def element_text(r: Rendered, el: Element) -> str:
    if isinstance(el, Head | Para):
        return r.text(el.text)
    if isinstance(el, TableRef):
        return "\n".join("\t".join(row) for row in flatten_expanded(r.grid(el.kind)))
    return ""


def segments_gold(r: Rendered, filename: str, sha256: str) -> dict:
    found: dict[int, dict] = {}
    bodies: dict[int, list[str]] = {}
    current: int | None = None
    for el in r.ex.elements:
        if (isinstance(el, Head) and el.section is not None) or isinstance(el, SectionStart):
            heading = collapse(r.text(el.text)) if isinstance(el, Head) else None
            current = el.section
            found[current] = {
                "number": current,
                "status": "found" if heading else "inferred",
                "heading": heading,
                "anchor": None,
            }
            bodies[current] = []
        elif current is not None:
            bodies[current].append(element_text(r, el))
    for number, body in bodies.items():
        found[number]["anchor"] = collapse("\n".join(body))[:ANCHOR_CHARS] or None
    sections = [found.get(n, {"number": n, "status": "missing", "heading": None, "anchor": None}) for n in range(1, 7)]
    return {
        "doc": filename,
        "sha256": sha256,
        "template": r.ex.template,
        "agency": r.ex.agency,
        "year": r.ex.year,
        "level": r.ex.level,
        "sections": sections,
    }


def table_keys(template: str) -> list[CellKey]:
    keys: list[CellKey] = []
    for block in T2_SCHEMA[template]:
        keys += [("2", row, col) for row, _ in block.rows for col in block.cols]
    keys += [("3", row, col) for row, _ in T3_LAYOUT[template] for col in T3_COLS]
    keys += [("4", block, col) for block in T4_BLOCKS for col in T4_COLS]
    return keys


def tables_gold(r: Rendered, filename: str, sha256: str) -> dict | None:
    if r.ex.template == "pre2019":
        return None
    cells = []
    for key in table_keys(r.ex.template):
        blank = key in r.ex.blanks
        cells.append(
            {
                "table": key[0],
                "row": key[1],
                "col": key[2],
                "value": None if blank else r.values[key],
                "status": "blank" if blank else "ok",
            }
        )
    return {"doc": filename, "sha256": sha256, "template": r.ex.template, "cells": cells}


def dump_json(obj: dict) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------------------
# Label variants seen in real files.
# ---------------------------------------------------------------------------------------------------------


def letter_spaced(label: str) -> str:
    """ "三、本年度办理结果" -> "三、 本 年 度 办 理 结 果"; "自然人" -> "自 然 人"."""
    head, sep, rest = label.partition("、")
    if sep and len(head) <= 2:
        return head + sep + " " + " ".join(rest)
    return " ".join(label)


def fullwidth_items(template: str) -> dict[str, str]:
    """Item labels with full-width digits and dot: "1.属于国家秘密" -> "１．属于国家秘密"."""
    out = {}
    for _, path in T3_LAYOUT[template]:
        label = path[-1]
        if re.match(r"\d\.", label):
            out[label] = label[:2].translate(FULLWIDTH_DIGITS) + label[2:]
    return out


SPACED_2019 = {
    lab: letter_spaced(lab)
    for lab in ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计", _RESULTS)
}
NARROW_T4 = {lab: f"{lab[:2]} {lab[2:]}" for lab in ("结果维持", "结果纠正", "其他结果", "尚未审结")}

# ---------------------------------------------------------------------------------------------------------
# The examples. Prose placeholders ({received} …) are filled from the tables, see `facts`.
# ---------------------------------------------------------------------------------------------------------

T2, T3, T4 = TableRef("2"), TableRef("3"), TableRef("4")


def sign_off(agency: str, date: str) -> list[Element]:
    return [P(agency), P(date)]


EXAMPLES: list[Example] = [
    Example(
        code="ex01",
        year=2024,
        template="2021",
        agency="青禾县白石镇人民政府",
        level="township",
        layout="tabs",
        layout_note="UTF-8 text, tab-separated rows (seeds 000/002/003)",
        exercises="opening paragraph lists all six section names; table 四 header with 5 empty cells; "
        "五 as （一）存在问题/（二）改进措施 with 一是/二是; 六 with four items",
        proactive=268,
        t2={
            "regulations": (0, 0, 0),
            "normative_docs": (2, 1, 9),
            "licensing": (14,),
            "punishment": (3,),
            "coercion": (0,),
            "fees": (0,),
        },
        t3_outcomes={
            "granted": (2, 1, 0, 0, 0, 0),
            "partially_granted": (1, 0, 0, 0, 0, 0),
            "unable.not_held": (1, 0, 0, 0, 0, 0),
            "other.no_correction": (1, 0, 0, 0, 0, 0),
        },
        t3_carried=(1, 0, 0, 0, 0, 0),
        t3_forward=(1, 0, 0, 0, 0, 0),
        t4={"reconsideration": (1, 0, 0, 0), "litigation_direct": (0, 0, 0, 1)},
        elements=[
            Title(("青禾县白石镇人民政府2024年政府信息公开工作年度报告",)),
            P(
                "本报告依据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》"
                "（国办公开办函〔2021〕30号）编制，由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
                "政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六个部分组成。"
                "报告所列数据统计期限为{year}年1月1日至{year}年12月31日。对本报告如有疑问，请与白石镇党政综合办公室联系。"
            ),
            H(1),
            P(
                "{year}年，白石镇以便民利民为出发点，把政务公开同乡村振兴、基层治理等重点工作一起谋划、一起推进，"
                "全年政府信息公开工作运行平稳。"
            ),
            P(
                "（一）主动公开。全年通过县政府门户网站镇级专栏、镇政务公开栏和镇微信公众号主动公开信息{proactive}条，"
                "内容集中在惠农补贴发放、村级财务、防汛安全和项目建设等方面。"
            ),
            P(
                "（二）依申请公开。全年收到政府信息公开申请{received}件，上年结转{carried}件，均在法定期限内答复，"
                "其中予以公开{granted}件、部分公开{partial}件，结转下年度{forward}件。因政府信息公开引发行政复议{recon}件、"
                "行政诉讼{lit}件。"
            ),
            P(
                "（三）政府信息管理。对镇本级历年发布的文件开展一次集中清理，标注失效文件，并按季度更新主动公开基本目录。"
            ),
            P("（四）平台建设。在便民服务中心设置政务公开查阅点，配备触摸查询终端，方便不使用智能手机的老年群众查阅。"),
            P(
                "（五）监督保障。镇政务公开领导小组每半年听取一次工作汇报，将信息发布质量纳入各办所年度考核，"
                "全年组织业务培训三次。"
            ),
            H(2),
            T2,
            H(3),
            T3,
            H(4),
            T4,
            H(5),
            P("（一）存在问题"),
            P(
                "一是基层信息员多为兼职，人员调整频繁，对条例规定的公开时限掌握不够熟练。二是村级事务公开仍以张贴为主，"
                "线上栏目更新偏慢，部分村务信息滞后一个月以上才上网。三是涉农补贴政策的解读以转发原文为主，"
                "群众普遍反映不好懂。"
            ),
            P("（二）改进措施"),
            P(
                "一是固定每个办所一名信息员，新任人员上岗前集中培训，年内至少开展两次业务轮训。二是建立村务信息月报制度，"
                "由镇党政综合办公室每月汇总、统一上网，做到当月信息当月公开。三是对补贴类文件同步编写问答式解读，"
                "并在村民微信群推送。"
            ),
            H(6),
            P("（一）收取信息处理费情况。本年度未收取信息处理费。"),
            P(
                "（二）人大代表建议和政协提案办理情况。全年承办县人大代表建议3件、县政协委员提案2件，办理结果已按要求公开。"
            ),
            P("（三）政务公开工作创新情况。在集市日设置政策咨询摊位，由包村干部现场讲解养老保险缴费、耕地保护等政策。"),
            P(
                "（四）年度政务公开工作要点落实情况。对照县政府办公室印发的年度政务公开工作要点，逐项细化为十二项任务，"
                "全部按期完成。"
            ),
            *sign_off("青禾县白石镇人民政府", "2025年1月20日"),
        ],
    ),
    Example(
        code="ex02",
        year=2023,
        template="2021",
        agency="青禾县人民政府",
        level="county",
        layout="cells",
        layout_note="UTF-8 text, one table cell per line with a leading tab (seeds 001/004)",
        exercises="title split over two lines; full-width digits and dots (１．属于国家秘密, ２０２３年); "
        "五 as one 一是/二是/三是 paragraph plus a 下一步 paragraph",
        proactive=2315,
        fullwidth_facts=True,
        label_map=fullwidth_items("2021"),
        t2={
            "regulations": (0, 0, 0),
            "normative_docs": (6, 3, 41),
            "licensing": (1236,),
            "punishment": (418,),
            "coercion": (27,),
            "fees": (0,),
        },
        t3_outcomes={
            "granted": (14, 3, 0, 0, 1, 0),
            "partially_granted": (4, 1, 0, 0, 0, 0),
            "denied.third_party": (1, 0, 0, 0, 0, 0),
            "denied.process_info": (2, 0, 0, 0, 0, 0),
            "unable.not_held": (8, 1, 0, 0, 0, 1),
            "unable.needs_creation": (2, 0, 0, 0, 0, 0),
            "unable.still_unclear": (1, 0, 0, 0, 0, 0),
            "not_processed.petition": (3, 0, 0, 0, 0, 0),
            "not_processed.repeated": (2, 0, 0, 0, 0, 0),
            "other.no_correction": (2, 0, 0, 0, 0, 0),
            "other.other": (1, 0, 0, 0, 0, 0),
        },
        t3_carried=(2, 0, 0, 0, 0, 0),
        t3_forward=(3, 1, 0, 0, 0, 0),
        t4={
            "reconsideration": (2, 1, 0, 1),
            "litigation_direct": (1, 0, 1, 1),
            "litigation_after_review": (1, 0, 0, 0),
        },
        elements=[
            Title(("青禾县人民政府２０２３年政府", "信息公开工作年度报告")),
            P(
                "本报告按照国办公开办函〔２０２１〕３０号规定的格式编写，统计期限为{year}年１月１日至{year}年１２月３１日。"
                "本报告电子版可在青禾县人民政府门户网站“政府信息公开年报”栏目查阅下载。"
            ),
            H(1),
            P(
                "{year}年，青禾县人民政府围绕优化营商环境、保障和改善民生等重点任务，持续推进决策、执行、管理、服务、"
                "结果公开，政府信息公开工作总体平稳有序。"
            ),
            P(
                "（一）主动公开。全年通过县政府门户网站主动公开政府信息{proactive}条，其中政策文件、财政预决算、"
                "重大项目批准和实施、教育医疗等重点领域信息占比超过六成。县政府常务会议审议的涉企政策，"
                "全部在印发后二十个工作日内公开。"
            ),
            P(
                "（二）依申请公开。全年共收到政府信息公开申请{received}件，上年结转{carried}件，办结后结转下年度{forward}件。"
                "申请内容主要集中在征地补偿、房屋征收和规划许可等方面。因政府信息公开引发行政复议{recon}件、"
                "行政诉讼{lit}件。"
            ),
            P(
                "（三）政府信息管理。完成县政府规范性文件集中清理，对已失效、废止的文件在网站上逐件标注；"
                "严格执行“先审查、后公开”和“一事一审”的保密审查要求。"
            ),
            P(
                "（四）平台建设。按照全市政府网站集约化部署，完成县政府门户网站迁移，整合部门网站栏目，统一信息发布标准。"
            ),
            P(
                "（五）监督保障。将政务公开纳入对乡镇和县直部门的年度绩效考核，全年开展季度检查四次，"
                "对发现的问题下发整改通知单并跟踪销号。"
            ),
            H(2),
            T2,
            H(3),
            T3,
            H(4),
            T4,
            H(5),
            P(
                "本年度政府信息公开工作还存在一些薄弱环节：一是部门之间发展不平衡，少数部门栏目内容长期空白，"
                "重点领域信息公开的完整性有待提高；二是依申请办理中个别答复文书说理不够充分，引用法条不够准确，"
                "存在一定的复议诉讼风险；三是政策解读形式仍以文字为主，图解、视频等通俗化解读数量偏少。"
            ),
            P(
                "下一步，青禾县将对照基层政务公开标准目录开展逐项比对，督促各部门补齐空白栏目；制定依申请公开答复文书"
                "参考范本，办理结果由法律顾问审核把关；对涉及群众切身利益的政策文件，同步推出图解或短视频解读。"
            ),
            H(6),
            P("（一）收取信息处理费情况。本年度未向申请人收取信息处理费。"),
            P(
                "（二）人大代表建议和政协提案办理情况。全年承办县人大代表建议６３件、县政协提案８７件，"
                "办理复文已全部在门户网站专栏公开。"
            ),
            P("（三）政务公开工作创新情况。在县政务服务中心设立政策咨询窗口，为企业提供政策咨询和兑现一站式服务。"),
            P(
                "（四）年度政务公开工作要点落实情况。对照上级印发的年度政务公开工作要点，细化任务清单，明确牵头单位和"
                "完成时限，各项任务均已完成。"
            ),
            *sign_off("青禾县人民政府", "２０２４年１月２６日"),
        ],
    ),
    Example(
        code="ex03",
        year=2022,
        template="2021",
        agency="青禾县市场监督管理局",
        level="department",
        layout="markdown",
        suffix=".md",
        layout_note="Markdown: #/##/###/#### at inconsistent levels, pipe tables",
        exercises="heading variant 五、…问题和改进情况; 六 sub-items as ### headings at the same level as "
        "sections; "
        "五 numbered 1./2./3.",
        proactive=642,
        t2={
            "regulations": (0, 0, 0),
            "normative_docs": (1, 0, 4),
            "licensing": (3120,),
            "punishment": (265,),
            "coercion": (41,),
            "fees": (0,),
        },
        t3_outcomes={
            "granted": (6, 2, 0, 0, 0, 0),
            "partially_granted": (1, 1, 0, 0, 0, 0),
            "denied.enforcement_file": (1, 0, 0, 0, 0, 0),
            "denied.third_party": (0, 1, 0, 0, 0, 0),
            "unable.not_held": (3, 0, 0, 0, 1, 0),
            "not_processed.petition": (2, 0, 0, 0, 0, 0),
            "other.no_correction": (1, 0, 0, 0, 0, 0),
        },
        t3_forward=(1, 0, 0, 0, 0, 0),
        t4={"reconsideration": (1, 1, 0, 0), "litigation_direct": (0, 0, 0, 1)},
        elements=[
            Title(("青禾县市场监督管理局2022年政府信息公开工作年度报告",)),
            P(
                "根据《中华人民共和国政府信息公开条例》要求，现公布青禾县市场监督管理局{year}年政府信息公开工作年度报告。"
                "本报告中使用的数据统计期限为{year}年1月1日至{year}年12月31日。"
            ),
            H(1, level=2),
            P(
                "{year}年，我局把政务公开作为服务市场主体、保障消费安全的一项基础工作，围绕登记注册、食品药品安全、"
                "质量监管和执法检查等职能公开政府信息。"
            ),
            S("（一）主动公开"),
            P(
                "全年主动公开各类信息{proactive}条，其中行政许可信息和行政处罚决定信息按照“双公示”要求在作出决定后"
                "七个工作日内上网。定期发布食品安全监督抽检结果，公布不合格产品及核查处置情况。"
            ),
            S("（二）依申请公开"),
            P(
                "全年收到政府信息公开申请{received}件，均在法定期限内作出答复，结转下年度{forward}件。申请人多为企业和"
                "个人投诉举报人，关注点集中在行政处罚案卷和抽检报告。全年因政府信息公开引发行政复议{recon}件、"
                "行政诉讼{lit}件。"
            ),
            S("（三）政府信息管理"),
            P(
                "建立信息发布台账，对每条拟公开信息登记来源股室、审核人和发布时间；对涉及商业秘密和个人隐私的内容"
                "先行作去标识化处理。"
            ),
            S("（四）平台建设"),
            P(
                "在县政府门户网站部门专栏下新设“食品安全抽检”“企业信用监管”两个子栏目，同时通过局微信公众号推送"
                "消费提示。"
            ),
            S("（五）监督保障"),
            P(
                "局党组将政务公开工作纳入年度工作要点，明确办公室牵头、各股室分工负责，每季度通报一次各股室信息报送情况。"
            ),
            H(2, level=4),
            T2,
            H(3, level=3),
            T3,
            H(4, level=4),
            T4,
            H(5, "五、存在的主要问题和改进情况", level=2),
            P("本年度工作中存在的问题主要有："),
            P("1.执法股室兼职信息员较多，对公开和不公开的边界把握不准，行政处罚信息偶有漏报。"),
            P("2.涉企政策解读针对性不强，企业查找相关办事指引仍需多次跳转。"),
            P("3.依申请公开中涉及执法案卷的申请增多，答复时限管理主要依靠人工提醒，个别件临近期限才办结。"),
            P("针对上述问题，我局将采取以下措施："),
            P("1.每半年组织一次执法人员政务公开专题培训，结合典型案例讲解公开边界。"),
            P("2.按企业生命周期梳理办事指引，在专栏首页设置分类导航，减少查找层级。"),
            P("3.启用依申请公开电子台账，设置到期前五个工作日自动提醒，确保按期答复。"),
            H(6, level=3),
            S("（一）收取信息处理费情况"),
            P("本年度未收取信息处理费。"),
            S("（二）建议提案办理情况"),
            P("本年度承办县人大代表建议4件、县政协委员提案6件，均已按期办结并公开办理结果。"),
            S("（三）政务公开工作创新情况"),
            P("试行抽检结果与消费提示同步发布，在公布不合格食品的同时附上选购和辨识要点。"),
            S("（四）政务公开工作要点落实情况"),
            P("按照县政府办公室年度政务公开工作要点的分工，我局牵头的市场监管领域信息公开任务均已完成。"),
            *sign_off("青禾县市场监督管理局", "2023年1月18日"),
        ],
    ),
    Example(
        code="ex04",
        year=2020,
        template="2019",
        agency="云溪县柳塘镇人民政府",
        level="township",
        layout="tabs",
        layout_note="UTF-8 text, tab-separated rows; 2019 (60号) tables",
        exercises="2019 template incl. 第（九）项 and single （六）其他处理 row; letter-spaced labels "
        "(自 然 人, 三、 本 年 度 办 理 结 果) and a letter-spaced 五 heading; signed 本年增/减; "
        "五 as 一是…二是… paragraph plus 下一步; 六 says none",
        proactive=157,
        label_map={**SPACED_2019, **NARROW_T4},
        t2={
            "regulations": (0, 0, 0),
            "normative_docs": (1, 1, 6),
            "licensing": (12, 2, 35),
            "other_services": (8, -1, 120),
            "punishment": (5, 0, 9),
            "coercion": (2, 0, 1),
            "fees": (3, -1),
            "procurement": (2, 186000),
        },
        t3_outcomes={"granted": (2, 0, 0, 0, 0, 0), "unable.not_held": (1, 0, 0, 0, 0, 0), "other": (1, 0, 0, 0, 0, 0)},
        t4={"reconsideration": (0, 0, 1, 0)},
        elements=[
            Title(("云溪县柳塘镇2020年政府信息公开工作年度报告",)),
            P(
                "本年度报告依照《中华人民共和国政府信息公开条例》和国办公开办函〔2019〕60号的格式要求编制，"
                "数据统计期限为{year}年1月1日至{year}年12月31日。"
            ),
            H(1),
            P(
                "{year}年，柳塘镇在做好疫情防控和复工复产工作的同时，坚持把政务公开作为联系群众的重要途径，"
                "各项公开工作按计划推进。"
            ),
            P(
                "（一）组织保障。镇里调整了政务公开工作领导小组，由分管副镇长具体负责，党政办公室配备一名信息员承担"
                "日常发布工作。"
            ),
            P(
                "（二）主动公开。全年在县政府门户网站柳塘镇专栏主动公开信息{proactive}条，其中疫情防控通告和防疫知识"
                "占较大比重。"
            ),
            P(
                "（三）依申请公开。全年收到政府信息公开申请{received}件，均已按期答复，无结转。因政府信息公开引发"
                "行政复议{recon}件、行政诉讼{lit}件。"
            ),
            P("（四）公开载体。除网站专栏外，在镇便民服务中心和各村村务公开栏同步张贴低保、救助等公示信息。"),
            H(2),
            P("本部分以表格形式列示。"),
            T2,
            H(3),
            T3,
            H(4),
            T4,
            H(5, "五、" + " ".join("存在的主要问题及改进情况")),
            P(
                "对照上级要求，我镇政务公开工作仍有不足：一是公开意识还不够强，部分站所认为信息公开是党政办公室一家的事，"
                "主动提供信息不积极；二是公开方式比较单一，主要依靠网站和公示栏，群众通过手机获取信息的渠道不多；"
                "三是专栏更新不够及时，个别惠民资金公示在发放后才上网。"
            ),
            P(
                "下一步，柳塘镇将把政务公开纳入站所年度考核，促使各站所主动报送信息；开通镇微信公众号，同步推送重要通知；"
                "建立惠民资金公示前置提醒，确保先公示、后发放。"
            ),
            H(6),
            P("本年度无其他需要报告的事项。"),
            *sign_off("云溪县柳塘镇人民政府", "2021年1月25日"),
        ],
    ),
    Example(
        code="ex05",
        year=2024,
        template="2021",
        agency="临川市人民政府",
        level="prefecture",
        layout="html",
        suffix=".html",
        layout_note="HTML article page, <h3> section headings, real <table>s with rowspan/colspan",
        exercises="official merged layout (三、本年度办理结果 rowspan 22, 法人或其他组织 colspan 5); "
        "fee 2.35 万元; "
        "五 with a 上一年度问题整改情况 block; all 25 table-三 rows non-zero somewhere",
        proactive=18640,
        t2={
            "regulations": (2, 1, 38),
            "normative_docs": (17, 9, 126),
            "licensing": (8342,),
            "punishment": (1577,),
            "coercion": (96,),
            "fees": (2.35,),
        },
        t3_outcomes={
            "granted": (128, 21, 2, 1, 3, 4),
            "partially_granted": (31, 6, 0, 0, 1, 1),
            "denied.state_secret": (1, 0, 0, 0, 0, 0),
            "denied.law_prohibited": (2, 0, 0, 0, 0, 0),
            "denied.security_stability": (1, 0, 0, 0, 0, 0),
            "denied.third_party": (9, 2, 0, 0, 0, 0),
            "denied.internal_affairs": (4, 0, 0, 0, 0, 0),
            "denied.process_info": (7, 1, 0, 0, 0, 0),
            "denied.enforcement_file": (3, 0, 0, 0, 0, 0),
            "denied.query_item": (5, 0, 0, 0, 1, 0),
            "unable.not_held": (62, 8, 1, 0, 2, 1),
            "unable.needs_creation": (11, 2, 0, 0, 0, 0),
            "unable.still_unclear": (6, 1, 0, 0, 0, 0),
            "not_processed.petition": (14, 0, 0, 0, 0, 0),
            "not_processed.repeated": (9, 1, 0, 0, 0, 0),
            "not_processed.publication": (2, 0, 0, 0, 0, 0),
            "not_processed.mass_repeated": (4, 0, 0, 0, 0, 0),
            "not_processed.confirm_existing": (3, 0, 0, 0, 0, 0),
            "other.no_correction": (12, 2, 0, 0, 0, 0),
            "other.no_fee": (1, 0, 0, 0, 0, 0),
            "other.other": (5, 1, 0, 0, 0, 1),
        },
        t3_carried=(9, 2, 0, 0, 0, 0),
        t3_forward=(13, 3, 0, 0, 1, 0),
        t4={
            "reconsideration": (14, 3, 4, 5),
            "litigation_direct": (6, 1, 2, 4),
            "litigation_after_review": (3, 0, 1, 2),
        },
        elements=[
            Title(("临川市人民政府2024年政府信息公开工作年度报告",)),
            P(
                "本报告根据《中华人民共和国政府信息公开条例》和国办公开办函〔2021〕30号要求，由临川市人民政府办公室编制。"
                "报告所列数据的统计期限为{year}年1月1日至{year}年12月31日。本报告电子版可在临川市人民政府门户网站"
                "查阅和下载。"
            ),
            H(1),
            P(
                "{year}年，临川市坚持以公开促落实、以公开优服务，围绕重大决策部署和群众关切事项深化政务公开，"
                "全市政府信息公开工作整体水平稳步提升。"
            ),
            S("（一）主动公开"),
            P(
                "全年市政府门户网站及市级部门网站主动公开政府信息{proactive}条。市政府常务会议议定事项、重大建设项目"
                "批准和实施、财政预决算等信息按季度集中公开；新制发的行政规范性文件全部同步发布解读材料。"
            ),
            S("（二）依申请公开"),
            P(
                "市级层面共收到政府信息公开申请{received}件，上年结转{carried}件，全年办结后结转下年度{forward}件。"
                "申请事项主要涉及土地征收、房屋征收补偿和规划审批。因政府信息公开引发行政复议{recon}件、"
                "行政诉讼{lit}件，被纠错的案件均已完成整改。"
            ),
            S("（三）政府信息管理"),
            P(
                "完成市政府及办公室行政规范性文件年度清理，公布现行有效文件目录；推行公开属性源头认定，拟制公文时同步"
                "明确公开方式。"
            ),
            S("（四）政府信息公开平台建设"),
            P(
                "推进政府网站与政务新媒体集约化建设，关停更新缓慢的政务新媒体账号；在市民中心设置政府信息公开查阅区，"
                "提供纸质文件查阅和打印服务。"
            ),
            S("（五）监督保障"),
            P(
                "市政府将政务公开纳入对县（市、区）政府和市直部门的年度综合考核；聘请社会评议员对各单位公开质量开展评议，"
                "评议结果在一定范围内通报。本年度未发生因政务公开工作引发的责任追究情形。"
            ),
            H(2),
            T2,
            H(3),
            T3,
            H(4),
            T4,
            H(5),
            S("（一）上一年度问题整改情况"),
            P(
                "针对上一年度报告提出的县级政府信息公开专栏更新不平衡的问题，市政府办公室建立了月度巡查通报制度，"
                "全年通报四次，各县（市、区）专栏空白栏目已全部补齐。针对政策解读形式单一的问题，全年制作图解和"
                "短视频解读材料六十余件。"
            ),
            S("（二）存在的主要问题"),
            P(
                "一是部分市直部门依申请公开工作力量薄弱，疑难申请的研判主要依靠个人经验；二是政务公开与政务服务衔接"
                "不够紧密，办事指南中的政策依据未能直接链接到原文；三是基层群众对政府信息公开申请渠道知晓度不高，"
                "线下申请仍有不便。"
            ),
            S("（三）改进措施"),
            P(
                "一是建立全市依申请公开疑难案件会商机制，由市司法局和市政府办公室共同研究答复口径；二是推动办事指南"
                "与政策文件库互联，在指南中直接提供政策原文链接；三是利用村（社区）公开栏和便民服务站点宣传申请方式，"
                "并提供现场填写指导。"
            ),
            H(6),
            P(
                "（一）收取信息处理费情况。本年度对2件超出免费额度的申请发出收费通知，其中1件申请人按期缴纳，"
                "收取信息处理费0.03万元；1件逾期未缴纳，按规定不再处理。"
            ),
            P(
                "（二）人大代表建议和政协提案办理结果公开情况。市政府系统承办市人大代表建议312件、市政协提案405件，"
                "办理复文除依法不予公开的以外全部公开。"
            ),
            P("（三）政务公开工作创新情况。开设“政策找人”服务，根据企业登记信息向符合条件的企业精准推送惠企政策。"),
            P(
                "（四）落实上级年度政务公开工作要点情况。按照省政府办公厅年度工作要点，梳理形成五个方面二十六项任务，"
                "已全部落实。"
            ),
            *sign_off("临川市人民政府", "2025年3月20日"),
        ],
    ),
    Example(
        code="ex06",
        year=2021,
        template="2021",
        agency="云溪县自然资源局",
        level="department",
        layout="docx",
        suffix=".docx",
        layout_note="DOCX (python-docx): Heading 1 section titles, real Word tables with merged cells",
        exercises="first year of the 2021 template; merged cells as Word merges them; fee 126.85 万元; "
        "五 as （一）存在问题/（二）改进措施 with 一是/二是/三是",
        proactive=734,
        t2={
            "regulations": (0, 0, 0),
            "normative_docs": (3, 2, 15),
            "licensing": (562,),
            "punishment": (48,),
            "coercion": (6,),
            "fees": (126.85,),
        },
        t3_outcomes={
            "granted": (9, 2, 0, 0, 0, 0),
            "partially_granted": (3, 1, 0, 0, 0, 0),
            "denied.third_party": (1, 0, 0, 0, 0, 0),
            "denied.process_info": (1, 0, 0, 0, 0, 0),
            "unable.not_held": (7, 0, 0, 0, 1, 0),
            "unable.needs_creation": (2, 0, 0, 0, 0, 0),
            "not_processed.confirm_existing": (1, 0, 0, 0, 0, 0),
            "other.no_correction": (2, 0, 0, 0, 0, 0),
        },
        t3_carried=(1, 0, 0, 0, 0, 0),
        t3_forward=(2, 0, 0, 0, 0, 0),
        t4={
            "reconsideration": (2, 0, 1, 1),
            "litigation_direct": (1, 0, 0, 1),
            "litigation_after_review": (0, 1, 0, 0),
        },
        elements=[
            Title(("云溪县自然资源局2021年政府信息公开工作年度报告",)),
            P("本报告按照新修订的政府信息公开工作年度报告格式编制，统计期限为{year}年1月1日至{year}年12月31日。"),
            H(1),
            P(
                "{year}年，我局围绕国土空间规划、耕地保护、不动产登记和矿产资源管理等职能，认真落实政府信息公开各项要求。"
            ),
            S("（一）主动公开"),
            P(
                "全年主动公开信息{proactive}条，重点公开土地征收启动公告、征地补偿安置方案、建设用地批准文件和采矿权"
                "出让信息。"
            ),
            S("（二）依申请公开"),
            P(
                "全年收到政府信息公开申请{received}件，上年结转{carried}件，多数申请与征地补偿标准和宗地规划条件有关。"
                "因政府信息公开引发行政复议{recon}件、行政诉讼{lit}件。"
            ),
            S("（三）政府信息管理"),
            P("对征地信息实行“一地一档”管理，从发布启动公告到补偿款发放全过程留痕。"),
            S("（四）平台建设"),
            P("在局门户网站开设“征地信息公开”专栏，按乡镇分类展示各批次征地材料。"),
            S("（五）监督保障"),
            P("成立由局长任组长的政务公开工作领导小组，每季度检查一次专栏更新情况。"),
            H(2),
            T2,
            H(3),
            T3,
            H(4),
            T4,
            H(5),
            S("（一）存在问题"),
            P(
                "一是征地信息专业术语多，群众阅读理解有困难，解读工作跟不上。二是局内各股室信息报送没有固定时间节点，"
                "专栏信息更新时快时慢。三是依申请办理人员变动后，新任人员对答复规范掌握不够。"
            ),
            S("（二）改进措施"),
            P(
                "一是对征地补偿方案配发通俗版说明，用问答形式解释补偿标准和计算方式。二是制定信息报送时间表，要求各股室"
                "在事项办结后五个工作日内报送公开材料。三是编写依申请公开办理手册，新任人员上岗前集中学习。"
            ),
            H(6),
            P("本年度未收取信息处理费。表中行政事业性收费金额为不动产登记费。无其他需要报告的事项。"),
            *sign_off("云溪县自然资源局", "2022年1月24日"),
        ],
    ),
    Example(
        code="ex07",
        year=2022,
        template="2021",
        agency="临川市生态环境局",
        level="department",
        layout="pdf",
        suffix=".pdf",
        layout_note="text PDF (reportlab, built-in CID font STSong-Light), ruled tables with spans",
        exercises="PDF text layer; opening paragraph lists all six section names; section 一 starts with "
        "a summary "
        "paragraph; 五 numbered 1./2./3. with fixes in one 改进措施 paragraph",
        proactive=1208,
        t2={
            "regulations": (0, 0, 0),
            "normative_docs": (2, 0, 11),
            "licensing": (486,),
            "punishment": (137,),
            "coercion": (22,),
            "fees": (0,),
        },
        t3_outcomes={
            "granted": (11, 4, 1, 1, 0, 0),
            "partially_granted": (3, 2, 0, 0, 0, 0),
            "denied.process_info": (1, 0, 0, 0, 0, 0),
            "denied.enforcement_file": (2, 1, 0, 0, 0, 0),
            "unable.not_held": (5, 2, 0, 0, 0, 0),
            "unable.still_unclear": (1, 0, 0, 0, 0, 0),
            "not_processed.repeated": (1, 0, 0, 0, 0, 0),
            "other.no_correction": (1, 0, 0, 0, 0, 0),
            "other.other": (0, 1, 0, 0, 0, 0),
        },
        t3_carried=(0, 1, 0, 0, 0, 0),
        t3_forward=(2, 0, 0, 0, 0, 0),
        t4={"reconsideration": (1, 0, 0, 1), "litigation_direct": (0, 0, 1, 0)},
        elements=[
            Title(("临川市生态环境局2022年政府信息公开工作年度报告",)),
            P(
                "本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、"
                "行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六部分组成，所列数据统计期限为{year}年1月1日"
                "至{year}年12月31日。"
            ),
            H(1),
            P(
                "{year}年，市生态环境局紧扣污染防治攻坚任务，持续做好环境质量、建设项目环评审批和环境执法信息公开。"
                "全年主动公开政府信息{proactive}条，收到政府信息公开申请{received}件，因政府信息公开引发行政复议{recon}件、"
                "行政诉讼{lit}件。"
            ),
            P(
                "（一）主动公开。每月发布城市空气质量和地表水水质状况，建设项目环评审批实行受理、拟审批、审批决定三个"
                "环节全过程公开。"
            ),
            P("（二）依申请公开。申请内容主要涉及建设项目环评文件和企业排污许可信息，全部在法定期限内答复。"),
            P("（三）政府信息管理。对环评文件中涉及商业秘密的内容，征求企业意见后依法作删除处理。"),
            P("（四）平台建设。完善局门户网站环境信息公开专栏，新增重点排污单位名录查询功能。"),
            P("（五）监督保障。将信息公开纳入局机关年度考核，全年开展专题培训两次。"),
            H(2),
            T2,
            H(3),
            T3,
            H(4),
            T4,
            H(5),
            P("1.环境质量数据以表格形式发布为主，缺少面向公众的解读说明。"),
            P("2.县级分局信息公开专栏建设进度不一，个别分局信息量偏少。"),
            P("3.公众参与环境决策的渠道不够多，建设项目环评公众意见收集主要依赖建设单位。"),
            P(
                "改进措施：1.每季度发布环境质量状况解读，配发图表说明变化原因；2.对县级分局专栏进行季度抽查，"
                "抽查结果纳入考核；3.在重大项目环评审批前增设网上意见征集环节。"
            ),
            H(6),
            P("（一）收取信息处理费情况：未收取。"),
            P("（二）建议提案办理情况：承办市人大代表建议11件、市政协提案15件，办理结果均已公开。"),
            P("（三）政务公开工作创新情况：开展环保设施向公众开放活动四场，邀请市民参观污水处理厂和监测站。"),
            P("（四）工作要点落实情况：已按市政府年度政务公开工作要点完成生态环境领域各项公开任务。"),
            *sign_off("临川市生态环境局", "2023年1月16日"),
        ],
    ),
    Example(
        code="ex08",
        year=2019,
        template="2019",
        agency="石泉区人民政府",
        level="county",
        layout="tabs",
        encoding="gb18030",
        newline="\r\n",
        layout_note="GB18030 text with CRLF line ends, tab-separated rows; 2019 (60号) tables",
        exercises="non-UTF-8 encoding; section numbering shifted by one (unnumbered 总体情况, then 一…五 for "
        "sections 2–6); procurement amount in 元",
        proactive=3562,
        t2={
            "regulations": (0, 0, 0),
            "normative_docs": (4, 4, 37),
            "licensing": (215, 6, 3480),
            "other_services": (96, -3, 1250),
            "punishment": (58, 0, 412),
            "coercion": (11, 1, 19),
            "fees": (14, -2),
            "procurement": (23, 4686000),
        },
        t3_outcomes={
            "granted": (21, 4, 0, 0, 1, 0),
            "partially_granted": (5, 1, 0, 0, 0, 0),
            "denied.third_party": (2, 0, 0, 0, 0, 0),
            "denied.internal_affairs": (1, 0, 0, 0, 0, 0),
            "denied.process_info": (2, 0, 0, 0, 0, 0),
            "unable.not_held": (9, 1, 0, 0, 0, 0),
            "unable.needs_creation": (3, 0, 0, 0, 0, 0),
            "unable.still_unclear": (2, 0, 0, 0, 0, 0),
            "not_processed.petition": (4, 0, 0, 0, 0, 0),
            "not_processed.repeated": (1, 0, 0, 0, 0, 0),
            "other": (3, 0, 0, 0, 0, 0),
        },
        t3_carried=(1, 0, 0, 0, 0, 0),
        t3_forward=(2, 1, 0, 0, 0, 0),
        t4={
            "reconsideration": (3, 1, 0, 1),
            "litigation_direct": (2, 0, 1, 1),
            "litigation_after_review": (1, 0, 0, 0),
        },
        elements=[
            Title(("石泉区人民政府2019年政府信息公开工作年度报告",)),
            P(
                "本报告根据新修订的《中华人民共和国政府信息公开条例》和国办公开办函〔2019〕60号要求编制，"
                "数据统计期限为{year}年1月1日至{year}年12月31日。"
            ),
            H(1, "总体情况"),
            P(
                "{year}年是新修订的《中华人民共和国政府信息公开条例》施行的第一年。石泉区组织全区行政机关逐条学习新条例，"
                "对照调整公开指南和公开目录，依申请公开办理流程按新条例规定全部重新梳理。"
            ),
            P(
                "全年区政府及所属部门主动公开政府信息{proactive}条；收到政府信息公开申请{received}件，上年结转{carried}件；"
                "因政府信息公开引发行政复议{recon}件、行政诉讼{lit}件。"
            ),
            P(
                "区政府办公室作为全区政府信息公开工作主管部门，配备专职工作人员三名，各部门明确一名分管领导和一名信息员。"
            ),
            H(2, "一、主动公开政府信息情况"),
            T2,
            H(3, "二、收到和处理政府信息公开申请情况"),
            T3,
            H(4, "三、政府信息公开行政复议、行政诉讼情况"),
            T4,
            H(5, "四、存在的主要问题及改进情况"),
            P(
                "（一）存在问题。一是新条例施行后，对“不予公开”“无法提供”等情形的适用把握不够统一，各部门答复口径"
                "存在差异。二是部门网站数量多、分散，群众查找信息需要在多个网站之间切换。三是政务公开工作考核指标较粗，"
                "难以反映各单位公开质量。"
            ),
            P(
                "（二）改进措施。一是由区政府办公室编印答复文书示范文本，组织典型案例交流。二是推进部门网站向区政府门户"
                "网站整合，实现统一检索。三是细化考核指标，增加信息准确性和解读质量等评分项目。"
            ),
            H(6, "五、其他需要报告的事项"),
            P("（一）本年度未向申请人收取任何费用。"),
            P("（二）本年度区政府系统承办区人大代表建议158件、区政协提案201件，办理结果已在区政府门户网站公开。"),
            *sign_off("石泉区人民政府", "2020年3月27日"),
        ],
    ),
    Example(
        code="ex09",
        year=2024,
        template="2021",
        agency="北岭县人民政府",
        level="county",
        layout="tabs",
        layout_note="UTF-8 text, tab-separated rows",
        exercises="DELIBERATELY INCONSISTENT: table 三 （七）总计/总计 is one too high (R1, R2, R3 fail) and "
        "section 一 states 3 more requests than row 一 总计 (X2 fails)",
        proactive=1987,
        broken={("3", "total", "total"): 1},
        stated_delta={"received": 3},
        t2={
            "regulations": (0, 0, 0),
            "normative_docs": (5, 2, 33),
            "licensing": (1504,),
            "punishment": (386,),
            "coercion": (19,),
            "fees": (0,),
        },
        t3_outcomes={
            "granted": (16, 3, 0, 0, 0, 1),
            "partially_granted": (5, 0, 0, 0, 0, 0),
            "denied.third_party": (2, 1, 0, 0, 0, 0),
            "denied.internal_affairs": (1, 0, 0, 0, 0, 0),
            "unable.not_held": (10, 2, 0, 0, 0, 0),
            "unable.needs_creation": (2, 0, 0, 0, 0, 0),
            "not_processed.petition": (3, 0, 0, 0, 0, 0),
            "not_processed.repeated": (2, 0, 0, 0, 0, 0),
            "other.no_correction": (2, 0, 0, 0, 0, 0),
            "other.other": (1, 0, 0, 0, 0, 0),
        },
        t3_carried=(2, 0, 0, 0, 0, 0),
        t3_forward=(1, 1, 0, 0, 0, 0),
        t4={
            "reconsideration": (2, 1, 1, 0),
            "litigation_direct": (1, 0, 0, 2),
            "litigation_after_review": (0, 0, 1, 0),
        },
        elements=[
            Title(("北岭县人民政府2024年政府信息公开工作年度报告",)),
            P(
                "本报告依据《中华人民共和国政府信息公开条例》和国办公开办函〔2021〕30号编制，统计期限为{year}年1月1日"
                "至{year}年12月31日。"
            ),
            H(1),
            P(
                "{year}年，北岭县以提升政务公开标准化规范化水平为主线，聚焦重点领域信息公开和政策解读，政府透明度"
                "进一步提高。"
            ),
            P(
                "（一）主动公开。全年县政府门户网站主动公开政府信息{proactive}条，县政府文件和部门规范性文件全部在门户网站"
                "政策文件库集中发布。"
            ),
            P(
                "（二）依申请公开。全年收到政府信息公开申请{received}件，上年结转{carried}件，所有申请均在法定期限内答复。"
                "因政府信息公开引发行政复议{recon}件、行政诉讼{lit}件。"
            ),
            P("（三）政府信息管理。县政府办公室组织各部门对以往年度的政策文件开展有效性标注，共标注失效文件一百余件。"),
            P("（四）平台建设。完成县政府门户网站适老化和无障碍改造，新增大字版和读屏功能。"),
            P("（五）监督保障。县政府督查室将政务公开工作列入年度督查计划，半年开展一次专项督查。"),
            H(2),
            T2,
            H(3),
            T3,
            H(4),
            T4,
            H(5),
            P("（一）存在问题"),
            P(
                "一是乡镇政务公开专区建设标准不一，部分专区查阅资料多年未更新；二是政策解读由起草部门自行完成，质量参差"
                "不齐，存在简单摘抄原文的情况；三是政务公开工作与群众需求对接不够，缺少常态化的意见收集渠道。"
            ),
            P("（二）改进情况"),
            P(
                "一是制定乡镇政务公开专区建设规范，明确资料更新周期；二是建立政策解读材料审核机制，由县政府办公室统一"
                "把关；三是在门户网站开设意见建议栏目，定期梳理群众意见并反馈采纳情况。"
            ),
            H(6),
            P("（一）收取信息处理费情况。本年度未收取信息处理费。"),
            P("（二）本行政机关年度报告数据统计需要说明的事项。无。"),
            *sign_off("北岭县人民政府", "2025年3月28日"),
        ],
    ),
    Example(
        code="ex10",
        year=2021,
        template="2021",
        agency="北岭县东坪街道办事处",
        level="township",
        layout="tabs",
        encoding="utf-16",
        layout_note="UTF-16 (little-endian, with BOM) text, tab-separated rows",
        exercises="UTF-16 with BOM; heading 三 missing while table 三 is present (status inferred); "
        "blank cells "
        'written as empty, "/" and "—" (table 三 总计 column blank for the 不予公开 rows)',
        proactive=215,
        t2={
            "regulations": (0, 0, 0),
            "normative_docs": (0, 0, 2),
            "licensing": (0,),
            "punishment": (12,),
            "coercion": (0,),
            "fees": (0,),
        },
        t3_outcomes={
            "granted": (3, 0, 0, 0, 0, 0),
            "partially_granted": (1, 0, 0, 0, 0, 0),
            "unable.not_held": (2, 1, 0, 0, 0, 0),
            "other.no_correction": (1, 0, 0, 0, 0, 0),
        },
        t3_forward=(1, 0, 0, 0, 0, 0),
        t4={"reconsideration": (1, 0, 0, 0)},
        blanks={
            ("2", "coercion", "decisions"): "/",
            ("2", "fees", "amount"): "—",
            **{("3", row, "total"): "" for row, _ in T3_LAYOUT["2021"] if row.startswith("denied.")},
            **{("4", "litigation_after_review", col): "/" for col in T4_COLS},
        },
        elements=[
            Title(("北岭县东坪街道办事处2021年政府信息公开工作年度报告",)),
            P("本报告按照国办公开办函〔2021〕30号确定的格式编制，数据统计期限为{year}年1月1日至{year}年12月31日。"),
            H(1),
            P(
                "{year}年，东坪街道围绕社区治理和便民服务，做好各类惠民信息公开。全年主动公开信息{proactive}条，"
                "收到政府信息公开申请{received}件，因政府信息公开引发行政复议{recon}件、行政诉讼{lit}件。"
            ),
            P("（一）主动公开。辖区内低保、临时救助、高龄津贴等公示信息在社区公开栏和街道网站专栏同步发布。"),
            P("（二）依申请公开。收到的申请主要涉及老旧小区改造范围和违法建设处置，均按期答复。"),
            P("（三）政府信息管理。街道党政办公室统一负责信息审核发布，实行经办人、科室负责人、分管领导三级审核。"),
            P("（四）平台建设。在街道便民服务中心设立政务公开专区，放置公开目录和办事指南。"),
            P("（五）监督保障。每季度检查一次各社区公开栏更新情况。"),
            H(2),
            T2,
            SectionStart(3),
            T3,
            H(4),
            T4,
            H(5),
            P(
                "（一）存在问题。一是街道只有一名兼职人员负责信息公开，工作任务重时信息发布容易拖延；二是社区工作者对"
                "公开要求理解不到位，公开栏信息有时与网站不一致。"
            ),
            P(
                "（二）改进措施。一是增配一名信息员，实行A、B岗制度；二是每半年对社区工作者开展一次业务培训，统一线上"
                "线下公开内容。"
            ),
            H(6),
            P("本年度未收取信息处理费。表中标注“/”或“—”的项目为本街道不涉及的事项。"),
            *sign_off("北岭县东坪街道办事处", "2022年1月21日"),
        ],
    ),
    Example(
        code="ex11",
        year=2015,
        template="pre2019",
        agency="青禾县人民政府",
        level="county",
        layout="plain",
        layout_note="UTF-8 text, free-form report from before the 2019 template",
        exercises="pre-2019 structure (七 headings incl. 收费及减免, which lies inside section 3); "
        "numbers only in "
        "prose; no tables gold",
        elements=[
            Title(("青禾县人民政府2015年政府信息公开工作年度报告",)),
            P(
                "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，现公布青禾县人民政府2015年政府信息公开"
                "工作年度报告。本报告由概述、主动公开政府信息情况、依申请公开政府信息情况、政府信息公开的收费及减免情况、"
                "因政府信息公开申请提起行政复议、行政诉讼的情况、政府信息公开工作存在的主要问题和改进措施、"
                "其他需要报告的事项七部分组成。统计期限为2015年1月1日至2015年12月31日。"
            ),
            H(1, "一、概述"),
            P(
                "2015年，我县以推进行政权力清单公开为重点，继续完善政府信息公开工作制度，全县政府信息公开工作平稳运行。"
                "县政府调整了政府信息公开工作领导小组，县政府办公室设立信息公开股，配备工作人员两名。"
            ),
            H(2, "二、主动公开政府信息情况"),
            P(
                "全年全县主动公开政府信息1362条，其中通过县政府门户网站公开1105条，通过政府公报公开48条，通过公开栏、"
                "宣传册等其他方式公开209条。重点公开了行政权力清单、财政预决算和“三公”经费、保障性住房分配等信息。"
            ),
            H(3, "三、依申请公开政府信息情况"),
            P(
                "全年共收到政府信息公开申请23件，其中当面申请9件、信函申请5件、网上申请9件。已答复23件，其中同意公开15件，"
                "部分公开2件，不予公开1件，信息不存在3件，非本机关职责范围2件。"
            ),
            S("四、政府信息公开的收费及减免情况"),
            P("本年度未收取检索、复制、邮寄等费用，也未发生减免情况。"),
            H(4, "五、因政府信息公开申请提起行政复议、行政诉讼的情况"),
            P("全年因政府信息公开申请引起行政复议1件，复议机关维持原答复；未发生行政诉讼。"),
            H(5, "六、政府信息公开工作存在的主要问题和改进措施"),
            P(
                "我县政府信息公开工作还存在以下问题：部分乡镇和部门对信息公开重视不够，信息报送时多时少；网站信息以"
                "工作动态为主，公众关心的办事服务类信息偏少；工作人员多为兼职，业务能力有待提高。"
            ),
            P(
                "2016年，我县将重点做好以下工作：一是把政府信息公开纳入全县目标责任考核，定期通报各单位信息报送情况；"
                "二是调整网站栏目结构，增加办事服务类信息比重；三是每年至少举办一次政府信息公开业务培训班。"
            ),
            H(6, "七、其他需要报告的事项"),
            P("无。"),
            *sign_off("青禾县人民政府", "2016年3月25日"),
        ],
    ),
    Example(
        code="ex12",
        year=2020,
        template="2019",
        agency="江岚省人民政府",
        level="province",
        layout="html",
        suffix=".html",
        html_heading="strong",
        amount_suffix="元",
        layout_note="HTML article page, headings as <p><strong>, real <table>s with rowspan/colspan; 2019 tables",
        exercises="2019 template in the official merged layout (三、本年度办理结果 rowspan 20); "
        "heading variants 四、因政府信息公开工作被申请行政复议、提起行政诉讼情况 and "
        "五、政府信息公开工作存在的主要问题及改进情况; "
        "unit inside a cell (采购总金额 58630000元)",
        proactive=46815,
        t2={
            "regulations": (6, 6, 142),
            "normative_docs": (23, 23, 418),
            "licensing": (386, -12, 215470),
            "other_services": (142, 8, 58210),
            "punishment": (97, 3, 26514),
            "coercion": (25, 0, 1843),
            "fees": (31, -4),
            "procurement": (186, 58630000),
        },
        t3_outcomes={
            "granted": (412, 96, 5, 3, 12, 9),
            "partially_granted": (88, 21, 1, 0, 2, 2),
            "denied.state_secret": (3, 1, 0, 0, 0, 0),
            "denied.law_prohibited": (4, 0, 0, 0, 0, 0),
            "denied.security_stability": (2, 0, 0, 0, 0, 0),
            "denied.third_party": (17, 6, 0, 0, 1, 0),
            "denied.internal_affairs": (9, 1, 0, 0, 0, 0),
            "denied.process_info": (21, 4, 0, 0, 0, 1),
            "denied.enforcement_file": (6, 2, 0, 0, 0, 0),
            "denied.query_item": (11, 1, 0, 0, 0, 0),
            "unable.not_held": (236, 41, 2, 1, 6, 3),
            "unable.needs_creation": (27, 5, 0, 0, 1, 0),
            "unable.still_unclear": (19, 3, 0, 0, 0, 0),
            "not_processed.petition": (45, 2, 0, 0, 0, 0),
            "not_processed.repeated": (31, 4, 0, 0, 0, 0),
            "not_processed.publication": (5, 0, 0, 0, 0, 0),
            "not_processed.mass_repeated": (12, 0, 0, 0, 0, 0),
            "not_processed.confirm_existing": (7, 1, 0, 0, 0, 0),
            "other": (38, 6, 0, 0, 1, 1),
        },
        t3_carried=(26, 5, 0, 0, 1, 0),
        t3_forward=(34, 7, 1, 0, 1, 1),
        t4={
            "reconsideration": (45, 9, 12, 18),
            "litigation_direct": (21, 4, 6, 15),
            "litigation_after_review": (12, 2, 3, 7),
        },
        elements=[
            Title(("江岚省人民政府2020年政府信息公开工作年度报告",)),
            P(
                "本报告根据《中华人民共和国政府信息公开条例》和国办公开办函〔2019〕60号要求，由江岚省人民政府办公厅编制。"
                "报告所列数据统计期限为{year}年1月1日至{year}年12月31日。"
            ),
            H(1),
            P(
                "{year}年，江岚省各级行政机关围绕疫情防控、复工复产和“六稳”“六保”工作，加大政府信息公开力度。"
                "全年省政府及省级部门主动公开政府信息{proactive}条；收到政府信息公开申请{received}件，上年结转{carried}件；"
                "因政府信息公开引发行政复议{recon}件、行政诉讼{lit}件。"
            ),
            S("（一）疫情信息发布"),
            P(
                "省政府新闻办举行疫情防控新闻发布会五十余场，每日发布确诊病例和防控措施信息，及时回应物资供应、"
                "复学复课等社会关切。"
            ),
            S("（二）重点领域公开"),
            P("财政预决算、减税降费、重大建设项目、公共资源交易等领域信息按规定集中公开。"),
            S("（三）平台建设"),
            P("省政府门户网站开设惠企政策专题，汇集中央和省级援企稳岗政策，提供分类检索。"),
            S("（四）监督保障"),
            P("将政务公开纳入省对市县政府绩效考核，全年组织第三方评估一次，对排名靠后的地区进行约谈提醒。"),
            H(2),
            T2,
            H(3),
            T3,
            H(4, "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
            T4,
            H(5, "五、政府信息公开工作存在的主要问题及改进情况"),
            P(
                "（一）存在的主要问题。一是疫情期间信息发布节奏快，少数信息口径在不同平台之间不一致；二是依申请公开数量"
                "持续增长，部分市县答复规范性不足，行政复议纠错率偏高；三是政策解读以发布会和文字解读为主，对基层群众"
                "的覆盖不够。"
            ),
            P(
                "（二）改进措施。一是建立信息发布协同机制，重要信息由牵头部门统一口径后多平台同步发布；二是开展依申请公开"
                "答复质量抽查，对被纠错案件逐案分析、通报；三是推动解读向基层延伸，组织市县利用村广播、宣传栏等方式"
                "开展政策宣讲。"
            ),
            H(6),
            P("本年度省政府办公厅未收取政府信息公开相关费用。"),
            *sign_off("江岚省人民政府办公厅", "2021年3月30日"),
        ],
    ),
]

# ---------------------------------------------------------------------------------------------------------
# Build.
# ---------------------------------------------------------------------------------------------------------

README_HEAD = """# Example reports

Reports **written for this project** in the official formats: the agencies, numbers and prose are invented;
only the official section headings and table row labels come from the national templates
(国办公开办函〔2019〕60号, 国办公开办函〔2021〕30号). They are the README's demo input and the first
test fixtures.

Do not edit these files by hand: they are generated, together with their gold files in
`annotations/gold/segments/` and `annotations/gold/tables/`, by `python scripts/make_examples.py` from one
data description per report, and `tests/test_examples.py` checks that regenerating gives identical bytes.

| file | template | layout | what it exercises |
|---|---|---|---|
"""

README_TAIL = """
## Gold conventions

- `segments/<file>.json`: one entry per statutory section 1–6. `status` is `found` (a heading line exists),
  `inferred` (the section's content is there without a heading) or `missing`. `heading` is the heading
  line as written, without Markdown `#`s; `anchor` is the first 12 characters of the section body. Both
  are given after `gkreport.normalise.normalise_text` with runs of white space collapsed to one space (a
  table row's cells are joined by white space), so compare them with the same folding. For the
  shifted-numbering report (ex08) the headings are as written ("一、主动公开政府信息情况" is section 2).
  In the pre-2019 report (ex11) sections are mapped 概述→1, 主动公开→2, 依申请公开→3 (its
  四、收费及减免 part lies inside section 3), 行政复议/诉讼→4, 问题和改进措施→5, 其他→6.
- `tables/<file>.json`: every cell of tables 二/三/四 present in the source, with the ids of the task brief.
  Blank cells (empty, "/", "—") have `value: null, status: "blank"`. The table-二 fee amount is in 万元; the
  2019 本年增/减 is signed; the 2019 采购总金额 is in 元 (ex12 writes the unit inside the cell).
  The pre-2019 report has no tables gold.
- ex09 is deliberately inconsistent (see the table above); all other tables satisfy R1–R4 of
  `docs/domain.md` §1c wherever no blank cell is involved.
"""


def build(root: Path) -> list[Path]:
    """Write all examples, their gold files and the examples README under `root`; return the paths."""
    dirs = [root / EXAMPLES_DIR, root / SEGMENTS_DIR, root / TABLES_DIR]
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
        for stale in d.glob("ex[0-9][0-9]_*"):  # renamed or dropped examples must not linger
            stale.unlink()
    written: list[Path] = []
    readme_rows: list[str] = []
    for ex in EXAMPLES:
        values = table_values(ex)
        rendered = Rendered(ex, values, facts(ex, values))
        data = RENDERERS[ex.layout](rendered)
        name = ex.filename
        sha = hashlib.sha256(data).hexdigest()
        outputs = {
            root / EXAMPLES_DIR / name: data,
            root / SEGMENTS_DIR / f"{name}.json": dump_json(segments_gold(rendered, name, sha)),
        }
        tables = tables_gold(rendered, name, sha)
        if tables is not None:
            outputs[root / TABLES_DIR / f"{name}.json"] = dump_json(tables)
        for path, blob in outputs.items():
            path.write_bytes(blob)
            written.append(path)
        readme_rows.append(f"| `{name}` | {ex.template} | {ex.layout_note} | {ex.exercises} |")
    readme = root / EXAMPLES_DIR.parent / "README.md"  # beside the folder, so a folder walk sees only reports
    readme.write_text(README_HEAD + "\n".join(readme_rows) + "\n" + README_TAIL, encoding="utf-8")
    written.append(readme)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parents[1],
        help="project root to write into (default: this repository)",
    )
    args = parser.parse_args()
    for path in build(args.root):
        print(path.relative_to(args.root))


if __name__ == "__main__":
    main()
