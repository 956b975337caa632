"""Splitting a section text or a segmented report into passages: units back to original offsets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gkreport.passages.passage import Passage
from gkreport.passages.section5 import section5_units
from gkreport.passages.section6 import section6_units
from gkreport.passages.units import MIN_CHARS, Unit, trim
from gkreport.passages.view import View

if TYPE_CHECKING:  # segment imports nothing from here, but keep the import graph one-way at run time
    from gkreport.report import Report


def split_text(text: str, section: int, doc: str, offset: int = 0) -> list[Passage]:
    """Split the text of section 5 or 6 into passages; offsets are `offset` + positions in `text`.

    `text` may start with the section's own heading and end with a signature; both are left out.
    """
    if section not in (5, 6):
        raise ValueError(f"passages exist for sections 5 and 6 only, not {section}")
    view = View.of(text)
    v = view.text
    units = section5_units(v, 0, len(v)) if section == 5 else section6_units(v, 0, len(v))
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


def _to_passages(text: str, view: View, units: list[Unit], section: int, doc: str, offset: int) -> list[Passage]:
    v = view.text
    kept: list[tuple[Unit, int, int]] = []
    index_of: dict[int, int] = {}
    for i, u in enumerate(units):
        s, e = trim(v, u.start, u.end)
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
            heading = text[view.orig(u.heading[0]) : view.orig(u.heading[1], end=True)].strip() or None
        passages.append(
            Passage(
                doc=doc,
                id=f"{section}.{k + 1}",
                section=section,
                role=u.role or "other",
                text=text[a:b],
                start=offset + a,
                end=offset + b,
                heading=heading,
                pair=pair,
            )
        )
    # A pair must point both ways; drop one-sided links left by merges.
    ids = {p.id: p for p in passages}
    for p in passages:
        if p.pair is not None and ids.get(p.pair) is not None and ids[p.pair].pair != p.id:
            p.pair = None
    return passages
