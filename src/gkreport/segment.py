"""Segmenting a `Document` into the six statutory sections, with template and metadata.

Headings are found three ways: short lines that are a heading of a known wording by themselves (optionally
numbered, with Markdown marks and letter spacing), numbered headings of a known wording inside long lines
(archived pages that hold a whole report on one line) — both in `gkreport.headings` — and numbered parts
found by structure whatever their wording (`gkreport.parts`: an ordinal, then a heading scored against each
section's words). Among all
candidates we keep the chain with strictly increasing section numbers that scores best, so a table row such
as 一、本年新收… or a sub-heading inside 总体情况 cannot take a section's place. Sections with no heading are
then located by their content (status ``inferred``); an old report's statistics table is the report's
appendix, never a section. Patterns, weights, words and anchors are data in ``data/sections.json``.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from operator import itemgetter

from gkreport.document import Document
from gkreport.errors import ReportError
from gkreport.headings import LONG_LINE, Candidate, heading_candidates, line_start_pattern
from gkreport.parts import HEAD_STRIP as _HEAD_STRIP
from gkreport.parts import (
    NUMERALS,
    Part,
    absorbed_targets,
    appendix_start,
    find_parts,
    is_table_part,
    scan_ordinals,
    score_by_name,
    warnings_of,
)
from gkreport.parts import heading_text as _heading_text
from gkreport.report import Appendix, Level, Report, Section, SectionStatus, Template

SECTION_NAMES: dict[int, str] = {
    1: "总体情况",
    2: "主动公开政府信息情况",
    3: "收到和处理政府信息公开申请情况",
    4: "政府信息公开行政复议、行政诉讼情况",
    5: "存在的主要问题及改进情况",
    6: "其他需要报告的事项",
}


# ---------------------------------------------------------------- configuration (data files)


def _load(name: str) -> dict:
    return json.loads(resources.files("gkreport.data").joinpath(name).read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class _Markers:
    """A template's marker phrases: their alternation, and the phrases themselves where no two
    occurrences can overlap (then the matches of the alternation are all their occurrences, counted
    by `str.count` at memory-search speed instead of the regex engine's scan character by character)."""

    pattern: re.Pattern[str]
    words: tuple[str, ...] | None

    def count(self, text: str) -> int:
        if self.words is None:
            return len(self.pattern.findall(text))
        return sum(text.count(word) for word in self.words)

    def occur(self, text: str) -> bool:
        """Whether any marker is in `text` (`count(text) > 0`, without counting them all)."""
        if self.words is None:
            return self.pattern.search(text) is not None
        return any(word in text for word in self.words)


def _never_overlap(words: list[str]) -> bool:
    """Whether no phrase contains another or ends with the start of one (itself included)."""
    for i, a in enumerate(words):
        if not a:
            return False
        for j, b in enumerate(words):
            if i != j and b in a:
                return False
            if any(a.endswith(b[:k]) for k in range(1, min(len(a), len(b)))):
                return False  # a can end where b starts (for i == j: two occurrences of a)
    return True


@dataclass(frozen=True)
class _Config:
    line: re.Pattern[str]  # a heading that is a whole short line (matched on compact text)
    line_start: re.Pattern[str]  # a line break before a line that `line` may match (see `headings.line_start_pattern`)
    inline: re.Pattern[str]  # a numbered heading inside a long line
    inline_official: re.Pattern[str]
    group_section: dict[str, tuple[int, int]]  # regex group -> (section, weight)
    anchors: list[tuple[int, re.Pattern[str], bool]]
    templates: dict[str, _Markers]
    table_markers: tuple[str, ...]  # labels of a 2019/2021 table that no template's marker tells apart
    title: re.Pattern[str]
    title_year_first: re.Pattern[str]
    government: re.Pattern[str]
    period: re.Pattern[str]
    title_prefixes: tuple[str, ...]
    title_suffixes: tuple[str, ...]
    levels: list[tuple[str, re.Pattern[str], str]]
    agency_end: re.Pattern[str]  # the words an agency's name ends with
    run_in: dict[int, re.Pattern[str]]  # per section: its known headings run in after a sentence end
    closing_section: int  # the section that unnumbered closing paragraphs can be (problems: 5)
    closing_cues: re.Pattern[str]


_NUMERALS = NUMERALS
_LINE = re.compile(r"[^\n]+")


def _marked(name: str, pattern: str) -> str:
    """A heading pattern that tells which one matched by an empty group `name` at its end. A group around
    the whole pattern would do the same, but a branch starting with a group is entered at every try,
    while one starting with a character is skipped at once when that character is not there."""
    return f"(?:{pattern})(?P<{name}>)"


@lru_cache(maxsize=1)
def _config() -> _Config:
    sections = _load("sections.json")
    meta = _load("metadata.json")
    groups: dict[str, tuple[int, int]] = {}
    alternatives = []
    for i, entry in enumerate(sections["headings"]):
        name = f"h{i}"
        groups[name] = (entry["section"], entry["weight"])
        alternatives.append(_marked(name, entry["pattern"]))
    alias = "|".join(alternatives)
    numeral = f"(?P<num>[{_NUMERALS}]{{1,2}})"
    line = re.compile(rf"(?:{numeral}[、.,]?)?(?:{alias})")
    # Inside a long line a heading follows anything but a Chinese character (punctuation, a space, the
    # last digit of a run-together table).
    official = "|".join(
        _marked(n, e["pattern"]) for n, e in zip(groups, sections["headings"], strict=True) if e["weight"] == 3
    )
    # Written numeral first, then "not after a Chinese character" as a look-behind over both, so the
    # pattern starts with a character set and the regex engine skips ahead to the numerals (3x faster
    # than a leading look-behind, which it must try at every position).
    inline = re.compile(
        rf"(?P<num>[{_NUMERALS}](?<![\u4e00-\u9fff][{_NUMERALS}])[{_NUMERALS}]?)\s*[、.]\s*"
        rf"(?:{alias})"
    )
    # The official wording is distinctive enough to be a heading even glued to the text before it.
    inline_official = re.compile(rf"(?P<num>[{_NUMERALS}])[、.]\s*(?:{official})")
    anchors = [(a["section"], re.compile(a["pattern"]), a["line"]) for a in sections["anchors"]]
    templates = {
        name: _Markers(
            re.compile("|".join(re.escape(m) for m in marks)), tuple(marks) if _never_overlap(marks) else None
        )
        for name, marks in sections["templates"].items()
    }
    levels = [(r["level"], re.compile(r["pattern"]), r["on"]) for r in meta["levels"]]
    # 。政府信息主动公开情况。在…: a known heading, unnumbered, between two sentences
    own = {n: "|".join(e["pattern"] for e in sections["headings"] if e["section"] == n) for n in range(1, 7)}
    run_in = {n: re.compile(rf"[。；;！!？?]\s*(?P<head>{own[n]})(?=\s*[。：:])") for n in range(1, 7)}
    closing = sections["closing_paragraphs"]
    return _Config(
        line,
        line_start_pattern(line.pattern),
        inline,
        inline_official,
        groups,
        anchors,
        templates,
        tuple(sections["table_markers"]),
        re.compile(meta["title_pattern"]),
        re.compile(meta["title_pattern_year_first"]),
        re.compile(meta["government_suffix"]),
        re.compile(meta["period_pattern"]),
        tuple(meta["title_prefixes"]),
        tuple(meta["title_suffixes"]),
        levels,
        re.compile(f"(?:{'|'.join(meta['agency_suffixes'])})$"),
        run_in,
        closing["section"],
        re.compile("|".join(closing["cues"])),
    )


def _best_chain(candidates: list[Candidate]) -> list[Candidate]:
    """The best-scoring sequence of headings in text order with strictly increasing section numbers."""
    candidates.sort(key=lambda c: c.start)
    best: list[float] = []
    back: list[int] = []
    sections = [c.section for c in candidates]
    bodies = [c.body for c in candidates]
    for i, cand in enumerate(candidates):
        own, section, start = cand.score, cand.section, cand.start
        score, prev = own, -1
        for j in range(i):
            if sections[j] < section and bodies[j] <= start and best[j] + own > score:
                score, prev = best[j] + own, j
        best.append(score)
        back.append(prev)
    if not candidates:
        return []
    i = max(range(len(candidates)), key=lambda k: (best[k], -k))
    chain = []
    while i >= 0:
        chain.append(candidates[i])
        i = back[i]
    return chain[::-1]


# ---------------------------------------------------------------- inferred sections


def _infer(text: str, section: int, lo: int, hi: int, cfg: _Config, parts: list[Part]) -> int | None:
    """Start of a headless section's content between lo and hi, located by its anchors, else by its known
    heading run in between two sentences (。政府信息主动公开情况。), else, for the problems section, by the
    first unnumbered closing paragraph after the last part that names a shortcoming."""
    for number, pattern, whole_line in cfg.anchors:
        if number != section:
            continue
        if whole_line:
            for m in _LINE.finditer(text, lo, hi):
                if len(m.group()) > LONG_LINE * 3:
                    continue  # more than 60 characters even if letter-spaced
                compact = "".join(m.group().split()).lstrip(_HEAD_STRIP)
                if len(compact) <= 60 and pattern.match(compact):
                    return m.start() + (len(m.group()) - len(m.group().lstrip(" \t#|")))
        else:
            hit = pattern.search(text, lo, hi)
            if hit:
                line_start = text.rfind("\n", lo, hit.start()) + 1
                prefix = text[max(line_start, lo) : hit.start()]
                return max(line_start, lo) if not prefix.strip(_HEAD_STRIP) else hit.start()
    run_in = cfg.run_in[section].search(text, max(lo - 1, 0), hi)
    if run_in is not None:
        return run_in.start("head")
    if section == cfg.closing_section:
        return _closing_paragraph(text, lo, hi, cfg, parts)
    return None


_PARAGRAPH = re.compile(r"(?:\n|[。！!？?][ \t\u3000]+)[ \t\u3000#*>]*(?=\S)")
_ENUMERATED = re.compile(
    rf"[\d{_NUMERALS}]{{1,2}}\s*[、.．]|[（(][\d{_NUMERALS}]{{1,2}}[）)]|"
    rf"[{_NUMERALS}][是要]|第[{_NUMERALS}]"
)
_SENTENCE = re.compile(r"[^。；;！!？?\n]*")


def _closing_paragraph(text: str, lo: int, hi: int, cfg: _Config, parts: list[Part]) -> int | None:
    """The first unnumbered paragraph after the last numbered part in lo..hi whose first sentence names a
    shortcoming (当然，我们的工作…还存在差距。): problems written as closing paragraphs with no heading."""
    start = max([p.body for p in parts if lo <= p.start < hi], default=lo)
    for m in _PARAGRAPH.finditer(text, start, hi):
        at = m.end()
        if _ENUMERATED.match(text, at):
            continue  # an item of the part's list, not a paragraph of its own
        sentence = _SENTENCE.match(text, at, hi)
        if sentence is not None and cfg.closing_cues.search(sentence.group()):
            return at
    return None


def _overview(text: str, chosen: list[Candidate], parts: list[Part], cfg: _Config) -> int | None:
    """Start of an unnumbered overview: when the numbering starts at 二 (no part 一 before it), the text
    between the report's title and that part is the overview, if it holds more than a line."""
    if not chosen or chosen[0].ordinal != 2 or any(p.ordinal == 1 and p.start < chosen[0].start for p in parts):
        return None
    titles = [m for m in cfg.title.finditer(text, 0, chosen[0].start)]
    if not titles:
        return None
    at = titles[-1].end()
    while at < chosen[0].start and (text[at].isspace() or text[at] in "#*|>"):
        at += 1
    return at if len("".join(text[at : chosen[0].start].split())) >= _OVERVIEW_MIN else None


_OVERVIEW_MIN = 20  # non-space characters: less is a subtitle or a date line, not an overview


# Parts found by structure count for less than a heading of a known wording (score 1-3.5): _PART_WEIGHT ×
# their score (words capped at 3, plus the share of the name's character pairs), plus the bonus for an
# ordinal that agrees with the section.
_PART_WEIGHT = 0.5
_PART_MARGIN = 0.75


def _part_candidates(parts: list[Part], known: list[Candidate]) -> list[Candidate]:
    """Candidates from the numbered parts that no known heading already covers. A part whose best target
    is that of the part before it continues that part (六、下一步改进举措 after 五、存在的问题)."""
    spans = sorted((c.start, c.body) for c in known)
    starts = [lo for lo, _ in spans]
    reach = list(accumulate((hi for _, hi in spans), max))  # the furthest end among spans starting so far
    found: list[Candidate] = []
    absorbed = absorbed_targets()
    previous: str | None = None
    # the first part 一 opens the report: the overview, whatever its heading says (一、加强领导，…)
    first = next((p for p in parts if p.ordinal == 1), None)
    for part in parts:
        scores = part.scores or (_OPENING if part is first else score_by_name(part.heading))
        best = max(scores.items(), key=itemgetter(1), default=None)
        target = best[0] if best else None
        i = bisect_right(starts, part.start) - 1
        inside = i >= 0 and part.start < reach[i]
        if best and not inside and target != previous:
            for name, value in scores.items():
                # a target that scores clearly below the best one is no reading of this heading
                if (
                    name.isdigit()
                    and name not in absorbed
                    and value >= best[1] - _PART_MARGIN
                    and (name != "1" or part.ordinal == 1)
                ):  # the overview is the first part
                    bonus = 0.5 if part.ordinal == int(name) else 0.0
                    found.append(
                        Candidate(
                            int(name),
                            _PART_WEIGHT * value + bonus,
                            part.start,
                            part.body,
                            _heading_text(part.heading),
                            part.ordinal,
                        )
                    )
        if target is not None:
            previous = target
    return found


_OPENING = {"1": 1.0}  # the score of a first part 一 whose heading has no section's words


def _locate_sections(
    text: str, cfg: _Config, ordinals: list[re.Match[str]], parts: list[Part]
) -> tuple[list[Section], Appendix | None, list[Candidate], list[Candidate]]:
    known = heading_candidates(text, cfg, ordinals)
    candidates = known + _part_candidates(parts, known)
    chosen = _best_chain(candidates)
    if chosen and is_table_part(text, chosen[-1]):
        chosen.pop()  # 七、需要说明的事项与附表 followed by the table itself: the appendix, found below
    chain = {c.section: c for c in chosen}
    starts: dict[int, tuple[int, int, str | None, SectionStatus]] = {
        n: (c.start, c.body, c.heading, "found") for n, c in chain.items()
    }
    last_body = max((c.body for c in chosen), default=0)
    where = appendix_start(text, parts, last_body)
    limit = where[0] if where else len(text)
    for number in range(1, 7):
        if number in starts:
            continue
        lo = max((b for n, (_, b, _, _) in starts.items() if n < number), default=0)
        hi = min((s for n, (s, _, _, _) in starts.items() if n > number), default=limit)
        at = _infer(text, number, lo, hi, cfg, parts) if number > 1 else _overview(text, chosen, parts, cfg)
        if at is not None:
            starts[number] = (at, at, None, "inferred")
    bounds = sorted([s for s, _, _, _ in starts.values()] + [limit])
    sections = []
    for number in range(1, 7):
        if number not in starts:
            sections.append(Section(number, SECTION_NAMES[number], None, "missing", None, None, ""))
            continue
        _, body, heading, status = starts[number]
        end = next((s for s in bounds if s > body), limit)
        end = max(end, body) if body <= limit else body
        sections.append(Section(number, SECTION_NAMES[number], heading, status, body, end, text[body:end]))
    appendix = Appendix(where[1], where[0], len(text), text[where[0] :]) if where else None
    return sections, appendix, chosen, candidates


# ---------------------------------------------------------------- template and metadata


def detect_template(compact_text: str, year: int | None, has_sections: bool) -> Template:
    """2021 / 2019 / pre2019 from the table labels (domain.md §1b), else from the year."""
    cfg = _config()
    if year is not None and year <= 2018:
        return "pre2019"
    # the template with more marker hits, 2021 at a tie; where 2019 has none, one 2021 hit is enough (most
    # reports are of the 2021 template: its markers are then not counted to the end of the text)
    hits_2019 = cfg.templates["2019"].count(compact_text)
    if hits_2019 == 0:
        if cfg.templates["2021"].occur(compact_text):
            return "2021"
    else:
        return "2021" if cfg.templates["2021"].count(compact_text) >= hits_2019 else "2019"
    if any(marker in compact_text for marker in cfg.table_markers):
        if year is not None and year <= 2020:
            return "2019"
        return "2021"
    if year is not None and has_sections:
        return "2021" if year >= 2021 else "2019"
    return "unknown"


def read_metadata(compact_head: str, compact_text: str) -> tuple[str | None, int | None, Level]:
    """Agency, report year and administrative level from the title and the opening."""
    agency, year, titled = _title_metadata(compact_head)
    if not titled:
        year = _period_year(compact_text)
    return agency, year, level_of(agency)


def _title_metadata(compact_head: str) -> tuple[str | None, int | None, bool]:
    """Agency and year from the report's title, and whether there is a title at all."""
    cfg = _config()
    m = cfg.title.search(compact_head)
    first = cfg.title_year_first.search(compact_head)
    if first and (m is None or first.start() < m.start()):
        m = first
    if m is None:
        return None, None, False
    agency: str = m.group("agency")
    for prefix in cfg.title_prefixes:
        if agency.startswith(prefix):
            agency = agency[len(prefix) :]
    for suffix in cfg.title_suffixes:
        agency = agency.removesuffix(suffix)
    if agency and not cfg.agency_end.search(agency):
        agency = ""  # a phrase of the opening sentence (…编制的), not a body's name
    return agency or None, int(m.group("year")), True


def _period_year(compact_text: str) -> int | None:
    """The year of the statistics period stated in the text (统计期限自2012年…), for a report without title."""
    p = _config().period.search(compact_text)
    return int(p.group("year")) if p else None


def level_of(agency: str | None) -> Level:
    if not agency:
        return "unknown"
    cfg = _config()
    name = cfg.government.sub("", agency)
    for level, pattern, on in cfg.levels:
        if on == "agency" and name != agency:
            continue  # a government, whatever its name ends with
        if pattern.search(name if on == "name" else agency):
            return level  # type: ignore[return-value]
    return "unknown"


# ---------------------------------------------------------------- entry point


def segment(doc: Document) -> Report:
    """Split a document into the six sections and read its template, agency, year and level."""
    cfg = _config()
    text = doc.text
    head = "".join(text[:600].split())
    head = re.sub(r"[#*|]", "", head)
    # the compact text is made only when needed: for the period of a report without title, and for the
    # template's table labels (a title year up to 2018 already says pre2019)
    compact_text: str | None = None
    agency, year, titled = _title_metadata(head)
    if not titled:
        compact_text = "".join(text.split())
        year = _period_year(compact_text)
    level = level_of(agency)
    ordinals = scan_ordinals(text)
    parts = find_parts(text, ordinals)
    sections, appendix, chosen, candidates = _locate_sections(text, cfg, ordinals, parts)
    located = any(s.status != "missing" for s in sections)
    if year is not None and year <= 2018:
        template: Template = "pre2019"
    else:
        template = detect_template(compact_text if compact_text is not None else "".join(text.split()), year, located)
    return Report(doc, template, agency, year, level, sections, appendix, warnings_of(text, parts, chosen, candidates))


# Real reports show at least 5 of the six sections (the oldest fold 三 and 四 together) and a title with
# agency and year; notes, READMEs and documentation that quote a heading or two show at most 2 and no title.
MIN_SECTIONS = 3


def require_report(report: Report) -> Report:
    """`report` itself, or a `ReportError` when the file is not an annual report: no title giving agency or
    year, and fewer than `MIN_SECTIONS` statutory sections (a README or notice in the same folder must not
    be counted as a report; a truncated report keeps its title and is still read)."""
    found = [s for s in report.sections if s.status != "missing"]
    if len(found) < MIN_SECTIONS and report.agency is None and report.year is None:
        names = "、".join(s.name for s in found) or "none"
        raise ReportError(
            report.document.path,
            f"not an annual report: no title with agency or year, and {len(found)} of the six "
            f"statutory sections found ({names}); at least {MIN_SECTIONS} are needed",
        )
    return report
