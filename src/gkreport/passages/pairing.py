"""Lists and pairs in section 五: which items form a list and its role, and which problem a fix answers."""

from __future__ import annotations

import re

from gkreport.passages.cues import cue_role
from gkreport.passages.units import Block, Unit
from gkreport.passages.view import strip_span


def assign_lists(v: str, units: list[Unit], block: Block, next_group: list[int]) -> None:
    """Group items into lists, find nested lists under title-only items and give each list a role."""
    stack: list[tuple[str, int]] = []  # (family, index of the list's parent title or -1)
    list_of: dict[int, int] = {}
    list_role: dict[int, str | None] = {}
    list_items: dict[int, list[int]] = {}
    current: dict[str, int] = {}
    pending_leadin: Unit | None = None
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
            del stack[fams.index(family) + 1 :]
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
            u.heading = strip_span(v, units[parent].start, units[parent].end)
    # Lists whose role nothing above decided take the majority of their items' cues.
    for gid, idx in list_items.items():
        role = list_role.get(gid)
        if role is None:
            votes = [cue_role(v[units[i].start : units[i].end]) for i in idx]
            best = max(("problem", "improvement"), key=votes.count)
            role = best if votes.count(best) else None
        for i in idx:
            units[i].role = role


def _block_list_role(role: str | None) -> str | None:
    return role if role in ("problem", "improvement", "rectification", "innovation", "workplan") else None


def _is_title(v: str, u: Unit) -> bool:
    text = v[u.start : u.end].strip()
    return 0 < len(text) <= 30 and not re.search(r"[。；;，,！？]", text.rstrip("。.：:"))


def pair_within(v: str, units: list[Unit]) -> list[Unit]:
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


def pair_lists(units: list[Unit]) -> None:
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
