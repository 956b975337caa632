"""Scoring gkreport against gold files: sections, tables and (see gkreport.themes) themes.

Gold files live in one folder, one JSON file per document named ``<file name>.json``; the corpus folder
is walked recursively and documents are matched to gold by file name, then checked by sha256.
"""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gkreport.errors import AnnotationError, ConfigError, ReportError
from gkreport.normalise import compact, normalise_text

if TYPE_CHECKING:
    from gkreport.report import Appendix

_RULE_LINE = re.compile(r"^[|:\- \t]*-{3,}[|:\- \t]*$", re.M)
ANCHOR_WINDOW = 40  # how far (in non-space characters) into a section its gold anchor may start


@dataclass
class DocScore:
    doc: str
    correct: int
    total: int
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    metadata_wrong: int = 0  # template, year and level fields that differ from the gold file


@dataclass
class EvalSummary:
    kind: str
    docs: list[DocScore]
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def correct(self) -> int:
        return sum(d.correct for d in self.docs)

    @property
    def total(self) -> int:
        return sum(d.total for d in self.docs)


def load_gold(gold_dir: Path, files: dict[str, Path] | None = None) -> dict[str, dict]:
    """The gold entries of a folder by document name (`files`, when given, gets the gold file of each)."""
    gold: dict[str, dict] = {}
    for path in sorted(Path(gold_dir).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:  # ValueError: not JSON, or not UTF-8 text
            raise AnnotationError(path, f"unreadable gold file: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("doc"), str):
            raise AnnotationError(path, 'not a gold file: expected an object with a "doc" file name')
        gold[data["doc"]] = data
        if files is not None:
            files[data["doc"]] = path
    if not gold:
        raise AnnotationError(gold_dir, "no gold files (*.json) in this folder")
    return gold


@contextmanager
def _gold_entry(files: dict[str, Path], entry: dict) -> Iterator[None]:
    """A gold entry that lacks a field or holds one of the wrong type is refused, naming its file. Only a
    failure raised here, where the gold is read, counts: one inside the reader or the extractor stays a bug."""
    try:
        yield
    except (KeyError, TypeError, AttributeError) as exc:
        if traceback.extract_tb(exc.__traceback__)[-1].filename != __file__:
            raise
        detail = f"lacks {exc}" if isinstance(exc, KeyError) else f"has a field of the wrong type ({exc})"
        raise AnnotationError(files.get(str(entry.get("doc")), entry.get("doc")), f"bad gold entry: {detail}") from exc


def pair_with_corpus(gold: dict[str, dict], corpus_dirs: list[Path]) -> Iterator[tuple[Path, dict]]:
    """Documents under the corpus folders that have a gold file, by file name."""
    for corpus in corpus_dirs:
        if not Path(corpus).exists():
            raise ConfigError(corpus, "corpus folder does not exist")
        for path in sorted(p for p in Path(corpus).rglob("*") if p.is_file()):
            if path.name in gold:
                yield path, gold[path.name]


def _squeeze(text: str) -> str:
    """Text without white space or table-cell bars: how gold anchors are compared."""
    text = _RULE_LINE.sub("", normalise_text(text))  # Markdown table rules |---|---|
    return compact(text).replace("|", "")


def _same(a: str | None, b: str | None) -> bool:
    return compact(normalise_text(a or "")) == compact(normalise_text(b or ""))


def _gold_total(gold: dict) -> int:
    return len(gold["sections"]) + ("appendix" in gold)


def score_segments(path: Path, gold: dict) -> DocScore:
    from gkreport.pipeline import Pipeline
    from gkreport.readers import read

    doc = read(path)
    if doc.sha256 != gold.get("sha256"):
        return DocScore(path.name, 0, _gold_total(gold), error="sha256 differs from the gold file")
    report = Pipeline("segment", require=False).analyse(doc)
    score = DocScore(path.name, 0, 0)
    for field_name in ("template", "year", "level"):
        if field_name in gold and str(getattr(report, field_name)) != str(gold[field_name]):
            score.problems.append(f"{field_name} {getattr(report, field_name)}, gold {gold[field_name]}")
            score.metadata_wrong += 1
    for want in gold["sections"]:
        got = report.section(want["number"])
        score.total += 1
        why = None
        if got.status != want["status"]:
            why = f"status {got.status}, gold {want['status']}"
        elif want["status"] == "found" and not _same(got.heading, want["heading"]):
            why = f"heading {got.heading!r}, gold {want['heading']!r}"
        elif want.get("anchor"):
            where = _squeeze(got.text).find(_squeeze(want["anchor"]))
            if where < 0 or where > ANCHOR_WINDOW:
                why = f"body does not start at the gold anchor {want['anchor']!r}"
        if why:
            score.problems.append(f"{want['number']}: {why}")
        else:
            score.correct += 1
    if "appendix" in gold:  # an absent key is not checked; null says the report has none
        score.total += 1
        why = _appendix_problem(report.appendix, gold["appendix"])
        if why:
            score.problems.append(f"appendix: {why}")
        else:
            score.correct += 1
    return score


def _appendix_problem(got: Appendix | None, want: dict | None) -> str | None:
    """Why the found appendix differs from the gold one, or None. The anchor must follow its heading."""
    if want is None or got is None:
        return (
            None
            if want is got
            else f"{'none' if got is None else repr(got.heading)}, gold "
            f"{'none' if want is None else repr(want['heading'])}"
        )
    if not _same(got.heading, want["heading"]):
        return f"heading {got.heading!r}, gold {want['heading']!r}"
    if want.get("anchor"):
        where = _squeeze(got.text).find(_squeeze(want["anchor"]))
        if where < 0 or where > len(_squeeze(got.heading)) + ANCHOR_WINDOW:
            return f"does not start at the gold anchor {want['anchor']!r}"
    return None


def evaluate_segments(gold_dir: Path, corpus_dirs: list[Path]) -> EvalSummary:
    files: dict[str, Path] = {}
    gold = load_gold(gold_dir, files)
    docs = []
    for path, entry in pair_with_corpus(gold, corpus_dirs):
        with _gold_entry(files, entry):
            try:
                docs.append(score_segments(path, entry))
            except ReportError as exc:
                docs.append(DocScore(path.name, 0, _gold_total(entry), error=str(exc)))
    return EvalSummary(
        "segment", docs, {"metadata_wrong": sum(d.metadata_wrong for d in docs), "metadata_total": 3 * len(docs)}
    )


def evaluate_segment_folders(gold_dirs: list[Path], corpus_dirs: list[Path]) -> list[tuple[Path, EvalSummary]]:
    """`evaluate_segments` for each gold folder apart (old gold, new gold …), in the order given."""
    return [(gold_dir, evaluate_segments(gold_dir, corpus_dirs)) for gold_dir in gold_dirs]


def evaluate_tables(gold_dir: Path, corpus_dirs: list[Path]) -> EvalSummary:
    """Cells correct / total, cells wrong but marked ok, cells left ambiguous or missing."""
    from gkreport.pipeline import Pipeline
    from gkreport.readers import read

    pipeline = Pipeline("segment", "tables", require=False)
    files: dict[str, Path] = {}
    gold = load_gold(gold_dir, files)
    docs: list[DocScore] = []
    extra = {"wrong_but_ok": 0, "ambiguous": 0, "missing": 0}
    for path, entry in pair_with_corpus(gold, corpus_dirs):
        with _gold_entry(files, entry):
            cells = [c for c in entry.get("cells", []) if c.get("status", "ok") != "ambiguous"]
            score = DocScore(path.name, 0, len(cells))
            try:
                doc = read(path)
                if doc.sha256 != entry.get("sha256"):
                    score.error = "sha256 differs from the gold file"
                    docs.append(score)
                    continue
                result = pipeline.analyse(doc).tables
            except ReportError as exc:
                score.error = str(exc)
                docs.append(score)
                continue
            got = {(c.table, c.row, c.col): c for c in result.cells} if result is not None else {}
            for want in cells:
                key = (want["table"], want["row"], want["col"])
                cell = got.get(key)
                where = "/".join(key)
                if cell is None or cell.status == "missing":
                    extra["missing"] += 1
                    score.problems.append(f"{where}: missing")
                elif cell.status == "ambiguous":
                    extra["ambiguous"] += 1
                    score.problems.append(f"{where}: ambiguous")
                elif want.get("status") == "blank":
                    if cell.status == "blank":
                        score.correct += 1
                    else:
                        score.problems.append(f"{where}: {cell.value} ({cell.status}), gold blank")
                        extra["wrong_but_ok"] += cell.status == "ok"
                elif cell.status == "ok" and cell.value == want["value"]:
                    score.correct += 1
                else:
                    if cell.status == "ok":
                        extra["wrong_but_ok"] += 1
                    score.problems.append(f"{where}: {cell.value} ({cell.status}), gold {want['value']}")
            docs.append(score)
    return EvalSummary("tables", docs, extra)
