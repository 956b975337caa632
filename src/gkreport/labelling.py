"""Labelling passages by reading them: what to show, in which order, and what each key does.

`collect` reads the reports once and makes a `Candidate` of every passage of sections 五/六 (with its
report, section, neighbours and the model's scores); `order_candidates` puts them in document, random or
"uncertain" order; a `Session` is the labelling loop as a state machine: it takes keys (`Session.press`) and
appends each answer to the annotation file at once, so any way out (q, Ctrl-C, Ctrl-D, a killed terminal)
loses nothing and the next session resumes with the passages not yet labelled. How the session is drawn and
where the keys come from is `gkreport.labelling_screen`'s business; the CLI only wires the two together.

Keys: 1-9 toggle a theme (taxonomy order), 0 clears them, a-h choose the role, Enter saves the answer shown,
s skips, u undoes the last answer (or skip), q / Ctrl-C / Ctrl-D stop.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gkreport.annotations import append_label, labelled_keys, make_label
from gkreport.errors import OptionError, ReportError
from gkreport.passages import ROLES, Passage
from gkreport.themes import THEME_IDS
from gkreport.themes.honest import NEAR_COPY_JACCARD, shingles, text_key

ORDERS: tuple[str, ...] = ("uncertain", "document", "random")
ROLE_KEYS: dict[str, str] = {chr(ord("a") + i): role for i, role in enumerate(ROLES)}
THEME_KEYS: dict[str, str] = {str(i): theme for i, theme in enumerate(THEME_IDS, 1)}

Key = str  # "1".."9", "0", "a".."h", "enter", "s", "u", "q", "eof", "interrupt"; anything else is ignored


@dataclass(frozen=True, slots=True)
class Candidate:
    """A passage to label, with what the labeller sees around it and what the model suggests."""

    passage: Passage
    path: Path
    report: str  # agency and year as the title gives them ("" when it names neither)
    section: str  # "5 存在的主要问题及改进情况"
    before: Passage | None  # the passages next to it in its report
    after: Passage | None
    scores: dict[str, float] = field(default_factory=dict)  # theme -> probability, themes the model scores
    suggested: tuple[str, ...] = ()  # themes at or above the model's threshold

    @property
    def key(self) -> tuple[str, str, str]:
        return self.passage.doc, self.passage.id, self.passage.sha1


@dataclass(slots=True)
class Collected:
    candidates: list[Candidate]
    errors: list[str]  # "path: reason" of every file that could not be read as a report
    passed_over: str  # "3 other files passed over (...)", or ""


def collect(paths: Sequence[str | Path], roles: Sequence[str] = ()) -> Collected:
    """Every passage of sections 五/六 of the reports under `paths` (only those with one of `roles`, if
    given), in document order. Raises ReportError when the paths hold no report file at all."""
    from gkreport.pipeline import Pipeline
    from gkreport.records import nothing_found, passed_over_text
    from gkreport.walk import walk

    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise OptionError("--role", f"unknown role {', '.join(unknown)}; choose from {', '.join(ROLES)}")
    passed_over: Counter[str] = Counter()
    walked = list(walk(paths, passed_over))
    out = Collected([], [], "")
    for path, report, error in Pipeline("segment", "passages").over(walked):
        if report is None:  # not a report, unreadable, a folder that cannot be listed, a dangling link…
            out.errors.append(error or str(path))
            continue
        passages = report.passages
        title = " ".join(str(x) for x in (report.agency, report.year) if x)
        for i, passage in enumerate(passages):
            if roles and passage.role not in roles:
                continue
            section = report.sections[passage.section - 1]
            out.candidates.append(
                Candidate(
                    passage,
                    path,
                    title,
                    f"{section.number} {section.name}",
                    passages[i - 1] if i else None,
                    passages[i + 1] if i + 1 < len(passages) else None,
                )
            )
    if not walked:
        raise ReportError(None, nothing_found(paths, passed_over))
    out.passed_over = passed_over_text(passed_over)
    return out


def with_suggestions(candidates: Sequence[Candidate], model: Any) -> list[Candidate]:
    """The candidates with the model's scores and the themes it would assign (`model`: what
    `themes.load_scorer` gives; only the themes it has a classifier for are scored)."""
    from gkreport.themes.base import scored_themes

    # gated by role as tag and batch are: a fee note or a lead-in is not offered themes they never assign
    scored = scored_themes(model, [c.passage.text for c in candidates], [c.passage.role for c in candidates])
    return [
        Candidate(c.passage, c.path, c.report, c.section, c.before, c.after, scores, chosen)
        for c, (scores, chosen) in zip(candidates, scored, strict=True)
    ]


def thresholds_of(model: Any) -> dict[str, float]:
    """Theme -> threshold of a loaded theme model."""
    return {str(t): float(x) for t, x in zip(model.classes_, model.thresholds_, strict=True)}


def uncertainty(candidate: Candidate, thresholds: dict[str, float]) -> float:
    """How near the model is to changing its mind about the passage: the smallest distance of a theme's
    score from that theme's threshold (0 = on the fence). A passage with no scores comes last."""
    gaps = [abs(p - thresholds[t]) for t, p in candidate.scores.items() if t in thresholds]
    return min(gaps) if gaps else float("inf")


