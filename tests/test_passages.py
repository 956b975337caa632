"""Tests for gkreport.passages: splitting sections 五/六 into passages with roles and pairs.

The invented texts below are written for these tests; real reports are read from the shared folder.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from helpers import SHARED, shared_path
from hypothesis import given, settings
from hypothesis import strategies as st

from gkreport.document import Document
from gkreport.normalise import normalise_text
from gkreport.passages import ROLES, Passage, split_passages, split_text, text_sha1
from gkreport.segment import SECTION_NAMES, Report, Section

SEEDS = SHARED / "seeds"
GITHUB = SHARED / "corpus" / "github"
WEB = SHARED / "corpus" / "web" / "passages.jsonl"


def check_invariants(text: str, passages: list[Passage], section: int, offset: int = 0) -> None:
    """What every split must satisfy, whatever the input."""
    assert [p.id for p in passages] == [f"{section}.{i}" for i in range(1, len(passages) + 1)]
    ids = {p.id: p for p in passages}
    last_end = offset
    for p in passages:
        assert p.role in ROLES
        assert p.section == section
        assert text[p.start - offset : p.end - offset] == p.text
        assert p.text == p.text.strip() and p.text
        assert p.start >= last_end, "passages overlap or run backwards"
        last_end = p.end
        if p.pair is not None:
            assert ids[p.pair].pair == p.id, "pairs point both ways"
            assert {p.role, ids[p.pair].role} <= {"problem", "improvement"}


def roles(passages: list[Passage]) -> list[str]:
    return [p.role for p in passages]


def pairs(passages: list[Passage]) -> dict[str, str]:
    return {p.id: p.pair for p in passages if p.pair}


# ---------------------------------------------------------------------------------------------------
# Invented texts, one per layout


def test_problem_and_fix_in_one_item_are_split_and_paired() -> None:
    text = (
        "五、存在的主要问题及改进情况\n\n"
        "一是栏目更新不够及时。个别栏目半年没有新内容。后续将每月检查一次栏目并通报结果。"
        "二是解读形式比较单一。多数解读只有文字。后续会增加图解和短视频解读。"
    )
    ps = split_text(text, 5, "invented")
    check_invariants(text, ps, 5)
    assert roles(ps) == ["problem", "improvement", "problem", "improvement"]
    assert pairs(ps) == {"5.1": "5.2", "5.2": "5.1", "5.3": "5.4", "5.4": "5.3"}
    assert ps[0].text == "栏目更新不够及时。个别栏目半年没有新内容。"
    assert ps[1].text.startswith("后续将每月检查")


def test_subheading_blocks_pair_items_by_position() -> None:
    text = (
        "（一）存在问题。一是业务培训有待加强，新进人员不熟悉发布流程。二是公开渠道不够多样，"
        "主要依靠门户网站。\n"
        "（二）改进措施。一是每季度组织一次业务培训。二是开通政务微信并设置公开专栏。"
    )
    ps = split_text(text, 5, "invented")
    check_invariants(text, ps, 5)
    assert roles(ps) == ["problem", "problem", "improvement", "improvement"]
    assert pairs(ps) == {"5.1": "5.3", "5.3": "5.1", "5.2": "5.4", "5.4": "5.2"}
    assert [p.heading for p in ps] == ["存在问题", "存在问题", "改进措施", "改进措施"]


def test_leadin_lists_and_next_step_fixes() -> None:
    text = (
        "一年来，本单位公开工作有所进步，但离群众期待还有距离，主要表现在三个方面：\n\n"
        "一是人员力量薄弱，只有一名兼职人员；二是主动公开的意识不强，部分科室不愿提供信息；"
        "三是政策解读存在空白。\n\n"
        "下一步，我们将从以下三方面改进：一是增配一名专职人员；二是把公开工作纳入科室考核；"
        "三是对重要文件同步发布解读。"
    )
    ps = split_text(text, 5, "invented")
    check_invariants(text, ps, 5)
    assert roles(ps) == ["other", "problem", "problem", "problem", "other", "improvement", "improvement", "improvement"]
    assert pairs(ps) == {"5.2": "5.6", "5.6": "5.2", "5.3": "5.7", "5.7": "5.3", "5.4": "5.8", "5.8": "5.4"}
    assert not ps[1].text.endswith("；")


def test_main_problems_and_improvement_blocks_with_own_leadins() -> None:
    text = (
        "（一）主要问题\n"
        "回顾全年工作，我们发现了一些不足之处。一是审核流程不够顺畅，信息积压。"
        "二是公开内容不够全面，财政信息缺项。\n"
        "（二）改进情况\n"
        "针对上述不足，我们将从以下两个方面改进。一是简化审核环节，明确办理时限。"
        "二是对照目录逐项补齐财政信息。"
    )
    ps = split_text(text, 5, "invented")
    check_invariants(text, ps, 5)
    assert roles(ps) == ["other", "problem", "problem", "other", "improvement", "improvement"]
    assert pairs(ps) == {"5.2": "5.5", "5.5": "5.2", "5.3": "5.6", "5.6": "5.3"}


def test_numbered_items_and_first_second_words() -> None:
    numbered = (
        "存在的问题：\n1.信息发布不够及时。\n2.公开形式比较单一。\n"
        "改进措施：\n1.建立发布提醒制度。\n2.开设视频解读栏目。"
    )
    ps = split_text(numbered, 5, "invented")
    check_invariants(numbered, ps, 5)
    assert roles(ps) == ["problem", "problem", "improvement", "improvement"]
    assert ps[0].text == "信息发布不够及时。"
    words = "首先，部分科室对公开工作重视不够。其次，网站检索功能较弱，群众查找不便。"
    ps = split_text(words, 5, "invented")
    check_invariants(words, ps, 5)
    assert roles(ps) == ["problem", "problem"]


def test_marker_numerals_are_read_as_cn2an_reads_them() -> None:
    """Every numeral a marker may carry (1–3 of 一…十) gets cn2an's value, and -1 where cn2an refuses it."""
    import cn2an

    from gkreport.passages import _CN, _cn_number

    refused = 0
    for length in (1, 2, 3):
        for digits in itertools.product(_CN, repeat=length):
            numeral = "".join(digits)
            try:
                expected = int(cn2an.cn2an(numeral, "normal"))
            except (ValueError, KeyError):
                expected, refused = -1, refused + 1
            assert _cn_number(numeral) == expected, numeral
    assert refused == 191  # 十十, 一二十, … : the shapes no list numbering takes


