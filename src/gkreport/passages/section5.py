"""Section 五: blocks under sub-headings (存在问题 / 改进措施 / 整改情况 …), their lists, lead-ins and fixes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from gkreport.passages.cues import cue_role, load_cues
from gkreport.passages.markers import MARKER_AT_RE, Marker, cn_number, find_markers
from gkreport.passages.pairing import assign_lists, pair_lists, pair_within
from gkreport.passages.units import (
    Block,
    Unit,
    body_range,
    cut_units,
    merge_continuations,
    split_clauses,
    split_fix,
    split_leadins,
)
from gkreport.passages.view import Span, strip_span


def _subheadings(v: str, lo: int, hi: int) -> Iterator[tuple[int, int, str | None, Span]]:
    """(start, end of heading, role, label span) for every sub-heading in v[lo:hi]."""
    cues = load_cues()
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
    cues = load_cues()
    line_end = v.find("\n", at, hi)
    line_end = hi if line_end < 0 else line_end
    # A whole section title inside the body ("四、存在的主要问题和改进措施") is skipped as a heading.
    sm = cues.section_title_at.match(v, at, line_end)
    if sm and (has_marker or _TERMINATOR_RE.match(v, sm.end(), hi)):
        return None, sm.end(), strip_span(v, at, sm.end())
    for role, pattern in cues.subheads:
        pm = pattern.match(v, at, line_end)
        if not pm or pm.end() == at:
            continue
        term = _TERMINATOR_RE.match(v, pm.end(), hi)
        label = strip_span(v, at, pm.end())
        if not term:
            if not has_marker:
                continue  # an unnumbered sub-heading must end its line or carry a colon / full stop
            if not (_HEAD_WORD_RE.search(v, label[0], label[1]) or MARKER_AT_RE.match(v, pm.end(), hi)):
                continue
        return role, term.end() if term else pm.end(), label
    return None


def _blocks(v: str, lo: int, hi: int) -> list[Block]:
    heads = sorted(_subheadings(v, lo, hi))
    blocks: list[Block] = []
    cursor, role, heading = lo, None, None
    for start, end, head_role, label in heads:
        if start < cursor:
            continue
        blocks.append(Block(cursor, start, role, heading))
        cursor, role, heading = end, head_role, label if head_role else None
    blocks.append(Block(cursor, hi, role, heading))
    return [b for b in blocks if v[b.start : b.end].strip()]


def _pieces(v: str, block: Block) -> list[Unit]:
    """Cut a block at its markers and paragraph ends."""
    lo, hi = block.start, block.end
    # A list may follow its sub-heading with no separator at all ("（二）改进措施一是…").
    first = lo + len(v[lo:hi]) - len(v[lo:hi].lstrip())
    head = MARKER_AT_RE.match(v, first, hi) if block.heading else None
    seed = None
    if head and head.lastgroup == "shi":
        seed = Marker(head.start(), head.end(), "shi", cn_number(head.group("shi")), True)
    return cut_units(v, lo, hi, find_markers(v, lo, hi, seed))


def section5_units(v: str, lo: int, hi: int) -> list[Unit]:
    lo, hi = body_range(v, lo, hi)
    if hi <= lo:
        return []
    out: list[Unit] = []
    next_group = [0]
    for block in _blocks(v, lo, hi):
        units = _pieces(v, block)
        units = merge_continuations(v, units)
        units = split_leadins(v, units)
        assign_lists(v, units, block, next_group)
        # How many items of each list carry their own fix: one per item means "problem, then its fix".
        fixed: list[Unit] = []
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
                text = v[u.start : u.end].strip()
                u.group = next_group[0]
                next_group[0] += 1
                if block.role in ("improvement", "rectification", "innovation", "workplan"):
                    u.role = block.role
                elif load_cues().fix_start.match(text):
                    u.role = "improvement"
                else:
                    # "…等问题。下一步，我区将…": the problem and its fix in one paragraph.
                    fix = split_fix(v, u, item=False)
                    first = cue_role(v[u.start : u.end])
                    u.role = block.role or (first if fix is None or first == "problem" else "other")
            elif u.role in ("problem", None, "other"):
                fix = split_fix(v, u, item=True)
                if fix is not None:
                    if u.role is None or u.role == "other":
                        u.role = cue_role(v[u.start : u.end])
                    if u.role != "problem":
                        u.end = fix.end  # not a problem after all: undo the split
                        fix = None
            if u.role is None:
                u.role = cue_role(v[u.start : u.end])
            if fix is not None:
                fix.group = next_group[0]
                next_group[0] += 1
                fixed.append(u)
                fixed.append(fix)
                continue
            fixed.append(u)
        out.extend(pair_within(v, fixed))
    final: list[Unit] = []
    for u in out:
        if u.kind == "para" and u.role in ("problem", "improvement", "rectification"):
            final.extend(split_clauses(v, u))
        else:
            final.append(u)
    pair_lists(final)
    return final
