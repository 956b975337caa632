"""Splitting sections 五 and 六 into passages, each with a role.

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

Where things are: `passage` (the `Passage` record, roles, `text_sha1`), `split` (`split_text`,
`split_passages`), `section5` and `section6` (one section each), `units` (cutting a body into units:
paragraph ends, sentences, continuations, lead-ins, fixes, clauses), `pairing` (lists and problem/fix
pairs), `markers` (the enumeration grammar), `cues` (data/roles.json and the role tests), `view` (the
folded matching text and its offsets).
"""

from __future__ import annotations

from gkreport.passages.cues import roles_version
from gkreport.passages.markers import CN as _CN  # noqa: F401  (old private names, still imported by tests)
from gkreport.passages.markers import cn_number as _cn_number  # noqa: F401
from gkreport.passages.passage import ROLES, SPLITTER_VERSION, Passage, Role, text_sha1
from gkreport.passages.split import split_passages, split_text
from gkreport.passages.units import MIN_CHARS

__all__ = [
    "MIN_CHARS",
    "ROLES",
    "SPLITTER_VERSION",
    "Passage",
    "Role",
    "roles_version",
    "split_passages",
    "split_text",
    "text_sha1",
]
