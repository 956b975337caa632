"""Section 六: one unit per outer item, its role from the item's title (收取信息处理费情况 …)."""

from __future__ import annotations

import re

from gkreport.passages.cues import load_cues
from gkreport.passages.markers import find_markers
from gkreport.passages.units import Unit, body_range, cut_units
from gkreport.passages.view import EDGE_STRIP, strip_span


def _section6_role(title: str, text: str) -> tuple[str, bool]:
    """Role from the item title, else from the first sentence, else from the whole text."""
    table = load_cues().section6
    for probe, titled in ((title, True), (text[:80], False), (text, False)):
        if not probe:
            continue
        for role, pattern in table:
            if pattern.search(probe):
                return role, titled
    return "other", False


def section6_units(v: str, lo: int, hi: int) -> list[Unit]:
    lo, hi = body_range(v, lo, hi)
    if hi <= lo:
        return []
    marks = find_markers(v, lo, hi)
    # Only the outer numbering splits section 六: an item's own 一是/一方面 stay inside it.
    top = next((mk.family for mk in marks if mk.line_start), marks[0].family if marks else None)
    units = [
        u
        for u in cut_units(v, lo, hi, [mk for mk in marks if mk.family == top])
        if v[u.start : u.end].strip(EDGE_STRIP)
    ]
    # An item runs on over the paragraphs after its title; an unnumbered title line takes the paragraph
    # that follows it.
    merged: list[Unit] = []
    for u in units:
        prev = merged[-1] if merged else None
        if prev is not None and u.kind == "para" and (prev.kind == "item" or _title_only(v, prev)):
            prev.end = u.end
            continue
        merged.append(u)
    for u in merged:
        a, b = strip_span(v, u.start, u.end, EDGE_STRIP)
        text = v[a:b]
        title = re.split(r"[。：:\n]", text, maxsplit=1)[0]
        # A title is a short label ("收取信息处理费情况"), not the first clause of a sentence.
        title = title if (len(title) <= 40 and not re.search(r"[，,；;]", title) and len(text) > len(title) + 2) else ""
        u.role, titled = _section6_role(title, text)
        u.heading = strip_span(v, a, a + len(title)) if titled else None
    return merged


def _title_only(v: str, u: Unit) -> bool:
    text = v[u.start : u.end].strip(EDGE_STRIP)
    return (
        len(text) <= 40
        and not re.search(r"[。！？!?]", text.rstrip("。."))
        and bool(any(p.search(text) for _, p in load_cues().section6))
    )
