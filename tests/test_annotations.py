"""Annotation records: loading, validation, and resolving labels against a corpus by id + hash.

All passages here are invented; the shared-corpus tests compute labels at run time and store nothing.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from helpers import ROOT, SHARED, shared_path

from gkreport.annotations import (
    Label,
    LabelledPassage,
    load_annotations,
    make_label,
    resolve,
    split_web_text,
)
from gkreport.errors import AnnotationError
from gkreport.passages import Passage, text_sha1
from gkreport.themes import THEME_IDS

# Invented passages of an invented report "demo.txt".
DEMO = {
    "5.1": ("problem", "信息更新不够及时，个别栏目长期没有新内容。"),
    "5.2": ("improvement", "建立每周检查制度，专人负责栏目维护。"),
    "6.1": ("fee", "本年度未收取信息处理费。"),
}


def demo_passages(doc: str = "demo.txt", ids: Sequence[str] = ("5.1", "5.2", "6.1")) -> list[Passage]:
    texts = [DEMO[k] for k in ("5.1", "5.2", "6.1")]
    return [
        Passage(doc=doc, id=pid, section=int(pid[0]), role=role, text=text, start=0, end=len(text))
        for pid, (role, text) in zip(ids, texts, strict=True)
    ]


def record(
    doc: str = "demo.txt",
    passage: str = "5.1",
    themes: Sequence[str] = ("timeliness",),
    source: str = "corpus",
    **overrides: object,
) -> dict[str, object]:
    rec: dict[str, object] = {
        "doc": doc,
        "passage": passage,
        "sha1": text_sha1(DEMO[passage][1]),
        "role": DEMO[passage][0],
        "themes": list(themes),
        "annotator": "tester",
        "date": "2026-01-02",
        "source": source,
    }
    rec.update(overrides)
    return rec


def write_jsonl(path: Path, records: Sequence[object]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "demo.txt").write_text("placeholder: the fake splitter supplies passages", encoding="utf-8")
    return folder


def fake_splitter(passages: list[Passage]):
    calls: list[Path] = []

    def document_passages(path: Path) -> list[Passage]:
        calls.append(path)
        return passages

    document_passages.calls = calls  # type: ignore[attr-defined]
    return document_passages


# ---- loading ---------------------------------------------------------------------------------------------


def test_load_valid_records(tmp_path: Path) -> None:
    second = record(passage="5.2", themes=["mechanism", "staffing"])
    path = write_jsonl(tmp_path / "a.jsonl", [record(), second])
    labels = load_annotations([path])
    assert [lb.passage for lb in labels] == ["5.1", "5.2"]
    assert labels[1].themes == ("mechanism", "staffing")
    assert labels[0].origin == f"{path}:1"
    assert labels[0].to_record() == record()


def test_unknown_theme_is_refused_with_file_and_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [record(), record(themes=["timeliness", "budget"])])
    with pytest.raises(AnnotationError) as err:
        load_annotations([path])
    assert f"{path}:2" in str(err.value)
    assert "unknown theme ids ['budget']" in str(err.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sha1": "abc"}, "sha1 must be 40"),
        ({"date": "02/01/2026"}, "not YYYY-MM-DD"),
        ({"role": "complaint"}, "role 'complaint'"),
        ({"source": "scraped"}, "source 'scraped'"),
        ({"passage": "five"}, "passage id"),
        ({"theme": ["staffing"]}, "unknown fields ['theme']"),
        ({"text": "copied report text"}, "must not carry 'text'"),
        ({"source": "web"}, "doc must be 'passages.jsonl#<line>'"),
    ],
)
def test_bad_records_are_refused(tmp_path: Path, change: dict[str, object], message: str) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [{**record(), **change}])
    with pytest.raises(AnnotationError, match=re.escape(message)):
        load_annotations([path])


def test_missing_field_and_bad_json_are_all_reported(tmp_path: Path) -> None:
    rec = record()
    del rec["annotator"]
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(rec) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(AnnotationError) as err:
        load_annotations([path])
    text = str(err.value)
    assert "2 annotation problems" in text
    assert f"{path}:1: missing field 'annotator'" in text
    assert f"{path}:2: not valid JSON" in text


def test_written_record_needs_text_with_matching_hash(tmp_path: Path) -> None:
    good = record(source="written", doc="written-x", text=DEMO["5.1"][1])
    assert load_annotations([write_jsonl(tmp_path / "ok.jsonl", [good])])[0].text == DEMO["5.1"][1]
    with pytest.raises(AnnotationError, match="hash mismatch"):
        load_annotations([write_jsonl(tmp_path / "bad.jsonl", [{**good, "text": DEMO["5.2"][1]}])])
    without = {k: v for k, v in good.items() if k != "text"}
    with pytest.raises(AnnotationError, match="needs its 'text'"):
        load_annotations([write_jsonl(tmp_path / "none.jsonl", [without])])


# ---- resolving -------------------------------------------------------------------------------------------


def test_resolve_by_id_and_hash(tmp_path: Path, corpus: Path) -> None:
    splitter = fake_splitter(demo_passages())
    labels = load_annotations([write_jsonl(tmp_path / "a.jsonl", [record(), record(passage="5.2")])])
    data = resolve(labels, [corpus], document_passages=splitter)
    assert [(d.passage, d.text, d.group) for d in data] == [
        ("5.1", DEMO["5.1"][1], "demo.txt"),
        ("5.2", DEMO["5.2"][1], "demo.txt"),
    ]
    assert splitter.calls == [corpus / "demo.txt"]  # one read per document, however many labels


def test_resolve_falls_back_to_hash_when_ids_shifted(tmp_path: Path, corpus: Path) -> None:
    shifted = demo_passages(ids=("5.2", "5.3", "6.1"))  # the splitter now numbers differently
    labels = load_annotations([write_jsonl(tmp_path / "a.jsonl", [record(passage="5.1")])])
    [item] = resolve(labels, [corpus], document_passages=fake_splitter(shifted))
    assert item.passage == "5.2" and item.text == DEMO["5.1"][1]


def test_resolve_reports_hash_mismatch(tmp_path: Path, corpus: Path) -> None:
    changed = demo_passages()
    changed[0] = Passage(
        doc="demo.txt", id="5.1", section=5, role="problem", text="另一段完全不同的文字。", start=0, end=11
    )
    labels = load_annotations([write_jsonl(tmp_path / "a.jsonl", [record()])])
    with pytest.raises(AnnotationError, match="hash mismatch: passage 5.1 of demo.txt"):
        resolve(labels, [corpus], document_passages=fake_splitter(changed))


def test_resolve_reports_unresolvable_passage(tmp_path: Path, corpus: Path) -> None:
    only_six = [p for p in demo_passages() if p.section == 6]
    labels = load_annotations([write_jsonl(tmp_path / "a.jsonl", [record()])])
    with pytest.raises(AnnotationError, match=r"passage 5\.1 .* does not resolve in demo.txt.*has 6\.1"):
        resolve(labels, [corpus], document_passages=fake_splitter(only_six))


def test_resolve_reports_missing_document_and_collects_all(tmp_path: Path, corpus: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [record(doc="nowhere.txt"), record(doc="gone.pdf")])
    with pytest.raises(AnnotationError) as err:
        resolve(load_annotations([path]), [corpus], document_passages=fake_splitter(demo_passages()))
    text = str(err.value)
    assert "2 annotation problems" in text
    assert f"{path}:1: document 'nowhere.txt' not found" in text
    assert f"{path}:2: document 'gone.pdf' not found" in text


def test_resolve_refuses_unknown_theme_on_constructed_label(corpus: Path) -> None:
    label = Label(
        doc="demo.txt",
        passage="5.1",
        sha1=text_sha1(DEMO["5.1"][1]),
        role="problem",
        themes=("staffing", "weather"),
        annotator="t",
        date="2026-01-01",
        source="corpus",
    )
    with pytest.raises(AnnotationError, match="unknown theme ids \\['weather'\\]"):
        resolve([label], [corpus], document_passages=fake_splitter(demo_passages()))


def test_double_labels_agree_adjudicate_or_conflict(tmp_path: Path, corpus: Path) -> None:
    splitter = fake_splitter(demo_passages())
    same = load_annotations([write_jsonl(tmp_path / "a.jsonl", [record(), record(annotator="other")])])
    assert len(resolve(same, [corpus], document_passages=splitter)) == 1
    clash = [record(), record(annotator="other", themes=["staffing"])]
    labels = load_annotations([write_jsonl(tmp_path / "b.jsonl", clash)])
    with pytest.raises(AnnotationError, match="annotators disagree on demo.txt#5.1 .*no 'adjudicated' record"):
        resolve(labels, [corpus], document_passages=splitter)
    assert resolve(labels, [corpus], document_passages=splitter, on_conflict="skip") == []
    settled = clash + [record(annotator="adjudicated", themes=["staffing", "timeliness"])]
    [item] = resolve(
        load_annotations([write_jsonl(tmp_path / "c.jsonl", settled)]), [corpus], document_passages=splitter
    )
    assert item.themes == ("staffing", "timeliness") and item.annotator == "adjudicated"


def test_web_entries_resolve_by_line_and_group_by_url(tmp_path: Path) -> None:
    web = tmp_path / "web"
    web.mkdir()
    entries = [
        {"url": "http://example.invalid/a", "section": "problems", "text": "invented entry a"},
        {"url": "http://example.invalid/b", "section": "problems", "text": "invented entry b"},
    ]
    write_jsonl(web / "passages.jsonl", entries)
    seen: list[tuple[str, int, str]] = []

    def text_passages(text: str, section: int, doc: str) -> list[Passage]:
        seen.append((text, section, doc))
        return demo_passages(doc=doc)

    rec = record(doc="passages.jsonl#1", source="web")
    [item] = resolve(
        load_annotations([write_jsonl(tmp_path / "w.jsonl", [rec])]), [tmp_path], text_passages=text_passages
    )
    assert seen == [("invented entry b", 5, "passages.jsonl#1")]
    assert item.group == "web:http://example.invalid/b" and item.source == "web"
    bad = record(doc="passages.jsonl#7", source="web")
    with pytest.raises(AnnotationError, match="there is no line 7"):
        resolve(load_annotations([write_jsonl(tmp_path / "x.jsonl", [bad])]), [tmp_path], text_passages=text_passages)


def test_make_label_keeps_real_text_out() -> None:
    passage = demo_passages()[0]
    label = make_label(passage, ["timeliness"], "tester")
    assert label.text is None and "text" not in label.to_record()
    assert label.sha1 == passage.sha1 and label.source == "corpus"


# ---- the repository's own annotation files ---------------------------------------------------------------


def test_repository_annotations_load_and_keep_real_text_out() -> None:
    files = sorted((ROOT / "annotations").glob("*.jsonl"))
    assert files, "annotations/written.jsonl is missing"
    labels = load_annotations(files)
    assert all(lb.text is None for lb in labels if lb.source != "written")
    written = [lb for lb in labels if lb.source == "written"]
    assert all(lb.annotator == "themes-engineer" for lb in written if lb.doc.startswith("written-"))
    # every theme has written examples, so every model column can be trained
    assert {t for lb in written for t in lb.themes} == set(THEME_IDS)
    data = resolve(written, [])
    assert all(isinstance(d, LabelledPassage) and not d.is_real for d in data)


# ---- against the shared corpus (labels computed at run time, nothing stored) ----------------------------


def test_web_label_resolves_against_shared_corpus() -> None:
    web_file = shared_path("corpus", "web", "passages.jsonl")
    entry = json.loads(web_file.read_text(encoding="utf-8").splitlines()[0])
    passages = split_web_text(entry["text"], 5, "passages.jsonl#0")
    assert passages, "the splitter found no passage in web entry 0"
    label = make_label(passages[-1], ["content"], "tester", source="web")
    [item] = resolve([label], [SHARED / "corpus"])
    assert item.sha1 == passages[-1].sha1 and item.group == "web:" + entry["url"]


def test_corpus_label_resolves_against_shared_report() -> None:
    report = shared_path("seeds", "001_b0ddba2480d5cd58.txt")
    try:
        ready = hasattr(importlib.import_module("gkreport.readers"), "read") and hasattr(
            importlib.import_module("gkreport.segment"), "segment"
        )
    except ImportError:
        ready = False
    if not ready:
        pytest.skip("gkreport.readers.read / gkreport.segment.segment are not written yet")
    from gkreport.annotations import read_document_passages

    passages = read_document_passages(report)
    if not passages:
        pytest.fail("no passages found in seed 001, which has sections 五 and 六")
    labels = [make_label(p, ["mechanism"], "tester") for p in passages]
    data = resolve(labels, [SHARED / "seeds"])
    assert [d.sha1 for d in data] == [p.sha1 for p in passages]


def test_every_shipped_label_still_resolves_against_the_shared_corpus() -> None:
    # A change to the reader, segmenter or splitter can change a passage's text; the labels of the shipped
    # model must then be re-checked by a person and re-hashed, or `gkreport train` refuses them.
    shared_path("corpus"), shared_path("seeds")
    files = sorted((ROOT / "annotations").glob("*.jsonl"))
    labels = load_annotations(files)
    data = resolve(labels, [SHARED])
    assert len(data) >= len({(lb.doc, lb.passage) for lb in labels if lb.source != "written"})
