"""Walking the labels of one table: value groups assigned to row labels, and value lines that lost their
label placed by row order."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from gkreport.tables.labels import _LABELS, _ROW_WIDTHS, _SQUEEZE, _find_labels, _Label
from gkreport.tables.scan import _Doc, _Group, _scan_zone
from gkreport.templates import Schema


@dataclass(slots=True)
class _RowHit:
    row: str
    label_start: int
    groups: list[_Group]
    note: str = ""
    unsure: bool = False  # the numbers could as well be another row's: the row is ambiguous
    wrapped: bool = False  # the numbers follow the label's last words on a later line


def _walk_rows(
    doc: _Doc, schema: Schema, table: str, start: int, end: int
) -> tuple[list[_RowHit], list[tuple[int, _Group]]]:
    """Assign value groups to row labels; return the hits and the orphan groups (no usable label)."""
    spec = schema.tables[table]
    widths = _ROW_WIDTHS[(schema.name, table)]
    labels = _find_labels(doc, _LABELS[(schema.name, table)], start, end)
    hits: list[_RowHit] = []
    orphans: list[tuple[int, _Group]] = []
    pending: list[_Label] = []
    for i, label in enumerate(labels):
        if pending and pending[-1].row == label.row:
            pending[-1].end = label.end  # the same label found twice in a row (a split or repeated cell)
        elif pending and label.row in spec.row(pending[-1].row).members:
            pending[-1] = label  # （六）其他处理 printed as a group head above its items
        else:
            pending.append(label)
        zone_end = labels[i + 1].start if i + 1 < len(labels) else end
        groups = _scan_zone(doc, label.end, zone_end, True)
        wrapped = False
        rest = label.alias.rest_match
        if (not groups or not groups[0].same_line) and rest is not None:
            words_start = label.end
            joined = _wrapped_end(doc.text, rest, words_start, zone_end)
            if joined is not None:
                groups = _scan_zone(doc, joined, zone_end, True)
                # The continuation could also finish an earlier label that is still waiting for its
                # words and numbers: then neither row can have the numbers for sure.
                cont = _SQUEEZE.sub("", doc.text[doc.text.find("\n", label.end) : joined])
                rivals = [p for p in pending[:-1] if p.left and p.left.startswith(cont)]
                if groups and rivals:
                    note = "a wrapped label's last line could finish more than one label"
                    hits += [_RowHit(p.row, p.start, groups, note, unsure=True) for p in [*rivals, pending[-1]]]
                    pending = []
                    continue
                label.end = pending[-1].end = joined
                wrapped = True
            if not groups:
                # The words it still lacks: a later line that begins with them could be its continuation.
                printed = rest.match(doc.text, words_start, zone_end)
                done = len(_SQUEEZE.sub("", printed.group())) if printed else 0
                pending[-1].left = label.alias.rest[done:]
        if not groups:
            continue
        current = pending[-1]
        n = widths[current.row]
        collected: list[_Group] = []
        single_mode = False
        # Below a label (not on its line), a line with exactly one full row of numbers beats stray
        # single numbers before it (024: a lone "1" between the label and its row).
        full = None
        if not groups[0].same_line and groups[0].count < n:
            full = next((g for g in groups if g.count == n and not g.run_mode), None)
        for g in groups:
            if full is not None:
                if g is full and len(pending) == 1:
                    collected.append(g)
                else:
                    orphans.append((g.start, g))
            elif not collected:
                if g.same_line or len(pending) == 1:
                    collected.append(_take(g, n) if g.stacked else g)
                    single_mode = (g.count == 1 or g.stacked) and not g.run_mode and n > 1
                else:
                    orphans.append((g.start, g))
            elif single_mode and (g.count == 1 or g.stacked) and sum(x.count for x in collected) < n:
                collected.append(_take(g, n - sum(x.count for x in collected)))
            else:
                orphans.append((g.start, g))
        if collected:
            # (Only groups below the label can follow words; the first test spares the common case.)
            if (len(collected) > 1 or not collected[0].same_line) and any(
                not g.same_line and _words_before_numbers(doc.text, g) for g in collected
            ):
                # Numbers below the label that follow other label words on their line: the first line of a
                # label cut inside its words, whose numbers stayed on it. They could be this row's or the
                # row whose words these are (its core found further down): neither is certain.
                hits.append(
                    _RowHit(
                        current.row,
                        current.start,
                        collected,
                        "numbers below the label follow other label words",
                        unsure=True,
                    )
                )
            else:
                hits.append(_RowHit(current.row, current.start, collected, wrapped=wrapped))
        pending = []
    return hits, orphans


def _words_before_numbers(text: str, group: _Group) -> bool:
    """The group's line prints words (not only cell borders) before its first number."""
    return bool(text[group.line_start : group.start].strip(" \t|\u3000"))


