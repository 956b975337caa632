"""Tests for gkreport.tables_old: the pre-2019 statistics table (统计表) read as table `old`.

Every table here is invented (made-up numbers whose totals add up) and rendered in the layouts met in
real reports: one line with the cells run together (平潭 archive pages), one line with spaces, one row
per line with tabs, Markdown, one cell per line; with and without 历年累计. Real reports are read from
the shared folder, never copied here.
"""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SHARED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkreport.checks import run_checks
from gkreport.readers import read
from gkreport.segment import segment
from gkreport.tables import extract_tables
from gkreport.tables_old import (
    OLD_SCHEMA,
    extract_old,
    label_similarity,
    match_row,
    normalise_label,
    read_old_table,
    render_text,
    rows_for_csv,
)
from gkreport.tables_old.schema import chain_of

PROSE = (
    "某某县某某局2015年政府信息公开工作年度报告\n一、概述\n本局依照条例做好政府信息公开工作。\n"
    "二、主动公开政府信息情况\n全年主动公开信息若干条。\n三、依申请公开政府信息情况\n全年受理申请若干件。\n"
    "四、存在的主要问题及改进措施\n人员不足，下一步加强培训。\n"
)
SIGNATURE = "某某县某某局\n2016年1月10日\n附件下载"

# (row id, label as printed, unit, ordinal) for two real-looking table shapes.
COUNTY = [
    ("proactive", "主动公开信息数", "条", None),
    ("proactive.website", "网站公开", "条", 1),
    ("proactive.gazette", "政府公报公开", "条", 2),
    ("requests", "受理依申请公开信息总数", "条", None),
    ("requests.in_person", "当面申请数", "条", 1),
    ("requests.fax", "传真申请数", "条", 2),
    ("requests.email", "电子邮件申请数", "条", 3),
    ("requests.online", "网上申请数", "条", 4),
    ("requests.letter", "信函申请数", "条", 5),
    ("requests.other", "其它形式申请数", "条", 6),
    ("answers", "对申请的答复数", "条", None),
    ("answers.granted", "同意公开答复数", "条", 1),
    ("answers.partial", "同意部分公开答复数", "条", 2),
    ("answers.denied", "否决公开答复数", "条", 3),
    ("reconsideration", "行政复议数", "件", None),
    ("litigation", "行政诉讼数", "件", None),
    ("complaints", "行政申诉数", "件", None),
]
ZONE = [
    ("proactive", "主动公开文件数", "条", None),
    ("proactive.website", "政府网站公开数", "条", 1),
    ("proactive.gazette", "政府公报公开数", "条", 2),
    ("requests", "受理政府信息公开申请总数", "条", None),
    ("requests.in_person", "当面申请数", "条", 1),
    ("requests.online", "网络申请数", "条", 2),
    ("requests.letter_fax", "信函、传真申请数", "条", 3),
    ("answers", "对申请的答复总数", "条", None),
    ("answers.granted", "同意公开答复数", "条", 1),
    ("answers.partial", "同意部分公开答复数", "条", 2),
    ("answers.denied", "不予公开答复数", "条", 3),
    ("answers.other", "其他类型答复数", "条", 4),
    ("fee_waiver", "政府信息公开收费减免金额", "元", None),
    ("complaints", "接受行政申诉、举报数", "件", None),
    ("reconsideration", "行政复议数", "件", None),
    ("litigation", "行政诉讼数", "件", None),
]
NATIONAL_SHAPE = [
    ("proactive", "主动公开政府信息数", "条", None),
    ("proactive.normative", "主动公开规范性文件数", "条", 1),
    ("requests", "收到申请数", "件", None),
    ("requests.in_person", "当面申请数", "件", 1),
    ("requests.fax", "传真申请数", "件", 2),
    ("requests.online", "网络申请数", "件", 3),
    ("requests.letter", "信函申请数", "件", 4),
    ("completed_total", "申请办结数", "件", None),
    ("completed_total.on_time", "按时办结数", "件", 1),
    ("completed_total.extended", "延期办结数", "件", 2),
    ("answers", "申请答复数", "件", None),
    ("answers.already_public", "属于已主动公开范围数", "件", 1),
    ("answers.granted", "同意公开答复数", "件", 2),
    ("answers.partial", "同意部分公开答复数", "件", 3),
    ("answers.denied", "不同意公开答复数", "件", 4),
    ("answers.not_held", "不属于本行政机关公开数", "件", 5),
    ("answers.not_exist", "申请信息不存在数", "件", 6),
    ("answers.unclear", "告知作出更改补充数", "件", 7),
    ("answers.other_channel", "告知通过其他途径办理数", "件", 8),
    ("reconsideration", "行政复议数量", "件", None),
    ("reconsideration.upheld", "维持具体行政行为数", "件", 1),
    ("reconsideration.corrected", "被依法纠错数", "件", 2),
    ("litigation", "行政诉讼数量", "件", None),
    ("litigation.corrected", "被依法纠错数", "件", 1),
    ("complaints", "举报投诉数量", "件", None),
    ("staff", "从事政府信息公开工作人员数", "人", None),
    ("staff.full_time", "专职人员数", "人", 1),
    ("staff.part_time", "兼职人员数", "人", 2),
]
SHAPES = {"county": COUNTY, "zone": ZONE, "national": NATIONAL_SHAPE}
TOTALS = ("proactive", "requests", "answers", "completed_total")  # the totals whose items the generator sums