def test_malformed_numeral_marker_stays_text() -> None:
    # cn2an raised on 十十 and the whole report failed; now the marker is simply not an item start.
    text = "存在的问题：\n十十是工作人员不足。\n一是信息发布不够及时。\n二是解读形式单一。"
    ps = split_text(text, 5, "invented")
    check_invariants(text, ps, 5)
    assert [p.text for p in ps] == ["十十是工作人员不足。", "信息发布不够及时。", "解读形式单一。"]


def test_semicolon_separated_problems_after_leadin() -> None:
    text = (
        "本年度工作取得一定成效，但仍存在一些不足，主要是：公开目录更新不够及时；"
        "依申请答复文书格式不统一；互动栏目回复偏慢。下一步整改措施：一是每月核对公开目录。"
        "二是统一答复文书模板。三是明确留言回复时限。"
    )
    ps = split_text(text, 5, "invented")
    check_invariants(text, ps, 5)
    assert roles(ps) == ["other", "problem", "problem", "problem", "other", "improvement", "improvement", "improvement"]
    assert pairs(ps)["5.2"] == "5.6" and pairs(ps)["5.4"] == "5.8"


def test_one_line_page_with_heading_fix_sentence_and_signature() -> None:
    text = (
        "四、政府信息公开工作存在的主要问题和改进措施虽然今年公开工作有所进展，但还存在人员变动频繁、"
        "公开内容不够深入等问题。下一步，我县将加强人员培训，细化公开内容。 某某县人民政府 "
        "二○一二年一月五日 附件1：统计表 指标名称"
    )
    ps = split_text(text, 5, "invented")
    check_invariants(text, ps, 5)
    assert roles(ps) == ["problem", "improvement"]
    assert pairs(ps) == {"5.1": "5.2", "5.2": "5.1"}
    assert ps[-1].text.endswith("细化公开内容。")


