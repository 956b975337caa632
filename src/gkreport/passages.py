"""Splitting sections 五 and 六 into passages, each with a role.

(The dataclass below is the public contract shared with `gkreport.themes` and the annotations.)

A passage is one enumerated item (一是…, （一）…, 1. …, 一、…, 第一…, 首先…, 一方面…), one paragraph, or
one "；"-separated clause of an unnumbered list. Its text is the item without its marker, trimmed, and
`text[p.start:p.end] == p.text` always holds for the text that was split.

Section 五 is read as blocks under sub-headings (存在问题 / 改进措施 / 整改情况 …). Inside a block:
- a lead-in sentence ("主要体现在三个方面：", "下一步，我镇将从以下方面改进：") tells whether the list after
  it holds problems or fixes. It is kept as a passage with role `other`, so that the text stays covered and
  annotators see it, rather than being dropped;
- an item that states a problem and then its fix ("…滞后。后续将…") is split at the fix cue into a
  problem and an improvement that point at each other through `pair`;
- a problem list and an improvement list of the same length are paired item by item.
Section 六 is read item by item, and each item's title (收取信息处理费情况, 工作要点落实情况 …) gives
its role. Lists inside a 六 item are not split further.

All cue phrases and sub-heading patterns are in data/roles.json. Matching runs on a "view" of the text.
The view folds traditional characters and drops three things: pinyin that spam mirrors inject
("鎮(zhèn)"), page footers, and the line breaks of hard-wrapped PDF text. Offsets are mapped back to the
original text.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # segment imports nothing from here, but keep the import graph one-way at run time
    from gkreport.segment import Report

Role = Literal["problem", "improvement", "rectification", "innovation", "workplan", "fee", "proposals",
               "other"]
ROLES: tuple[str, ...] = ("problem", "improvement", "rectification", "innovation", "workplan", "fee",
                          "proposals", "other")

SPLITTER_VERSION = "1"
MIN_CHARS = 6  # shorter fragments are merged into the passage before them, or dropped


def text_sha1(text: str) -> str:
    """The hash that annotations use to refer to a passage without copying it."""
    return hashlib.sha1(text.strip().encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Passage:
    doc: str  # document id: the source file name
    id: str  # "5.1", "5.2", "6.1" … stable for a given text and splitter version
    section: int  # 5 or 6
    role: str
    text: str
    start: int  # offsets into Document.text
    end: int
    heading: str | None = None  # the sub-heading the passage sits under, if any
    pair: str | None = None  # id of the passage that answers / is answered by this one
    # (theme, score, assigned) for every theme of the model, once the pipeline's "themes" stage ran
    themes: list[tuple[str, float, int]] = field(default_factory=list)

    @property
    def sha1(self) -> str:
        return text_sha1(self.text)


# ---------------------------------------------------------------------------------------------------
# Grammar: enumeration markers. Structure, not vocabulary, so it stays here rather than in roles.json.

_CN = "一二三四五六七八九十"
# An inline marker must follow a line start, white space or punctuation, so 统一是 or 第二十条第（一）项
# never count.
_BOUND = r"(?:^|(?<=[\n。；;：:！？!?，,\s]))"
_MARKER_BODY = (
    rf"(?P<shi>[{_CN}]{{1,3}})是(?![否非])"
    rf"|第(?P<di>[{_CN}]{{1,3}})(?:是|[，,、：:])"
    rf"|[（(]\s*(?P<cnparen>[{_CN}]{{1,3}})\s*[）)]\s*(?:是(?![否非]))?"
    r"|[（(]\s*(?P<numparen>\d{1,2})\s*[）)]"
    rf"|(?P<cndun>[{_CN}]{{1,3}})\s*[、.．](?!\d)"
    r"|(?P<ordw>首先|其次)[，,]?|(?P<ordw_late>再次|最后)[，,]"
    r"|(?P<fang>一方面|另一方面)[，,]?"
)
_NUM_MARKER = r"(?P<num>\d{1,2})\s*[、.．](?![\d.．])"
_MARKER_RE = re.compile(
    _BOUND + f"(?:{_MARKER_BODY})"
    # Arabic numbers also start items straight after a title ("规范公开行为1、加强…"), so they get their
    # own guard instead of the boundary: no digit, letter or counting word right before them.
    + r"|(?<![\dA-Za-z.．第约共表图年月日号件条款项至和、\-/])" + _NUM_MARKER,
    re.M,
)
# The same markers where the caller already knows an item may start (right after a sub-heading).
_MARKER_AT_RE = re.compile(f"{_MARKER_BODY}|{_NUM_MARKER}")
# Families whose markers also occur in running text; a lone inline one is not trusted.
_WEAK = frozenset({"num", "cndun"})
_WORD_ORDINALS = {"首先": 1, "其次": 2, "再次": 3, "最后": 0, "一方面": 1, "另一方面": 2}

_SENTENCE_RE = re.compile(r"[^。！？!?]*(?:[。！？!?]+[”’\"」』）)]*|$)")
_HARD_BREAK_RE = re.compile(r"(?<=[。！？!?：:；;）)”\"」』])[ \t]*\n\s*")
_LIST_START = (rf"(?:[（(]\s*[{_CN}\d]|[{_CN}]{{1,3}}(?:是|\s*[、.．])|\d{{1,2}}\s*[、.．]|第[{_CN}]"
               r"|首先|其次|一方面|另一方面|#)")
# Removed from the matching view (offsets are mapped back): pinyin that spam mirrors inject after
# characters ("鎮(zhèn)"), page footers ("- 6 -", "— 7 —"), and the line breaks of hard-wrapped PDF
# text, which cut phrases and even markers ("一\n是") in two. A break counts as a wrap when its line is
# long and does not end a sentence, and the next line does not start an item.
_FOOTER = r"[ \t]*[-—–]{1,2}[ \t]*\d{1,3}[ \t]*[-—–]{1,2}[ \t]*\n"
_VIEW_DROP_RE = re.compile(
    r"\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,8}\)"
    rf"|(?<=\n){_FOOTER}"
    rf"|(?<=[^\n]{{15}}[^\n。！？!?：:；;）)”\"」』])[ \t]*\n(?:{_FOOTER})?\s*(?!{_LIST_START})"
)
_NOISE_LINE_RE = re.compile(
    r"^[ \t]*(?:[-—–_ ]*\d{1,3}[-—–_ ]*|附件下载|附件\s*\d*\s*[：:].*"
    r"|(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月\s*[\d一二三四五六七八九十]{1,3}\s*日"
    r"|[^\n。，,：:；;]{2,30}(?:人民政府|政府|办公室|委员会|管委会|局|办事处|街道|镇|乡|中心|苏木))[ \t]*$",
    re.M,
)
# In one-line archive pages the signature date, attachments and the old statistics table follow the text
# on the same line.
_INLINE_TAIL_RE = re.compile(
    r"\s(?:[^\s。，,：:；;]{2,30}(?:人民政府|政府|办公室|委员会|管委会|局|办事处|街道|镇|乡|中心)\s+)?"
    r"(?:(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月"
    r"\s*[\d一二三四五六七八九十]{1,3}\s*日(?=\s|$)|附件下载|附件\s*\d*\s*[：:])"
    rf"|\s?[{_CN}]{{1,2}}、[^。，,]{{0,30}}?统计表"
)
_EDGE_STRIP = " \t\n\r:：、，,；;.．"


# ---------------------------------------------------------------------------------------------------
# Data: cue phrases and sub-heading patterns (data/roles.json)

@dataclass(frozen=True, slots=True)
class _Cues:
    version: str
    section_title: re.Pattern[str]
    section_title_at: re.Pattern[str]  # the same title without the start anchor, for use mid-text
    subheads: tuple[tuple[str, re.Pattern[str]], ...]
    section6: tuple[tuple[str, re.Pattern[str]], ...]
    problem: re.Pattern[str]
    improvement: re.Pattern[str]
    action_start: re.Pattern[str]
    fix_start: re.Pattern[str]
    item_fix_start: re.Pattern[str]
    leadin_end: re.Pattern[str]
    leadin_prefix: re.Pattern[str]
    fix_leadin: re.Pattern[str]
    problem_leadin: re.Pattern[str]
    problem_strong: re.Pattern[str]  # each hit outweighs a handful of improvement verbs
    folds: dict[int, str]
    subhead_line: re.Pattern[str] = field(repr=False)
    subhead_inline: re.Pattern[str] = field(repr=False)
    subhead_at: re.Pattern[str] = field(repr=False)


def _alternation(words: list[str]) -> str:
    # Longest first, so "不及时" is one hit rather than "不" + "及时"-style partial overlaps.
    return "|".join(sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    raw = json.loads(resources.files("gkreport").joinpath("data/roles.json").read_text(encoding="utf-8"))
    head_marker = (rf"(?:[（(]\s*[{_CN}]{{1,3}}\s*[）)]|[{_CN}]{{1,3}}\s*[、.．]|\d{{1,2}}\s*[、.．]"
                   r"|[（(]\s*\d{1,2}\s*[）)])")
    fix_start = raw["fix_starts"]
    return _Cues(
        version=str(raw["version"]),
        section_title=re.compile(
            rf"\A[\s#]*(?:[{_CN}]{{1,2}}\s*[、.．]\s*)?(?:{'|'.join(raw['section_titles'])})\s*[。.：:]?"),
        section_title_at=re.compile(f"(?:{'|'.join(raw['section_titles'])})\\s*[。.：:]?"),
        subheads=tuple((e["role"], re.compile(e["pattern"])) for e in raw["subheadings"]),
        section6=tuple((e["role"], re.compile(e["pattern"])) for e in raw["section6_items"]),
        problem=re.compile(_alternation(raw["problem_cues"])),
        improvement=re.compile(_alternation(raw["improvement_cues"])),
        action_start=re.compile(r"\A\s*(?:要)?" + raw["action_starts"]),
        fix_start=re.compile(fix_start),
        item_fix_start=re.compile(f"(?:{fix_start}|{raw['item_fix_starts']})"),
        leadin_end=re.compile(raw["leadin_ends"]),
        leadin_prefix=re.compile(raw["leadin_prefix"]),
        fix_leadin=re.compile(raw["fix_leadin"]),
        problem_leadin=re.compile(raw["problem_leadin"]),
        problem_strong=re.compile("|".join(f"(?:{p})" for p in raw["problem_strong"])),
        folds=str.maketrans(raw["traditional_folds"]),
        # A sub-heading stands at a line start (marker optional, then a terminator) or, in one-line
        # pages, after a sentence end with its marker.
        subhead_line=re.compile(rf"^[ \t#]*(?P<marker>{head_marker})?[ \t]*", re.M),
        subhead_inline=re.compile(rf"(?<=[。；;：:！？!?\s])[ \t]*(?P<marker>{head_marker})[ \t]*"),
        subhead_at=re.compile(rf"[ \t#]*(?P<marker>{head_marker})?[ \t]*"),
    )


def roles_version() -> str:
    """Version of the cue data plus the splitter; part of what makes a passage id stable."""
    return f"{SPLITTER_VERSION}.{_cues().version}"


# ---------------------------------------------------------------------------------------------------
# The matching view

@dataclass(slots=True)
class _View:
    """Folded text for matching plus the map back to offsets in the original text."""

    text: str
    cut_at: list[int]  # view offsets where removed spans were
    removed: list[int]  # cumulative number of removed characters at each cut

    @classmethod
    def of(cls, original: str) -> _View:
        folded = original.translate(_cues().folds)
        cut_at: list[int] = []
        removed: list[int] = []
        parts: list[str] = []
        last = total = 0
        for m in _VIEW_DROP_RE.finditer(folded):
            parts.append(folded[last:m.start()])
            cut_at.append(m.start() - total)
            total += m.end() - m.start()
            removed.append(total)
            last = m.end()
        if not cut_at:
            return cls(folded, [], [])
        parts.append(folded[last:])
        return cls("".join(parts), cut_at, removed)

    def orig(self, i: int, end: bool = False) -> int:
        """Offset in the original text; an end offset stops before text removed right at it."""
        k = (bisect.bisect_left if end else bisect.bisect_right)(self.cut_at, i)
        return i + self.removed[k - 1] if k else i


# ---------------------------------------------------------------------------------------------------
# Working units

Span = tuple[int, int]


def _strip_span(v: str, a: int, b: int, chars: str = _EDGE_STRIP + "。") -> Span:
    seg = v[a:b]
    left = len(seg) - len(seg.lstrip(chars))
    return a + left, a + len(seg.rstrip(chars))


@dataclass(slots=True)
class _Unit:
    start: int  # view offsets of the kept text (marker excluded)
    end: int
    kind: str  # item | para | leadin | title
    family: str | None = None
    ordinal: int | None = None
    role: str | None = None
    heading: Span | None = None  # view span of the sub-heading or parent title
    fix: bool = False  # a lead-in announcing fixes
    group: int | None = None  # list or "；" group, for pairing whole lists
    pair: int | None = None  # index of the paired unit in the output list
    closing: bool = False  # a general fix for several problems: never paired


@dataclass(slots=True)
class _Marker:
    start: int
    end: int
    family: str
    ordinal: int
    line_start: bool


_CN_DIGITS = {digit: value for value, digit in enumerate(_CN[:9], 1)}


@lru_cache(maxsize=64)
def _cn_number(numeral: str) -> int:
    """A marker's numeral (1–3 of 一…十, as `_MARKER_BODY` allows) as cn2an's "normal" mode reads it:
    三 3, 十二 12, 二十三 23, and 一二 12 digit by digit; -1 where cn2an refuses it (十十), so no list takes it.
    Not cn2an itself: importing it costs 0.5 s of every cold `tag` and batch worker, for ten characters.
    A test compares every numeral the markers allow with cn2an."""
    tens, ten, units = numeral.partition("十")
    if not ten:
        value = 0
        for digit in numeral:
            value = value * 10 + _CN_DIGITS[digit]
        return value
    if len(tens) > 1 or len(units) > 1 or units == "十":
        return -1
    return _CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(units, 0)


def _markers(v: str, lo: int, hi: int, seed: _Marker | None = None) -> list[_Marker]:
    """Enumeration markers in v[lo:hi] that form plausible sequences (1, 2, 3 … per family).

    `seed` is a marker found where the boundary rule cannot see it (straight after a sub-heading).
    """
    found: list[_Marker] = [seed] if seed else []
    for m in _MARKER_RE.finditer(v, lo, hi):
        family = m.lastgroup or ""
        value = m.group(family)
        if family in ("ordw", "ordw_late", "fang"):
            ordinal = _WORD_ORDINALS[value]
            family = "fang" if family == "fang" else "ordw"
        elif family in ("num", "numparen"):
            ordinal = int(value)
        else:
            ordinal = _cn_number(value)
        line_start = not v[max(lo, v.rfind("\n", lo, m.start()) + 1):m.start()].strip(" \t#")
        if seed is None or m.start() >= seed.end:
            found.append(_Marker(m.start(), m.end(), family, ordinal, line_start))
    # Keep a marker if it starts a list (1) or continues the family's last accepted one; tolerate a
    # repeated or skipped number, which real reports have ("一是…三是…三是").
    last: dict[str, int] = {}
    accepted: list[_Marker] = []
    for mk in found:
        prev = last.get(mk.family)
        if mk.ordinal == 1 or (prev is not None and (mk.ordinal == 0 or prev <= mk.ordinal <= prev + 2)):
            last[mk.family] = mk.ordinal if mk.ordinal else (prev or 0) + 1
            accepted.append(mk)
    # A lone inline "1." or "一、" is more likely running text than a list.
    keep: list[_Marker] = []
    for i, mk in enumerate(accepted):
        if mk.family in _WEAK and not mk.line_start and mk.ordinal == 1:
            nxt = next((o for o in accepted[i + 1:] if o.family == mk.family), None)
            if nxt is None or nxt.ordinal != 2:
                continue
        keep.append(mk)
    return keep


def _hard_breaks(v: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Paragraph ends: a line break after sentence-final punctuation. Other breaks are hard wraps."""
    return [(m.start(), m.end()) for m in _HARD_BREAK_RE.finditer(v, lo, hi)]


