"""Where tables 二, 三 and 四 sit in a report, and which template (2019 or 2021) they follow."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from gkreport.segment import Report
from gkreport.tables.labels import _LABELS, _find_labels, _spaced
from gkreport.tables.scan import _Doc
from gkreport.templates import SCHEMAS

_T2_START = re.compile(_spaced("第二十条第") + r"\s*[(（]?\s*一\s*[)）]?\s*项")
_T2_FALLBACK = re.compile("|".join(_spaced(s) for s in ("第二十条", "本年制发件数", "本年新制作数量")))
# Anchors start with a literal so the regex engine can skip ahead fast; the printed ordinal before an
# anchor (四、…复议) is added by a short look back (_back_to_ordinal).
_T3_HEADING = re.compile(_spaced("收到和处理政府信息公开申请"))
_T3_START = re.compile("|".join(_spaced(s) for s in ("本列数据的勾稽", "勾稽关系", "申请人情况", "本年新收政府")))
_T4_START = re.compile(_spaced("复议"))
_T4_HEADER = re.compile(_spaced("维持"))
_END = re.compile(
    "|".join(
        _spaced(s) for s in ("存在的主要问题", "存在主要问题", "存在问题", "主要问题", "改进情况", "其他需要报告的事项")
    )
)
_ORDINAL_BEFORE = re.compile(
    r"(?:[一二三四五六七]\s*、\s*)?(?:(?:政府信息公开|政府信息公开工作)\s*)?"
    r"(?:行\s*政\s*)?\Z"
)
_LOOK_BACK_ORDINAL = 16
_TEMPLATE_MARKERS: dict[str, re.Pattern[str]] = {
    "2019": re.compile(
        "|".join(
            _spaced(s) for s in ("本年新制作数量", "对外公开总数量", "上一年项目数量", "政府集中采购", "采购总金额")
        )
    ),
    "2021": re.compile("|".join(_spaced(s) for s in ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额"))),
}


# ---------------------------------------------------------------------------------------------------
# Locating the tables


@dataclass(frozen=True, slots=True)
class _Regions:
    t2: tuple[int, int] | None
    t3: tuple[int, int] | None
    t4: tuple[int, int] | None

    def spans(self) -> list[tuple[int, int]]:
        """The regions found, as [start, end) spans."""
        return [span for span in (self.t2, self.t3, self.t4) if span is not None]


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
    return regions.spans()


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
