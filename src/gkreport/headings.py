"""Headings of a known wording (``headings`` in ``data/sections.json``): short lines that are one by
themselves (optionally numbered, with Markdown marks and letter spacing) and numbered ones inside long lines
(archived pages that hold a whole report on one line). The segmenter chains them with the parts found by
structure (`gkreport.parts`) and picks the best chain (`gkreport.segment`).

Only the lines that can hold such a heading are looked at: a line whose first character after spaces and
marks can start a heading (read off the heading patterns' parse tree, `first_chars`), found by one search
over the text, and a line with an ordinal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Protocol

try:  # the regex parser, for the characters a heading can start with
    from re import _constants as _sre  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_constants as _sre
    import sre_parse as _parser

from gkreport.parts import HEAD_STRIP as _HEAD_STRIP
from gkreport.parts import NUMERALS, ordinal_value
from gkreport.parts import heading_text as _heading_text

LONG_LINE = 80  # longer lines are prose: only numbered headings inside them count
_CN_VALUE = {ch: i + 1 for i, ch in enumerate(NUMERALS)}
_NUMERALS = NUMERALS


class HeadingPatterns(Protocol):
    """The heading patterns of the segmenter's configuration (`segment._config`)."""

    @property
    def line(self) -> re.Pattern[str]: ...  # a heading that is a whole short line (matched on compact text)

    @property
    def line_start(self) -> re.Pattern[str]: ...  # a line break before a line `line` may match

    @property
    def inline(self) -> re.Pattern[str]: ...  # a numbered heading inside a long line

    @property
    def inline_official(self) -> re.Pattern[str]: ...  # the official wording, even glued to the text

    @property
    def group_section(self) -> dict[str, tuple[int, int]]: ...  # regex group -> (section, weight)


def line_start_pattern(line: str) -> re.Pattern[str]:
    """A line break followed by what a line must begin with for the `line` pattern to match its compact
    form (white space removed, then Markdown marks): spaces and marks, then a character that can start a
    match of `line`. Only such lines are compacted and matched (most lines of a report are not)."""
    first = first_chars(line)
    start = "[" + "".join(re.escape(ch) for ch in sorted(first)) + "]" if first else r"\S"
    return re.compile(rf"\n(?:[^\S\n]|[{re.escape(_HEAD_STRIP)}])*+{start}")


def first_chars(pattern: str) -> frozenset[str] | None:
    """The characters a match of `pattern` can start with, from its parse tree; None when that is not
    known (a construct other than literals, sets of literals, groups, branches and repeats, a pattern
    that ignores case, or one that can match the empty string): then any character may."""
    try:
        parsed = _parser.parse(pattern)
        if parsed.state.flags & re.IGNORECASE:
            return None
        first, nullable = _first_of(parsed)
    except (re.error, _Unknown):
        return None
    return None if nullable else frozenset(first)


class _Unknown(Exception):
    """A construct of the parse tree that `_first_of` does not read."""


def _first_of(items: Any) -> tuple[set[str], bool]:
    """(first characters, can be empty) of a sequence of parsed items."""
    first: set[str] = set()
    for op, arg in items:
        if op is _sre.LITERAL:
            chars, empty = {chr(arg)}, False
        elif op is _sre.IN:
            if any(kind is not _sre.LITERAL for kind, _ in arg):
                raise _Unknown(op)
            chars, empty = {chr(code) for _, code in arg}, False
        elif op is _sre.SUBPATTERN:
            if arg[1] & re.IGNORECASE:  # (?i:…)
                raise _Unknown(op)
            chars, empty = _first_of(arg[-1])
        elif op is _sre.BRANCH:
            chars, empty = set(), False
            for branch in arg[1]:
                branch_chars, branch_empty = _first_of(branch)
                chars |= branch_chars
                empty = empty or branch_empty
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            chars, empty = _first_of(arg[2])
            empty = empty or arg[0] == 0
        else:
            raise _Unknown(op)
        first |= chars
        if not empty:
            return first, False
    return first, True


@dataclass(slots=True)
class Candidate:
    section: int
    score: float
    start: int  # where the heading starts
    body: int  # where the section body starts
    heading: str
    ordinal: int | None = None  # the part's number, for candidates found by structure


def _section_of(match: re.Match[str], cfg: HeadingPatterns) -> tuple[int, int]:
    # Each heading pattern ends with its empty marker group (`_marked`), which closes last: the match's
    # last group names the heading.
    found = cfg.group_section.get(match.lastgroup or "")
    if found is None:
        raise AssertionError("heading pattern matched no alias group")
    return found


def _score(section: int, weight: int, numeral: str | None) -> float:
    if numeral is None:
        return weight - 1.0
    # A number that agrees with the section is a small bonus: numbering is often shifted by one.
    return weight + (0.5 if _CN_VALUE.get(numeral[-1]) == section and len(numeral) == 1 else 0.0)


