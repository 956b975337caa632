"""Headings found by structure: generated reports with headings we never listed, extra, missing and
repeated parts, headings run into the body and one-line texts; the appendix; warnings; agency names."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from helpers import SHARED
from hypothesis import given, settings
from hypothesis import strategies as st

from gkreport.document import Document
from gkreport.errors import ReportError
from gkreport.normalise import normalise_text
from gkreport.parts import find_parts, ordinal_value, score_heading
from gkreport.passages import split_passages
from gkreport.readers import read
from gkreport.segment import read_metadata, segment

NUMERALS = "一二三四五六七八九十"

# Core wordings per section: some as the official templates print them, some only built from one of the
# section's words with other words around it (no such heading is listed in sections.json).
CORES = {
    1: ["总体情况", "概述", "年度工作总体概况", "基本情况"],
    2: ["主动公开政府信息情况", "政府信息主动公开工作情况", "主动公开工作推进情况"],
    3: ["收到和处理政府信息公开申请情况", "依申请公开政府信息情况", "公民申请办理情况"],
    4: ["政府信息公开行政复议、行政诉讼情况", "因政府信息公开申请行政复议、提起行政诉讼的情况", "复议诉讼及申诉情况"],
    5: [
        "存在的主要问题及改进情况",
        "工作中存在的不足",
        "存在的问题和下一步打算",
        "当前存在的突出问题",
        "问题与整改措施",
        "面临的差距及今后努力方向",
    ],
    6: ["其他需要报告的事项", "其他需说明事项", "需要说明的其他事项", "其它事项"],
}
CLAUSES = ["", "政府信息公开工作", "本机关", "年度", "政务公开方面"]
TABLE_HEADINGS = ["政府信息公开情况统计表", "附表", "某局信息公开工作统计表", "统计数据附表"]
EXTRA_PARTS = {"fee": "收费及减免情况", "focus": "重点领域信息公开推进情况"}


def doc(text: str) -> Document:
    return Document(path="t.txt", format="txt", sha256="0", text=normalise_text(text))


def body(number: int) -> str:
    # starts with 本 (no heading word, no connector) so a heading run into it ends where it should
    return f"本部分记载第{number}项内容，编号甲{number}乙，全文到此为止。"


@st.composite
def reports(draw: st.DrawFn) -> tuple[str, set[int], bool, bool, bool]:
    present = [n for n in range(1, 7) if n == 1 or not draw(st.booleans()) or n == 5]
    if draw(st.booleans()):  # one missing part beyond the random ones is already covered; keep ≥ 3 parts
        present = present if len(present) >= 3 else [1, 2, 5]
    extra = draw(st.sampled_from([None, "fee", "focus"]))
    parts: list[tuple[int | None, str]] = []
    for n in present:
        heading = draw(st.sampled_from(CLAUSES)) + draw(st.sampled_from(CORES[n]))
        parts.append((n, heading))
        if extra == "fee" and n == 3 or extra == "focus" and n == 1:
            parts.append((None, EXTRA_PARTS[extra]))
    repeat_at = draw(st.integers(min_value=-1, max_value=len(parts) - 1))
    run_in = draw(st.booleans())
    one_line = draw(st.booleans())
    pieces, ordinal = ["青禾县某某局2024年政府信息公开工作年度报告"], 0
    for i, (n, heading) in enumerate(parts):
        ordinal += 0 if i == repeat_at and i > 0 else 1
        sep = "" if run_in else draw(st.sampled_from([" ", "："] if one_line else ["\n", " ", "："]))
        owner = n if n is not None else max(m for m, _ in parts[:i] if m is not None)
        pieces.append(f"{NUMERALS[ordinal - 1]}、{heading}{sep}{body(owner)}")
    # after the title a space at least (a part glued to the text before it needs a clear heading)
    table = draw(st.booleans())
    if table:  # an old report's statistics table as its last part
        pieces.append(f"{NUMERALS[ordinal]}、{draw(st.sampled_from(TABLE_HEADINGS))} 指标名称 计量单位 本年度 12 3")
    text = pieces[0] + (" " if one_line else "\n") + ("" if one_line else "\n").join(pieces[1:])
    return text, set(present), repeat_at > 0, one_line, table


@settings(max_examples=300, deadline=None)
@given(reports())
def test_generated_headings_map_to_their_sections(case: tuple[str, set[int], bool, bool, bool]) -> None:
    text, present, repeated, one_line, table = case
    report = segment(doc(text))
    assert (report.appendix is not None) == table, text
    assert all("指标名称" not in s.text for s in report.sections), text
    for section in report.sections:
        if section.number in present:
            assert section.status == "found", (section.number, text)
            # its own body, and no other section's body
            assert f"甲{section.number}乙" in section.text, (section.number, text)
            assert all(f"甲{m}乙" not in section.text for m in present if m != section.number), text
        else:
            assert section.status == "missing", (section.number, text)
    if repeated:
        assert any(w.startswith("ordinal repeats") for w in report.warnings), text
    if one_line and len(text) > 250:
        assert any("no line breaks" in w for w in report.warnings), text


def test_a_part_that_continues_the_one_before_stays_in_its_section() -> None:
    text = (
        "一、总体情况\n"
        + body(1)
        + "\n二、主动公开政府信息情况\n"
        + body(2)
        + "\n三、当前存在的突出问题\n"
        + body(5)
        + "\n四、下一步改进举措\n本局将改进。\n五、其他需说明事项\n"
        + body(6)
    )
    report = segment(doc(text))
    assert report.section(5).heading == "三、当前存在的突出问题"
    assert "本局将改进" in report.section(5).text
    assert report.section(6).heading == "五、其他需说明事项"


def test_statistics_table_part_is_the_appendix_and_in_no_section() -> None:
    table = "指标名称 计量单位 本年度 主动公开文件数 条 12 其中 政府网站 条 10"
    text = (
        "一、概述\n"
        + body(1)
        + "\n二、主动公开政府信息情况\n"
        + body(2)
        + "\n三、依申请公开政府信息情况\n"
        + body(3)
        + "\n四、收费及减免情况\n无收费。\n五、因政府信息公开申请行政复议、提起行政诉讼的情况\n"
        + body(4)
        + "\n六、存在的主要问题及改进措施\n"
        + body(5)
        + "\n七、政府信息公开情况统计表\n"
        + table
    )
    report = segment(doc(text))
    assert report.section(6).status == "missing"
    assert report.appendix is not None and report.appendix.heading == "七、政府信息公开情况统计表"
    assert report.document.text[report.appendix.start : report.appendix.end] == report.appendix.text
    assert all("指标名称" not in s.text for s in report.sections)
    assert "无收费" in report.section(3).text  # the fee part stays in section 3 (the data table's decision)


def test_other_matters_with_the_table_only_is_the_appendix() -> None:
    text = (
        "一、概述 "
        + body(1)
        + " 二、主动公开政府信息情况 "
        + body(2)
        + " 三、存在的主要问题及改进情况 "
        + body(5)
        + " 四、需要说明的事项与附表指 标 名 称单位数量主动公开12"
    )
    report = segment(doc(text))
    assert report.section(6).status == "missing"
    assert report.appendix is not None and "附表" in report.appendix.heading


def test_same_heading_twice_and_skipped_ordinal_are_warned() -> None:
    text = (
        "一、总体情况\n"
        + body(1)
        + "\n二、主动公开政府信息情况\n"
        + body(2)
        + "\n四、存在的主要问题及改进情况\n"
        + body(5)
        + "\n五、其他需要报告的事项\n"
        + body(6)
        + "\n五、其他需要报告的事项\n"
        + body(6)
    )
    warnings = segment(doc(text)).warnings
    assert any(w.startswith("ordinals skip") for w in warnings)
    assert any(w.startswith("section 6 appears twice") for w in warnings)


def test_clean_report_has_no_warnings() -> None:
    text = "\n".join(f"{NUMERALS[n - 1]}、{CORES[n][0]}\n{body(n)}" for n in range(1, 7))
    assert segment(doc(text)).warnings == []


def test_table_rows_are_not_parts() -> None:
    parts = find_parts(
        "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 1 0\n二、上年结转政府信息公开申请数量"
    )
    assert [p.heading for p in parts] == ["三、收到和处理政府信息公开申请情况"]


@given(st.integers(min_value=1, max_value=99))
def test_ordinal_values(n: int) -> None:
    tens, ones = divmod(n, 10)
    written = ("" if tens < 2 else NUMERALS[tens - 1]) + ("十" if tens else "") + (NUMERALS[ones - 1] if ones else "")
    assert ordinal_value(written) == (n if len(written) <= 2 else None)


def test_scores_prefer_the_section_whose_words_it_has() -> None:
    assert max(score_heading("工作中存在的不足").items(), key=lambda kv: kv[1])[0] == "5"
    assert max(score_heading("政府信息公开的收费及减免情况").items(), key=lambda kv: kv[1])[0] == "fee"
    assert score_heading("一、本年新收政府信息公开申请数量") == {}


def test_agency_must_end_with_an_agency_word() -> None:
    # the title line removed: the opening sentence names a document, not a body
    opening = "依据上级转发的〔2022〕5号通知精神及本区有关工作安排编写的2022年度政府信息公开工作年度报告"
    agency, year, _ = read_metadata(opening, opening)
    assert agency is None and year == 2022
    for name in [
        "青禾县白石镇人民政府",
        "平潭综合实验区",
        "平潭综合实验区君山片区管理局",
        "上海市科委",
        "某区某某街道办事处",
        "某区经济发展委员会",
        "某市人民政府办公室",
        "某实验区管委会",
    ]:
        title = f"{name}2022年度政府信息公开工作年度报告"
        assert read_metadata(title, title)[0] == name


_TABLE_LABELS = re.compile("指标名称|计量单位|历年累计")


def _table_like(text: str) -> bool:
    squeezed = "".join(text.split())
    digits = sum(ch.isdigit() for ch in squeezed)
    return bool(squeezed) and (digits > 0.3 * len(squeezed) or _TABLE_LABELS.search(squeezed) is not None)


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="../shared/corpus is not here")
def test_no_passage_of_a_real_report_is_statistics_table_text() -> None:
    files = [
        p
        for folder in (SHARED / "seeds", SHARED / "corpus")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in ("README.md", "SOURCES.tsv")
    ]
    table_like, count = [], 0
    for path in files:
        try:
            report = segment(read(path))
        except ReportError:
            continue
        for passage in split_passages(report):
            count += 1
            if _table_like(passage.text):
                table_like.append(f"{path.name} {passage.id}")
    assert count > 1000
    assert table_like == []


OLD_REPORT = (
    "某县某某局2012年政府信息公开工作年度报告\n一、概述\n"
    + body(1)
    + "\n二、主动公开政府信息情况\n"
    + body(2)
    + "\n三、依申请公开政府信息情况\n"
    + body(3)
    + "\n四、存在的主要问题及改进措施\n"
    + body(5)
    + "\n五、政府信息公开情况统计表\n指标名称 计量单位 本年度\n主动公开信息数 条 12\n"
)


def test_segment_record_and_database_carry_appendix_and_warnings(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gkreport.cli import app
    from gkreport.pipeline import run_pipeline
    from gkreport.store import connect, write_records

    path = tmp_path / "old.txt"
    path.write_text(OLD_REPORT.replace("四、存在", "六、存在"), encoding="utf-8")  # 四 → 六: a skip
    result = CliRunner().invoke(app, ["segment", "--format", "json", str(path)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output.splitlines()[0])
    assert record["appendix"]["heading"] == "五、政府信息公开情况统计表"
    text = read(path).text
    assert text[record["appendix"]["start"] :].startswith("五、政府信息公开情况统计表")
    assert record["appendix"]["end"] == len(text)
    assert any(w.startswith("ordinals skip") for w in record["warnings"])
    assert [s["status"] for s in record["sections"]][5] == "missing"
    conn = connect(tmp_path / "r.sqlite")
    write_records(conn, [run_pipeline(path)])
    warnings, appendix = conn.execute("SELECT warnings, appendix FROM reports").fetchone()
    assert any(w.startswith("ordinals skip") for w in json.loads(warnings))
    assert json.loads(appendix)["heading"] == "五、政府信息公开情况统计表"


def test_a_database_of_the_previous_schema_gets_the_new_columns(tmp_path: Path) -> None:
    from gkreport.store import connect

    db = tmp_path / "old.sqlite"
    connect(db).close()
    with sqlite3.connect(db) as old:  # a results database of the schema before the two columns
        old.execute("ALTER TABLE reports DROP COLUMN warnings")
        old.execute("ALTER TABLE reports DROP COLUMN appendix")
        assert not {"warnings", "appendix"} & {row[1] for row in old.execute("PRAGMA table_info(reports)")}
    columns = {row[1] for row in connect(db).execute("PRAGMA table_info(reports)")}
    assert {"warnings", "appendix"} <= columns


def test_evaluate_segment_reports_each_gold_folder_and_checks_the_appendix(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gkreport.cli import app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "old.txt").write_text(OLD_REPORT, encoding="utf-8")
    sha = read(corpus / "old.txt").sha256
    sections = [
        {"number": n, "status": "found", "heading": h, "anchor": None}
        for n, h in [(1, "一、概述"), (2, "二、主动公开政府信息情况"), (3, "三、依申请公开政府信息情况")]
    ]
    sections += [
        {"number": 4, "status": "missing", "heading": None, "anchor": None},
        {"number": 5, "status": "found", "heading": "四、存在的主要问题及改进措施", "anchor": None},
        {"number": 6, "status": "missing", "heading": None, "anchor": None},
    ]
    for name, appendix in [("right", {"heading": "五、政府信息公开情况统计表", "anchor": "指标名称"}), ("wrong", None)]:
        folder = tmp_path / name
        folder.mkdir()
        gold = {"doc": "old.txt", "sha256": sha, "sections": sections, "appendix": appendix}
        (folder / "old.txt.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "evaluate",
            "segment",
            "--gold",
            str(tmp_path / "right"),
            "--gold",
            str(tmp_path / "wrong"),
            "--corpus",
            str(corpus),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "7/7 sections correct" in result.output and "6/7 sections correct" in result.output
    assert "appendix:" in result.output
    assert "13/14 sections correct" in result.output


def test_bracketed_ordinals_are_parts_only_where_no_plain_ordinal_exists() -> None:
    bracketed = "（一）总体情况\n" + body(1) + "\n（二）存在的主要问题及改进情况\n" + body(5)
    assert [p.ordinal for p in find_parts(bracketed)] == [1, 2]
    plain = "一、概述\n（一）总体情况\n" + body(1) + "\n二、存在的主要问题及改进情况\n" + body(5)
    assert [p.heading for p in find_parts(plain)] == ["一、概述", "二、存在的主要问题及改进情况"]


def test_attachment_list_after_the_last_section_opens_the_appendix() -> None:
    text = (
        OLD_REPORT.split("五、政府信息公开情况统计表")[0]
        + "附件：某县某某局政府信息公开情况统计表\n某县某某局\n2013年1月5日\n"
        + "附件 某县某某局政府信息公开情况统计表\n指标名称 计量单位 本年度\n"
    )
    report = segment(doc(text))
    assert report.appendix is not None and report.appendix.heading == "附件："
    assert "2013年1月5日" not in report.section(5).text


def test_table_heading_runs_on_through_the_title_and_a_mention_is_no_appendix() -> None:
    text = OLD_REPORT.replace("五、政府信息公开情况统计表\n", "五、附表：某县某某局统计表\n")
    report = segment(doc(text))
    assert report.appendix is not None and report.appendix.heading == "五、附表：某县某某局统计表"
    mention = OLD_REPORT.split("五、政府信息公开情况统计表")[0] + "（二）附表（详见附件）\n"
    assert segment(doc(mention)).appendix is None


def test_first_part_is_the_overview_whatever_its_heading_says() -> None:
    text = (
        "一、加强领导，明确责任\n"
        + body(1)
        + "\n二、主动公开政府信息情况\n"
        + body(2)
        + "\n三、存在的主要问题及改进情况\n"
        + body(5)
    )
    report = segment(doc(text))
    assert report.section(1).heading == "一、加强领导，明确责任"
    assert "甲1乙" in report.section(1).text


def test_agency_before_guanyu_in_the_title() -> None:
    title = "某市某某片区管理局关于报送2020年度政府信息公开工作年度报告的函"
    assert read_metadata(title, title)[:2] == ("某市某某片区管理局", 2020)


# ---------------------------------------------------------------- rules for the odd structures of old reports

TITLE = "青禾县某某局2012年政府信息公开工作报告"


def _clear(heading: str) -> bool:
    from gkreport.parts import GLUED_SCORE

    return max(score_heading(heading).values(), default=0.0) >= GLUED_SCORE


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=2), st.sampled_from(CLAUSES), st.data(), st.sampled_from(["", " "]))
def test_ordinal_without_mark_is_a_part_when_its_heading_is_clear(
    which: int, clause: str, data: st.DataObject, space: str
) -> None:
    numbers = [1, 2, 5]
    headings = [clause + data.draw(st.sampled_from(CORES[n])) for n in numbers]
    pieces = [TITLE + "。"]
    for i, (n, heading) in enumerate(zip(numbers, headings, strict=True)):
        mark = space if i == which else "、"
        pieces.append(f"{NUMERALS[i]}{mark}{heading} {body(n)}")
    text = "".join(pieces)
    report = segment(doc(text))
    n = numbers[which]
    if _clear(headings[which]) and not headings[which].startswith("年"):  # 一年度…: 一年 is a word
        assert report.section(n).status == "found", text
        assert report.section(n).heading == f"{NUMERALS[which]}{space}{headings[which]}", text
        assert f"甲{n}乙" in report.section(n).text, text
    # an ordinal that makes a word with the character after it is never a part
    assert not [p for p in find_parts("说明如下。一是" + headings[which] + "较好。") if p.ordinal == 1]


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(
        [
            "全年未收到因政府信息公开申请的行政复议和行政诉讼",
            "本年度没有发生行政复议或行政诉讼",
            "全年无针对本局信息公开的复议诉讼案件",
        ]
    ),
    st.booleans(),
)
def test_a_part_of_one_sentence_has_the_bare_ordinal_as_heading(sentence: str, one_line: bool) -> None:
    sep = " " if one_line else "\n"
    text = sep.join(
        [
            TITLE,
            "一、概述 " + body(1),
            "二、主动公开政府信息情况 " + body(2),
            f"三、{sentence}。",
            "四、存在的主要问题和改进措施 " + body(5),
        ]
    )
    report = segment(doc(text))
    assert report.section(4).heading == "三、", text
    assert report.section(4).text.startswith(sentence), text
    assert report.section(5).heading == "四、存在的主要问题和改进措施"
    # a heading that ends with a heading word keeps its words, even with nothing after it
    kept = segment(doc(text.replace(f"三、{sentence}。", "三、复议诉讼情况。")))
    assert kept.section(4).heading == "三、复议诉讼情况"


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["", "本局", "本机关", "年度"]),
    st.sampled_from(["政府信息公开情况", "政府信息公开的情况"]),
    st.booleans(),
)
def test_a_heading_without_section_words_maps_by_the_names_pairs_and_an_unnumbered_overview_is_inferred(
    clause: str, core: str, one_line: bool
) -> None:
    sep = " " if one_line else "\n"
    opening = "2012年，本局认真贯彻条例，信息公开工作在各方面深入推进、全面展开。"
    text = sep.join([TITLE, opening, f"二、{clause}{core}", body(2), "三、存在的主要问题和改进措施", body(5)])
    report = segment(doc(text))
    assert report.section(2).heading == f"二、{clause}{core}", text
    assert "甲2乙" in report.section(2).text
    assert report.section(1).status == "inferred", text
    assert report.section(1).text.startswith(opening), text
    assert "甲2乙" not in report.section(1).text
    # numbered from 一: nothing is inferred before it
    numbered = segment(doc(text.replace("二、", "一、概述 " + body(1) + sep + "二、")))
    assert numbered.section(1).status == "found"


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(CORES[2][:2]),
    st.sampled_from(["依申请公开政府信息情况", "政府信息公开申请办理情况"]),
    st.sampled_from(["。", "："]),
)
def test_known_headings_run_in_between_sentences_infer_their_sections(two: str, three: str, stop: str) -> None:
    # known wordings only (sections.json "headings"): an unnumbered sentence is a heading only when listed
    one = "一、年度政府信息公开工作基本情况 本局高度重视此项工作。"
    text = " ".join(
        [TITLE, one + f"{two}{stop}" + body(2), f"{three}{stop}" + body(3), "二、存在的主要问题 " + body(5)]
    )
    report = segment(doc(text))
    for n, head in ((2, two), (3, three)):
        assert report.section(n).status == "inferred", (n, text)
        assert report.section(n).text.startswith(head), (n, text)
        assert f"甲{n}乙" in report.section(n).text
    assert "甲2乙" not in report.section(1).text


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["差距", "不足", "问题"]), st.integers(min_value=0, max_value=3), st.booleans())
def test_unnumbered_closing_paragraphs_naming_a_shortcoming_are_the_problems(
    cue: str, items: int, one_line: bool
) -> None:
    sep = " " if one_line else "\n"
    listed = [f"{k + 1}、解决了群众反映的{cue}，效率提高。" for k in range(items)]
    closing = f"当然，我们的工作离群众的要求还存在一定的{cue}。"
    text = sep.join(
        [
            TITLE,
            "一、加强领导，明确责任",
            body(1),
            "二、创新思路，务求实效",
            "本局注重创新。",
            *listed,
            closing,
            "今后我们将进一步改进。",
        ]
    )
    report = segment(doc(text))
    assert report.section(5).status == "inferred", text
    assert report.section(5).text.startswith(closing), text
    assert all("解决了群众" not in report.section(5).text for _ in listed)


def test_old_table_is_read_from_the_appendix_and_searched_for_without_one() -> None:
    from dataclasses import replace

    from gkreport.tables_old import extract_old

    table = "指标名称 计量单位 本年度\n主动公开信息数 条 12\n其中：网站公开 条 10\n"
    text = OLD_REPORT.replace("五、政府信息公开情况统计表\n指标名称 计量单位 本年度\n主动公开信息数 条 12\n", "")
    assert "指标名称" not in text
    # a table quoted inside section 2, and an attachment list after the signature: not the report's table
    quoted = text.replace(body(2), body(2) + "\n" + table) + "附件：某县某某局工作通知\n"
    report = segment(doc(quoted))
    assert report.appendix is not None and report.appendix.heading == "附件："
    assert extract_old(report).cells == []
    assert [c.value for c in extract_old(replace(report, appendix=None)).cells if c.row == "proactive"] == [12]
    # the table in the appendix is read
    appended = segment(doc(text + "五、政府信息公开情况统计表\n" + table))
    assert appended.appendix is not None
    assert [c.value for c in extract_old(appended).cells if c.row == "proactive"] == [12]


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(
        [
            "信息处理费收取情况",
            "政府信息公开信息处理费收取情况",
            "收取信息处理费情况",
            "信息处理费收费情况",
            "收费及减免情况",
        ]
    ),
    st.sampled_from(CORES[5]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_a_fee_part_of_the_2021_template_stays_in_the_section_before_it(
    fee: str, problems: str, other: bool, one_line: bool, fee_item: bool
) -> None:
    sep = " " if one_line else "\n"
    fee_body = ("（一）信息处理费收取情况 " if fee_item else "") + "本年度未收取信息处理费，金额为零。"
    parts = [f"{NUMERALS[n - 1]}、{CORES[n][0]}{sep}{body(n)}" for n in range(1, 5)]
    parts += [f"五、{fee}{sep}{fee_body}", f"六、{problems}{sep}{body(5)}"]
    if other:
        parts.append(f"七、其他需要报告的事项{sep}{body(6)}")
    text = sep.join(["某某县某某局2025年政府信息公开工作年度报告", *parts])
    report = segment(doc(text))
    assert "未收取信息处理费" in report.section(4).text, text
    assert report.section(5).heading == f"六、{problems}", text
    assert "未收取信息处理费" not in report.section(5).text + report.section(6).text, text
    assert report.section(6).status == ("found" if other else "missing"), text


NUMBERED_ROWS = [
    ("一", "本年新收政府信息公开申请数量"),
    ("二", "上年结转政府信息公开申请数量"),
    ("三", "本年度办理结果"),
    ("四", "结转下年度继续办理"),
]


@given(st.sampled_from(NUMBERED_ROWS), st.integers(min_value=2, max_value=12))
def test_a_table_row_label_wrapped_over_two_lines_is_no_part(row: tuple[str, str], cut: int) -> None:
    # a tall PDF cell breaks a row's label after `cut` characters: 三、本年度办理结 / 果 1 0 …
    ordinal, label = row
    cut = min(cut, len(label) - 1)
    text = (
        "一、总体情况\n本年度工作有序开展。\n二、主动公开政府信息情况\n本年主动公开信息一百条。\n"
        "三、收到和处理政府信息公开申请情况\n申请人情况 自然人 总计\n"
        f"{ordinal}、{label[:cut]}\n{label[cut:]} 3 0 0 0 0 0 3\n"
        "四、政府信息公开行政复议、行政诉讼情况\n无。\n五、存在的主要问题及改进情况\n人员不足。\n"
    )
    assert not [p for p in find_parts(normalise_text(text)) if label[:cut] in p.heading]
    assert not any("repeats" in w or "skip" in w for w in segment(doc(text)).warnings)


_BARE_PIECES = ["一", "二", "七", "。", "\n", "：", " ", "#", ">", "总体情况", "是", "月", "a", "、"]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(_BARE_PIECES), max_size=20).map("".join),
    st.sampled_from("一二七"),
    st.integers(min_value=0, max_value=8),
    st.integers(min_value=0, max_value=40),
)
def test_bare_ordinal_scan_starts_where_no_earlier_match_can(text: str, numeral: str, lo: int, hi: int) -> None:
    from gkreport.parts import _bare_scan_start, parts_config

    pattern = parts_config().bare_ordinal[numeral]
    start = _bare_scan_start(text, numeral, lo, hi)
    every = [m.span() for m in pattern.finditer(text, lo, hi)]
    assert every == ([] if start is None else [m.span() for m in pattern.finditer(text, start, hi)])
