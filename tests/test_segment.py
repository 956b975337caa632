"""The segmenter on invented texts for each hard case, on the examples' gold, and on the real reports."""

from __future__ import annotations

import json
import re

import pytest
from helpers import ROOT, SHARED, shared_path
from hypothesis import given, settings
from hypothesis import strategies as st

from gkreport.document import Document
from gkreport.evaluate import evaluate_segments
from gkreport.headings import _body_after, _inline_candidates, _section_of, first_chars, heading_candidates
from gkreport.normalise import normalise_text
from gkreport.parts import HEAD_STRIP, heading_text, scan_ordinals
from gkreport.segment import _NUMERALS, _config, _Markers, _never_overlap, level_of, segment


def doc(text: str) -> Document:
    return Document(path="t.txt", format="txt", sha256="0", text=normalise_text(text))


def statuses(text: str) -> list[str]:
    return [s.status for s in segment(doc(text)).sections]


BODY = "本年度工作有序推进，取得一定成效。\n"
FULL = (
    "青禾县白石镇人民政府2024年政府信息公开工作年度报告\n"
    "一、总体情况\n" + BODY + "二、主动公开政府信息情况\n第二十条第（一）项\n"
    "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1\n"
    "二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0\n三、本年度办理结果\t（一）予以公开\t1\n"
    "四、结转下年度继续办理\t0\n"
    "四、政府信息公开行政复议、行政诉讼情况\n行政复议\n"
    "五、存在的主要问题及改进情况\n一是人员不足。\n"
    "六、其他需要报告的事项\n无。\n"
)


def test_full_report_and_metadata() -> None:
    report = segment(doc(FULL))
    assert [s.status for s in report.sections] == ["found"] * 6
    assert report.agency == "青禾县白石镇人民政府" and report.year == 2024 and report.level == "township"
    assert report.section(5).text.strip() == "一是人员不足。"
    # table-三 rows that start with 一、二、三、四 never replace the real sections
    assert report.section(4).heading == "四、政府信息公开行政复议、行政诉讼情况"
    assert report.section(3).text.lstrip().startswith("一、本年新收")


def test_offsets_index_the_document() -> None:
    report = segment(doc(FULL))
    for s in report.sections:
        assert report.document.text[s.start : s.end] == s.text


@pytest.mark.parametrize(
    "variant",
    [
        FULL.replace("一、总体情况", "## 一、总体情况").replace("五、存在", "#### 五、存在"),
        FULL.replace("五、存在的主要问题及改进情况", "五、存 在 的 主 要 问 题 及 改 进 情 况"),
        FULL.replace("存在的主要问题及改进情况", "政府信息公开工作存在的主要问题和改进情况"),
        FULL.replace(
            "四、政府信息公开行政复议、行政诉讼情况", "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"
        ),
    ],
)
def test_heading_variants(variant: str) -> None:
    assert statuses(variant) == ["found"] * 6


def test_opening_paragraph_listing_all_names_is_not_headings() -> None:
    opening = (
        "本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        "政府信息公开行政复议、行政诉讼情况、"
        "存在的主要问题及改进情况、其他需要报告的事项等6个部分组成。\n"
    )
    text = FULL.replace("一、总体情况\n", opening + "一、总体情况\n")
    report = segment(doc(text))
    assert report.section(1).text.strip() == BODY.strip()
    assert "6个部分" not in report.section(2).text


def test_shifted_numbering_and_missing_headings() -> None:
    shifted = (
        FULL.replace("二、主动公开", "一、主动公开")
        .replace("三、收到和处理", "二、收到和处理")
        .replace("四、政府信息公开行政", "三、政府信息公开行政")
        .replace("五、存在", "四、存在")
        .replace("六、其他", "五、其他")
    )
    assert statuses(shifted) == ["found"] * 6
    headless = FULL.replace("三、收到和处理政府信息公开申请情况\n", "")
    assert statuses(headless) == ["found", "found", "inferred", "found", "found", "found"]
    truncated = FULL.split("四、政府信息公开行政复议")[0]
    assert statuses(truncated) == ["found", "found", "found", "missing", "missing", "missing"]