Values = dict[str, tuple[int | None, ...]]


def consistent_values(
    shape: list[tuple[str, str, str, int | None]], n_cols: int, rng: random.Random, big: bool = False
) -> Values:
    """Made-up values whose totals add up (O1), 主动公开 ≥ its channels (O3), 累计 ≥ 本年度 (O2)."""
    top = 3000 if big else 9
    values: Values = {}
    ids = [r for r, *_ in shape]
    for row_id in ids:
        if OLD_SCHEMA.row(row_id).parent is None:
            continue
        year = rng.randint(0, top)
        values[row_id] = (year, year + rng.randint(0, top * 3))[:n_cols]
    for total in (t for t in TOTALS if t in ids):
        items = [values[r] for r in ids if OLD_SCHEMA.row(r).parent == total]
        extra = rng.randint(0, 3) if total == "proactive" else 0
        values[total] = tuple(sum(v[c] for v in items) + extra for c in range(n_cols))  # type: ignore[misc]
    for row_id in ids:
        values.setdefault(row_id, tuple(rng.randint(0, 2) for _ in range(n_cols)))
    if n_cols == 2:
        values = {r: (v[0], max(v)) for r, v in values.items()}  # type: ignore[type-var]
    return values


def header(n_cols: int, sep: str) -> list[str]:
    return ["指标名称", "计量单位", *(["2016年度", "历年累计"] if n_cols == 2 else ["年末统计"])]


def render(
    shape: list[tuple[str, str, str, int | None]], values: Values, layout: str, labels: dict[str, str] | None = None
) -> str:
    """The table as printed in `layout`; None values are blank cells."""
    n_cols = len(next(iter(values.values())))
    labels = labels or {}

    def label(row_id: str, printed: str, ordinal: int | None) -> str:
        text = labels.get(row_id, printed)
        if ordinal is None:
            return text
        return ("其中：" if ordinal == 1 else "") + f"{ordinal}、{text}"

    if layout == "run":
        out = "附表：某某局政府信息公开情况统计表" + "".join(header(n_cols, ""))
        for row_id, printed, unit, ordinal in shape:
            out += label(row_id, printed, ordinal) + unit + "".join("" if v is None else str(v) for v in values[row_id])
        return PROSE + out + " " + SIGNATURE.replace("\n", " ")
    if layout == "spaced":
        parts = ["附表：", *header(n_cols, " ")]
        for row_id, printed, unit, ordinal in shape:
            parts += [label(row_id, printed, ordinal), unit, *("/" if v is None else str(v) for v in values[row_id])]
        return PROSE + " ".join(parts) + " " + SIGNATURE.replace("\n", " ")
    if layout == "tabs":
        lines = ["\t".join(header(n_cols, "\t"))]
        for row_id, printed, unit, ordinal in shape:
            lines.append(
                "\t".join(
                    [label(row_id, printed, ordinal), unit, *("" if v is None else str(v) for v in values[row_id])]
                )
            )
        return PROSE + "七、附表\n" + "\n".join(lines) + "\n" + SIGNATURE
    if layout == "markdown":
        lines = ["| " + " | ".join(header(n_cols, "")) + " |", "|" + "---|" * (n_cols + 2)]
        for row_id, printed, unit, ordinal in shape:
            cells = [label(row_id, printed, ordinal), unit, *("" if v is None else str(v) for v in values[row_id])]
            lines.append("| " + " | ".join(cells) + " |")
        return PROSE + "## 附表\n\n" + "\n".join(lines) + "\n\n" + SIGNATURE
    if layout == "cell_per_line":
        lines = header(n_cols, "\n")
        for row_id, printed, unit, ordinal in shape:
            lines += [label(row_id, printed, ordinal), unit, *("—" if v is None else str(v) for v in values[row_id])]
        return PROSE + "附表\n" + "\n".join(lines) + "\n" + SIGNATURE
    raise ValueError(layout)