def heading_candidates(text: str, cfg: HeadingPatterns, ordinals: list[re.Match[str]]) -> list[Candidate]:
    """Headings of a known wording: short lines that are one, and numbered ones inside long lines, tried
    at the `ordinals` of the text (`parts.scan_ordinals`) instead of scanning each long line again.

    Only two kinds of line can hold one: a line whose first character after spaces and Markdown marks can
    start a heading (`HeadingPatterns.line_start`, one search over the text), and a line with an ordinal. The
    others are never looked at."""
    found: list[Candidate] = []
    headed: set[int] = set()  # the starts of the lines that are a short heading: no inline heading there
    # a match at p in "\n" + text is the line break before the line that starts at p
    for m in cfg.line_start.finditer("\n" + text):
        line_start = m.start()
        line_end = text.find("\n", line_start)
        if line_end < 0:
            line_end = len(text)
        line = _one_cell(text[line_start:line_end])
        # a line that starts with a digit is a table cell or a numbered item: every heading wording and
        # every written numeral starts with a Chinese character (tested), so no short-line heading
        if line is None or len(line) > LONG_LINE or line[0].isdigit():
            continue
        compact = "".join(line.split()).lstrip(_HEAD_STRIP)
        hit = cfg.line.match(compact)
        if hit is None:
            continue
        headed.add(line_start)
        tail = len(compact) - hit.end()
        if tail <= 20 or compact[hit.end()] in "：:。(":
            section, weight = _section_of(hit, cfg)
            body = line_end if tail <= 20 else _body_after(text, line_start, line_end, hit)
            found.append(
                Candidate(
                    section,
                    _score(section, weight, hit.group("num")),
                    line_start,
                    body,
                    _heading_text(compact[: hit.end()]),
                    ordinal_value(hit.group("num") or ""),
                )
            )
    if ordinals:
        found += _inline_candidates(text, cfg, ordinals, headed)
        found.sort(key=attrgetter("start"))  # in text order, as a walk over the lines finds them
    return found


def _one_cell(line: str) -> str | None:
    """The line, or the one cell of a line with tabs that has one non-blank cell; None for a table row
    (more than one non-blank cell) and for a blank line with tabs."""
    if "\t" not in line:
        return line
    content = line.strip()
    if not content or "\t" in content:
        return None  # a tab between two non-blank characters: two cells at least
    first = len(line) - len(line.lstrip())
    end = line.find("\t", first)
    return line[line.rfind("\t", 0, first) + 1 : end if end >= 0 else len(line)]


def _inline_candidates(
    text: str, cfg: HeadingPatterns, ordinals: list[re.Match[str]], headed: set[int]
) -> list[Candidate]:
    """Numbered headings of a known wording at the ordinals, on lines that are no short heading."""
    found: list[Candidate] = []
    seen: set[int] = set()
    line_start, line_end, skip = -1, -1, True
    for ordinal in ordinals:
        at = ordinal.start()
        if at >= line_end:  # a new line
            line_start = text.rfind("\n", 0, at) + 1
            line_end = text.find("\n", at)
            if line_end < 0:
                line_end = len(text)
            skip = line_start in headed or _one_cell(text[line_start:line_end]) is None
        if skip:
            continue
        # 十二、 is tried at 二 too: the official wording may be glued to the text before it
        for tried in range(at, at + len(ordinal.group("num"))):
            for pattern in (cfg.inline, cfg.inline_official):
                hit = pattern.match(text, tried, line_end)
                if hit is None:
                    continue
                if hit.start() in seen:
                    break  # both patterns match at `tried` only: the official one adds nothing
                seen.add(hit.start())
                section, weight = _section_of(hit, cfg)
                score = _score(section, weight, hit.group("num"))
                # a short note in brackets right after the heading belongs to it (（有关情况附表）)
                note = _HEADING_NOTE.match(text, hit.end(), line_end)
                body = note.end() if note else hit.end()
                found.append(
                    Candidate(
                        section,
                        score,
                        hit.start(),
                        body,
                        _heading_text(text[hit.start() : body]),
                        ordinal_value(hit.group("num")),
                    )
                )
                break  # the official pattern would match at the same start: a heading found once
    return found


_HEADING_NOTE = re.compile(rf"[（(](?![{_NUMERALS}]{{1,2}}[）)])[^（）()。；\d]{{2,12}}[）)]")  # not （一）


def _body_after(text: str, line_start: int, line_end: int, hit: re.Match[str]) -> int:
    """Body start when a short line carries text after its heading: skip as many non-space chars."""
    wanted, pos = hit.end(), line_start
    while wanted and pos < line_end:
        if not text[pos].isspace() and text[pos] not in _HEAD_STRIP:
            wanted -= 1
        pos += 1
    return pos
