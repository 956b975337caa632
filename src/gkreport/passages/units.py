"""Working units of a section body: cut at markers and paragraph ends, then merged and split again.

Everything here works on the view text `v` with view offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gkreport.passages.cues import cue_role, has_cues, is_leadin, leadin_is_fix, load_cues
from gkreport.passages.markers import CN, Marker
from gkreport.passages.view import EDGE_STRIP, Span

MIN_CHARS = 6  # shorter fragments are merged into the passage before them, or dropped
_SENTENCE_RE = re.compile(r"[^。！？!?]*(?:[。！？!?]+[”’\"」』）)]*|$)")
_HARD_BREAK_RE = re.compile(r"(?<=[。！？!?：:；;）)”\"」』])[ \t]*\n\s*")
_NOISE_LINE_RE = re.compile(
    r"^[ \t]*(?:[-—–_ ]*\d{1,3}[-—–_ ]*|附件下载|附件\s*\d*\s*[：:].*"
    r"|(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月\s*[\d一二三四五六七八九十]{1,3}\s*日"
    r"|[^\n。，,：:；;]{2,30}(?:人民政府|政府|办公室|委员会|管委会|局|办事处|街道|镇|乡|中心|苏木))[ \t]*$",
    re.M,
)
# In one-line archive pages the signature date, attachments and the old statistics table follow the text
# on the same line.
_INLINE_TAIL_RE = re.compile(
    rf"(?=[\s{CN}])(?:"  # the characters a tail can start with: a cheap test at every position
    r"\s(?:[^\s。，,：:；;]{2,30}(?:人民政府|政府|办公室|委员会|管委会|局|办事处|街道|镇|乡|中心)\s+)?"
    r"(?:(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月"
    r"\s*[\d一二三四五六七八九十]{1,3}\s*日(?=\s|$)|附件下载|附件\s*\d*\s*[：:])"
    rf"|\s?[{CN}]{{1,2}}、[^。，,]{{0,30}}?统计表)"
)


@dataclass(slots=True)
class Unit:
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
class Block:
    start: int
    end: int
    role: str | None
    heading: Span | None


def _hard_breaks(v: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Paragraph ends: a line break after sentence-final punctuation. Other breaks are hard wraps."""
    return [(m.start(), m.end()) for m in _HARD_BREAK_RE.finditer(v, lo, hi)]


def _sentences(v: str, lo: int, hi: int) -> list[tuple[int, int]]:
    spans = []
    for m in _SENTENCE_RE.finditer(v, lo, hi):
        if m.end() > m.start() and v[m.start() : m.end()].strip():
            spans.append((m.start(), m.end()))
    return spans


def trim(v: str, lo: int, hi: int) -> tuple[int, int]:
    """Strip white space, separators and trailing page-number or signature lines."""
    while True:
        seg = v[lo:hi]
        stripped = seg.lstrip(EDGE_STRIP)
        lo += len(seg) - len(stripped)
        seg = v[lo:hi].rstrip(" \t\n\r，,；;:：、#")
        hi = lo + len(seg)
        nl = v.rfind("\n", lo, hi)
        if nl < 0 or not _NOISE_LINE_RE.fullmatch(v, nl + 1, hi):
            return lo, hi
        hi = nl


def body_range(v: str, lo: int, hi: int) -> tuple[int, int]:
    """The section body: without its own heading at the start and without the signature tail."""
    cues = load_cues()
    m = cues.section_title.match(v[lo:hi])
    if m:
        lo += m.end()
    tail = _INLINE_TAIL_RE.search(v, lo, hi)
    if tail and v[lo : tail.start()].strip():
        hi = tail.start()
    return trim(v, lo, hi)


def cut_units(v: str, lo: int, hi: int, marks: list[Marker]) -> list[Unit]:
    """Units between consecutive markers and paragraph ends; an item starts after its marker."""
    cuts: list[tuple[int, int, Marker | None]] = [(mk.start, mk.end, mk) for mk in marks]
    marked = {mk.start for mk in marks}
    cuts += [(s, e, None) for s, e in _hard_breaks(v, lo, hi) if e not in marked]
    cuts.sort(key=lambda c: (c[0], c[2] is None))
    units: list[Unit] = []
    pos, current = lo, None
    for s, e, mk in cuts:
        if s < pos:
            continue
        units.append(_new_unit(pos, s, current))
        pos, current = e, mk
    units.append(_new_unit(pos, hi, current))
    return [u for u in units if v[u.start : u.end].strip(EDGE_STRIP) or u.kind == "item"]