def cells_by_key(text: str) -> dict[tuple[str, str], tuple[str, float | int | None]]:
    return {(c.row, c.col): (c.status, c.value) for c in read_old_table(text)}


COLS = {1: ("year",), 2: ("year", "cumulative")}


def assert_sound(text: str, values: Values) -> dict[tuple[str, str], tuple[str, float | int | None]]:
    """No ok cell with a wrong value, no blank where a number was printed, no row invented."""
    got = cells_by_key(text)
    n_cols = len(next(iter(values.values())))
    for (row, col), (status, value) in got.items():
        assert row in values, f"row {row} was not printed"
        truth = values[row][COLS[n_cols].index(col)]
        if status == "ok":
            assert value == truth, (row, col, value, truth)
        elif status == "blank":
            assert truth is None, (row, col, truth)
    return got


# ---------------------------------------------------------------------------------------------------
# Layouts


@pytest.mark.parametrize("layout", ["spaced", "tabs", "markdown", "cell_per_line"])
@pytest.mark.parametrize("shape", ["county", "zone"])
@pytest.mark.parametrize("n_cols", [1, 2])
def test_separated_layouts_are_read_completely(layout: str, shape: str, n_cols: int) -> None:
    values = consistent_values(SHAPES[shape], n_cols, random.Random(7), big=True)
    got = assert_sound(render(SHAPES[shape], values, layout), values)
    assert {k for k, (s, _v) in got.items() if s == "ok"} == {(r, c) for r in values for c in COLS[n_cols]}


def test_digits_run_together_are_split_by_the_identities() -> None:
    # 主动公开 425/1516 = 网站 418/1509 + 公报 7/7: only one split of 4251516 and 4181509 keeps O3.
    values: Values = {r: (0, 0) for r, *_ in COUNTY}
    values |= {
        "proactive": (425, 1516),
        "proactive.website": (418, 1509),
        "proactive.gazette": (7, 7),
        "requests": (7, 28),
        "requests.in_person": (0, 18),
        "requests.email": (3, 6),
        "requests.online": (4, 4),
        "answers": (3, 24),
        "answers.granted": (2, 19),
        "answers.partial": (1, 3),
        "answers.denied": (0, 2),
    }
    text = render(COUNTY, values, "run")
    assert "网站公开条41815092、政府公报公开条77" in text  # the ordinal runs into the numbers
    got = assert_sound(text, values)
    assert all(status == "ok" for status, _v in got.values()), got
    from gkreport.tables import TableResult
    from gkreport.tables_old.checks import old_checks

    o3 = {c.id: c for c in old_checks(TableResult("old", read_old_table(text)))}["O3.year"]
    assert o3.status == "pass" and o3.message.endswith("（数字连排，按此式拆分）")  # not independent evidence
    notes = {c.row: c.note for c in read_old_table(text)}
    assert "O3" in notes["proactive"] and "O3" in notes["proactive.website"]
    assert notes["requests"] == "digits run together"  # 728 is 7/28 by 历年累计 ≥ 本年度 alone


def test_a_split_that_nothing_decides_is_ambiguous_never_a_guess() -> None:
    # 2626 is 26/26 or 2/626, and 网站 prints the same digits: no identity can tell.
    values: Values = {r: (0, 0) for r, *_ in COUNTY}
    values |= {"proactive": (26, 26), "proactive.website": (26, 26)}
    got = assert_sound(render(COUNTY, values, "run"), values)
    assert got[("proactive", "year")][0] == "ambiguous"
    assert got[("proactive.website", "cumulative")][0] == "ambiguous"
    assert got[("proactive.gazette", "year")] == ("ok", 0)


