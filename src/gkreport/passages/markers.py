"""Enumeration markers (一是…, （一）…, 1. …, 一、…, 第一…, 首先…, 一方面…) and the sequences they form.

Grammar: structure, not vocabulary, so it stays here rather than in data/roles.json.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

CN = "一二三四五六七八九十"
# An inline marker must follow a line start, white space or punctuation, so 统一是 or 第二十条第（一）项
# never count.
_BOUND = r"(?:^|(?<=[\n。；;：:！？!?，,\s]))"
_MARKER_BODY = (
    rf"(?P<shi>[{CN}]{{1,3}})是(?![否非])"
    rf"|第(?P<di>[{CN}]{{1,3}})(?:是|[，,、：:])"
    rf"|[（(]\s*(?P<cnparen>[{CN}]{{1,3}})\s*[）)]\s*(?:是(?![否非]))?"
    r"|[（(]\s*(?P<numparen>\d{1,2})\s*[）)]"
    rf"|(?P<cndun>[{CN}]{{1,3}})\s*[、.．](?!\d)"
    r"|(?P<ordw>首先|其次)[，,]?|(?P<ordw_late>再次|最后)[，,]"
    r"|(?P<fang>一方面|另一方面)[，,]?"
)
_NUM_MARKER = r"(?P<num>\d{1,2})\s*[、.．](?![\d.．])"
# The lookahead in front lists every character a marker can start with: positions that cannot start one
# are passed over at once instead of trying each alternative's lookbehind (3x faster on the corpus).
_MARKER_RE = re.compile(
    rf"(?=[{CN}第（(首其再最另\d])(?:"
    + _BOUND
    + f"(?:{_MARKER_BODY})"
    # Arabic numbers also start items straight after a title ("规范公开行为1、加强…"), so they get their
    # own guard instead of the boundary: no digit, letter or counting word right before them.
    + r"|(?<![\dA-Za-z.．第约共表图年月日号件条款项至和、\-/])"
    + _NUM_MARKER
    + ")",
    re.M,
)
# The same markers where the caller already knows an item may start (right after a sub-heading).
MARKER_AT_RE = re.compile(f"{_MARKER_BODY}|{_NUM_MARKER}")
# Families whose markers also occur in running text; a lone inline one is not trusted.
_WEAK = frozenset({"num", "cndun"})
_WORD_ORDINALS = {"首先": 1, "其次": 2, "再次": 3, "最后": 0, "一方面": 1, "另一方面": 2}


@dataclass(slots=True)
class Marker:
    start: int
    end: int
    family: str
    ordinal: int
    line_start: bool


_CN_DIGITS = {digit: value for value, digit in enumerate(CN[:9], 1)}


@lru_cache(maxsize=64)
def cn_number(numeral: str) -> int:
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


def find_markers(v: str, lo: int, hi: int, seed: Marker | None = None) -> list[Marker]:
    """Enumeration markers in v[lo:hi] that form plausible sequences (1, 2, 3 … per family).

    `seed` is a marker found where the boundary rule cannot see it (straight after a sub-heading).
    """
    found: list[Marker] = [seed] if seed else []
    for m in _MARKER_RE.finditer(v, lo, hi):
        family = m.lastgroup or ""
        value = m.group(family)
        if family in ("ordw", "ordw_late", "fang"):
            ordinal = _WORD_ORDINALS[value]
            family = "fang" if family == "fang" else "ordw"
        elif family in ("num", "numparen"):
            ordinal = int(value)
        else:
            ordinal = cn_number(value)
        line_start = not v[max(lo, v.rfind("\n", lo, m.start()) + 1) : m.start()].strip(" \t#")
        if seed is None or m.start() >= seed.end:
            found.append(Marker(m.start(), m.end(), family, ordinal, line_start))
    # Keep a marker if it starts a list (1) or continues the family's last accepted one; tolerate a
    # repeated or skipped number, which real reports have ("一是…三是…三是").
    last: dict[str, int] = {}
    accepted: list[Marker] = []
    for mk in found:
        prev = last.get(mk.family)
        if mk.ordinal == 1 or (prev is not None and (mk.ordinal == 0 or prev <= mk.ordinal <= prev + 2)):
            last[mk.family] = mk.ordinal if mk.ordinal else (prev or 0) + 1
            accepted.append(mk)
    # A lone inline "1." or "一、" is more likely running text than a list.
    keep: list[Marker] = []
    for i, mk in enumerate(accepted):
        if mk.family in _WEAK and not mk.line_start and mk.ordinal == 1:
            nxt = next((o for o in accepted[i + 1 :] if o.family == mk.family), None)
            if nxt is None or nxt.ordinal != 2:
                continue
        keep.append(mk)
    return keep