def _sentences(v: str, lo: int, hi: int) -> list[tuple[int, int]]:
    spans = []
    for m in _SENTENCE_RE.finditer(v, lo, hi):
        if m.end() > m.start() and v[m.start():m.end()].strip():
            spans.append((m.start(), m.end()))
    return spans


def _trim(v: str, lo: int, hi: int) -> tuple[int, int]:
    """Strip white space, separators and trailing page-number or signature lines."""
    while True:
        seg = v[lo:hi]
        stripped = seg.lstrip(_EDGE_STRIP)
        lo += len(seg) - len(stripped)
        seg = v[lo:hi].rstrip(" \t\n\r，,；;:：、#")
        hi = lo + len(seg)
        nl = v.rfind("\n", lo, hi)
        if nl < 0 or not _NOISE_LINE_RE.fullmatch(v, nl + 1, hi):
            return lo, hi
        hi = nl


def _body_range(v: str, lo: int, hi: int) -> tuple[int, int]:
    """The section body: without its own heading at the start and without the signature tail."""
    cues = _cues()
    m = cues.section_title.match(v[lo:hi])
    if m:
        lo += m.end()
    tail = _INLINE_TAIL_RE.search(v, lo, hi)
    if tail and v[lo:tail.start()].strip():
        hi = tail.start()
    return _trim(v, lo, hi)