def test_one_line_archive_page() -> None:
    one_line = FULL.replace("\n", "").replace("\t", "")
    assert statuses(one_line) == ["found"] * 6


def test_unnumbered_statistics_table_is_the_appendix_not_section_six() -> None:
    # an old archive page: the signature date, then the statistics table with no heading
    text = (
        "一、概述 本区依法公开政府信息。 二、主动公开政府信息情况 主动公开信息72条。 "
        "三、政府信息依申请公开工作情况 未收到申请。 四、政府信息公开工作存在的主要问题及改进情况 "
        "一是公开意识不强。我们将加强培训。 二○一四年一月十日 "
        "平潭综合实验区政府信息公开情况统计表 指标名称 计量单位"
    )
    report = segment(doc(text))
    assert report.sections[5].status == "missing"
    assert report.appendix is not None
    assert report.document.text[report.appendix.start :].startswith("平潭综合实验区政府信息公开情况统计表")
    assert report.sections[4].text.rstrip().endswith("二○一四年一月十日")
    assert all("指标名称" not in s.text for s in report.sections)


def test_subheadings_inside_overview_do_not_steal_sections() -> None:
    text = FULL.replace(BODY, BODY + "二、主动公开工作情况\n全年主动公开信息30条。\n")
    report = segment(doc(text))
    assert report.section(2).heading == "二、主动公开政府信息情况"


def test_template_detection() -> None:
    assert segment(doc(FULL + "本年制发件数")).template == "2021"
    assert segment(doc(FULL + "本年新制作数量 政府集中采购")).template == "2019"
    old = "某县人民政府2012年政府信息公开工作年度报告\n一、概述\n" + BODY
    assert segment(doc(old)).template == "pre2019"


@pytest.mark.parametrize(
    ("agency", "level"),
    [
        ("临淄区金山镇人民政府", "township"),
        ("淮安市人民政府", "prefecture"),
        ("淮安市洪泽区人民政府", "county"),
        ("上海市人民政府办公厅", "department"),
        ("青禾县市场监督管理局", "department"),
        ("上海市人民政府", "province"),
        (None, "unknown"),
    ],
)
def test_level(agency: str | None, level: str) -> None:
    assert level_of(agency) == level


_ALPHABET = list("一二三四五六、总体情况主动公开存在问题其他事项\n\t #|.0123")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(_ALPHABET), max_size=300))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    report = segment(doc(text))
    assert len(report.sections) == 6
    for s in report.sections:
        if s.start is not None:
            assert report.document.text[s.start : s.end] == s.text


def test_examples_match_gold() -> None:
    summary = evaluate_segments(ROOT / "annotations/gold/segments", [ROOT / "corpora/examples"])
    assert len(summary.docs) >= 10
    bad = [(d.doc, d.error, d.problems) for d in summary.docs if d.error or d.correct != d.total or d.metadata_wrong]
    assert not bad


def test_real_reports_match_gold() -> None:
    shared_path()
    summary = evaluate_segments(ROOT / "annotations/gold/segments", [SHARED / "seeds", SHARED / "corpus"])
    assert len(summary.docs) == 30
    bad = [(d.doc, d.error, d.problems) for d in summary.docs if d.error or d.correct != d.total or d.metadata_wrong]
    assert not bad


