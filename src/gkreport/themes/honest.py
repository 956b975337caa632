"""An honest score for the theme models: groups that keep shared text on one side, each text counted once.

Reports reuse text: a 县 and the 实验区 print the same paragraph, a body copies last year's report. Grouping
the CV by report alone then tests a passage whose copy sits in training. Here:

- `text_key` normalises a passage (full-width folding, no white space or punctuation); passages with the
  same key are one text.
- `merge_groups` joins (union-find) every two report groups that share a text, or a near copy: character
  5-gram Jaccard ≥ `NEAR_COPY_JACCARD`.
- `dedupe` keeps one copy per text. Copies whose labels differ are listed (`LabelConflict`) and merged: a
  theme is kept when at least half of the copies have it, the role is the most frequent one.

`honest_data` does all three. The CV itself and the learning curve are in `themes.comparison`.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from gkreport.annotations import LabelledPassage
from gkreport.normalise import normalise_text
from gkreport.themes import THEME_IDS

SHINGLE = 5  # characters per n-gram in the near-copy test
NEAR_COPY_JACCARD = 0.8


def text_key(text: str) -> str:
    """The text as compared for identity: normalised, without white space, punctuation or symbols."""
    return "".join(ch for ch in normalise_text(text) if not ch.isspace() and unicodedata.category(ch)[0] not in "PSZC")


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """Character n-grams of the compared text; a text shorter than `size` is its own single shingle."""
    key = text_key(text)
    if len(key) <= size:
        return {key} if key else set()
    return {key[i : i + size] for i in range(len(key) - size + 1)}


def near_copy_pairs(texts: Sequence[str], threshold: float = NEAR_COPY_JACCARD) -> list[tuple[int, int]]:
    """Index pairs (i < j) of texts whose 5-gram Jaccard is at least `threshold` (identical keys included).

    One sparse product gives every pair's shared shingles, so this stays fast for thousands of passages.
    """
    from scipy.sparse import csr_matrix

    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, text in enumerate(texts):
        for gram in shingles(text):
            rows.append(i)
            cols.append(vocabulary.setdefault(gram, len(vocabulary)))
    if not cols:
        return []
    matrix = csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(texts), len(vocabulary)))
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    shared = (matrix @ matrix.T).tocoo()
    upper = shared.row < shared.col
    first, second, both = shared.row[upper], shared.col[upper], shared.data[upper]
    jaccard = both / (sizes[first] + sizes[second] - both)
    keep = jaccard >= threshold
    return sorted(zip(first[keep].tolist(), second[keep].tolist(), strict=True))


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:  # path compression
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the smaller name is the root: stable group ids


def merge_groups(data: Sequence[LabelledPassage], threshold: float = NEAR_COPY_JACCARD) -> list[LabelledPassage]:
    """The passages with `group` replaced by the merged group: reports sharing a text or a near copy."""
    forest = _UnionFind()
    for item in data:
        forest.find(item.group)
    for i, j in near_copy_pairs([d.text for d in data], threshold):
        forest.union(data[i].group, data[j].group)
    return [replace(d, group=forest.find(d.group)) for d in data]


@dataclass(frozen=True, slots=True)
class LabelConflict:
    """Copies of one text labelled differently, and the label the score uses."""

    copies: tuple[tuple[str, str, str, tuple[str, ...]], ...]  # (doc, passage, role, themes) per copy
    merged_role: str
    merged_themes: tuple[str, ...]

    def describe(self) -> str:
        votes = "; ".join(f"{doc}#{pid} {role} {list(themes)}" for doc, pid, role, themes in self.copies)
        return f"{votes} -> {self.merged_role} {list(self.merged_themes)}"


def dedupe(data: Sequence[LabelledPassage]) -> tuple[list[LabelledPassage], list[LabelConflict]]:
    """One passage per distinct text (`text_key`): the first real copy (else the first) with the merged label.

    A theme is kept when at least half of the copies have it; the role is the most frequent (first on a
    tie). Copies should be in one group already (`merge_groups`), so which copy is kept does not matter
    to the CV.
    """
    copies: dict[str, list[LabelledPassage]] = {}
    for item in data:
        copies.setdefault(text_key(item.text), []).append(item)
    kept: list[LabelledPassage] = []
    conflicts: list[LabelConflict] = []
    for same in copies.values():
        first = next((c for c in same if c.is_real), same[0])  # a real copy stays testable
        if all(c.themes == first.themes and c.role == first.role for c in same):
            kept.append(first)
            continue
        votes = Counter(t for c in same for t in c.themes)
        themes = tuple(t for t in THEME_IDS if 2 * votes[t] >= len(same))
        role = Counter(c.role for c in same).most_common(1)[0][0]
        kept.append(replace(first, themes=themes, role=role))
        conflicts.append(LabelConflict(tuple((c.doc, c.passage, c.role, c.themes) for c in same), role, themes))
    return kept, conflicts


@dataclass(frozen=True, slots=True)
class HonestData:
    """Labelled passages ready for the honest CV."""

    passages: list[LabelledPassage]  # one per distinct text, groups merged
    conflicts: list[LabelConflict]
    n_labelled: int  # before dedupe
    n_report_groups: int  # report groups of the real passages before merging
    n_merged_groups: int  # after merging

    def summary(self) -> dict[str, Any]:
        real = [d for d in self.passages if d.is_real]
        return {
            "n_labelled": self.n_labelled,
            "n_distinct_texts": len(self.passages),
            "n_distinct_real_texts": len(real),
            "n_report_groups": self.n_report_groups,
            "n_merged_groups": self.n_merged_groups,
            "n_label_conflicts": len(self.conflicts),
            "near_copy_jaccard": NEAR_COPY_JACCARD,
            "shingle": SHINGLE,
        }


def honest_data(data: Sequence[LabelledPassage]) -> HonestData:
    """Merge groups over shared text, then keep each text once (see the module doc)."""
    merged = merge_groups(data)
    kept, conflicts = dedupe(merged)
    real_before = {d.group for d in data if d.is_real}
    real_after = {d.group for d in kept if d.is_real}
    return HonestData(kept, conflicts, len(data), len(real_before), len(real_after))