# ---------------------------------------------------------------------------------------------------
# Roles from cue phrases

def _cue_role(text: str) -> str:
    cues = _cues()
    problems = cues.problem.findall(text)
    # "有待进一步加强" is a problem: blank the problem hits before counting improvement verbs.
    rest = cues.problem.sub("\0", text)
    improvements = len(cues.improvement.findall(rest))
    if cues.action_start.match(text) or cues.fix_start.match(text.lstrip()):
        improvements += 2
    score = len(problems) - improvements
    # "…等不足。", "取得了一定成效，但…": about what is lacking, whatever verbs it lists.
    score += 3 * len(cues.problem_strong.findall(text))
    if not problems and not improvements:
        return "other"
    return "problem" if score > 0 else "improvement" if score < 0 else ("problem" if problems else "other")


def _is_leadin(text: str) -> bool:
    return bool(_cues().leadin_end.search(text.rstrip()))


def _leadin_is_fix(text: str) -> bool:
    """Does a lead-in announce fixes ("下一步，我镇将…：") rather than problems ("主要体现在：")?"""
    cues = _cues()
    if cues.fix_start.match(text.lstrip()):
        return True
    return not cues.problem_leadin.search(text) and bool(cues.fix_leadin.search(text))


def _has_cues(text: str) -> bool:
    cues = _cues()
    return bool(cues.problem.search(text) or cues.improvement.search(text))