# What may follow a wrapped label's last words on their line: a number, a blank marker or the line end
# (so the line is the row's line of numbers, not more label text).
_AFTER_WORDS = re.compile(r"[ \t|]*(?:[\d/／\\—–－+-]|无(?![^\s|])|\n|\Z)")


def _wrapped_end(text: str, rest: re.Pattern[str], start: int, end: int) -> int | None:
    """Where a label (its core ending at `start`) ends if it wraps: the rest of its line holds nothing but
    the start of its official words (`rest`), the next line(s) begin with the remaining words, and numbers
    or nothing follow them. None when the label does not wrap that way."""
    m = rest.match(text, start, end)
    if m is None or text.find("\n", start, m.end()) < 0 or not _AFTER_WORDS.match(text, m.end(), end):
        return None
    return m.end()


def _take(group: _Group, n: int) -> _Group:
    """The first n numbers of a stacked group (the numbers after them belong to no row)."""
    if group.count <= n:
        return group
    toks = group.toks[:n]
    return _Group(
        toks,
        group.chunks[:n],
        False,
        0,
        0,
        False,
        group.structured,
        False,
        toks[0].start,
        group.line_start,
        stacked=True,
    )


def _place_orphans(schema: Schema, table: str, hits: list[_RowHit], orphans: list[tuple[int, _Group]]) -> list[_RowHit]:
    """Give value lines that lost their label to the unlabelled rows between two labelled rows, in row
    order, where the counts match exactly and every such line carries a full row of numbers."""
    spec = schema.tables[table]
    order = {row.id: i for i, row in enumerate(spec.rows) if row.id not in schema.variants}
    n = len(spec.columns)
    assigned = {h.row for h in hits}
    # An unsure hit's numbers may be another row's line, so it neither anchors a gap nor lets one be
    # filled: its own line may be among the orphans, and the counts would match by accident.
    anchors = sorted((h.groups[0].start, order[h.row]) for h in hits if h.row in order and not h.unsure)
    unsure = [order[h.row] for h in hits if h.unsure and h.row in order]
    if not anchors or not orphans:
        return []
    by_gap: dict[int, list[_Group]] = {}
    for pos, g in orphans:
        if g.run_mode or g.count != n:
            continue
        gap = bisect.bisect_right([a for a, _ in anchors], pos)
        by_gap.setdefault(gap, []).append(g)
    placed: list[_RowHit] = []
    rows_in_order = [row.id for row in spec.rows if row.id in order]
    for gap, groups in by_gap.items():
        lo = anchors[gap - 1][1] if gap > 0 else -1
        hi = anchors[gap][1] if gap < len(anchors) else len(rows_in_order)
        if lo >= hi or any(lo < u < hi for u in unsure):
            continue
        missing = [r for r in rows_in_order[lo + 1 : hi] if r not in assigned]
        if len(missing) != len(groups):
            continue
        for row, g in zip(missing, groups, strict=True):
            placed.append(_RowHit(row, g.start, [g], "label detached from its numbers; placed by row order"))
    return placed
