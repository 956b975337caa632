"""Top-level parts of a report found by their structure: an ordinal, then a heading.

A part starts with an ordinal (一、 二. 第三部分) at the start of a line, after a sentence end or after the
digits of a run-together table, and its heading runs to the end of the line, a sentence end, a digit or the
end of a heading word (情况, 措施, 事项 …) that no connector (及, 和 …) continues. Each part is scored
against every target (sections 1-6, an absorbed part such as 收费及减免, the appendix) by the words of the
parts table in ``data/sections.json`` and by how many character pairs it shares with the section's official
name, so a wording never seen still maps by its words. The segmenter then picks one part per section, in
text order (see `segment._best_chain`).

Here too: the appendix (an old report's statistics table or attachment list after the last section, never a
section) and the warnings of a segmented report (ordinals that skip or repeat, a heading twice, one line).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Protocol


def _sections_data() -> dict:
    return json.loads(resources.files("gkreport.data").joinpath("sections.json").read_text(encoding="utf-8"))


NUMERALS: str = _sections_data()["numerals"]  # in order of value
_VALUE = {ch: i + 1 for i, ch in enumerate(NUMERALS)}
GLUED_SCORE = 3.0
MIN_SCORE = 1.0  # a part maps to a target only when at least one of the target's words is in its heading


def ordinal_value(numeral: str) -> int | None:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20; None for anything else."""
    if len(numeral) == 1:
        return _VALUE.get(numeral)
    if len(numeral) == 2:
        if numeral[0] == "十":
            return 10 + _VALUE.get(numeral[1], 0) if numeral[1] in _VALUE else None
        if numeral[1] == "十" and numeral[0] in _VALUE:
            return _VALUE[numeral[0]] * 10
    return None


@dataclass(frozen=True, slots=True)
class Target:
    """One row of the parts table: where a part with these words goes."""

    target: str  # "1".."6", or "appendix"
    words: dict[str, float]
    own_heading: bool  # False: the part stays inside the section before it (收费及减免 in section 3)
    name_pairs: frozenset[str]


@dataclass(frozen=True, slots=True)
class _PartsConfig:
    targets: tuple[Target, ...]
    not_heading: re.Pattern[str]
    ordinal: re.Pattern[str]
    numbered_part: re.Pattern[str]  # 第一部分
    sub_ordinal: re.Pattern[str]
    end_words: re.Pattern[str]
    connectors: str
    appendix: re.Pattern[str]  # an unnumbered statistics table or attachment list (附件1：…统计表, 附件：)
    appendix_hint: re.Pattern[str]  # a word each appendix pattern holds
    table_start: re.Pattern[str]  # the first label of an old statistics table
    bare_ordinal: dict[str, re.Pattern[str]]  # 一总体情况: each numeral with no 、 after a sentence end
    heading_ends: tuple[str, ...]


@dataclass(slots=True)
class Part:
    """A numbered top-level part: ordinal position, heading span and its scores per target."""

    start: int  # where the ordinal starts
    body: int  # where the heading ends
    ordinal: int
    heading: str
    scores: dict[str, float]

    def best(self) -> tuple[str, float] | None:
        if not self.scores:
            return None
        target = max(self.scores, key=lambda t: self.scores[t])
        return target, self.scores[target]


class ChosenHeading(Protocol):
    """What the appendix and warning rules read of a heading the segmenter chose (its `_Candidate`)."""

    section: int
    start: int
    body: int
    heading: str
    ordinal: int | None


HEAD_STRIP = "#|*> \t-"  # Markdown marks, spaces and dashes around a heading


def heading_text(raw: str) -> str:
    return " ".join(raw.strip(HEAD_STRIP).split())