def test_a_figure_stated_in_the_prose_settles_the_split() -> None:
    values: Values = {r: (0, 0) for r, *_ in COUNTY}
    values |= {"proactive": (26, 26), "proactive.website": (26, 26)}
    text = render(COUNTY, values, "run")
    said = text.replace("全年主动公开信息若干条", "全年主动公开政府信息26条")
    got = assert_sound(said, values)
    assert got[("proactive", "year")] == ("ok", 26) and got[("proactive.website", "cumulative")] == ("ok", 26)
    # Two candidates stated (2 and 26): nothing is settled.
    both = text.replace("全年主动公开信息若干条", "全年主动公开政府信息26条，其中主动公开文件2条")
    assert cells_by_key(both)[("proactive", "year")][0] == "ambiguous"


def test_a_table_that_leaves_cells_unmarked_is_not_split() -> None:
    # Two columns in the header, one number per row: 148 could be 1/48, but the single 0s show that
    # this table leaves cells empty, so no row is split.
    text = (
        PROSE + "附表 指标名称单位2017年历年累计主动公开文件数条148 其中：1.政府网站公开数条148 "
        "2.政府公报公开数条0 受理政府信息公开申请总数条2 行政复议数条0"
    )
    got = cells_by_key(text)
    assert got and all(status == "ambiguous" for status, _v in got.values())


def test_blank_cells_are_blank_not_zero() -> None:
    values = consistent_values(ZONE, 2, random.Random(3))
    values["complaints"] = (None, 4)
    values["litigation"] = (None, None)
    for layout in ("spaced", "tabs", "markdown", "cell_per_line"):
        got = assert_sound(render(ZONE, values, layout), values)
        assert got[("complaints", "year")] == ("blank", None), layout
        assert got[("complaints", "cumulative")] == ("ok", 4), layout
        assert got[("litigation", "cumulative")][0] == "blank", layout


def test_a_row_with_fewer_numbers_than_columns_is_ambiguous() -> None:
    text = (
        PROSE + "统计表 指标名称 计量单位 2013年度 历年累计 主动公开信息数 条 72 76 其中：1、网站公开 条 72 76 "
        "2、政府公报公开 条 0 受理依申请公开信息总数 条 0 0"
    )
    got = cells_by_key(text)
    assert got[("proactive.gazette", "year")][0] == "ambiguous"
    assert got[("proactive.gazette", "cumulative")][0] == "ambiguous"
    assert got[("requests", "cumulative")] == ("ok", 0)


def test_nested_items_and_two_rows_both_called_other() -> None:
    text = (
        PROSE + "七、需要说明的事项与附表指 标 名 称单位数量主动公开信息数条20正式受理政府信息公开申请数件5"
        "其中：1.在办件12.办结件4其中：1.同意提供件32.拒绝提供件1其中：1.信息不存在件12.其他件0"
        "政府信息咨询数件9其中：1.公开电话件72.其他件2受理政府信息公开工作行政复议数件0"
    )
    got = cells_by_key(text)
    assert got[("requests.pending", "year")] == ("ok", 1)
    assert got[("completed.refused", "year")] == ("ok", 1)
    assert got[("refused.other", "year")] == ("ok", 0)
    assert got[("consultations.other", "year")] == ("ok", 2)
    assert got[("reconsideration", "year")] == ("ok", 0)
    assert ("consultations", "cumulative") not in got


NATIONAL = """统计指标	单位	统计数
一、主动公开情况
（一）主动公开政府信息数	条	120
其中：主动公开规范性文件数	条	10
二、依申请公开情况
（一）收到申请数	件	9
1.当面申请数	件	3
2.传真申请数	件	0
3.网络申请数	件	5
4.信函申请数	件	1
（二）申请办结数	件	9
1.按时办结数	件	8
2.延期办结数	件	1
（三）申请答复数	件	9
1.属于已主动公开范围数	件	2
2.同意公开答复数	件	3
3.同意部分公开答复数	件	1
4.不同意公开答复数	件	1
其中：涉及国家秘密	件	0
涉及个人隐私	件	1
5.不属于本行政机关公开数	件	1
6.申请信息不存在数	件	1
7.告知作出更改补充数	件	0
8.告知通过其他途径办理数	件	0
三、行政复议数量	件	1
（一）维持具体行政行为数	件	1
（二）被依法纠错数	件	0
四、行政诉讼数量	件	2
（一）维持具体行政行为或者驳回原告诉讼请求数	件	1
（二）被依法纠错数	件	1
五、举报投诉数量	件	0
六、依申请公开信息收取的费用	万元	0.05
七、机构建设和保障经费情况
（一）政府信息公开工作专门机构数	个	1
（二）从事政府信息公开工作人员数	人	3
1.专职人员数	人	1
2.兼职人员数	人	2
八、政府信息公开会议和培训情况
（一）召开政府信息公开工作会议或专题会议数	次	2
（二）接受培训人员数	人次	40
"""


