"""Theme labels for passages: reading annotation files and resolving them against the corpus.

An annotation record (one JSON object per line of `annotations/<set>.jsonl`) points at a passage by
document name + passage id + sha1 of the passage text; real report text is never stored in it. Only
`source: "written"` records (passages we wrote ourselves) carry their `text`.

`resolve` turns labels into `LabelledPassage`s (text + themes + CV group) by re-reading each document,
splitting it into passages and checking the hash. It collects every problem and raises one
`AnnotationError` listing them, so an annotator can fix a file in one pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from gkreport.errors import AnnotationError, ReportError
from gkreport.normalise import normalise_text
from gkreport.passages import ROLES, Passage, text_sha1
from gkreport.themes import THEME_IDS

SOURCES: tuple[str, ...] = ("corpus", "web", "written")
ADJUDICATED = "adjudicated"  # the annotator name of a record that settles a disagreement
WEB_FILE = "passages.jsonl"  # /work/shared/corpus/web/passages.jsonl: real passages, one per line
WEB_DOC = re.compile(r"^passages\.jsonl#(\d+)$")
PASSAGE_ID = re.compile(r"^\d+(\.\d+)+$")
SHA1 = re.compile(r"^[0-9a-f]{40}$")
REQUIRED_FIELDS: tuple[str, ...] = ("doc", "passage", "sha1", "role", "themes", "annotator", "date", "source")
OPTIONAL_FIELDS: tuple[str, ...] = ("text", "comment")
# Web entries name their section in words; passage ids name it by number.
WEB_SECTIONS: dict[str, int] = {"problems": 5, "other": 6}

DocumentPassages = Callable[[Path], Sequence[Passage]]
TextPassages = Callable[[str, int, str], Sequence[Passage]]


@dataclass(frozen=True, slots=True)
class Label:
    """One annotation record as read from a file."""

    doc: str
    passage: str
    sha1: str
    role: str
    themes: tuple[str, ...]
    annotator: str
    date: str
    source: str
    text: str | None = None
    origin: str = ""  # "file:line" of the record, for error messages

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "doc": self.doc,
            "passage": self.passage,
            "sha1": self.sha1,
            "role": self.role,
            "themes": list(self.themes),
            "annotator": self.annotator,
            "date": self.date,
            "source": self.source,
        }
        if self.text is not None:
            record["text"] = self.text
        return record


@dataclass(frozen=True, slots=True)
class LabelledPassage:
    """A label resolved to its passage text: what training and evaluation consume."""

    doc: str
    passage: str  # the id the passage has now (may differ from the label's if the splitter moved it)
    sha1: str
    role: str
    themes: tuple[str, ...]
    source: str
    group: str  # the report it comes from: no group is ever on both sides of a CV split
    text: str
    annotator: str = ""
    split_role: str = ""  # the role the splitter gives the passage (what tagging sees); written: the label's

    @property
    def is_real(self) -> bool:
        return self.source != "written"


def make_label(
    passage: Passage,
    themes: Iterable[str],
    annotator: str,
    source: str = "corpus",
    on: date | None = None,
    role: str | None = None,
) -> Label:
    """The record for labelling `passage` (for labelling tools): no text unless source is written. `role`
    is the annotator's; by default the one the splitter proposed."""
    return Label(
        doc=passage.doc,
        passage=passage.id,
        sha1=passage.sha1,
        role=role or passage.role,
        themes=tuple(themes),
        annotator=annotator,
        date=(on or date.today()).isoformat(),
        source=source,
        text=passage.text if source == "written" else None,
    )