# ---------------------------------------------------------------------------------------------------
# Section 五

@dataclass(slots=True)
class _Block:
    start: int
    end: int
    role: str | None
    heading: Span | None


def _subheadings(v: str, lo: int, hi: int) -> Iterator[tuple[int, int, str | None, Span]]:
    """(start, end of heading, role, label span) for every sub-heading in v[lo:hi]."""
    cues = _cues()
    seen: set[int] = set()
    # The body start counts as a line start: one-line pages run the heading straight into "(一)存在问题".
    at_start = cues.subhead_at.match(v, lo, hi)
    candidates = [at_start] if at_start else []
    candidates += [m for m in cues.subhead_line.finditer(v, lo, hi) if m.group("marker") or m.start() > lo]
    candidates += [m for m in cues.subhead_inline.finditer(v, lo, hi) if m.group("marker")]
    for m in candidates:
        if m.start() in seen:
            continue
        found = _match_subhead(v, m.end(), hi, bool(m.group("marker")))
        if found is None:
            continue
        role, label_end, label = found
        seen.add(m.start())
        yield m.start(), label_end, role, label


_TERMINATOR_RE = re.compile(r"\s*(?:[。.：:]|\n|$)")
# Without a colon or full stop, a numbered label is a sub-heading only if it ends like one or a list
# follows at once: "（二）改进措施一是…" is, "（二）改进工作方式，…" is not.
_HEAD_WORD_RE = re.compile(r"(?:问题|不足|措施|情况|打算|安排|计划|办法|举措|思路|之处)$")