_PIECES = ["一", "十", "二", "、", ".", " ", "\n", "中", "a", "总体情况", "主动公开政府信息情况"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=16).map("".join))
def test_inline_headings_follow_anything_but_a_chinese_character(text: str) -> None:
    # The pattern as first written, with a leading look-behind; the shipped one starts with the numeral.
    cfg = _config()
    alias = cfg.inline.pattern.split(r"\s*[、.]\s*", 1)[1]
    first = re.compile(rf"(?:^|(?<=[^\u4e00-\u9fff]))(?P<num>[{_NUMERALS}]{{1,2}})\s*[、.]\s*{alias}", re.M)
    found = [(m.span(), m.groupdict()) for m in cfg.inline.finditer(text)]
    assert found == [(m.span(), m.groupdict()) for m in first.finditer(text)]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.text(alphabet="abc", min_size=1, max_size=3), min_size=1, max_size=3),
    st.text(alphabet="abc", max_size=30),
)
def test_template_markers_counted_by_str_count_only_where_that_equals_the_regex(words: list[str], text: str) -> None:
    markers = _Markers(
        re.compile("|".join(re.escape(w) for w in words)), tuple(words) if _never_overlap(words) else None
    )
    assert markers.count(text) == len(markers.pattern.findall(text))
    assert markers.occur(text) == (markers.count(text) > 0)


def test_every_heading_wording_starts_with_a_chinese_character() -> None:
    """`heading_candidates` skips short lines that start with a digit: no heading can start there."""
    data = json.loads((ROOT / "src/gkreport/data/sections.json").read_text(encoding="utf-8"))
    for entry in data["headings"]:
        firsts = first_chars(entry["pattern"])
        assert firsts and all("\u4e00" <= ch <= "\u9fff" for ch in firsts), entry["pattern"]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_first_chars_hold_every_match_of_a_heading_pattern(data: st.DataObject) -> None:
    # What the line-start search relies on: a match of the short-line pattern starts with one of them.
    pattern = _config().line.pattern
    text = data.draw(st.from_regex(pattern, fullmatch=True))
    firsts = first_chars(pattern)
    assert firsts is not None and text[0] in firsts


@pytest.mark.parametrize("pattern", ["(?=a)b", "a*", ".b", "[a-z]x", r"\d", "(?:a|)", "(?i)ab", "(?i:a)b"])
def test_first_chars_unknown_for_what_it_does_not_read(pattern: str) -> None:
    assert first_chars(pattern) is None  # then any line start is tried


def test_first_chars_of_literals_groups_and_repeats() -> None:
    assert first_chars("(?:总体|基本)?概况|工作(?P<x>)") == frozenset("总基概工")


def _per_line_candidates(text: str) -> list[tuple[int, int, int, str]]:
    """Known headings found by a walk over every line, compacting and matching each (the plain form of
    `heading_candidates`), as (section, start, body, heading)."""
    cfg = _config()
    ordinals = scan_ordinals(text)
    found = []
    line_end = -1
    for whole in text.split("\n"):
        line_start, line_end = line_end + 1, line_end + 1 + len(whole)
        line = whole
        if "\t" in line:
            cells = [c for c in line.split("\t") if c.strip()]
            if len(cells) != 1:
                continue
            line = cells[0]
        if line and len(line) <= 80 and not line[0].isdigit():
            compact = "".join(line.split()).lstrip(HEAD_STRIP)
            hit = cfg.line.match(compact)
            if hit:
                tail = compact[hit.end() :]
                if len(tail) <= 20 or tail[0] in "：:。(":
                    body = line_end if len(tail) <= 20 else _body_after(text, line_start, line_end, hit)
                    found.append((_section_of(hit, cfg)[0], line_start, body, heading_text(compact[: hit.end()])))
                continue
        inline = _inline_candidates(text, cfg, [m for m in ordinals if line_start <= m.start() < line_end], set())
        found += [(c.section, c.start, c.body, c.heading) for c in inline]
    return found


_LINE_PIECES = [
    "一、",
    "二.",
    "十",
    "三 、",
    "总体情况",
    "总 体 情 况",
    "主动公开政府信息情况",
    "其他需要报告的事项",
    "概述",
    "工作",
    "中",
    "。",
    "：",
    "\n",
    "\t",
    " ",
    "#",
    "- ",
    "1",
    "2021",
    "本年度工作有序推进，",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_LINE_PIECES), max_size=30).map("".join))
def test_heading_candidates_equal_a_walk_over_every_line(text: str) -> None:
    found = [(c.section, c.start, c.body, c.heading) for c in heading_candidates(text, _config(), scan_ordinals(text))]
    assert found == _per_line_candidates(text)