def order_candidates(
    candidates: Sequence[Candidate], order: str, thresholds: dict[str, float] | None = None, seed: int = 0
) -> list[Candidate]:
    """document: as read; random: shuffled with `seed` (the same order on every resume); uncertain: the
    passages whose scores sit nearest the thresholds first, ties in document order."""
    if order not in ORDERS:
        raise OptionError("--order", f"unknown order {order!r}; choose from {', '.join(ORDERS)}")
    ordered = list(candidates)
    if order == "random":
        random.Random(seed).shuffle(ordered)
    elif order == "uncertain":
        if thresholds is None:
            raise OptionError("--order", "the uncertain order needs a theme model's scores")
        ordered.sort(key=lambda c: uncertainty(c, thresholds))
    return ordered


def start_session(
    candidates: Sequence[Candidate], out: Path, annotator: str, order: str, thresholds: dict[str, float] | None
) -> tuple[Session, str | None]:
    """The labelling session over `candidates` in `order`, and a note when that order cannot be kept: the
    uncertain order needs the model's thresholds, and without them the passages come in document order."""
    kept = order if thresholds is not None or order != "uncertain" else "document"
    note = None if kept == order else "without the model's scores the passages come in document order"
    session = Session(
        order_candidates(candidates, kept, thresholds), out, annotator, skip_near_duplicates=kept == "uncertain"
    )
    return session, note


class NearDuplicates:
    """The texts labelled so far, asked whether a new text is one of them, by the test the honest CV groups
    copies with (`themes.honest`): equal compared texts, or sharing at least `NEAR_COPY_JACCARD` of their
    character 5-grams (Jaccard)."""

    def __init__(self, texts: Iterable[str] = (), threshold: float = NEAR_COPY_JACCARD) -> None:
        self.threshold = threshold
        self._exact: set[str] = set()
        self._sets: list[frozenset[str]] = []
        self._index: dict[str, list[int]] = {}  # shingle -> positions in _sets: only overlapping sets are compared
        for text in texts:
            self.add(text)

    def add(self, text: str) -> None:
        self._exact.add(text_key(text))
        grams = frozenset(shingles(text))
        for gram in grams:
            self._index.setdefault(gram, []).append(len(self._sets))
        self._sets.append(grams)

    def __contains__(self, text: object) -> bool:
        if not isinstance(text, str):
            return False
        if text_key(text) in self._exact:
            return True
        grams = shingles(text)
        shared: Counter[int] = Counter()
        for gram in grams:
            shared.update(self._index.get(gram, ()))
        for position, common in shared.items():
            union = len(grams) + len(self._sets[position]) - common
            if union and common / union >= self.threshold:
                return True
        return False


@dataclass(slots=True)
class Step:
    """One thing done in a session, so that `u` can take it back."""

    index: int  # position in the queue
    saved: bool  # an answer was appended (else the passage was skipped)
    size_before: int = 0  # the annotation file's size before the answer
    size_after: int = 0
    role: str = ""
    themes: tuple[str, ...] = ()