def _match_subhead(v: str, at: int, hi: int, has_marker: bool) -> tuple[str | None, int, Span] | None:
    cues = _cues()
    line_end = v.find("\n", at, hi)
    line_end = hi if line_end < 0 else line_end
    # A whole section title inside the body ("四、存在的主要问题和改进措施") is skipped as a heading.
    sm = cues.section_title_at.match(v, at, line_end)
    if sm and (has_marker or _TERMINATOR_RE.match(v, sm.end(), hi)):
        return None, sm.end(), _strip_span(v, at, sm.end())
    for role, pattern in cues.subheads:
        pm = pattern.match(v, at, line_end)
        if not pm or pm.end() == at:
            continue
        term = _TERMINATOR_RE.match(v, pm.end(), hi)
        label = _strip_span(v, at, pm.end())
        if not term:
            if not has_marker:
                continue  # an unnumbered sub-heading must end its line or carry a colon / full stop
            if not (_HEAD_WORD_RE.search(v, label[0], label[1]) or _MARKER_AT_RE.match(v, pm.end(), hi)):
                continue
        return role, term.end() if term else pm.end(), label
    return None


def _blocks(v: str, lo: int, hi: int) -> list[_Block]:
    heads = sorted(_subheadings(v, lo, hi))
    blocks: list[_Block] = []
    cursor, role, heading = lo, None, None
    for start, end, head_role, label in heads:
        if start < cursor:
            continue
        blocks.append(_Block(cursor, start, role, heading))
        cursor, role, heading = end, head_role, label if head_role else None
    blocks.append(_Block(cursor, hi, role, heading))
    return [b for b in blocks if v[b.start:b.end].strip()]


def _pieces(v: str, block: _Block) -> list[_Unit]:
    """Cut a block at its markers and paragraph ends."""
    lo, hi = block.start, block.end
    # A list may follow its sub-heading with no separator at all ("（二）改进措施一是…").
    first = lo + len(v[lo:hi]) - len(v[lo:hi].lstrip())
    head = _MARKER_AT_RE.match(v, first, hi) if block.heading else None
    seed = None
    if head and head.lastgroup == "shi":
        seed = _Marker(head.start(), head.end(), "shi", _cn_number(head.group("shi")), True)
    return _cut(v, lo, hi, _markers(v, lo, hi, seed))


def _cut(v: str, lo: int, hi: int, marks: list[_Marker]) -> list[_Unit]:
    """Units between consecutive markers and paragraph ends; an item starts after its marker."""
    cuts: list[tuple[int, int, _Marker | None]] = [(mk.start, mk.end, mk) for mk in marks]
    marked = {mk.start for mk in marks}
    cuts += [(s, e, None) for s, e in _hard_breaks(v, lo, hi) if e not in marked]
    cuts.sort(key=lambda c: (c[0], c[2] is None))
    units: list[_Unit] = []
    pos, current = lo, None
    for s, e, mk in cuts:
        if s < pos:
            continue
        units.append(_new_unit(pos, s, current))
        pos, current = e, mk
    units.append(_new_unit(pos, hi, current))
    return [u for u in units if v[u.start:u.end].strip(_EDGE_STRIP) or u.kind == "item"]


def _new_unit(start: int, end: int, mk: _Marker | None) -> _Unit:
    if mk is None:
        return _Unit(start, end, "para")
    return _Unit(start, end, "item", mk.family, mk.ordinal)


def _merge_continuations(v: str, units: list[_Unit]) -> list[_Unit]:
    """A paragraph after an item belongs to it, unless it opens a fix or introduces a new list."""
    cues = _cues()
    out: list[_Unit] = []
    for i, u in enumerate(units):
        prev = out[-1] if out else None
        if u.kind == "para" and prev is not None and prev.kind == "item":
            text = v[u.start:u.end].strip()
            nxt = units[i + 1] if i + 1 < len(units) else None
            opens_list = nxt is not None and nxt.kind == "item" and nxt.ordinal in (1, None)
            new_part = cues.fix_start.match(text) or (opens_list and _is_leadin(text))
            if not (new_part or _is_leadin_colon(text)):
                prev.end = u.end
                continue
        out.append(u)
    return out


def _is_leadin_colon(text: str) -> bool:
    return text.rstrip().endswith(("：", ":"))


