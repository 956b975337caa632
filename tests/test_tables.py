"""Tests for gkreport.tables and gkreport.templates.

The tables below are invented (made-up numbers that satisfy R1–R4) and rendered in every layout the
extractor has to read. Real reports are read from the shared folder, never copied here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from unittest.mock import patch

import pytest
from helpers import CONSISTENT_T2, CONSISTENT_T3, CONSISTENT_T4, EXAMPLES, ROOT, SHARED, ZERO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkreport.document import Block, Document
from gkreport.normalise import normalise_text
from gkreport.segment import SECTION_NAMES, Report, Section
from gkreport.tables import (
    CSV_FIELDS,
    TableResult,
    extract_tables,
    render_text,
    table_rows_for_csv,
    table_spans,
)
from gkreport.templates import SCHEMAS, cell_label

GOLD = ROOT / "annotations" / "gold" / "tables"


def make_report(text: str, *, real_tables: bool = False, template: str = "unknown") -> Report:
    """A Report over `text`: one block per line; tab and pipe lines are rows (real table rows if asked)."""
    text = normalise_text(text)
    blocks = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            if "\t" in line or line.lstrip().startswith("|"):
                cells = tuple(c.strip() for c in re.split(r"[\t|]", line))
                table = 0 if real_tables or line.lstrip().startswith("|") else None
                blocks.append(Block("row", line, pos, end, cells, table))
            else:
                blocks.append(Block("paragraph", line, pos, end))
        pos = end + 1
    doc = Document("invented.txt", "txt", "0" * 64, text, blocks)
    return Report(doc, template, None, None, "unknown", [])


# ---------------------------------------------------------------------------------------------------
# An invented 2021 report: R1–R4 hold.

T3_LABELS = [  # (row id, group label cell, row label cell) as printed in the official table
    ("new_received", "", "一、本年新收政府信息公开申请数量"),
    ("carried_over", "", "二、上年结转政府信息公开申请数量"),
    ("granted", "三、本年度办理结果", "（一）予以公开"),
    ("partially_granted", "", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("denied.state_secret", "（三）不予公开", "1.属于国家秘密"),
    ("denied.law_prohibited", "", "2.其他法律行政法规禁止公开"),
    ("denied.security_stability", "", "3.危及“三安全一稳定”"),
    ("denied.third_party", "", "4.保护第三方合法权益"),
    ("denied.internal_affairs", "", "5.属于三类内部事务信息"),
    ("denied.process_info", "", "6.属于四类过程性信息"),
    ("denied.enforcement_file", "", "7.属于行政执法案卷"),
    ("denied.query_item", "", "8.属于行政查询事项"),
    ("unable.not_held", "（四）无法提供", "1.本机关不掌握相关政府信息"),
    ("unable.needs_creation", "", "2.没有现成信息需要另行制作"),
    ("unable.still_unclear", "", "3.补正后申请内容仍不明确"),
    ("not_processed.petition", "（五）不予处理", "1.信访举报投诉类申请"),
    ("not_processed.repeated", "", "2.重复申请"),
    ("not_processed.publication", "", "3.要求提供公开出版物"),
    ("not_processed.mass_repeated", "", "4.无正当理由大量反复申请"),
    ("not_processed.confirm_existing", "", "5.要求行政机关确认或重新出具已获取信息"),
    ("other.no_correction", "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other.no_fee", "", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other.other", "", "3.其他"),
    ("total", "", "（七）总计"),
    ("carry_forward", "", "四、结转下年度继续办理"),
]
T3 = {row: ZERO for row, _g, _l in T3_LABELS} | CONSISTENT_T3
T4, T2 = CONSISTENT_T4, CONSISTENT_T2

PROSE_HEAD = "某镇2024年政府信息公开工作年度报告\n一、总体情况\n本年度共收到政府信息公开申请7件。\n"
T3_HEAD = (
    "三、收到和处理政府信息公开申请情况\n"
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    "\t申请人情况\n\t自然人\t法人或其他组织\t总计\n\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\n"
)
T4_HEAD = (
    "四、政府信息公开行政复议、行政诉讼情况\n行政复议\t行政诉讼\n"
    "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t复议后起诉\n"
)
TAIL = "五、存在的主要问题及改进情况\n一是培训不够。\n六、其他需要报告的事项\n本年度未收取信息处理费。\n"


def t2_tab() -> str:
    return (
        "二、主动公开政府信息情况\n第二十条第（一）项\n"
        "信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n"
        "规章\t0\t0\t3\n行政规范性文件\t2\t1\t15\n第二十条第（五）项\n信息内容\t本年处理决定数量\n行政许可\t120\n"
        "第二十条第（六）项\n信息内容\t本年处理决定数量\n行政处罚\t35\n行政强制\t4\n"
        "第二十条第（八）项\n信息内容\t本年收费金额（单位：万元）\n行政事业性收费\t12.5\n"
    )


def t4_values(sep: str = "\t") -> str:
    return sep.join(str(v) for row in T4.values() for v in row) + "\n"


def render_tab(values: dict[str, tuple[int, ...]] = T3) -> str:
    lines = [f"{group}\t{label}\t" + "\t".join(map(str, values[row])) for row, group, label in T3_LABELS]
    return PROSE_HEAD + t2_tab() + T3_HEAD + "\n".join(lines) + "\n" + T4_HEAD + t4_values() + TAIL


def render_one_cell_per_line() -> str:
    out = [PROSE_HEAD, t2_tab().replace("\t", "\n\t"), T3_HEAD.replace("\t", "\n\t")]
    for row, group, label in T3_LABELS:
        numbers = "".join(f"\t{v}\n" for v in T3[row])
        out.append((f"\t{group}\n" if group else "\t\n") + f"\t{label}\n" + numbers)
    out.append(T4_HEAD.replace("\t", "\n\t") + "".join(f"\t{v}\n" for row in T4.values() for v in row))
    return "".join(out) + TAIL


def render_markdown(blank_total_of: str | None = None) -> str:
    rows = []
    for row, _group, label in T3_LABELS:
        values = [str(v) for v in T3[row]]
        if row == blank_total_of:
            values[-1] = " "
        rows.append(f"| {label} | " + " | ".join(values) + " |")
    table3 = (
        "| 项目 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n"
        "|---|---|---|---|---|---|---|---|\n"
    )
    t4 = "| 维持 | 纠正 | 其他 | 尚未审结 | 总计 |\n|---|---|---|---|---|\n" + "".join(
        "| " + " | ".join(map(str, row)) + " |\n" for row in T4.values()
    )
    return (
        PROSE_HEAD
        + t2_tab()
        + "## 三、收到和处理政府信息公开申请情况\n（本列数据的勾稽关系为：…）\n"
        + table3
        + "\n".join(rows)
        + "\n\n## 四、政府信息公开行政复议、行政诉讼情况\n### 行政复议\n"
        + t4
        + TAIL
    )


def render_pdf_like() -> str:
    """Space-separated cells, labels broken over lines, numbers on the line after a long label, a page
    footer inside the table, letter-spaced group label."""
    lines = []
    for row, group, label in T3_LABELS:
        numbers = " ".join(map(str, T3[row]))
        if row == "partially_granted":
            lines.append("（二）部分公开（区分处理的，只计这一情 形，不\n计其他情形）\n" + numbers)
        elif row == "other.no_correction":
            lines.append("1、申请人无正当理由逾期不补\n正、行政机关不再处理其政府信\n息公开申请\n" + numbers)
        elif row == "unable.needs_creation":
            lines.append("- 4 -\n" + f"{label} {numbers}")
        elif group:
            lines.append(" ".join(group) + "\n" + f"{label} {numbers}")
        else:
            lines.append(f"{label} {numbers}")
    t2 = t2_tab().replace("\t", " ")
    return (
        PROSE_HEAD
        + t2
        + T3_HEAD.replace("\t", "\n")
        + "\n".join(lines)
        + "\n"
        + T4_HEAD.replace("\t", "\n")
        + t4_values(" ")
        + TAIL
    )


def render_run_together(values: dict[str, tuple[int, ...]] = T3) -> str:
    """Everything on one line, no separators at all (archived web pages)."""
    t2 = (
        "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章003行政规范性文件2115"
        "第二十条第（五）项信息内容本年处理决定数量行政许可120第二十条第（六）项信息内容本年处理决定数量行政处罚35行政强制4"
        "第二十条第（八）项信息内容本年收费金额（单位：万元）行政事业性收费12.5"
    )
    t3 = "".join(f"{group}{label}" + "".join(map(str, values[row])) for row, group, label in T3_LABELS)
    t4 = "".join(str(v) for row in T4.values() for v in row)
    return (
        "一、总体情况本年度共收到政府信息公开申请7件。二、主动公开政府信息情况"
        + t2
        + "三、收到和处理政府信息公开申请情况"
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
        "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
        + t3
        + "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼"
        "结果维持结果纠正其他结果尚未审结总计" + t4 + "五、存在的主要问题及改进情况一是培训不够。"
    )


def assert_values(result: TableResult, t3: dict[str, tuple[int, ...]] = T3, t2: bool = True, t4: bool = True) -> None:
    for row, values in t3.items():
        for col, value in zip([c.id for c in SCHEMAS["2021"].tables["3"].columns], values, strict=True):
            cell = result.get("3", row, col)
            assert cell is not None and cell.status == "ok" and cell.value == value, (row, col, cell)
    if t4:
        for row, values in T4.items():
            for col, value in zip(("upheld", "corrected", "other", "pending", "total"), values, strict=True):
                cell = result.get("4", row, col)
                assert cell is not None and cell.status == "ok" and cell.value == value, (row, col, cell)
    if t2:
        for (row, col), value in T2.items():
            cell = result.get("2", row, col)
            assert cell is not None and cell.status == "ok" and cell.value == value, (row, col, cell)


# ---------------------------------------------------------------------------------------------------
# Layouts


def test_tab_separated_rows() -> None:
    report = make_report(render_tab())
    result = extract_tables(report)
    assert result.template == "2021"
    assert_values(result)
    # Positions point at the printed numbers.
    cell = result.get("3", "new_received", "total")
    assert cell is not None and cell.offset is not None
    assert report.document.text[cell.offset : cell.offset + len(cell.raw)] == "7"
    assert cell.line == report.document.line_of(cell.offset)


def test_result_carries_the_table_regions() -> None:
    report = make_report(render_tab())
    result = extract_tables(report)
    assert result.regions is not None and len(result.regions) == 3
    assert result.regions == table_spans(report.document.text, report)
    assert report.document.text[slice(*result.regions[1])].lstrip().startswith("三")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    words=st.text(alphabet="字项 ", max_size=3),
    cells=st.text(alphabet="\t\t\t  0123457字/-|+", max_size=24),
    below=st.text(alphabet="\t 05字", max_size=6),
)
def test_fast_row_readings_match_the_general_cell_loop(words: str, cells: str, below: str) -> None:
    # The label line's shortcuts (tab cells of integers, space-separated integers) read what the general
    # loop over cells reads: the same numbers, offsets, empty cells and flags.
    from gkreport.tables import scan

    text = f"表\n{words}标签{cells}\n{below}\n下一项"
    doc = scan._Doc(make_report(text))
    start = text.index("标签") + 2
    end = text.index("下一项")

    def read() -> list[tuple[object, ...]]:
        return [
            (
                tuple((v.value, v.raw, v.offset, v.status) for v in g.toks),
                g.chunks,
                g.run_mode,
                g.lead,
                g.trail,
                g.reliable,
                g.structured,
                g.same_line,
                g.start,
                g.stacked,
                g.tok_cells,
                g.empty_cells,
            )
            for g in scan._scan_zone(doc, start, end, True)
        ]

    fast = read()
    with patch.object(scan, "_fast_row", lambda *args: None), patch.object(scan, "_spaced_row", lambda *args: None):
        assert read() == fast


def test_one_cell_per_line() -> None:
    assert_values(extract_tables(make_report(render_one_cell_per_line())))


def test_markdown_pipe_tables_keep_blank_cells() -> None:
    result = extract_tables(make_report(render_markdown(blank_total_of="carry_forward")))
    expected = dict(T3)
    del expected["carry_forward"]
    assert_values(result, expected)
    blank = result.get("3", "carry_forward", "total")
    assert blank is not None and blank.status == "blank" and blank.value is None
    assert result.value("3", "carry_forward", "natural_person") == 1


def test_pdf_like_lines_with_broken_labels_and_footer() -> None:
    assert_values(extract_tables(make_report(render_pdf_like())))


# Long labels of table 三 wrapped over lines (a label cell two or three lines high): the numbers sit on the
# label's last line, on its first line, or (one cell per line) on lines of their own after it.
WRAPPED = {  # row id -> (the label's lines, where its numbers are printed)
    "new_received": (["一、本年新收政府信息公开", "申请数", "量"], "last"),
    "partially_granted": (["（二）部分公开（区分处理的，只计这一情形，不", "计其他情形）"], "last"),
    "denied.security_stability": (["3.危及“三安全一稳定", "”"], "last"),
    "unable.not_held": (["1.本机关不掌握相关政府", "信息"], "first"),
    "not_processed.confirm_existing": (["5.要求行政机关确认或重新出具已获", "取信息"], "last"),
    "other.no_correction": (["1.申请人无正当理由逾期不补正、行政机关不", "再处理其政府信息公开申请"], "last"),
    "other.no_fee": (["2.申请人逾期未按收费通知要求缴纳费用、行", "政机关不再处理其政府信息", "公开申请"], "first"),
    "carry_forward": (["四、结转下年度继", "续办理"], "last"),
}
EMPTY_ROW = "not_processed.mass_repeated"  # printed without numbers, just above a wrapped label
T3_WRAPPED = dict(
    T3,
    **{
        "new_received": (6, 1, 0, 0, 1, 0, 8),
        "other.no_correction": (1, 0, 0, 0, 0, 0, 1),
        "total": (6, 1, 0, 0, 1, 0, 8),
    },
)


def render_wrapped(layout: str) -> str:
    """The invented report with the WRAPPED labels, in "space" (PDF lines), "tab" or "cells" (one cell
    per line) layout; in the first two the row above a wrapped label is left empty."""
    sep = {"space": " ", "tab": "\t", "cells": "\n\t"}[layout]
    lines = []
    for row, group, label in T3_LABELS:
        numbers = sep.join(map(str, T3_WRAPPED[row]))
        parts, where = WRAPPED.get(row, ([label], "last"))
        if group:
            lines.append(group)
        if row == EMPTY_ROW and layout != "cells":
            lines.append(label)
        elif layout == "cells":
            lines += parts + [numbers]
        elif where == "last":
            lines += parts[:-1] + [f"{parts[-1]}{sep}{numbers}"]
        else:
            lines += [f"{parts[0]}{sep}{numbers}"] + parts[1:]
    if layout == "space":
        return (
            PROSE_HEAD
            + t2_tab().replace("\t", " ")
            + T3_HEAD.replace("\t", "\n")
            + "\n".join(lines)
            + "\n"
            + T4_HEAD.replace("\t", "\n")
            + t4_values(" ")
            + TAIL
        )
    if layout == "tab":
        return PROSE_HEAD + t2_tab() + T3_HEAD + "\n".join(lines) + "\n" + T4_HEAD + t4_values() + TAIL
    t4 = "".join(f"\t{v}\n" for row in T4.values() for v in row)
    return (
        PROSE_HEAD
        + t2_tab().replace("\t", "\n\t")
        + T3_HEAD.replace("\t", "\n\t")
        + "".join(f"\t{line}\n" for line in lines)
        + T4_HEAD.replace("\t", "\n\t")
        + t4
        + TAIL
    )


@pytest.mark.parametrize("layout", ["space", "tab"])
def test_wrapped_labels_are_joined_and_their_numbers_tied_to_them(layout: str) -> None:
    # Space-separated (pdfium, ex07): the continuation line "再处理其政府信息公开申请 1 0 0 0 0 0 1" is the
    # label's own line. Tab-separated: the continuation proves its numbers belong to the wrapped label and
    # not to the empty row above it.
    result = extract_tables(make_report(render_wrapped(layout)))
    expected = dict(T3_WRAPPED)
    del expected[EMPTY_ROW]
    assert_values(result, expected)
    for col in SCHEMAS["2021"].tables["3"].columns:
        cell = result.get("3", EMPTY_ROW, col.id)
        assert cell is not None and cell.status != "ok" and cell.value is None


def test_wrapped_labels_one_cell_per_line_and_pdf_lines_in_one_table() -> None:
    # One cell per line (DOCX flattened): the numbers on lines of their own after the wrapped label, read
    # as before. The same wraps in PDF lines: the continuation line carries the numbers (ex07).
    assert_values(extract_tables(make_report(render_wrapped("cells"))), T3_WRAPPED)
    pdf = render_wrapped("space").replace(f"\n{T3_LABELS[18][2]}\n", f"\n{T3_LABELS[18][2]} 0 0 0 0 0 0 0\n")
    assert_values(extract_tables(make_report(pdf)), T3_WRAPPED)


@pytest.mark.parametrize("sep", [" ", "\t"])
def test_wrap_that_could_finish_two_labels_stays_ambiguous(sep: str) -> None:
    # Both （六） items end in "、行政机关不再处理其政府信息公开申请": a continuation line printed after the
    # first lines of both could finish either, so neither row gets its numbers.
    rows = {
        "other.no_correction": "1.申请人无正当理由逾期不补正、",
        "other.no_fee": "2.申请人逾期未按收费通知要求缴纳费用、\n行政机关不再处理其政府信息公开申请"
        + sep
        + sep.join(map(str, T3_WRAPPED["other.no_correction"])),
    }
    text = render_wrapped("space" if sep == " " else "tab")
    for row, label in rows.items():
        parts, where = WRAPPED[row]
        numbers = sep.join(map(str, T3_WRAPPED[row]))
        printed = (
            "\n".join(parts[:-1] + [f"{parts[-1]}{sep}{numbers}"])
            if where == "last"
            else "\n".join([f"{parts[0]}{sep}{numbers}"] + parts[1:])
        )
        assert printed in text
        text = text.replace(printed, label)
    result = extract_tables(make_report(text))
    for row in rows:
        for col in SCHEMAS["2021"].tables["3"].columns:
            cell = result.get("3", row, col.id)
            assert cell is not None and cell.status == "ambiguous" and cell.value is None, (row, col.id, cell)
    assert result.value("3", "other.other", "total") == 0
    assert result.value("3", "total", "total") == 8


def test_label_cut_inside_its_words_with_numbers_on_its_first_line_is_not_given_to_the_row_above() -> None:
    # A tall label cell prints its numbers on its first line: "8.属于行政\t0…" then "查询事项". When the
    # next label is cut the same way, the line "1.本机关不\t1…" sits below 查询事项 with other label words
    # before its numbers; it is not 查询事项's line, and no row may take it for certain.
    cut = {"denied.query_item": "查询事项", "unable.not_held": "掌握相关政府信息"}
    lines = []
    for row, group, label in T3_LABELS:
        numbers = "\t".join(map(str, T3[row]))
        if group:
            lines.append(group)
        at = label.find(cut[row]) if row in cut else len(label)
        lines += [f"{label[:at]}\t{numbers}"] + ([label[at:]] if row in cut else [])
    text = PROSE_HEAD + t2_tab() + T3_HEAD + "\n".join(lines) + "\n" + T4_HEAD + t4_values() + TAIL
    assert "8.属于行政\t0\t0\t0\t0\t0\t0\t0\n查询事项\n（四）无法提供\n1.本机关不\t1\t0" in text
    result = extract_tables(make_report(text))
    for cell in result.cells:
        if cell.table == "3" and cell.status == "ok":
            assert cell.value == T3[cell.row][[c.id for c in SCHEMAS["2021"].tables["3"].columns].index(cell.col)], cell
    assert {c.status for c in result.cells if c.row in cut} <= {"ambiguous", "missing"}
    assert_values(result, {row: v for row, v in T3.items() if row not in cut})


def test_html_or_docx_rows_keep_their_empty_cells() -> None:
    # A reader that knows real table cells (HTML/DOCX) marks the rows with a table index; an empty
    # trailing cell there is a blank 总计, not a lost column.
    text = render_tab().replace(
        "二、上年结转政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1", "二、上年结转政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t"
    )
    result = extract_tables(make_report(text, real_tables=True))
    cell = result.get("3", "carried_over", "total")
    assert cell is not None and cell.status == "blank" and cell.value is None
    assert result.value("3", "carried_over", "natural_person") == 1


def test_letter_spaced_labels_and_label_typos() -> None:
    text = (
        render_tab()
        .replace("三、本年度办理结果", "三、 本 年 度 办 理 结 果")
        .replace("1.本机关不掌握", "1. 本单位不掌握")
        .replace("2.其他法律行政法规禁止公开", "2.其他法律行政止公开")
        .replace("本年废止件数", "本年度止件数")
        .replace("结果维持\t结果纠正", "结果维持\t结果维持")
        .replace("\t自然人\t", "\t自 然 人\t")
    )
    assert_values(extract_tables(make_report(text)))


def test_run_together_digits_are_split_by_the_identities() -> None:
    result = extract_tables(make_report(render_run_together()))
    assert_values(result, t2=False)
    # Table 二: 规章 000 splits one way only; 行政规范性文件 "2115" has several splits and no identity.
    assert [result.value("2", "regulations", c) for c in ("made", "repealed", "in_force")] == [0, 0, 3]
    statuses = {result.get("2", "normative_docs", c).status for c in ("made", "repealed", "in_force")}
    assert statuses == {"ambiguous"}
    assert result.value("2", "fees", "amount") == 12.5
    assert result.value("2", "licensing", "decisions") == 120


def test_run_together_row_with_two_r3_splits_is_decided_by_r1_r2() -> None:
    # "121000013" reads 12 1 0 0 0 0 13 or 1 2 10 0 0 0 13, "101000011" reads 10 1 0 0 0 0 11 or
    # 1 0 10 0 0 0 11: R3 keeps all four. Only the first pair keeps R2 (总计 = 予以公开 + 部分公开 2).
    values = dict(T3)
    values.update(
        {
            "new_received": (12, 1, 0, 0, 0, 0, 13),
            "granted": (10, 1, 0, 0, 0, 0, 11),
            "partially_granted": (2, 0, 0, 0, 0, 0, 2),
            "denied.third_party": ZERO,
            "unable.not_held": ZERO,
            "carried_over": ZERO,
            "total": (12, 1, 0, 0, 0, 0, 13),
            "carry_forward": ZERO,
        }
    )
    result = extract_tables(make_report(render_run_together(values)))
    assert_values(result, values, t2=False)
    assert "R1/R2" in result.get("3", "granted", "natural_person").note


def test_run_together_rows_that_no_identity_separates_stay_ambiguous() -> None:
    # Every row that could split two ways splits the same way as the others: nothing decides.
    values = dict(T3)
    values.update(
        {
            "new_received": (12, 1, 0, 0, 0, 0, 13),
            "granted": (12, 1, 0, 0, 0, 0, 13),
            "partially_granted": ZERO,
            "denied.third_party": ZERO,
            "unable.not_held": ZERO,
            "carried_over": ZERO,
            "total": (12, 1, 0, 0, 0, 0, 13),
            "carry_forward": ZERO,
        }
    )
    result = extract_tables(make_report(render_run_together(values)))
    cell = result.get("3", "granted", "natural_person")
    assert cell is not None and cell.status == "ambiguous" and cell.value is None
    assert result.value("3", "granted", "total") == 13  # every reading agrees on this cell


# ---------------------------------------------------------------------------------------------------
# Rows that print the wrong number of values


def test_row_with_a_lost_column_is_read_by_the_identities() -> None:
    # Like seed 000: the row prints 6 numbers for 7 columns, in fewer cells than the other rows; R1
    # (the other rows are complete) says which column is lost, and R3 gives its value.
    text = render_tab().replace(
        "一、本年新收政府信息公开申请数量\t5\t1\t0\t0\t1\t0\t7", "一、本年新收政府信息公开申请数量\t5\t1\t0\t1\t0\t7"
    )
    result = extract_tables(make_report(text))
    assert_values(result)
    assert "6 numbers" in result.get("3", "new_received", "research").note


def test_empty_cell_in_the_column_grid_is_a_blank_not_a_lost_column() -> None:
    # Like ex10: every complete row uses the same cells; rows that leave their 总计 cell empty keep
    # the empty cell, so the 总计 is blank (R3 then cannot be checked), not derived.
    text = render_tab().replace("2.重复申请\t0\t0\t0\t0\t0\t0\t0", "2.重复申请\t0\t0\t0\t0\t0\t0\t")
    result = extract_tables(make_report(text))
    cell = result.get("3", "not_processed.repeated", "total")
    assert cell is not None and cell.status == "blank" and cell.value is None
    assert result.value("3", "not_processed.repeated", "other_org") == 0


def test_row_with_an_extra_number_is_read_by_the_identities() -> None:
    text = render_tab().replace("（七）总计\t5\t1\t0\t0\t1\t0\t7", "（七）总计\t5\t1\t0\t0\t0\t1\t0\t7")
    assert_values(extract_tables(make_report(text)))


def test_ambiguous_row_is_not_guessed() -> None:
    # A table cut off after its third row: no R1/R2 can say which column of the 6-number row is lost.
    rows = [f"{g}\t{lb}\t" + "\t".join(map(str, T3[r])) for r, g, lb in T3_LABELS[:2]]
    rows.append("三、本年度办理结果\t（一）予以公开\t2\t1\t0\t0\t3")
    result = extract_tables(make_report(PROSE_HEAD + T3_HEAD + "\n".join(rows) + "\n" + TAIL))
    granted = [result.get("3", "granted", c.id) for c in SCHEMAS["2021"].tables["3"].columns]
    assert all(c is not None for c in granted)
    assert {c.status for c in granted if c is not None} == {"ambiguous"}
    assert all(c.value is None for c in granted if c is not None)
    assert result.get("3", "denied.state_secret", "total").status == "missing"


def test_blank_cells_are_never_zero() -> None:
    text = render_tab().replace("2.重复申请\t0\t0\t0\t0\t0\t0\t0", "2.重复申请\t0\t/\t—\t0\t-\t0\t0")
    result = extract_tables(make_report(text))
    for col in ("commercial", "research", "legal_service"):
        cell = result.get("3", "not_processed.repeated", col)
        assert cell is not None and cell.status == "blank" and cell.value is None
    assert result.value("3", "not_processed.repeated", "natural_person") == 0


def test_truncated_table_marks_the_rest_missing() -> None:
    rows = [f"{g}\t{lb}\t" + "\t".join(map(str, T3[r])) for r, g, lb in T3_LABELS[:13]]
    result = extract_tables(make_report(PROSE_HEAD + t2_tab() + T3_HEAD + "\n".join(rows) + "\n" + TAIL))
    assert result.value("3", "unable.not_held", "total") == 2
    assert result.get("3", "unable.needs_creation", "total").status == "missing"
    assert result.get("3", "carry_forward", "natural_person").status == "missing"
    assert {c.status for c in result.cells if c.table == "4"} == {"missing"}


def test_table_four_with_its_first_block_lost() -> None:
    lost = "\t\t\t\t\t" + "\t".join(str(v) for row in list(T4.values())[1:] for v in row) + "\n"
    result = extract_tables(make_report(render_tab().replace(t4_values(), lost)))
    assert {result.get("4", "reconsideration", c).status for c in ("upheld", "total")} == {"missing"}
    assert result.value("4", "litigation_direct", "upheld") == 1
    assert result.value("4", "litigation_after_review", "total") == 1


def test_t4_run_together_split_by_r4() -> None:
    result = extract_tables(make_report(render_run_together()))
    cols = ("upheld", "corrected", "other", "pending", "total")
    assert [result.value("4", "reconsideration", c) for c in cols] == [2, 1, 0, 1, 4]


# ---------------------------------------------------------------------------------------------------
# Templates, units and signs


T2_2019 = (
    "二、主动公开政府信息情况\n第二十条第（一）项\t\t\t\n"
    "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量\n"
    "规章\t0\t0\t2\n规范性文件\t3\t3\t40\n第二十条第（五）项\t\t\t\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n"
    "行政许可\t120\t+1036\t900\n其他对外管理服务事项\t5\t-2\t7\n第二十条第（六）项\t\t\t\n"
    "信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n行政处罚\t10\t0\t8\n行政强制\t1\t0\t1\n"
    "第二十条第（八）项\t\t\t\n信息内容\t上一年项目数量\t本年增/减\t\n行政事业性收费\t35\t-15\t\n"
    "第二十条第（九）项\t\t\t\n信息内容\t采购项目数量\t采购总金额\t\n政府集中采购\t4\t251000元\t\n"
)


def test_2019_template_signed_changes_units_and_single_other_row() -> None:
    labels = [(r, g, lb) for r, g, lb in T3_LABELS if not r.startswith("other.")]
    at = next(i for i, (r, _g, _l) in enumerate(labels) if r == "total")
    labels.insert(at, ("other", "", "（六）其他处理"))
    rows = [f"{g}\t{lb}\t" + "\t".join(map(str, T3.get(r, ZERO))) for r, g, lb in labels]
    text = PROSE_HEAD + T2_2019 + T3_HEAD + "\n".join(rows) + "\n" + T4_HEAD + t4_values() + TAIL
    result = extract_tables(make_report(text))
    assert result.template == "2019"
    assert result.value("2", "licensing", "change") == 1036
    assert result.value("2", "other_services", "change") == -2
    assert result.value("2", "fees", "change") == -15
    assert result.value("2", "procurement", "amount") == 251000
    assert result.get("2", "procurement", "amount").raw == "251000元"
    assert result.value("3", "other", "total") == 0
    assert result.get("3", "other.other", "total") is None
    assert_values(result, {r: v for r, v in T3.items() if not r.startswith("other.")}, t2=False)


def test_fee_printed_in_yuan_is_converted_to_wanyuan() -> None:
    text = render_tab().replace("行政事业性收费\t12.5", "行政事业性收费\t380元")
    result = extract_tables(make_report(text))
    assert result.value("2", "fees", "amount") == pytest.approx(0.038)


def test_2021_table_with_one_other_row_gets_the_other_variant() -> None:
    # Like 洪泽区 2023/2024: a 2021 table that prints （六）其他处理 as one row.
    labels = [(r, g, lb) for r, g, lb in T3_LABELS if not r.startswith("other.")]
    at = next(i for i, (r, _g, _l) in enumerate(labels) if r == "total")
    labels.insert(at, ("other", "", "（六）其他处理"))
    rows = [f"{g}\t{lb}\t" + "\t".join(map(str, T3.get(r, ZERO))) for r, g, lb in labels]
    result = extract_tables(make_report(PROSE_HEAD + t2_tab() + T3_HEAD + "\n".join(rows) + "\n" + TAIL))
    assert result.template == "2021"
    assert result.value("3", "other", "natural_person") == 0
    assert result.get("3", "other.other", "total").status == "missing"
    assert result.has_row("3", "other") and not result.has_row("3", "other.no_fee")


def test_section_spans_from_the_segmenter_narrow_the_anchors() -> None:
    # Prose in section 一 that quotes 第二十条第（一）项 and a 行政许可 count must not be read as table 二.
    prose = "一、总体情况\n依照第二十条第（一）项，公开行政许可类信息40条。\n"
    text = render_tab().replace(PROSE_HEAD, "某镇报告\n" + prose)
    report = make_report(text)
    start = report.document.text.index("二、主动公开政府信息情况")
    sections = [Section(n, SECTION_NAMES[n], None, "missing", None, None, "") for n in range(1, 7)]
    sections[1] = Section(2, SECTION_NAMES[2], "二、主动公开政府信息情况", "found", start, start + 10, "")
    with_sections = Report(report.document, "2021", None, None, "unknown", sections)
    assert extract_tables(with_sections).value("2", "licensing", "decisions") == 120
    assert extract_tables(report).get("2", "licensing", "decisions").status == "ambiguous"


def test_report_without_tables_has_no_cells() -> None:
    result = extract_tables(make_report("某局2013年政府信息公开工作年度报告\n一、概述\n本年度未收到申请。\n"))
    assert result.cells == []


# ---------------------------------------------------------------------------------------------------
# Labels and output


def test_cell_labels_are_chinese() -> None:
    label = cell_label("3", "new_received", "natural_person")
    assert label == "表三「一、本年新收政府信息公开申请数量」「自然人」"
    assert "行政复议" in cell_label("4", "reconsideration", "total")
    assert "本年收费金额" in cell_label("2", "fees", "amount")


def test_csv_rows_and_text_rendering() -> None:
    result = extract_tables(make_report(render_tab()))
    rows = table_rows_for_csv(result)
    assert len(rows) == len(result.cells) == 10 + 175 + 15
    assert set(rows[0]) == set(CSV_FIELDS)
    text = render_text(result)
    assert "自然人" in text and "（七）总计" in text and "行政复议" in text and "12.5" in text
    line = next(ln for ln in text.splitlines() if "本年新收" in ln)
    assert re.findall(r"\d+", line.split("数量", 1)[1]) == ["5", "1", "0", "0", "1", "0", "7"]


def test_text_rendering_prints_every_digit_of_a_decimal() -> None:
    # 平潭 2024 prints a fee of 18651.06 万元; six significant digits would show 18651.1
    result = extract_tables(make_report(render_tab().replace("12.5", "18651.06")))
    fee = result.get("2", "fees", "amount")
    assert fee is not None and fee.value == 18651.06
    assert "18651.06" in render_text(result)


def test_official_cell_counts() -> None:
    assert len(SCHEMAS["2021"].official_cells()) == 10 + 175 + 15
    assert len(SCHEMAS["2019"].official_cells()) == 22 + 161 + 15


# ---------------------------------------------------------------------------------------------------
# Real reports (shared folder) and our own examples against the hand-read gold values


def _read(path: Path) -> Report:
    try:
        from gkreport.readers import read  # type: ignore[attr-defined]

        document = read(path)
    except ImportError:  # the reader package is still being written: use its modules directly
        data = path.read_bytes()
        if path.suffix == ".pdf":
            from gkreport.readers.pdffile import read_pdf

            document = read_pdf(str(path), data)
        else:
            from gkreport.readers.textfile import read_text_file

            document = read_text_file(str(path), data, path.suffix.lstrip("."))
    return Report(document, "unknown", None, None, "unknown", [])


def _gold_files() -> list[Path]:
    return sorted(GOLD.glob("*.json")) if GOLD.is_dir() else []


def _source(gold: Path) -> Path:
    name = gold.name.removesuffix(".json")
    for folder in (EXAMPLES, SHARED / "seeds", SHARED / "corpus" / "github", SHARED / "corpus" / "pingtan-bodies"):
        if (folder / name).exists():
            return folder / name
    return (EXAMPLES if name.startswith("ex") else SHARED) / name


@pytest.mark.shared
@pytest.mark.parametrize("gold_path", _gold_files(), ids=lambda p: p.name)
def test_real_report_against_gold(gold_path: Path) -> None:
    source = _source(gold_path)
    if not source.exists():
        pytest.skip(f"report {source.name} not available (shared folder {SHARED} or {EXAMPLES} absent)")
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    from gkreport.segment import segment

    result = extract_tables(segment(_read(source).document))  # segmented: a 统计表 is read from the appendix
    assert result.template == gold["template"]
    expected = {(c["table"], c["row"], c["col"]): (c["status"], c["value"]) for c in gold["cells"]}
    wrong_but_ok = []
    unsure_only = True  # every cell not read as gold says is left ambiguous
    correct = 0
    keys = set(expected) | {(c.table, c.row, c.col) for c in result.cells if c.status != "missing"}
    for key in keys:
        cell = result.get(*key)
        got = (cell.status, cell.value) if cell is not None else ("missing", None)
        want = expected.get(key, ("missing", None))
        if got == want:
            correct += 1
        elif got[0] == "ok":
            wrong_but_ok.append((key, got, want))
        unsure_only = unsure_only and (got == want or got[0] == "ambiguous")
    assert wrong_but_ok == []  # a wrong number must never be marked ok
    # most cells right; a table whose digits cannot be split (one number under two headers) may say so instead
    assert correct / len(keys) >= 0.9 or unsure_only


# ---------------------------------------------------------------------------------------------------
# Robustness: any mix of table fragments, numbers and separators


_FRAGMENTS = [
    "第二十条第（一）项",
    "行政许可",
    "规章",
    "（本列数据的勾稽关系为：",
    "申请人情况",
    "一、本年新收",
    "（七）总计",
    "3.其他",
    "四、结转下年度继续办理",
    "行政复议",
    "结果维持",
    "五、存在的主要问题",
    "1.属于国家秘密",
    "2.重复申请",
    "0",
    "12",
    "007",
    "3.5",
    "-",
    "/",
    "—",
    "+1036",
    "251000元",
    "\t",
    "\n",
    " ",
    "|",
    "| --- |",
    "- 3 -",
    "本单位不掌握",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=120))
def test_any_fragment_soup_gives_well_formed_cells(parts: list[str]) -> None:
    report = make_report("".join(parts))
    result = extract_tables(report)
    text = report.document.text
    for cell in result.cells:
        assert cell.status in ("ok", "blank", "missing", "ambiguous")
        assert (cell.value is not None) == (cell.status == "ok")
        if cell.offset is not None:
            assert 0 <= cell.offset < len(text)
            if cell.status == "ok" and cell.raw:
                assert text[cell.offset : cell.offset + len(cell.raw)] == cell.raw