def test_a_table_in_the_national_form_with_group_headings() -> None:
    # An invented table in the layout of the national form: group headings without numbers, outcomes of
    # 复议 and 诉讼 with the same words (被依法纠错数), decimals in 万元.
    from gkreport.tables import TableResult
    from gkreport.tables_old.checks import old_checks

    got = cells_by_key(PROSE + "附表\n" + NATIONAL + SIGNATURE)
    expect = {
        "proactive": 120,
        "proactive.normative": 10,
        "requests": 9,
        "requests.online": 5,
        "completed_total": 9,
        "completed_total.extended": 1,
        "answers": 9,
        "answers.already_public": 2,
        "answers.denied": 1,
        "denied.state_secret": 0,
        "denied.privacy": 1,
        "answers.other_channel": 0,
        "reconsideration": 1,
        "reconsideration.corrected": 0,
        "litigation": 2,
        "litigation.corrected": 1,
        "complaints": 0,
        "fees": 0.05,
        "agencies": 1,
        "staff.part_time": 2,
        "meetings": 2,
        "trainees": 40,
    }
    assert {r: got[(r, "year")] for r in expect} == {r: ("ok", v) for r, v in expect.items()}
    assert len(got) == NATIONAL.count("\t") // 2 - 1  # every printed row (two tabs each), not the header
    checks = {c.id: c.status for c in old_checks(TableResult("old", read_old_table(PROSE + "附表\n" + NATIONAL)))}
    assert checks["O1.requests.year"] == checks["O1.answers.year"] == checks["O1.completed_total.year"] == "pass"


def test_the_date_after_the_table_is_not_a_cell() -> None:
    text = PROSE + "七、附表 指标名称 计量 单位 2012年度 主动公开信息数 条 13 行政申诉数 条 0 2013年4月3日 附件下载"
    assert cells_by_key(text)[("complaints", "year")] == ("ok", 0)


def test_absurd_input_gives_ambiguous_cells_not_errors() -> None:
    run = "指标名称 计量单位 2016年度 历年累计 主动公开信息数 条 " + "7" * 5000 + " 附件"
    assert {c.status for c in read_old_table(run)} == {"ambiguous"}
    tabs = "指标名称\t单位\t年末统计\n行政复议数\t件\t" + "9" * 5000 + "\n"
    assert {c.status for c in read_old_table(tabs)} == {"ambiguous"}


def test_no_header_no_table_and_start_is_respected() -> None:
    assert read_old_table(PROSE) == []
    text = render(ZONE, consistent_values(ZONE, 2, random.Random(1)), "spaced")
    assert read_old_table(text, start=len(text) - 5) == []
    assert read_old_table(text, start=len(PROSE)) == read_old_table(text)


def test_offsets_point_at_the_printed_numbers() -> None:
    values = consistent_values(ZONE, 2, random.Random(5), big=True)
    text = render(ZONE, values, "tabs")
    for cell in read_old_table(text):
        assert cell.status == "ok" and cell.offset is not None
        assert text[cell.offset : cell.offset + len(cell.raw)] == cell.raw == str(cell.value)
        assert cell.line == text.count("\n", 0, cell.offset) + 1


# ---------------------------------------------------------------------------------------------------
# Generated tables and label variants


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10**6),
    shape=st.sampled_from(sorted(SHAPES)),
    n_cols=st.sampled_from([1, 2]),
    layout=st.sampled_from(["run", "spaced", "tabs", "markdown", "cell_per_line"]),
    big=st.booleans(),
)
def test_generated_tables_are_never_read_wrong(seed: int, shape: str, n_cols: int, layout: str, big: bool) -> None:
    values = consistent_values(SHAPES[shape], n_cols, random.Random(seed), big)
    got = assert_sound(render(SHAPES[shape], values, layout), values)
    if layout != "run" or n_cols == 1:
        assert all(status == "ok" for status, _v in got.values())
    assert {r for r, _c in got} == set(values)