def _record_problems(obj: Any) -> list[str]:
    """Everything wrong with one record, as short reasons (empty if it is fine)."""
    if not isinstance(obj, dict):
        return ["record is not a JSON object"]
    problems = [f"missing field {f!r}" for f in REQUIRED_FIELDS if f not in obj]
    unknown = sorted(set(obj) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        problems.append(f"unknown fields {unknown}")
    if problems:
        return problems
    for name in ("doc", "passage", "sha1", "role", "annotator", "date", "source"):
        if not isinstance(obj[name], str) or not obj[name].strip():
            problems.append(f"{name!r} must be a non-empty string")
    if problems:
        return problems
    if not isinstance(obj["themes"], list) or not all(isinstance(t, str) for t in obj["themes"]):
        problems.append("'themes' must be a list of theme ids")
    else:
        unknown_themes = [t for t in obj["themes"] if t not in THEME_IDS]
        if unknown_themes:
            problems.append(f"unknown theme ids {unknown_themes}; known: {', '.join(THEME_IDS)}")
        if len(set(obj["themes"])) != len(obj["themes"]):
            problems.append("a theme is listed twice")
    if obj["source"] not in SOURCES:
        problems.append(f"source {obj['source']!r} is not one of {list(SOURCES)}")
    if obj["role"] not in ROLES:
        problems.append(f"role {obj['role']!r} is not one of {list(ROLES)}")
    if not SHA1.match(obj["sha1"]):
        problems.append("sha1 must be 40 lowercase hex digits")
    if not PASSAGE_ID.match(obj["passage"]):
        problems.append(f"passage id {obj['passage']!r} is not like '5.2'")
    try:
        date.fromisoformat(obj["date"])
    except ValueError:
        problems.append(f"date {obj['date']!r} is not YYYY-MM-DD")
    has_text = "text" in obj
    if obj["source"] == "written":
        if not has_text or not isinstance(obj["text"], str) or not obj["text"].strip():
            problems.append("a written record needs its 'text'")
        elif SHA1.match(obj["sha1"]) and text_sha1(obj["text"]) != obj["sha1"]:
            problems.append(f"hash mismatch: sha1 of the text is {text_sha1(obj['text'])}, record says {obj['sha1']}")
    elif has_text:
        # House rule: real report text never goes into the repository.
        problems.append(f"a {obj['source']} record must not carry 'text' (real report text stays in the corpus)")
    if obj["source"] == "web" and not WEB_DOC.match(obj["doc"]):
        problems.append(f"a web record's doc must be '{WEB_FILE}#<line>', got {obj['doc']!r}")
    return problems


def labelled_keys(path: str | Path) -> set[tuple[str, str, str]]:
    """(doc, passage id, sha1) of every record already in an annotation file; empty if it does not exist."""
    if not Path(path).exists():
        return set()
    return {(label.doc, label.passage, label.sha1) for label in load_annotations([path])}


def append_label(path: str | Path, label: Label) -> None:
    """Add one record to an annotation file at once, so an interrupted labelling session loses nothing."""
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(label.to_record(), ensure_ascii=False) + "\n")


def load_annotations(paths: Iterable[str | Path]) -> list[Label]:
    """Read and check annotation files; every bad record is reported (file:line: reason) at once."""
    labels: list[Label] = []
    problems: list[str] = []
    for path in paths:
        path = Path(path)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise AnnotationError(path, f"cannot read annotations: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise AnnotationError(path, f"not an annotation file: not UTF-8 text ({exc.reason})") from exc
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            origin = f"{path}:{number}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{origin}: not valid JSON ({exc.msg})")
                continue
            found = _record_problems(obj)
            if found:
                problems.extend(f"{origin}: {p}" for p in found)
                continue
            labels.append(
                Label(
                    doc=obj["doc"],
                    passage=obj["passage"],
                    sha1=obj["sha1"],
                    role=obj["role"],
                    themes=tuple(obj["themes"]),
                    annotator=obj["annotator"],
                    date=obj["date"],
                    source=obj["source"],
                    text=obj.get("text"),
                    origin=origin,
                )
            )
    if problems:
        raise _combined_error(problems)
    return labels


def _combined_error(problems: list[str]) -> AnnotationError:
    first_path = problems[0].split(": ", 1)[0]
    if len(problems) == 1:
        return AnnotationError(first_path, problems[0].split(": ", 1)[1])
    listing = "\n  ".join(problems)
    return AnnotationError(first_path, f"{len(problems)} annotation problems:\n  {listing}", problems=problems)


