"""Cue phrases and sub-heading patterns (data/roles.json), and the role tests built on them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from gkreport.passages.markers import CN
from gkreport.passages.passage import SPLITTER_VERSION


@dataclass(frozen=True, slots=True)
class Cues:
    version: str
    section_title: re.Pattern[str]
    section_title_at: re.Pattern[str]  # the same title without the start anchor, for use mid-text
    subheads: tuple[tuple[str, re.Pattern[str]], ...]
    section6: tuple[tuple[str, re.Pattern[str]], ...]
    problem: re.Pattern[str]
    improvement: re.Pattern[str]
    action_start: re.Pattern[str]
    fix_start: re.Pattern[str]
    item_fix_start: re.Pattern[str]
    leadin_end: re.Pattern[str]
    leadin_prefix: re.Pattern[str]
    fix_leadin: re.Pattern[str]
    problem_leadin: re.Pattern[str]
    problem_strong: re.Pattern[str]  # each hit outweighs a handful of improvement verbs
    folds: dict[int, str]
    foldable: re.Pattern[str]  # any character that `folds` changes: most texts have none, and skip it
    subhead_line: re.Pattern[str] = field(repr=False)
    subhead_inline: re.Pattern[str] = field(repr=False)
    subhead_at: re.Pattern[str] = field(repr=False)


def _alternation(words: list[str]) -> str:
    # Longest first, so "不及时" is one hit rather than "不" + "及时"-style partial overlaps.
    return "|".join(sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def load_cues() -> Cues:
    raw = json.loads(resources.files("gkreport").joinpath("data/roles.json").read_text(encoding="utf-8"))
    head_marker = (
        rf"(?:[（(]\s*[{CN}]{{1,3}}\s*[）)]|[{CN}]{{1,3}}\s*[、.．]|\d{{1,2}}\s*[、.．]"
        r"|[（(]\s*\d{1,2}\s*[）)])"
    )
    fix_start = raw["fix_starts"]
    return Cues(
        version=str(raw["version"]),
        section_title=re.compile(
            rf"\A[\s#]*(?:[{CN}]{{1,2}}\s*[、.．]\s*)?(?:{'|'.join(raw['section_titles'])})\s*[。.：:]?"
        ),
        section_title_at=re.compile(f"(?:{'|'.join(raw['section_titles'])})\\s*[。.：:]?"),
        subheads=tuple((e["role"], re.compile(e["pattern"])) for e in raw["subheadings"]),
        section6=tuple((e["role"], re.compile(e["pattern"])) for e in raw["section6_items"]),
        problem=re.compile(_alternation(raw["problem_cues"])),
        improvement=re.compile(_alternation(raw["improvement_cues"])),
        action_start=re.compile(r"\A\s*(?:要)?" + raw["action_starts"]),
        fix_start=re.compile(fix_start),
        item_fix_start=re.compile(f"(?:{fix_start}|{raw['item_fix_starts']})"),
        leadin_end=re.compile(raw["leadin_ends"]),
        leadin_prefix=re.compile(raw["leadin_prefix"]),
        fix_leadin=re.compile(raw["fix_leadin"]),
        problem_leadin=re.compile(raw["problem_leadin"]),
        problem_strong=re.compile("|".join(f"(?:{p})" for p in raw["problem_strong"])),
        folds=str.maketrans(raw["traditional_folds"]),
        foldable=re.compile("|".join(map(re.escape, raw["traditional_folds"])) or "(?!)"),
        # A sub-heading stands at a line start (marker optional, then a terminator) or, in one-line
        # pages, after a sentence end with its marker.
        subhead_line=re.compile(rf"^[ \t#]*(?P<marker>{head_marker})?[ \t]*", re.M),
        subhead_inline=re.compile(rf"(?<=[。；;：:！？!?\s])[ \t]*(?P<marker>{head_marker})[ \t]*"),
        subhead_at=re.compile(rf"[ \t#]*(?P<marker>{head_marker})?[ \t]*"),
    )


def roles_version() -> str:
    """Version of the cue data plus the splitter; part of what makes a passage id stable."""
    return f"{SPLITTER_VERSION}.{load_cues().version}"


def cue_role(text: str) -> str:
    cues = load_cues()
    problems = cues.problem.findall(text)
    # "有待进一步加强" is a problem: blank the problem hits before counting improvement verbs.
    rest = cues.problem.sub("\0", text)
    improvements = len(cues.improvement.findall(rest))
    if cues.action_start.match(text) or cues.fix_start.match(text.lstrip()):
        improvements += 2
    score = len(problems) - improvements
    # "…等不足。", "取得了一定成效，但…": about what is lacking, whatever verbs it lists.
    score += 3 * len(cues.problem_strong.findall(text))
    if not problems and not improvements:
        return "other"
    return "problem" if score > 0 else "improvement" if score < 0 else ("problem" if problems else "other")


def is_leadin(text: str) -> bool:
    return bool(load_cues().leadin_end.search(text.rstrip()))


def leadin_is_fix(text: str) -> bool:
    """Does a lead-in announce fixes ("下一步，我镇将…：") rather than problems ("主要体现在：")?"""
    cues = load_cues()
    if cues.fix_start.match(text.lstrip()):
        return True
    return not cues.problem_leadin.search(text) and bool(cues.fix_leadin.search(text))


def has_cues(text: str) -> bool:
    cues = load_cues()
    return bool(cues.problem.search(text) or cues.improvement.search(text))
