"""The matching view: folded text without pinyin, page footers and hard wraps, mapped back to the original.

Offsets found in the view go back to the original text through `View.orig`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from gkreport.passages.cues import load_cues
from gkreport.passages.markers import CN

_LIST_START = (
    rf"(?:[（(]\s*[{CN}\d]|[{CN}]{{1,3}}(?:是|\s*[、.．])|\d{{1,2}}\s*[、.．]|第[{CN}]"
    r"|首先|其次|一方面|另一方面|#)"
)
# Removed from the matching view (offsets are mapped back): pinyin that spam mirrors inject after
# characters ("鎮(zhèn)"), page footers ("- 6 -", "— 7 —"), and the line breaks of hard-wrapped PDF
# text, which cut phrases and even markers ("一\n是") in two. A break counts as a wrap when its line is
# long and does not end a sentence, and the next line does not start an item.
_FOOTER = r"[ \t]*[-—–]{1,2}[ \t]*\d{1,3}[ \t]*[-—–]{1,2}[ \t]*\n"
# The lookahead in front lists the characters a dropped span can start with, so other positions are
# passed over without trying the 16-character lookbehind.
_VIEW_DROP_RE = re.compile(
    r"(?=[( \t\n\-—–])(?:"
    r"\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,8}\)"
    rf"|(?<=\n){_FOOTER}"
    rf"|(?<=[^\n]{{15}}[^\n。！？!?：:；;）)”\"」』])[ \t]*\n(?:{_FOOTER})?\s*(?!{_LIST_START}))"
)
# Trimmed off the edges of units and passages: white space and separators left by a cut.
EDGE_STRIP = " \t\n\r:：、，,；;.．"


@dataclass(slots=True)
class View:
    """Folded text for matching plus the map back to offsets in the original text."""

    text: str
    cut_at: list[int]  # view offsets where removed spans were
    removed: list[int]  # cumulative number of removed characters at each cut

    @classmethod
    def of(cls, original: str) -> View:
        cues = load_cues()
        folded = original.translate(cues.folds) if cues.foldable.search(original) else original
        cut_at: list[int] = []
        removed: list[int] = []
        parts: list[str] = []
        last = total = 0
        for m in _VIEW_DROP_RE.finditer(folded):
            parts.append(folded[last : m.start()])
            cut_at.append(m.start() - total)
            total += m.end() - m.start()
            removed.append(total)
            last = m.end()
        if not cut_at:
            return cls(folded, [], [])
        parts.append(folded[last:])
        return cls("".join(parts), cut_at, removed)

    def orig(self, i: int, end: bool = False) -> int:
        """Offset in the original text; an end offset stops before text removed right at it."""
        k = (bisect.bisect_left if end else bisect.bisect_right)(self.cut_at, i)
        return i + self.removed[k - 1] if k else i


Span = tuple[int, int]


def strip_span(v: str, a: int, b: int, chars: str = EDGE_STRIP + "。") -> Span:
    seg = v[a:b]
    left = len(seg) - len(seg.lstrip(chars))
    return a + left, a + len(seg.rstrip(chars))
