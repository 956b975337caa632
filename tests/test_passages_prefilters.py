"""The scanning patterns of the passage splitter start with a lookahead that lists the characters a match
can start with, so the regex engine passes over other positions at once. That lookahead must only skip
positions: with or without it, a pattern finds the same matches. A new marker family, footer or tail that
starts with a character the lookahead lacks would be missed silently; these tests catch it.

The texts are generated from pieces of report grammar (markers, breaks, footers, pinyin, signatures).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gkreport.passages import markers, units, view

PREFILTERED = {"markers": markers._MARKER_RE, "view drop": view._VIEW_DROP_RE, "inline tail": units._INLINE_TAIL_RE}
_LEADING_LOOKAHEAD = re.compile(r"\(\?=\[[^\]]+\]\)")

PIECES = [
    *markers.CN,
    "是",
    "第",
    "（",
    "）",
    "(",
    ")",
    "、",
    ".",
    "．",
    "，",
    "：",
    "；",
    "。",
    "！",
    "?",
    "”",
    "1",
    "2",
    "12",
    "３",
    "0",
    "首先",
    "其次",
    "再次",
    "最后",
    "一方面",
    "另一方面",
    "是否",
    "\n",
    " ",
    "\t",
    "  ",
    "\n\n",
    "- 6 -",
    "\n— 7 —\n",
    "\n–8–\n",
    "\n-9-",
    "–",
    "-",
    "#",
    "(zhèn)",
    "(gōng)",
    "(ab)",
    "a",
    "Z",
    "加强公开工作",
    "存在问题",
    "改进措施",
    "问题",
    "人民政府",
    "办公室",
    "镇",
    "2024年3月1日",
    "二〇二四年三月一日",
    "附件下载",
    "附件1：",
    "统计表",
    "年",
    "月",
    "日",
    "第二十条",
    "约",
    "表",
]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


def without_prefilter(pattern: re.Pattern[str]) -> re.Pattern[str]:
    lookahead = _LEADING_LOOKAHEAD.match(pattern.pattern)
    assert lookahead is not None, "the pattern no longer starts with its first-character lookahead"
    return re.compile(pattern.pattern[lookahead.end() :], pattern.flags)


def matches(pattern: re.Pattern[str], text: str, lo: int, hi: int) -> list[tuple[tuple[int, int], str | None]]:
    return [(m.span(), m.lastgroup) for m in pattern.finditer(text, lo, hi)]


@pytest.mark.parametrize("name", sorted(PREFILTERED))
@settings(max_examples=300, deadline=None)
@given(text=TEXTS, cut=st.tuples(st.integers(0, 400), st.integers(0, 400)))
def test_lookahead_only_skips_positions(name: str, text: str, cut: tuple[int, int]) -> None:
    pattern = PREFILTERED[name]
    lo, hi = sorted(min(c, len(text)) for c in cut)
    for a, b in ((0, len(text)), (lo, hi)):  # the splitter scans whole texts and blocks inside them
        assert matches(pattern, text, a, b) == matches(without_prefilter(pattern), text, a, b)


def test_written_variants_are_found_with_the_lookahead() -> None:
    """The lookaheads do not hide what each pattern exists for (so the property above is not vacuous)."""
    found = [
        m.group("shi") or m.group("fang") or m.group("num")
        for m in markers._MARKER_RE.finditer("一是公开。二是答复。\n一方面加强，另一方面规范。\n1.完善")
    ]
    assert found == ["一", "二", "一方面", "另一方面", "1"]
    assert view._VIEW_DROP_RE.search("乡镇(zhèn)") and view._VIEW_DROP_RE.search("第一页\n- 6 -\n正文")
    assert units._INLINE_TAIL_RE.search("工作完成。 某某镇人民政府 2024年3月1日")