def _variant(label: str, rng: random.Random) -> str:
    """A printed variant of a label: letter spacing, 它 for 他, a typo in one character of a long label,
    a dropped 、, 总 added or dropped before the final 数, 书 for a final 数."""
    out = label
    if rng.random() < 0.5:
        out = " ".join(out)
    out = out.replace("其他", "其它") if rng.random() < 0.5 else out
    words = out.replace(" ", "")
    if len(words) >= 6 and rng.random() < 0.5:  # in 5 characters one typo can make 行政诉讼数 行政申诉数
        i = rng.randrange(1, len(words) - 1)
        out = words[:i] + "甲" + words[i + 1 :]
    out = out.replace("、", "") if rng.random() < 0.5 else out
    if out.endswith("总数") and rng.random() < 0.5:
        out = out[:-2] + "数"
    elif out.endswith("数") and rng.random() < 0.3:
        out = out[:-1] + "书"
    return out


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 10**6), shape=st.sampled_from(sorted(SHAPES)))
def test_label_variants_are_matched_to_their_rows(seed: int, shape: str) -> None:
    rng = random.Random(seed)
    rows = SHAPES[shape]
    labels = {row_id: _variant(printed, rng) for row_id, printed, _u, _o in rows}
    values = consistent_values(rows, 2, rng, big=True)
    got = cells_by_key(render(rows, values, "spaced", labels))
    assert {r for r, _c in got} == set(values), labels
    assert all(got[(r, "year")] == ("ok", values[r][0]) for r in values)


@given(row=st.sampled_from([r for r in OLD_SCHEMA.rows if len(r.names[0]) >= 4]), data=st.data())
@settings(max_examples=100, deadline=None)
def test_a_row_name_with_one_character_changed_is_never_another_row(row, data) -> None:  # type: ignore[no-untyped-def]
    name = row.names[0]
    i = data.draw(st.integers(1, len(name) - 1))
    printed = name[:i] + "乙" + name[i + 1 :]
    chain = chain_of(row.parent) if row.parent else []
    got = match_row(printed, chain, row.parent is not None)[0]
    # Never another row; in a name of five characters one typo can tie two rows (行政诉讼数 / 行政申诉数).
    assert got == row.id or (got is None and len(name) < 6)


def test_similarity_and_normalisation() -> None:
    assert normalise_label("其中：3、信函、传真 申请数") == "信函传真申请数"
    assert normalise_label("6.其它形式申请数") == "其他形式申请数"
    assert label_similarity("行政复试数", "行政复议数") > label_similarity("行政复试数", "行政诉讼数")
    # 接受行政诉讼、举报数 (a real slip for 申诉) is the complaints row, not litigation.
    assert match_row("接受行政诉讼、举报数", ["answers.other", "answers"], False)[0] == "complaints"
    assert match_row("平潭县某某局", [], False)[0] is None


# ---------------------------------------------------------------------------------------------------
# Reports, checks and output