def test_section_six_items_titles_and_bare_none() -> None:
    text = (
        "六、其他需要报告的事项\n"
        "1. 收取信息处理费情况。本年度未收取信息处理费。\n"
        "2. 人大代表建议和政协提案办理结果公开情况。全年办理建议3件，均已公开答复。\n"
        "3. 落实上级年度政务公开工作要点情况。按照要点分解任务并按时完成。\n"
        "4. 政务公开工作创新情况：无。\n"
        "5. 本机关认为需要报告的其他事项：无。\n"
        "某某镇人民政府\n2025年1月10日\n"
    )
    ps = split_text(text, 6, "invented")
    check_invariants(text, ps, 6)
    assert roles(ps) == ["fee", "proposals", "workplan", "innovation", "other"]
    assert ps[0].heading == "收取信息处理费情况"
    assert ps[-1].text == "本机关认为需要报告的其他事项：无。"
    bare = "六、其他需要报告的事项\n\n无。"
    ps = split_text(bare, 6, "invented")
    assert [(p.role, p.text) for p in ps] == [("other", "无。")]


def test_title_line_joins_its_paragraph_in_section_six() -> None:
    text = "(一) 收取信息处理费情况。\n\n全年没有收取费用。\n\n### (二) 年度工作创新情况。\n\n开设了公开体验日活动。"
    ps = split_text(text, 6, "invented")
    check_invariants(text, ps, 6)
    assert roles(ps) == ["fee", "innovation"]
    assert ps[0].text == "收取信息处理费情况。\n\n全年没有收取费用。"


def test_hard_wrapped_pdf_text_with_footer_and_broken_marker() -> None:
    text = (
        "对照上级要求，还有一些需要加强和改进的\n- 3 -\n地方。主要表现在：一是信息发布不够及时，"
        "个别栏目\n更新缓慢；二是政务公开队伍建设还需进一步加强，人员流动较快。\n"
        "针对存在问题，下一步将抓好以下工作：一\n是建立栏目更新提醒。二是稳定公开工作队伍，定期组织培训。"
    )
    ps = split_text(text, 5, "invented", offset=100)
    check_invariants(text, ps, 5, offset=100)
    assert roles(ps) == ["other", "problem", "problem", "other", "improvement", "improvement"]
    assert pairs(ps) == {"5.2": "5.5", "5.5": "5.2", "5.3": "5.6", "5.6": "5.3"}


def test_traditional_characters_and_injected_pinyin_keep_offsets() -> None:
    text = (
        "五、存在的主要問題及改進(jìn)情況\n目前存在以下問題:一是更新不夠及時(shí);"
        "二是宣傳(chuán)力度不夠。\n下一步將加強(qiáng)培訓。"
    )
    ps = split_text(text, 5, "invented")
    check_invariants(text, ps, 5)
    assert roles(ps) == ["other", "problem", "problem", "improvement"]
    assert ps[1].text == "更新不夠及時"  # a passage ends before pinyin removed at its very end
    assert "(chuán)" in ps[2].text  # inside a passage it stays: it is real text, only hidden from matching


def test_rectification_block_is_its_own_role() -> None:
    text = (
        "（一）上年度问题整改情况\n针对上年报告提出的解读不足问题，今年新增图解12篇。\n"
        "（二）存在的主要问题\n一是依申请办理时限把握不准。二是新媒体更新不够及时。"
    )
    ps = split_text(text, 5, "invented")
    check_invariants(text, ps, 5)
    assert roles(ps) == ["rectification", "problem", "problem"]


def test_scraps_are_merged_or_dropped_and_bad_section_refused() -> None:
    text = "一是信息公开意识有待增强。二是"  # a copy cut off right after a marker
    ps = split_text(text, 5, "invented")
    check_invariants(text, ps, 5)
    assert len(ps) == 1 and ps[0].text == "信息公开意识有待增强。"
    with pytest.raises(ValueError):
        split_text(text, 3, "invented")
    assert split_text("五、存在的主要问题及改进情况\n", 5, "invented") == []