def read_document_passages(path: Path) -> list[Passage]:
    """Passages of a corpus report, as the pipeline splits them (a file that is not quite a report is read
    too: its passages may still be labelled)."""
    from gkreport.pipeline import Pipeline

    return Pipeline("segment", "passages", require=False).analyse(path).passages


def split_web_text(text: str, section: int, doc: str) -> list[Passage]:
    """Passages of a web entry's text, normalised exactly as readers normalise documents."""
    from gkreport.passages import split_text

    return list(split_text(normalise_text(text), section, doc))


class _Corpus:
    """File lookup by name under the corpus folders, with per-document passage caching."""

    def __init__(
        self, dirs: Sequence[str | Path], document_passages: DocumentPassages, text_passages: TextPassages
    ) -> None:
        self.dirs = [Path(d) for d in dirs]
        self.document_passages = document_passages
        self.text_passages = text_passages
        self._files: dict[str, list[Path]] | None = None
        self._passages: dict[str, list[Passage]] = {}
        self._web_lines: list[str] | None = None
        self._web_urls: dict[str, str] = {}

    def find(self, name: str) -> Path:
        if self._files is None:
            self._files = {}
            for folder in self.dirs:
                if folder.is_file():
                    self._files.setdefault(folder.name, []).append(folder)
                    continue
                for path in sorted(folder.rglob("*")):
                    if path.is_file():
                        self._files.setdefault(path.name, []).append(path)
        found = self._files.get(name, [])
        if not found:
            where = ", ".join(map(str, self.dirs)) or "(no corpus folders given)"
            raise LookupError(f"document {name!r} not found under {where}")
        if len(found) > 1 and len({p.read_bytes() for p in found}) > 1:
            raise LookupError(f"document name {name!r} is ambiguous: {', '.join(map(str, found))}")
        return found[0]

    def passages(self, label: Label) -> list[Passage]:
        if label.doc not in self._passages:
            if label.source == "web":
                self._passages[label.doc] = self._web_passages(label)
            else:
                self._passages[label.doc] = list(self.document_passages(self.find(label.doc)))
        return self._passages[label.doc]

    def _web_passages(self, label: Label) -> list[Passage]:
        match = WEB_DOC.match(label.doc)
        assert match is not None  # checked when the record was loaded
        if self._web_lines is None:
            self._web_lines = self.find(WEB_FILE).read_text(encoding="utf-8").splitlines()
        index = int(match.group(1))
        if index >= len(self._web_lines):
            raise LookupError(f"{WEB_FILE} has {len(self._web_lines)} lines; there is no line {index}")
        entry = json.loads(self._web_lines[index])
        self._web_urls[label.doc] = str(entry.get("url") or label.doc)
        section = WEB_SECTIONS.get(str(entry.get("section")), int(label.passage.split(".")[0]))
        return list(self.text_passages(str(entry["text"]), section, label.doc))

    def group(self, label: Label) -> str:
        # Web entries from one URL are one report; corpus and written labels are grouped by doc.
        if label.source == "web":
            return "web:" + self._web_urls.get(label.doc, label.doc)
        return label.doc


class CorpusPassages:
    """Finds the passage a record points at (document name, passage id, sha1) under corpus folders, reading
    each document once: what importing labels made elsewhere (Label Studio) checks them against."""

    def __init__(self, corpus_dirs: Sequence[str | Path], document_passages: DocumentPassages | None = None) -> None:
        self._corpus = _Corpus(corpus_dirs, document_passages or read_document_passages, split_web_text)

    def find(self, doc: str, passage: str, sha1: str) -> Passage:
        """The passage now, by hash (its id may have moved); LookupError or ReportError saying why not."""
        label = Label(doc, passage, sha1, "other", (), "", "", "corpus")
        return _match(label, self._corpus.passages(label))