def _split_leadins(v: str, units: list[_Unit]) -> list[_Unit]:
    """Cut the sentence that introduces a list off whatever stands before the list."""
    out: list[_Unit] = []
    for i, u in enumerate(units):
        nxt = units[i + 1] if i + 1 < len(units) else None
        starts_list = nxt is not None and nxt.kind == "item" and nxt.ordinal == 1
        if not starts_list or u.kind not in ("para", "item"):
            out.append(u)
            continue
        sents = _sentences(v, u.start, u.end)
        if not sents:
            out.append(u)
            continue
        last_s, _ = sents[-1]
        opens_fix = u.kind == "para" and len(sents) == 1 and _cues().fix_start.match(v[last_s:u.end].lstrip())
        if not (_is_leadin(v[last_s:u.end]) or opens_fix):
            out.append(u)
            continue
        cut = last_s
        fix = _leadin_is_fix(v[last_s:u.end])
        if u.kind == "para":
            # Earlier sentences that say nothing specific ("行之力则知愈进…", "工作稳步推进…") belong to
            # the lead-in too; before a problem list only a stated problem stays apart.
            for s, e in reversed(sents[:-1]):
                sentence = v[s:e]
                if not _is_leadin(sentence) and (_cue_role(sentence) == "problem" if not fix
                                                  else _has_cues(sentence)):
                    break
                cut = s
        if cut > u.start and v[u.start:cut].strip(_EDGE_STRIP):
            out.append(_Unit(u.start, cut, u.kind, u.family, u.ordinal))
        leadin = _Unit(cut if cut > u.start else u.start, u.end, "leadin")
        leadin.fix = fix
        out.append(leadin)
    return out


def _assign_lists(v: str, units: list[_Unit], block: _Block, next_group: list[int]) -> None:
    """Group items into lists, find nested lists under title-only items and give each list a role."""
    stack: list[tuple[str, int]] = []  # (family, index of the list's parent title or -1)
    list_of: dict[int, int] = {}
    list_role: dict[int, str | None] = {}
    list_items: dict[int, list[int]] = {}
    current: dict[str, int] = {}
    pending_leadin: _Unit | None = None
    for i, u in enumerate(units):
        if u.kind == "leadin":
            pending_leadin, stack = u, []
            continue
        if u.kind != "item":
            if u.kind == "para":
                stack = []
            continue
        family = u.family or ""
        fams = [f for f, _ in stack]
        prev = units[i - 1] if i else None
        if family in fams:
            del stack[fams.index(family) + 1:]
        elif prev is not None and prev.kind == "item" and _is_title(v, prev):
            prev.kind = "title"
            stack.append((family, i - 1))
        else:
            stack = [(family, -1)]
        parent = stack[-1][1]
        if u.ordinal == 1 or family not in current:
            gid = current[family] = next_group[0]
            next_group[0] += 1
            # The block's sub-heading outranks a lead-in; a lead-in outranks the items' own cues.
            if parent >= 0:
                list_role[gid] = list_role.get(list_of.get(parent, -1))
            elif _block_list_role(block.role) is not None:
                list_role[gid] = _block_list_role(block.role)
            elif pending_leadin is not None:
                list_role[gid] = "improvement" if pending_leadin.fix else "problem"
            else:
                list_role[gid] = None
            pending_leadin = None
        gid = current[family]
        list_of[i] = gid
        list_items.setdefault(gid, []).append(i)
        u.group = gid
        if parent >= 0:
            u.heading = _strip_span(v, units[parent].start, units[parent].end)
    # Lists whose role nothing above decided take the majority of their items' cues.
    for gid, idx in list_items.items():
        role = list_role.get(gid)
        if role is None:
            votes = [_cue_role(v[units[i].start:units[i].end]) for i in idx]
            best = max(("problem", "improvement"), key=votes.count)
            role = best if votes.count(best) else None
        for i in idx:
            units[i].role = role


def _block_list_role(role: str | None) -> str | None:
    return role if role in ("problem", "improvement", "rectification", "innovation", "workplan") else None


def _is_title(v: str, u: _Unit) -> bool:
    text = v[u.start:u.end].strip()
    return 0 < len(text) <= 30 and not re.search(r"[。；;，,！？]", text.rstrip("。.：:"))


def _split_fix(v: str, u: _Unit, item: bool) -> _Unit | None:
    """Split a problem unit at the first sentence that opens its fix; return the fix part."""
    cues = _cues()
    pattern = cues.item_fix_start if item else cues.fix_start
    for s, _ in _sentences(v, u.start, u.end)[1:]:
        at = s + len(v[s:u.end]) - len(v[s:u.end].lstrip())
        if pattern.match(v, at, u.end):
            fix = _Unit(at, u.end, "item" if item else "para", u.family, u.ordinal, "improvement",
                        u.heading, group=None)
            u.end = at
            return fix
    return None


def _split_clauses(v: str, u: _Unit) -> list[_Unit]:
    """An unnumbered list "…主要是：A；B；C。" becomes a lead-in plus one passage per clause."""
    cues = _cues()
    prefix = cues.leadin_prefix.match(v, u.start, u.end)
    long_enough = prefix is not None and len(v[u.start:prefix.end()].strip(_EDGE_STRIP)) >= MIN_CHARS
    body = prefix.end() if prefix is not None and long_enough else u.start
    clauses = [(body + c.start(), body + c.end()) for c in _CLAUSE_RE.finditer(v[body:u.end])
               if c.group().strip(_EDGE_STRIP)]
    if len(clauses) < 2 or any(len(v[s:e].strip(_EDGE_STRIP + "。")) < MIN_CHARS for s, e in clauses):
        lead = v[u.start:body].rstrip()
        if body == u.start or not (lead.endswith(("：", ":")) or "。" in lead):
            return [u]  # the lead-in is only a clause of the sentence: keep the paragraph whole
        clauses = [(body, u.end)]
    out: list[_Unit] = []
    if body > u.start:
        out.append(_Unit(u.start, body, "leadin", role="other"))
    out += [_Unit(s, e, "para", role=u.role, heading=u.heading, group=u.group) for s, e in clauses]
    return out