def test_sha1_ignores_surrounding_white_space() -> None:
    p = Passage("d", "5.1", 5, "problem", "意识不强。", 0, 5)
    assert p.sha1 == text_sha1(" 意识不强。\n")


_FRAGMENTS = [
    "一是",
    "二是",
    "（一）",
    "(二)",
    "1.",
    "2、",
    "一、",
    "首先，",
    "存在问题：",
    "改进措施：",
    "下一步，",
    "后续将",
    "信息更新不及时",
    "加强培训",
    "。",
    "；",
    "：",
    "\n",
    "\n\n",
    " ",
    "- 2 -",
    "問題",
    "(wèn)",
    "主要表现在",
    "以下三个方面",
    "无。",
    "收取信息处理费情况",
    "工作要点",
    "创新情况",
    "2024年",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=40), st.sampled_from([5, 6]), st.integers(0, 50))
def test_any_text_keeps_the_invariants(parts: list[str], section: int, offset: int) -> None:
    text = "".join(parts)
    check_invariants(text, split_text(text, section, "generated", offset=offset), section, offset)


# ---------------------------------------------------------------------------------------------------
# Real reports from the shared folder

_HEAD5 = re.compile(
    r"[一二三四五六七八九十]、\s*(?:政府信息公开工作)?(?:存在的)?主要问题[和及]改进"
    r"(?:情况|措施)"
)
_HEAD6 = re.compile(r"[一二三四五六七八九十]、\s*其他需要报告的事项")


def _cut(text: str) -> dict[int, tuple[int, int]]:
    """Sections 5 and 6 found by their headings (the segmenter does this for real)."""
    five = list(_HEAD5.finditer(text))[-1]
    six = _HEAD6.search(text, five.end())
    out = {5: (five.start(), six.start() if six else len(text))}
    if six:
        out[6] = (six.start(), len(text))
    return out


def _split_file(path: Path) -> tuple[str, dict[int, list[Passage]]]:
    shared_path(path)
    text = normalise_text(path.read_text(encoding="utf-8"))
    out = {}
    for number, (a, b) in _cut(text).items():
        out[number] = split_text(text[a:b], number, path.name, offset=a)
        check_invariants(text, out[number], number)
    return text, out


SEED_EXPECTED = {
    # seed file prefix: (section 5 roles, section 5 pairs as (problem id, improvement id), section 6 roles)
    "000": (
        ["problem", "improvement", "problem", "improvement"],
        [("5.1", "5.2"), ("5.3", "5.4")],
        ["fee", "proposals", "innovation", "workplan"],
    ),
    "001": (
        ["problem", "problem", "improvement", "improvement"],
        [("5.1", "5.3"), ("5.2", "5.4")],
        ["fee", "proposals", "workplan", "innovation"],
    ),
    "002": (
        ["other", "problem", "problem", "problem", "other", "improvement", "improvement", "improvement"],
        [("5.2", "5.6"), ("5.3", "5.7"), ("5.4", "5.8")],
        ["other"],
    ),
    "003": (
        ["other", "problem", "problem", "improvement", "improvement"],
        [("5.2", "5.4"), ("5.3", "5.5")],
        ["fee", "workplan", "proposals", "innovation", "other", "other", "other"],
    ),
    "004": (
        ["other", "problem", "problem", "problem", "other", "improvement", "improvement", "improvement"],
        [("5.2", "5.6"), ("5.3", "5.7"), ("5.4", "5.8")],
        ["fee"],
    ),
}


@pytest.mark.shared
@pytest.mark.parametrize("prefix", sorted(SEED_EXPECTED))
def test_seed_layouts(prefix: str) -> None:
    shared_path(SEEDS)
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    _, parts = _split_file(path)
    roles5, pairs5, roles6 = SEED_EXPECTED[prefix]
    assert roles(parts[5]) == roles5
    assert sorted((p.id, p.pair) for p in parts[5] if p.role == "problem" and p.pair) == pairs5
    assert roles(parts[6]) == roles6


