"""The schema of the pre-2019 statistics table (`data/old_table.json`) and how a printed label is
matched to one of its rows: by normalised similarity, with the 其中 structure deciding between rows
that have the same words."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from importlib import resources

from gkreport.tables import Number

TABLE = "old"
MAX_SPLITS = 200  # splits of one row before it is called ambiguous
MAX_DIGITS = 12  # the longest number a cell is read as (a longer run gives no reading)
MAX_JOINT = 20000  # combinations of row readings tried per identity
MIN_SIMILARITY = 0.6  # below this a label is not a row of the table (the table has ended)
PARENT_PENALTY = 0.2  # a 其中 item whose parent row was not printed before it


@dataclass(frozen=True, slots=True)
class OldColumn:
    id: str
    label: str
    short: str
    headers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OldRow:
    id: str
    label: str
    short: str
    names: tuple[str, ...]  # normalised
    parent: str | None
    kind: str  # count | amount
    stated: str = ""  # words before the figure where the prose states this row's 本年度 value (主动公开…N条)


@dataclass(frozen=True, slots=True)
class SumIdentity:
    """A total and the 其中 items printed under it: total = Σ items (relation "=") or ≥ (the list of
    channels under 主动公开 may leave some out)."""

    id: str
    total: str
    relation: str  # "=" | ">="
    title: str


@dataclass(frozen=True, slots=True)
class OldSchema:
    title: str
    columns: tuple[OldColumn, ...]
    rows: tuple[OldRow, ...]
    units: tuple[str, ...]
    sums: tuple[SumIdentity, ...]

    def row(self, row_id: str) -> OldRow:
        return ROWS[row_id]

    def column(self, col_id: str) -> OldColumn:
        return next(c for c in self.columns if c.id == col_id)


_PUNCT = re.compile(r"[\s|、，,：:;；.。()（）“”\"'《》<>\[\]【】·]+")
_LEAD = re.compile(r"^(?:其中|\d{1,2}(?=\D))+")
_SAME = str.maketrans({"它": "他", "書": "书"})


def normalise_label(text: str) -> str:
    """A printed label reduced to its words: no spaces, punctuation, 其中 or leading ordinal."""
    squeezed = _PUNCT.sub("", text).translate(_SAME)
    return _LEAD.sub("", squeezed)


def label_similarity(printed: str, name: str) -> float:
    """How alike two normalised labels are: the ratio of characters in common subsequences (0..1)."""
    if not printed or not name:
        return 0.0
    return SequenceMatcher(None, printed, name, autojunk=False).ratio()


def _load() -> OldSchema:
    raw = json.loads(resources.files("gkreport").joinpath("data/old_table.json").read_text(encoding="utf-8"))
    columns = tuple(OldColumn(c["id"], c["label"], c["short"], tuple(c["headers"])) for c in raw["columns"])
    rows = tuple(
        OldRow(
            r["id"],
            r["label"],
            r["short"],
            tuple(normalise_label(n) for n in r["names"]),
            r.get("parent"),
            r.get("kind", "count"),
            r.get("stated", ""),
        )
        for r in raw["rows"]
    )
    sums = tuple(SumIdentity(s["id"], s["total"], s["relation"], s["title"]) for s in raw["sums"])
    return OldSchema(raw["title"], columns, rows, tuple(raw["units"]), sums)


OLD_SCHEMA = _load()
ROWS = {row.id: row for row in OLD_SCHEMA.rows}
CHILDREN: dict[str, list[str]] = {}
for _row in OLD_SCHEMA.rows:
    if _row.parent is not None:
        CHILDREN.setdefault(_row.parent, []).append(_row.id)


@lru_cache(maxsize=8192)
def _similarities(printed: str) -> tuple[float, ...]:
    """The similarity of a normalised label to each row (its most alike name), in schema order. Labels
    recur in every report of a body, hence the cache; a name that shares too few characters to reach
    MIN_SIMILARITY gets that upper bound instead of the exact ratio (it cannot match either way)."""
    counts = Counter(printed)
    out = []
    for row in OLD_SCHEMA.rows:
        best = 0.0
        for name in row.names:
            common = sum((counts & Counter(name)).values())
            bound = 2 * common / (len(printed) + len(name)) if printed and name else 0.0
            best = max(best, label_similarity(printed, name) if bound >= MIN_SIMILARITY else bound)
        out.append(best)
    return tuple(out)


def match_row(label: str, chain: Sequence[str], sub: bool | None = None) -> tuple[str | None, float]:
    """The schema row a printed label stands for, and its score; None when no row is alike enough.

    `chain` holds the row last matched and its ancestors: a 其中 item whose parent is not among them
    loses PARENT_PENALTY, so the same words (其他) go to the row of the group they are printed in.
    `sub` says whether the label was printed as a 其中 item (ordinal); a row of the other kind loses a
    little, which settles a label equally like a total and an item.
    """
    return _match(normalise_label(label), tuple(chain), sub)


@lru_cache(maxsize=8192)
def _match(printed: str, chain: tuple[str, ...], sub: bool | None) -> tuple[str | None, float]:
    scored: list[tuple[float, str]] = []
    for row, score in zip(OLD_SCHEMA.rows, _similarities(printed), strict=True):
        if row.parent is not None and row.parent not in chain:
            score -= PARENT_PENALTY
        if sub is not None and sub != (row.parent is not None):
            score -= 0.05
        scored.append((score, row.id))
    scored.sort(reverse=True)
    best, row_id = scored[0]
    if best < MIN_SIMILARITY or (len(scored) > 1 and scored[1][0] >= best - 1e-9):
        return None, best
    return row_id, best


def chain_of(row_id: str) -> list[str]:
    chain = [row_id]
    while (parent := ROWS[chain[-1]].parent) is not None:
        chain.append(parent)
    return chain


def holds(total: Number, items: Sequence[Number], relation: str) -> bool:
    """Whether total = Σ items (or ≥, by `relation`)."""
    gap = total - sum(items)
    return gap > -1e-6 if relation == ">=" else abs(gap) < 1e-6