class Session:
    """The labelling loop over `queue`, appending answers to `out` (see the module doc for the keys)."""

    def __init__(
        self,
        queue: Sequence[Candidate],
        out: Path,
        annotator: str,
        *,
        total: int | None = None,
        skip_near_duplicates: bool = False,
        labelled_texts: Iterable[str] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.queue = list(queue)
        self.out = out
        self.annotator = annotator
        self.done = labelled_keys(out)
        self.total = total if total is not None else len(self.queue)
        self.labelled_before = sum(c.key in self.done for c in self.queue)
        # what near-duplicates are looked for among: the passages labelled before, and each answer given
        self.labelled_texts = [*labelled_texts, *(c.passage.text for c in self.queue if c.key in self.done)]
        self.near = NearDuplicates(self.labelled_texts) if skip_near_duplicates else None
        self.near_skipped: list[int] = []
        self.steps: list[Step] = []
        self.added = 0
        self.skipped = 0
        self.message = ""
        self.finished = False
        self.clock = clock
        self.started = clock()
        self.index = -1
        self.role = ""
        self.themes: set[str] = set()
        self._advance(0)

    @property
    def current(self) -> Candidate | None:
        return self.queue[self.index] if 0 <= self.index < len(self.queue) else None

    @property
    def position(self) -> int:
        """The number of the passage on screen among all in scope: those labelled, then this one."""
        return self.labelled_before + self.added + 1

    def rate(self) -> float | None:
        """Answers per hour in this session (None before the first)."""
        elapsed = self.clock() - self.started
        return self.added * 3600 / elapsed if self.added and elapsed > 0 else None

    def _advance(self, start: int) -> None:
        """Show the first passage from `start` on that is neither labelled nor a near-duplicate of one."""
        for index in range(start, len(self.queue)):
            candidate = self.queue[index]
            if candidate.key in self.done:
                continue
            if self.near is not None and candidate.passage.text in self.near:
                self.near_skipped.append(index)
                continue
            self._show(index, candidate.passage.role, candidate.suggested)
            return
        self.index = len(self.queue)
        self.finished = True

    def _show(self, index: int, role: str, themes: Iterable[str]) -> None:
        self.index = index
        self.role = role
        self.themes = set(themes)

    def press(self, key: Key) -> None:
        """Act on one key; sets `finished` when the session is over."""
        self.message = ""
        if key in ("q", "eof", "interrupt"):
            self.finished = True
        elif key == "u":
            self.undo()
        elif self.current is None:
            return
        elif key in THEME_KEYS:
            self.themes ^= {THEME_KEYS[key]}
        elif key == "0":
            self.themes.clear()
        elif key in ROLE_KEYS:
            self.role = ROLE_KEYS[key]
        elif key == "enter":
            self.save()
        elif key == "s":
            self.steps.append(Step(self.index, saved=False))
            self.skipped += 1
            self.message = f"skipped {self.current.passage.id}"
            self._advance(self.index + 1)

    def save(self) -> None:
        candidate = self.current
        assert candidate is not None
        themes = tuple(t for t in THEME_IDS if t in self.themes)
        try:
            before = self.out.stat().st_size if self.out.exists() else 0
            append_label(self.out, make_label(candidate.passage, themes, self.annotator, role=self.role))
        except OSError as exc:  # stay on the passage: the answer is not saved, and the screen says why
            self.message = f"{self.out}: cannot save the answer: {exc.strerror or exc}"
            return
        self.steps.append(Step(self.index, True, before, self.out.stat().st_size, self.role, themes))
        self.done.add(candidate.key)
        if self.near is not None:
            self.near.add(candidate.passage.text)
        self.added += 1
        self.message = f"saved {candidate.passage.doc} {candidate.passage.id}: {self.role} [{', '.join(themes) or '-'}]"
        self._advance(self.index + 1)

    def undo(self) -> None:
        """Take back the last answer (removing its line from the file) or skip, and show that passage again."""
        if not self.steps:
            self.message = "nothing to undo in this session"
            return
        step = self.steps[-1]
        candidate = self.queue[step.index]
        if step.saved:
            size = self.out.stat().st_size if self.out.exists() else -1
            if size != step.size_after:
                self.message = f"cannot undo: {self.out} changed since the answer was saved"
                return
            with open(self.out, "r+b") as handle:
                handle.truncate(step.size_before)
            self.done.discard(candidate.key)
            self.added -= 1
            if self.near is not None:  # rebuild: the undone text must no longer hide its near-duplicates
                self.near = NearDuplicates(
                    [*self.labelled_texts, *(self.queue[s.index].passage.text for s in self.steps[:-1] if s.saved)]
                )
            self._show(step.index, step.role, step.themes)
            self.message = f"undone: {candidate.passage.id} is back, with the answer you gave"
        else:
            self.skipped -= 1
            self._show(step.index, candidate.passage.role, candidate.suggested)
            self.message = f"back to skipped {candidate.passage.id}"
        self.steps.pop()
        self.near_skipped = [i for i in self.near_skipped if i < step.index]
        self.finished = False

    def summary(self) -> str:
        parts = [f"{self.added} label{'s' if self.added != 1 else ''} added to {self.out}"]
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        if self.near_skipped:
            parts.append(f"{len(self.near_skipped)} passed over as near-duplicates of labelled passages")
        left = self.total - self.labelled_before - self.added
        parts.append(f"{left} of {self.total} passages not labelled yet")
        return "; ".join(parts)