@pytest.mark.shared
def test_split_passages_on_a_report_built_from_a_seed() -> None:
    shared_path(SEEDS)
    (path,) = SEEDS.glob("001_*.txt")
    text = normalise_text(path.read_text(encoding="utf-8"))
    doc = Document(path=str(path), format="txt", sha256="0" * 64, text=text)
    cuts = _cut(text)
    sections = []
    for number in range(1, 7):
        a, b = cuts.get(number, (None, None))
        sections.append(
            Section(
                number,
                SECTION_NAMES[number],
                None,
                "found" if a is not None else "missing",
                a,
                b,
                text[a:b] if a is not None else "",
            )
        )
    report = Report(doc, "2021", None, 2024, "township", sections)
    ps = split_passages(report)
    assert [p.id for p in ps] == ["5.1", "5.2", "5.3", "5.4", "6.1", "6.2", "6.3", "6.4"]
    assert all(p.doc == path.name and text[p.start : p.end] == p.text for p in ps)


@pytest.mark.shared
def test_split_passages_through_the_segmenter() -> None:
    shared_path(SEEDS)
    try:
        from gkreport.readers import read
        from gkreport.segment import segment  # type: ignore[attr-defined]
    except ImportError as exc:
        pytest.skip(f"reader or segmenter not available yet: {exc}")
    report = segment(read(next(SEEDS.glob("004_*.txt"))))
    ps = split_passages(report)
    assert roles([p for p in ps if p.section == 5]).count("problem") == 3
    assert all(report.document.text[p.start : p.end] == p.text for p in ps)


@pytest.mark.shared
@pytest.mark.parametrize(
    "name, problems, improvements, paired",
    [
        ("011_pingtan_syq_2018.txt", 1, 1, 1),  # one paragraph: problems, then "下一步…"
        ("016_pingtan_syq_2013.txt", 4, 5, 0),  # 一是…四是, then （一）… with a nested 1、–4、 list
        ("015_pingtan_syq_gwh_2014.txt", 3, 1, 0),  # a closing fix after the last problem is not paired to it
        ("007_pingtan_syq_2022.txt", 3, 3, 3),
    ],
)
def test_one_line_archive_pages(name: str, problems: int, improvements: int, paired: int) -> None:
    _, parts = _split_file(GITHUB / name)
    five = parts[5]
    assert roles(five).count("problem") == problems
    assert roles(five).count("improvement") == improvements
    assert sum(1 for p in five if p.role == "problem" and p.pair) == paired


@pytest.mark.shared
def test_nested_list_takes_its_parent_title_as_heading() -> None:
    _, parts = _split_file(GITHUB / "016_pingtan_syq_2013.txt")
    nested = [p for p in parts[5] if p.heading and p.role == "improvement"]
    assert len(nested) == 4 and len({p.heading for p in nested}) == 1


@pytest.mark.shared
def test_web_passages_split_into_items() -> None:
    shared_path(WEB)
    records = [json.loads(line) for line in WEB.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 61
    split = []
    for i, rec in enumerate(records):
        ps = split_text(rec["text"], 5, f"passages.jsonl#{i}")
        check_invariants(rec["text"], ps, 5)
        split.append(ps)
    substantive = [ps for ps in split if {"problem", "improvement"} & set(roles(ps))]
    assert len(substantive) == 61
    assert sum(len(ps) for ps in split) >= 200  # several items each, not one blob per record
    # A few layouts checked item by item: 一是… with a 在 2020 年…将 lead-in; a traditional-character
    # page with injected pinyin; "(一)存在问题 … (二)进一步整改" with numbered items.
    assert roles(split[1]) == [
        "other",
        "problem",
        "problem",
        "problem",
        "other",
        "improvement",
        "improvement",
        "improvement",
    ]
    assert roles(split[9]) == ["problem", "improvement"] and split[9][0].pair == "5.2"
    assert roles(split[0]) == ["problem"] * 3 + ["improvement"] * 2