def _match(label: Label, passages: Sequence[Passage]) -> Passage:
    by_id = {p.id: p for p in passages}
    same_id = by_id.get(label.passage)
    if same_id is not None and same_id.sha1 == label.sha1:
        return same_id
    # The splitter may have renumbered passages since labelling: the hash still identifies the text.
    for passage in passages:
        if passage.sha1 == label.sha1:
            return passage
    if same_id is not None:
        raise LookupError(
            f"hash mismatch: passage {label.passage} of {label.doc} now has sha1 "
            f"{same_id.sha1}, the label has {label.sha1}, and no other passage of the "
            "document matches"
        )
    ids = ", ".join(p.id for p in passages) or "none"
    raise LookupError(
        f"passage {label.passage} (sha1 {label.sha1[:12]}…) does not resolve in {label.doc}: "
        f"no such id (the document has {ids}) and no passage with that hash"
    )


def _merge(records: list[LabelledPassage]) -> LabelledPassage | None:
    """One label per passage: an adjudicated record wins, agreeing records collapse, else None."""
    adjudicated = [r for r in records if r.annotator == ADJUDICATED]
    if adjudicated:
        return adjudicated[-1]
    if len({r.themes for r in records}) == 1:
        return records[0]
    return None


def resolve(
    labels: Sequence[Label],
    corpus_dirs: Sequence[str | Path],
    *,
    document_passages: DocumentPassages | None = None,
    text_passages: TextPassages | None = None,
    on_conflict: str = "error",
) -> list[LabelledPassage]:
    """Labels -> passages with text, themes and CV group; all failures are raised together.

    Several records for one passage (double labelling, GUIDELINES §4) become one: the
    `"annotator": "adjudicated"` record if there is one, else the shared themes if all agree. Passages
    whose annotators disagree and that have no adjudicated record are an error (`on_conflict="error"`)
    or left out (`on_conflict="skip"`).

    `document_passages(path)` and `text_passages(text, section, doc)` default to the production
    reader + segmenter + splitter; tests pass small stand-ins.
    """
    if on_conflict not in ("error", "skip"):
        raise ValueError(f"on_conflict must be 'error' or 'skip', got {on_conflict!r}")
    corpus = _Corpus(corpus_dirs, document_passages or read_document_passages, text_passages or split_web_text)
    grouped: dict[tuple[str, str], list[LabelledPassage]] = {}
    origins: dict[tuple[str, str], str] = {}
    problems: list[str] = []
    for label in labels:
        origin = label.origin or f"{label.doc}#{label.passage}"
        unknown = [t for t in label.themes if t not in THEME_IDS]
        if unknown:
            problems.append(f"{origin}: unknown theme ids {unknown}")
            continue
        try:
            if label.source == "written":
                if label.text is None or text_sha1(label.text) != label.sha1:
                    raise LookupError(
                        f"hash mismatch: written passage {label.doc}#{label.passage} text does not hash to {label.sha1}"
                    )
                text, passage_id, split_role = label.text.strip(), label.passage, label.role
            else:
                passage = _match(label, corpus.passages(label))
                text, passage_id, split_role = passage.text.strip(), passage.id, passage.role
        except (LookupError, ReportError, OSError, ValueError) as exc:
            problems.append(f"{origin}: {exc}")
            continue
        item = LabelledPassage(
            doc=label.doc,
            passage=passage_id,
            sha1=label.sha1,
            role=label.role,
            themes=tuple(t for t in THEME_IDS if t in label.themes),
            source=label.source,
            group=corpus.group(label),
            text=text,
            annotator=label.annotator,
            split_role=split_role,
        )
        key = (label.doc, label.sha1)
        grouped.setdefault(key, []).append(item)
        origins.setdefault(key, origin)
    resolved: list[LabelledPassage] = []
    for key, records in grouped.items():
        merged = _merge(records)
        if merged is not None:
            resolved.append(merged)
        elif on_conflict == "error":
            votes = "; ".join(f"{r.annotator}: {list(r.themes)}" for r in records)
            problems.append(
                f"{origins[key]}: annotators disagree on {records[0].doc}#{records[0].passage} "
                f"({votes}) and there is no '{ADJUDICATED}' record"
            )
    if problems:
        raise _combined_error(problems)
    return resolved