def _report(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "old_report.txt"
    path.write_text(text, encoding="utf-8")
    return segment(read(path))


def test_extract_tables_falls_back_to_the_old_table(tmp_path: Path) -> None:
    values = consistent_values(ZONE, 2, random.Random(11), big=True)
    report = _report(tmp_path, render(ZONE, values, "tabs"))
    result = extract_tables(report)
    assert result.template == "old"
    assert result.value("old", "requests", "cumulative") == values["requests"][1]
    assert extract_old(report).cells == result.cells
    plain = _report(tmp_path, PROSE)
    assert extract_tables(plain).cells == [] and extract_tables(plain).template == plain.template


def test_checks_of_the_old_table(tmp_path: Path) -> None:
    values = consistent_values(ZONE, 2, random.Random(12), big=True)
    values["answers"] = (values["answers"][0] + 1, values["answers"][1] + 1)  # 答复总数 off by one
    values["reconsideration"] = (3, 1)  # 历年累计 below 本年度
    report = _report(tmp_path, render(ZONE, values, "spaced"))
    checks = {c.id: c for c in run_checks(report, extract_tables(report))}
    assert checks["O1.requests.year"].status == "pass"
    assert checks["O1.answers.year"].status == "fail" and "≠" in checks["O1.answers.year"].message
    assert checks["O3.cumulative"].status == "pass"
    assert checks["O2.reconsideration"].status == "fail"
    assert checks["O4.year"].status == "fail" and checks["O4.year"].severity == "soft"
    assert all(c.id[0] == "O" for c in checks.values())


def test_an_ambiguous_cell_makes_its_checks_not_assessable() -> None:
    values: Values = {r: (0, 0) for r, *_ in COUNTY}
    values |= {"proactive": (26, 26), "proactive.website": (26, 26)}
    from gkreport.tables import TableResult
    from gkreport.tables_old.checks import old_checks

    checks = {c.id: c for c in old_checks(TableResult("old", read_old_table(render(COUNTY, values, "run"))))}
    assert checks["O3.year"].status == "not_assessable" and "无法确定" in checks["O3.year"].message
    assert checks["O1.requests.year"].status == "pass"


def test_text_and_csv_output_use_chinese_labels() -> None:
    from gkreport.tables import TableResult

    values = consistent_values(COUNTY, 1, random.Random(2))
    result = TableResult("old", read_old_table(render(COUNTY, values, "spaced")))
    text = render_text(result)
    assert "政府信息公开情况统计表" in text and "本年度" in text and "其中：当面申请数" in text
    rows = rows_for_csv(result)
    assert rows[0]["row_label"] == "主动公开政府信息数" and rows[0]["col_label"] == "本年度"


def test_cli_tables_reads_the_old_table(tmp_path: Path) -> None:
    values = consistent_values(ZONE, 2, random.Random(4), big=True)
    path = tmp_path / "old.txt"
    path.write_text(render(ZONE, values, "spaced"), encoding="utf-8")
    run = [sys.executable, "-m", "gkreport.cli", "tables", str(path)]
    out = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    record = json.loads(out)
    assert record["template"] == "old" and {c["table"] for c in record["cells"]} == {"old"}
    assert any(c["check_id"].startswith("O1.") for c in record["checks"])
    text = subprocess.run([*run, "-f", "text"], capture_output=True, text=True, check=True).stdout
    assert "受理政府信息公开申请总数" in text and "历年累计" in text
    rows = list(
        csv.DictReader(
            io.StringIO(subprocess.run([*run, "-f", "csv"], capture_output=True, text=True, check=True).stdout)
        )
    )
    assert rows[0]["table"] == "old" and rows[0]["row_label"] == "主动公开政府信息数"


# ---------------------------------------------------------------------------------------------------
# Real reports (shared folder)

PINGTAN = SHARED / "corpus" / "pingtan-bodies"


@pytest.mark.skipif(not PINGTAN.exists(), reason="../shared/corpus/pingtan-bodies is not here")
def test_real_old_tables_are_found_and_their_identities_hold() -> None:
    with (PINGTAN / "SOURCES.tsv").open(encoding="utf-8") as fh:
        names = [r["filename"] for r in csv.DictReader(fh, delimiter="\t") if r["template"] == "pre2019"]
    found = 0
    o2 = {"pass": 0, "fail": 0}
    from gkreport.tables import TableResult
    from gkreport.tables_old.checks import old_checks

    for name in names:
        cells = read_old_table(read(PINGTAN / name).text)
        found += bool(cells)
        for check in old_checks(TableResult("old", cells)):
            if check.id.startswith("O2"):
                o2[check.status] = o2.get(check.status, 0) + 1
    assert found >= 70  # 73 of the 107 old reports print the table; the rest only name an attachment
    assert o2["fail"] <= 2 and o2["pass"] >= 30


@pytest.mark.skipif(not (SHARED / "corpus" / "github").exists(), reason="../shared/corpus/github is not here")
def test_real_run_together_tables_are_split_only_where_something_decides() -> None:
    path = SHARED / "corpus" / "github" / "022_pingtan_xian_2011.txt"
    got = cells_by_key(read(path).text)
    assert got[("proactive", "year")] == ("ok", 425) and got[("proactive.website", "cumulative")] == ("ok", 1509)
    stated = cells_by_key(read(SHARED / "corpus" / "github" / "012_pingtan_syq_2017.txt").text)
    assert stated[("proactive", "year")] == ("ok", 2122)  # the prose states it; the digits alone do not
    if PINGTAN.exists():
        undecided = cells_by_key(read(PINGTAN / "czj_2012.txt").text)  # 2626 twice, nothing stated
        assert undecided[("proactive", "year")][0] == "ambiguous"