def _new_unit(start: int, end: int, mk: Marker | None) -> Unit:
    if mk is None:
        return Unit(start, end, "para")
    return Unit(start, end, "item", mk.family, mk.ordinal)


def merge_continuations(v: str, units: list[Unit]) -> list[Unit]:
    """A paragraph after an item belongs to it, unless it opens a fix or introduces a new list."""
    cues = load_cues()
    out: list[Unit] = []
    for i, u in enumerate(units):
        prev = out[-1] if out else None
        if u.kind == "para" and prev is not None and prev.kind == "item":
            text = v[u.start : u.end].strip()
            nxt = units[i + 1] if i + 1 < len(units) else None
            opens_list = nxt is not None and nxt.kind == "item" and nxt.ordinal in (1, None)
            new_part = cues.fix_start.match(text) or (opens_list and is_leadin(text))
            if not (new_part or _is_leadin_colon(text)):
                prev.end = u.end
                continue
        out.append(u)
    return out


def _is_leadin_colon(text: str) -> bool:
    return text.rstrip().endswith(("：", ":"))


def split_leadins(v: str, units: list[Unit]) -> list[Unit]:
    """Cut the sentence that introduces a list off whatever stands before the list."""
    out: list[Unit] = []
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
        opens_fix = u.kind == "para" and len(sents) == 1 and load_cues().fix_start.match(v[last_s : u.end].lstrip())
        if not (is_leadin(v[last_s : u.end]) or opens_fix):
            out.append(u)
            continue
        cut = last_s
        fix = leadin_is_fix(v[last_s : u.end])
        if u.kind == "para":
            # Earlier sentences that say nothing specific ("行之力则知愈进…", "工作稳步推进…") belong to
            # the lead-in too; before a problem list only a stated problem stays apart.
            for s, e in reversed(sents[:-1]):
                sentence = v[s:e]
                if not is_leadin(sentence) and (cue_role(sentence) == "problem" if not fix else has_cues(sentence)):
                    break
                cut = s
        if cut > u.start and v[u.start : cut].strip(EDGE_STRIP):
            out.append(Unit(u.start, cut, u.kind, u.family, u.ordinal))
        leadin = Unit(cut if cut > u.start else u.start, u.end, "leadin")
        leadin.fix = fix
        out.append(leadin)
    return out


def split_fix(v: str, u: Unit, item: bool) -> Unit | None:
    """Split a problem unit at the first sentence that opens its fix; return the fix part."""
    cues = load_cues()
    pattern = cues.item_fix_start if item else cues.fix_start
    for s, _ in _sentences(v, u.start, u.end)[1:]:
        at = s + len(v[s : u.end]) - len(v[s : u.end].lstrip())
        if pattern.match(v, at, u.end):
            fix = Unit(at, u.end, "item" if item else "para", u.family, u.ordinal, "improvement", u.heading, group=None)
            u.end = at
            return fix
    return None


def split_clauses(v: str, u: Unit) -> list[Unit]:
    """An unnumbered list "…主要是：A；B；C。" becomes a lead-in plus one passage per clause."""
    cues = load_cues()
    prefix = cues.leadin_prefix.match(v, u.start, u.end)
    long_enough = prefix is not None and len(v[u.start : prefix.end()].strip(EDGE_STRIP)) >= MIN_CHARS
    body = prefix.end() if prefix is not None and long_enough else u.start
    clauses = [
        (body + c.start(), body + c.end()) for c in _CLAUSE_RE.finditer(v[body : u.end]) if c.group().strip(EDGE_STRIP)
    ]
    if len(clauses) < 2 or any(len(v[s:e].strip(EDGE_STRIP + "。")) < MIN_CHARS for s, e in clauses):
        lead = v[u.start : body].rstrip()
        if body == u.start or not (lead.endswith(("：", ":")) or "。" in lead):
            return [u]  # the lead-in is only a clause of the sentence: keep the paragraph whole
        clauses = [(body, u.end)]
    out: list[Unit] = []
    if body > u.start:
        out.append(Unit(u.start, body, "leadin", role="other"))
    out += [Unit(s, e, "para", role=u.role, heading=u.heading, group=u.group) for s, e in clauses]
    return out


_CLAUSE_RE = re.compile(r"[^；;]+[；;]?")