_CLAUSE_RE = re.compile(r"[^；;]+[；;]?")


def _section5(v: str, lo: int, hi: int) -> list[_Unit]:
    lo, hi = _body_range(v, lo, hi)
    if hi <= lo:
        return []
    out: list[_Unit] = []
    next_group = [0]
    for block in _blocks(v, lo, hi):
        units = _pieces(v, block)
        units = _merge_continuations(v, units)
        units = _split_leadins(v, units)
        _assign_lists(v, units, block, next_group)
        # How many items of each list carry their own fix: one per item means "problem, then its fix".
        fixed: list[_Unit] = []
        for u in units:
            if u.kind == "title":
                continue
            if u.kind == "leadin":
                u.role = "other"
                fixed.append(u)
                continue
            u.heading = u.heading or block.heading
            fix = None
            if u.kind == "para":
                text = v[u.start:u.end].strip()
                u.group = next_group[0]
                next_group[0] += 1
                if block.role in ("improvement", "rectification", "innovation", "workplan"):
                    u.role = block.role
                elif _cues().fix_start.match(text):
                    u.role = "improvement"
                else:
                    # "…等问题。下一步，我区将…": the problem and its fix in one paragraph.
                    fix = _split_fix(v, u, item=False)
                    first = _cue_role(v[u.start:u.end])
                    u.role = block.role or (first if fix is None or first == "problem" else "other")
            elif u.role in ("problem", None, "other"):
                fix = _split_fix(v, u, item=True)
                if fix is not None:
                    if u.role is None or u.role == "other":
                        u.role = _cue_role(v[u.start:u.end])
                    if u.role != "problem":
                        u.end = fix.end  # not a problem after all: undo the split
                        fix = None
            if u.role is None:
                u.role = _cue_role(v[u.start:u.end])
            if fix is not None:
                fix.group = next_group[0]
                next_group[0] += 1
                fixed.append(u)
                fixed.append(fix)
                continue
            fixed.append(u)
        out.extend(_pair_within(v, fixed))
    final: list[_Unit] = []
    for u in out:
        if u.kind == "para" and u.role in ("problem", "improvement", "rectification"):
            final.extend(_split_clauses(v, u))
        else:
            final.append(u)
    _pair_lists(final)
    return final


def _pair_within(v: str, units: list[_Unit]) -> list[_Unit]:
    """Pair each problem with the fix split off it, when every problem of its list has its own fix."""
    split_counts: dict[int | None, int] = {}
    sizes: dict[int | None, int] = {}
    for i, u in enumerate(units):
        if u.role == "problem":
            sizes[u.group] = sizes.get(u.group, 0) + 1
            nxt = units[i + 1] if i + 1 < len(units) else None
            if nxt is not None and nxt.role == "improvement" and nxt.start == u.end and nxt.group != u.group:
                split_counts[u.group] = split_counts.get(u.group, 0) + 1
    for i, u in enumerate(units[:-1]):
        nxt = units[i + 1]
        if u.role == "problem" and nxt.role == "improvement" and nxt.start == u.end and nxt.group != u.group:
            lone = u.kind == "para" or sizes.get(u.group, 0) == 1 or split_counts.get(u.group, 0) >= 2
            if lone:
                u.pair, nxt.pair = -(i + 2), -(i + 1)  # provisional: relative to this block, fixed below
            else:
                nxt.closing = True
    return units


def _pair_lists(units: list[_Unit]) -> None:
    """Resolve provisional pairs; then pair one problem list with one fix list of the same length."""
    # Provisional pairs were made on adjacent units: re-link by adjacency in the final list.
    for i, u in enumerate(units[:-1]):
        nxt = units[i + 1]
        provisional = u.pair is not None and u.pair < 0 and nxt.pair is not None and nxt.pair < 0
        if provisional and u.role == "problem":
            u.pair, nxt.pair = i + 1, i
    for u in units:
        if u.pair is not None and u.pair < 0:
            u.pair = None
    groups: dict[str, dict[int, list[int]]] = {"problem": {}, "improvement": {}}
    for i, u in enumerate(units):
        if u.role in groups and u.pair is None and not u.closing and u.group is not None:
            groups[u.role].setdefault(u.group, []).append(i)
    if len(groups["problem"]) == 1 and len(groups["improvement"]) == 1:
        (problems,) = groups["problem"].values()
        (fixes,) = groups["improvement"].values()
        # One problem paragraph against one fix item is too weak a link; lists or two paragraphs are not.
        kinds = {units[i].kind for i in problems + fixes}
        strong = len(problems) > 1 or kinds == {"para"}
        if len(problems) == len(fixes) and problems[-1] < fixes[0] and strong:
            for p, f in zip(problems, fixes, strict=True):
                units[p].pair, units[f].pair = f, p