def _pairs(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


@lru_cache(maxsize=1)
def parts_config() -> _PartsConfig:
    data = _sections_data()
    table = data["parts"]
    targets = tuple(
        Target(
            str(row["target"]),
            {w: float(v) for w, v in row["words"].items()},
            row.get("own_heading", True),
            _pairs(row.get("name", "")),
        )
        for row in table["targets"]
    )
    # The numeral first, so that the regex engine skips ahead to the numerals; what may come before it is
    # checked in `_context` (a look-behind tried at every position costs three times the whole scan).
    # [一-十][一-十]? rather than [一-十]{1,2}: the engine then skips ahead at memory speed (2.5x faster)
    ordinal = re.compile(rf"(?P<num>[{NUMERALS}][{NUMERALS}]?)\s*[、.．]\s*")
    numbered_part = re.compile(rf"第(?P<num>[{NUMERALS}]{{1,2}})部分[、.．:：]?\s*")
    sub_ordinal = re.compile(rf"[（(](?P<num>[{NUMERALS}]{{1,2}})[）)]\s*")
    end_words = re.compile("|".join(sorted(table["heading_ends"], key=len, reverse=True)))
    # Starts with the sentence end (a character set: the engine skips ahead); the numeral is group `num`.
    # A numeral that forms a word with the character after it (一是, 一些, 一般) is no ordinal.
    # One pattern per numeral, from the sentence end before it: the engine's scan for the sentence ends
    # runs in C, where finding each 一 and looking back in Python costs ten times more.
    bare = {
        numeral: re.compile(
            rf"[\n。；;！!？?：:][{re.escape(_MARKS)}]*(?P<num>{numeral})[ \t]*"
            rf"(?=[\u4e00-\u9fff])(?![{NUMERALS}{table['bare_ordinal_not_before']}])"
        )
        for numeral in NUMERALS
    }
    return _PartsConfig(
        targets,
        re.compile("|".join(table["not_heading"])),
        ordinal,
        numbered_part,
        sub_ordinal,
        end_words,
        table["connectors"],
        re.compile("|".join(data["appendix"])),
        re.compile(data["appendix_hint"]),
        re.compile(data["table_start"]),
        bare,
        tuple(table["heading_ends"]),
    )


_STOP = re.compile(r"[\n。；;！!？?：:（(\d\t]|\s{2,}|\s(?=\S)")
_MAX_HEADING = 40


def _heading_end(text: str, at: int, cfg: _PartsConfig) -> int:
    """Where the heading that starts at `at` ends: a line end, a sentence end, an opening bracket, a digit
    or a space, else after the first heading word that no connector continues."""
    return at + _heading_length(text[at : at + _MAX_HEADING])


@lru_cache(maxsize=16384)
def _heading_length(window: str) -> int:
    """`_heading_end` on the text that follows an ordinal (the same from one report to the next for the
    official headings and table rows, hence the cache)."""
    cfg = parts_config()
    stop = _STOP.search(window)
    limit = stop.start() if stop else len(window)
    for m in cfg.end_words.finditer(window, 0, limit):
        if m.end() >= limit:
            return m.end()
        if window[m.end()] not in cfg.connectors and not cfg.end_words.match(window, m.end()):
            return m.end()
    return limit


def score_heading(heading: str) -> dict[str, float]:
    """Score of `heading` against every target with at least one of its words (others are left out).
    Cached (the official wordings come again in every report): the caller must not change the dict."""
    return _part_scores(heading) or {}


@lru_cache(maxsize=8192)
def _part_scores(heading: str) -> dict[str, float] | None:
    """`score_heading`, or None when the heading is an official table row's label (not a part at all)."""
    cfg = parts_config()
    if cfg.not_heading.search(heading):
        return None
    pairs = _pairs(heading)
    scores: dict[str, float] = {}
    for target in cfg.targets:
        hit = sum(weight for word, weight in target.words.items() if word in heading)
        if hit < MIN_SCORE:
            continue
        share = len(pairs & target.name_pairs) / len(target.name_pairs) if target.name_pairs else 0.0
        scores[target.target] = scores.get(target.target, 0.0) + min(hit, 3.0) + share
    return scores


MIN_SHARE = 0.5  # a heading with none of a section's words maps by the name's pairs only from this share


@lru_cache(maxsize=4096)
def score_by_name(heading: str) -> dict[str, float]:
    """For a part heading with none of any target's words (二、政府信息公开情况): the share of each section's
    official name's character pairs it holds, for the sections where that share is at least `MIN_SHARE`.
    The ordinal is left out. Cached: the caller must not change the dict."""
    cfg = parts_config()
    pairs = _pairs(_without_ordinal(heading))
    if cfg.not_heading.search(heading) or len(pairs) < 2:
        return {}
    shares = {
        t.target: len(pairs & t.name_pairs) / len(t.name_pairs)
        for t in cfg.targets
        if t.target.isdigit() and t.own_heading and t.name_pairs
    }
    return {target: share for target, share in shares.items() if share >= MIN_SHARE}


def scan_ordinals(text: str) -> list[re.Match[str]]:
    """Every 一、 二. 十二、 in `text`, whatever comes before it: the one scan of the text for ordinals, shared
    by `find_parts` and the segmenter's inline headings."""
    return list(parts_config().ordinal.finditer(text))


def find_parts(text: str, ordinals: list[re.Match[str]] | None = None) -> list[Part]:
    """The numbered top-level parts of `text`, in text order (official table rows such as 一、本年新收… are
    not parts). （一） counts only where no 一、 part exists. `ordinals`: `scan_ordinals(text)`, if done."""
    cfg = parts_config()
    found = _scan(text, cfg.ordinal.finditer(text) if ordinals is None else ordinals, cfg)
    if "部分" in text:
        found = sorted(found + _scan(text, cfg.numbered_part.finditer(text), cfg), key=lambda p: p.start)
    bare = _scan_bare(text, found, cfg)
    if bare:
        found = sorted(found + bare, key=lambda p: p.start)
    if not found:
        found = _scan(text, cfg.sub_ordinal.finditer(text), cfg)
    _one_sentence_parts(text, found, cfg)
    return found


def _scan_bare(text: str, parts: list[Part], cfg: _PartsConfig) -> list[Part]:
    """Ordinals written without 、 (一总体情况) where the numbering of the parts has a gap (no 一 before 二,
    no 三 between 二 and 四): the missing numeral after a sentence end or at a line start opens a part when
    its heading says clearly which section it is, as for a part glued to the text before it."""
    found: list[Part] = []
    value, end = 0, 0
    for part in parts:
        for missing in range(value + 1, min(part.ordinal, len(NUMERALS) + 1)):
            bare = _bare_part(text, NUMERALS[missing - 1], end, part.start, cfg)
            if bare is not None:
                found.append(bare)
                end = bare.body
        value, end = max(value, part.ordinal), max(end, part.body)
    while value < len(NUMERALS):  # after the last part: the next numerals, as long as each is there
        bare = _bare_part(text, NUMERALS[value], end, len(text), cfg)
        if bare is None:
            break
        found.append(bare)
        value, end = bare.ordinal, bare.body
    return found


def _bare_scan_start(text: str, numeral: str, lo: int, hi: int) -> int | None:
    """Where a scan of text[lo:hi] for `numeral` as a bare ordinal may start: no match starts before the
    sentence end in front of the numeral's first occurrence (and the marks between them); None when the
    numeral is not there at all (a cheap `find` instead of trying the pattern at every sentence end)."""
    first = text.find(numeral, lo, hi)
    if first < 0:
        return None
    start = first - 1
    while start > lo and text[start] in _MARKS:
        start -= 1
    return max(lo, start)


def _bare_part(text: str, numeral: str, lo: int, hi: int, cfg: _PartsConfig) -> Part | None:
    """The first part opened by `numeral` without 、 in text[lo:hi], if any."""
    start = _bare_scan_start(text, numeral, lo, hi)
    if start is None:
        return None
    for m in cfg.bare_ordinal[numeral].finditer(text, start, hi):
        end = _heading_end(text, m.end(), cfg)
        heading = "".join(text[m.end() : end].split())
        scores = score_heading(heading) if len(heading) >= 2 else {}
        if max(scores.values(), default=0.0) >= GLUED_SCORE:
            at = m.start("num")
            return Part(at, end, _VALUE[numeral], " ".join(text[at:end].split()), scores)
    return None


_SENTENCE_END = "。！!"


def _one_sentence_parts(text: str, parts: list[Part], cfg: _PartsConfig) -> None:
    """A part that is one sentence and nothing else (三、全年未收到…行政诉讼事件。四、…): its heading is the
    bare ordinal and its body the sentence. A heading that ends with a heading word (五、其他需要报告的
    事项。) stays a heading with an empty body. The sentence still gives the part its scores."""
    for i, part in enumerate(parts):
        if part.body >= len(text) or text[part.body] not in _SENTENCE_END:
            continue
        after = parts[i + 1].start if i + 1 < len(parts) else len(text)
        if text[part.body + 1 : after].strip(" \t\n" + _SENTENCE_END):
            continue  # text follows the sentence: a run-in heading (一、概述。…)
        ordinal = cfg.ordinal.match(text, part.start) or cfg.numbered_part.match(text, part.start)
        if ordinal is None or any(part.heading.endswith(word) for word in cfg.heading_ends):
            continue
        part.heading = " ".join(text[part.start : ordinal.end()].split())
        part.body = ordinal.end()


_AFTER = frozenset("\n。；;！!？?：:，,）)")  # an ordinal may follow these (and digits, spaces, the start)
_MARKS = " \t#*|>"  # Markdown marks and spaces before a heading


def _context(text: str, at: int) -> str | None:
    """'free' when the ordinal at `at` starts a part, 'glued' when it follows a Chinese character, None when
    it is part of a longer numeral or of anything else."""
    j = at - 1
    while j >= 0 and text[j] in _MARKS:
        j -= 1
    if j < 0 or j < at - 1 or text[j] in _AFTER or text[j].isdigit():
        return "free"
    if text[j] in NUMERALS:
        return None
    return "glued" if "\u4e00" <= text[j] <= "\u9fff" else None


def _scan(text: str, matches: Iterable[re.Match[str]], cfg: _PartsConfig) -> list[Part]:
    parts = []
    for m in matches:
        where = _context(text, m.start())
        if where is None:
            continue
        numeral = m.group("num")
        value = ordinal_value(numeral)
        if value is None:
            continue
        end = _heading_end(text, m.end(), cfg)
        heading = text[m.end() : end]
        if " " in heading or "\t" in heading:
            heading = "".join(heading.split())
        scores = _part_scores(heading) if len(heading) >= 2 else None
        if scores is None or _wrapped_row_label(text, heading, end, cfg):
            continue  # a table row (一、本年新收…, also wrapped over two lines in a PDF cell), not a part
        # Glued to the text before it (…年度报告一、概述), a part needs a heading that says clearly which
        # section it is.
        if where == "glued" and (len(numeral) > 1 or max(scores.values(), default=0.0) < GLUED_SCORE):
            continue
        parts.append(Part(m.start(), end, value, " ".join(text[m.start() : end].split()), scores))
    return parts


_WRAP_REACH = 12  # characters of the next line that may finish a row label cut at the line's end


def _wrapped_row_label(text: str, heading: str, end: int, cfg: _PartsConfig) -> bool:
    """Whether a heading that ends at a line break is the first line of an official table row's label that
    the next line finishes (a tall PDF cell: 三、本年度办理结 / 果 …): the label then straddles the break."""
    if not text.startswith("\n", end) or not heading:
        return False
    joined = heading + "".join(text[end : end + _WRAP_REACH + 4].split())[:_WRAP_REACH]
    return any(m.start() < len(heading) < m.end() for m in cfg.not_heading.finditer(joined))


def target_words(target: str) -> dict[str, float]:
    """The words of one target (for tests and for the property generators)."""
    return next(t.words for t in parts_config().targets if t.target == target)


def absorbed_targets() -> frozenset[str]:
    return frozenset(t.target for t in parts_config().targets if not t.own_heading)


# ---------------------------------------------------------------- appendix and warnings


def appendix_start(text: str, parts: list[Part], after: int) -> tuple[int, str] | None:
    """(start, heading) of the appendix: the first part after `after` whose heading is a statistics table,
    else an unnumbered one (附件1：…统计表) that does not sit inside a sentence."""
    cfg = parts_config()
    for part in parts:
        if part.start < after or "appendix" not in part.scores:
            continue
        best = part.best()
        if best and best[0] == "appendix":
            return part.start, _appendix_heading(text, part.start, part.body, cfg)
    for hint in cfg.appendix_hint.finditer(text, after):
        # the patterns reach at most 40 characters before their key word (附件1：<name>…统计表)
        for m in cfg.appendix.finditer(text, max(after, hint.start() - _APPENDIX_REACH), hint.end() + 8):
            if m.end() < hint.end() or m.start() > hint.start():
                continue  # a match of another key word in the window
            follows = text[m.end() : m.end() + 1]
            if follows and follows in "。，,；;）)、的（(":
                break  # 详见附件政府信息公开情况统计表。, （二）附表（详见附件）: a mention, not the table
            if _ATTACHMENT_LIST.fullmatch(m.group()):
                return m.start(), heading_text(m.group())  # 附件： opens a list of attachments
            return m.start(), _appendix_heading(text, m.start(), m.end(), cfg)
    return None


_ATTACHMENT_LIST = re.compile(r"附\s*件\s*[:：]")
_TABLE_TITLE_REACH = 60  # how far a table's title may run before its first label


def _appendix_heading(text: str, start: int, end: int, cfg: _PartsConfig) -> str:
    """The appendix heading from `start`: to `end`, or on through the table's title (附表： <agency>…统计表)
    when the table's first label comes within a short line's reach (on this line or at the start of the
    next) and no sentence ends before it."""
    label = cfg.table_start.search(text, end, end + _TABLE_TITLE_REACH)
    if label is not None and not any(ch in "。；" for ch in text[end : label.start()]):
        end = label.start()
    return heading_text(text[start:end])


_APPENDIX_REACH = 48


def is_table_part(text: str, last: ChosenHeading) -> bool:
    """Whether the last part chosen is headed as the statistics table too and holds nothing else."""
    return (
        "appendix" in score_heading(last.heading)
        and parts_config().table_start.match("".join(text[last.body : last.body + 40].split())) is not None
    )


def warnings_of(
    text: str, parts: list[Part], chosen: Sequence[ChosenHeading], candidates: Sequence[ChosenHeading]
) -> list[str]:
    """What the reader of the record should know: ordinals that skip or repeat, a section heading that
    comes again later, a text without line breaks."""
    warnings = []
    if len(text) > 200 and text.count("\n") < 50 and len(max(text.split("\n"), key=len)) >= 0.6 * len(text):
        # the body on one line (an archive page with a few header lines above it at most)
        warnings.append("the text has no line breaks: headings were looked for inside the running text")
    # the numbered parts: the chosen headings, and the other parts that are not table rows
    starts = [c.start for c in chosen]  # chosen in text order, their spans do not overlap

    def covered(at: int) -> bool:
        i = bisect_right(starts, at) - 1
        return i >= 0 and at < chosen[i].body

    numbered = sorted(
        [(c.start, c.ordinal, c.heading) for c in chosen if c.ordinal is not None]
        + [(p.start, p.ordinal, p.heading) for p in parts if not covered(p.start)]
    )
    for before, after in zip(numbered, numbered[1:], strict=False):
        (_, number, heading), (at, next_number, next_heading) = before, after
        if next_number == number:
            warnings.append(f"ordinal repeats: {next_heading} at offset {at} after {heading}")
        elif next_number != number + 1:
            warnings.append(f"ordinals skip: {next_heading} at offset {at} after {heading}")
    by_section: dict[int, list[ChosenHeading]] = {}
    for other in candidates:
        by_section.setdefault(other.section, []).append(other)
    for picked in chosen:
        later = [o for o in by_section[picked.section] if o.start > picked.body]
        if not later:
            continue
        same = _without_ordinal(picked.heading)
        again = next((o for o in later if _without_ordinal(o.heading) == same), None)
        if again is not None:
            warnings.append(f"section {picked.section} appears twice: {again.heading} again at offset {again.start}")
    return warnings


_ORDINAL_HEAD = re.compile(rf"^(?:[{NUMERALS}]{{1,2}}\s*[、.．]|第[{NUMERALS}]{{1,2}}部分)\s*|\s+")


@lru_cache(maxsize=4096)
def _without_ordinal(heading: str) -> str:
    """A heading without its ordinal and spaces (the same heading again under another number)."""
    return _ORDINAL_HEAD.sub("", heading)