# ---------------------------------------------------------------------------------------------------
# Section 六

def _section6_role(title: str, text: str) -> tuple[str, bool]:
    """Role from the item title, else from the first sentence, else from the whole text."""
    table = _cues().section6
    for probe, titled in ((title, True), (text[:80], False), (text, False)):
        if not probe:
            continue
        for role, pattern in table:
            if pattern.search(probe):
                return role, titled
    return "other", False


def _section6(v: str, lo: int, hi: int) -> list[_Unit]:
    lo, hi = _body_range(v, lo, hi)
    if hi <= lo:
        return []
    marks = _markers(v, lo, hi)
    # Only the outer numbering splits section 六: an item's own 一是/一方面 stay inside it.
    top = next((mk.family for mk in marks if mk.line_start), marks[0].family if marks else None)
    units = [u for u in _cut(v, lo, hi, [mk for mk in marks if mk.family == top])
             if v[u.start:u.end].strip(_EDGE_STRIP)]
    # An item runs on over the paragraphs after its title; an unnumbered title line takes the paragraph
    # that follows it.
    merged: list[_Unit] = []
    for u in units:
        prev = merged[-1] if merged else None
        if prev is not None and u.kind == "para" and (prev.kind == "item" or _title_only(v, prev)):
            prev.end = u.end
            continue
        merged.append(u)
    for u in merged:
        a, b = _strip_span(v, u.start, u.end, _EDGE_STRIP)
        text = v[a:b]
        title = re.split(r"[。：:\n]", text, maxsplit=1)[0]
        # A title is a short label ("收取信息处理费情况"), not the first clause of a sentence.
        title = title if (len(title) <= 40 and not re.search(r"[，,；;]", title)
                          and len(text) > len(title) + 2) else ""
        u.role, titled = _section6_role(title, text)
        u.heading = _strip_span(v, a, a + len(title)) if titled else None
    return merged


def _title_only(v: str, u: _Unit) -> bool:
    text = v[u.start:u.end].strip(_EDGE_STRIP)
    return len(text) <= 40 and not re.search(r"[。！？!?]", text.rstrip("。.")) and bool(
        any(p.search(text) for _, p in _cues().section6))


# ---------------------------------------------------------------------------------------------------
# Public API

def split_text(text: str, section: int, doc: str, offset: int = 0) -> list[Passage]:
    """Split the text of section 5 or 6 into passages; offsets are `offset` + positions in `text`.

    `text` may start with the section's own heading and end with a signature; both are left out.
    """
    if section not in (5, 6):
        raise ValueError(f"passages exist for sections 5 and 6 only, not {section}")
    view = _View.of(text)
    v = view.text
    units = _section5(v, 0, len(v)) if section == 5 else _section6(v, 0, len(v))
    return _to_passages(text, view, units, section, doc, offset)


def split_passages(report: Report) -> list[Passage]:
    """Passages of sections 五 and 六 of a segmented report, with offsets into its document text."""
    doc = Path(report.document.path).name
    passages: list[Passage] = []
    for number in (5, 6):
        if len(report.sections) < number:
            continue
        sec = report.section(number)
        if sec.status == "missing" or sec.start is None or not sec.text.strip():
            continue
        passages.extend(split_text(sec.text, number, doc, offset=sec.start))
    return passages


def _to_passages(text: str, view: _View, units: list[_Unit], section: int, doc: str,
                 offset: int) -> list[Passage]:
    v = view.text
    kept: list[tuple[_Unit, int, int]] = []
    index_of: dict[int, int] = {}
    for i, u in enumerate(units):
        s, e = _trim(v, u.start, u.end)
        if e - s < MIN_CHARS:
            if kept and e > s and len(units) > 1:
                prev, ps, _ = kept[-1]
                kept[-1] = (prev, ps, max(e, kept[-1][2]))  # merge the scrap into the passage before
                index_of[i] = len(kept) - 1
                continue
            if len(units) > 1 or e <= s:
                continue  # a lone "无。" is kept: it is the whole section
        index_of[i] = len(kept)
        kept.append((u, s, e))
    by_unit = {id(u): k for k, (u, _, _) in enumerate(kept)}
    passages: list[Passage] = []
    for k, (u, s, e) in enumerate(kept):
        a, b = view.orig(s), view.orig(e, end=True)
        pair = None
        if u.pair is not None and 0 <= u.pair < len(units):
            other = by_unit.get(id(units[u.pair]))
            pair = f"{section}.{other + 1}" if other is not None else None
        heading = None
        if u.heading is not None:  # taken from the original text, not the folded view
            heading = text[view.orig(u.heading[0]):view.orig(u.heading[1], end=True)].strip() or None
        passages.append(Passage(doc=doc, id=f"{section}.{k + 1}", section=section, role=u.role or "other",
                                text=text[a:b], start=offset + a, end=offset + b, heading=heading,
                                pair=pair))
    # A pair must point both ways; drop one-sided links left by merges.
    ids = {p.id: p for p in passages}
    for p in passages:
        if p.pair is not None and ids.get(p.pair) is not None and ids[p.pair].pair != p.id:
            p.pair = None
    return passages
