"""The hand-read gold files for the 平潭 bodies (annotations/gold/segments_pingtan) are well formed and
resolve against their reports as annotations/gold/segments/README.md ("How to resolve") describes,
with the `appendix` (statistics table) found after the last section."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, SHARED, shared_path

from gkreport.normalise import compact, normalise_text

GOLD = ROOT / "annotations" / "gold" / "segments_pingtan"
CORPUS = SHARED / "corpus" / "pingtan-bodies"
GOLD_FILES = sorted(GOLD.glob("*.json"))

KEYS = {"doc", "sha256", "template", "agency", "year", "level", "sections", "appendix"}
OPTIONAL_KEYS = {"warnings"}
SECTION_KEYS = {"number", "status", "heading", "anchor", "note"}
TEMPLATES = {"2021", "2019", "pre2019"}
LEVELS = {"township", "county", "prefecture", "province", "department"}
MAX_ANCHOR = 12  # non-space characters copied from a report after a heading
MAX_HEADING = 40  # a heading, not a sentence of prose
ANCHOR_GAP = re.compile(r"[#|]*")  # what may sit between a heading and its anchor (Markdown marks)


class GoldError(ValueError):
    """A gold file that is malformed or does not resolve against its report."""


def _short(value: Any, limit: int, what: str) -> str:
    if not isinstance(value, str) or not compact(value):
        raise GoldError(f"{what} must be a non-empty string")
    if len(compact(value)) > limit:
        raise GoldError(f"{what} {value!r} is longer than {limit} characters")
    return value


def check_record(record: Any, file_name: str) -> None:
    """Raise GoldError naming the first thing wrong with the shape of one gold record."""
    if not isinstance(record, dict):
        raise GoldError("not a JSON object")
    keys = set(record)
    if not KEYS <= keys or not keys <= KEYS | OPTIONAL_KEYS:
        raise GoldError(f"keys {sorted(keys)}: need {sorted(KEYS)}, may add {sorted(OPTIONAL_KEYS)}")
    if file_name != f"{record['doc']}.json":
        raise GoldError(f"file name {file_name} does not name doc {record['doc']!r}")
    if not re.fullmatch(r"[0-9a-f]{64}", str(record["sha256"])):
        raise GoldError("sha256 is not 64 hex digits")
    if record["template"] not in TEMPLATES or record["level"] not in LEVELS:
        raise GoldError(f"template {record['template']!r} or level {record['level']!r} unknown")
    if not isinstance(record["year"], int) or str(record["year"]) not in record["doc"]:
        raise GoldError(f"year {record['year']!r} is not an integer in the file name")
    _short(record["agency"], MAX_HEADING, "agency")
    sections = record["sections"]
    if not isinstance(sections, list) or [s.get("number") for s in sections] != [1, 2, 3, 4, 5, 6]:
        raise GoldError("sections must list numbers 1-6 in order")
    for s in sections:
        where = f"section {s['number']}"
        if not set(s) <= SECTION_KEYS or s.get("status") not in {"found", "inferred", "missing"}:
            raise GoldError(f"{where}: keys {sorted(s)} or status {s.get('status')!r}")
        if (s.get("heading") is not None) != (s["status"] == "found"):
            raise GoldError(f"{where}: a heading is given exactly when the status is found")
        if (s.get("anchor") is not None) != (s["status"] != "missing"):
            raise GoldError(f"{where}: an anchor is given exactly when the section is present")
        if s["status"] == "found":
            _short(s["heading"], MAX_HEADING, f"{where} heading")
        if s["status"] != "missing":
            _short(s["anchor"], MAX_ANCHOR, f"{where} anchor")
        if "note" in s and not isinstance(s["note"], str):
            raise GoldError(f"{where}: note must be a string")
    appendix = record["appendix"]
    if appendix is not None:
        if not isinstance(appendix, dict) or set(appendix) != {"heading", "anchor"}:
            raise GoldError("appendix must be null or {heading, anchor}")
        _short(appendix["heading"], MAX_HEADING, "appendix heading")
        _short(appendix["anchor"], MAX_ANCHOR, "appendix anchor")
    warnings = record.get("warnings", [])
    if not isinstance(warnings, list) or not all(isinstance(w, str) and w for w in warnings):
        raise GoldError("warnings must be a list of non-empty strings")


def _heading_then_anchor(text: str, heading: str, anchor: str, cursor: int, where: str) -> tuple[int, int]:
    """(start of the heading, end of the anchor): the heading's first match at or after the cursor, the
    anchor right after it."""
    at = text.find(compact(normalise_text(heading)), cursor)
    if at < 0:
        raise GoldError(f"{where}: heading {heading!r} not found after offset {cursor}")
    end = at + len(compact(normalise_text(heading)))
    gap = ANCHOR_GAP.match(text, end)
    body = gap.end() if gap else end
    want = compact(normalise_text(anchor))
    if not text.startswith(want, body):
        raise GoldError(
            f"{where}: anchor {anchor!r} does not follow its heading (text there: {text[end : end + 12]!r})"
        )
    return at, body + len(want)


def resolve(record: dict, text: str) -> list[tuple[str, int]]:
    """Where each present section (and the appendix) starts in compact(normalise_text(text)), by the
    README's cursor walk; raise GoldError where a heading or an anchor is not found in order."""
    compacted = compact(normalise_text(text))
    cursor, starts = 0, []
    for s in record["sections"]:
        where = f"section {s['number']}"
        if s["status"] == "found":
            start, cursor = _heading_then_anchor(compacted, s["heading"], s["anchor"], cursor, where)
        elif s["status"] == "inferred":
            want = compact(normalise_text(s["anchor"]))
            start = compacted.find(want, cursor)
            if start < 0:
                raise GoldError(f"{where}: anchor {s['anchor']!r} not found after offset {cursor}")
            cursor = start + len(want)
        else:
            continue
        starts.append((where, start))
    if record["appendix"] is not None:
        start, _ = _heading_then_anchor(
            compacted, record["appendix"]["heading"], record["appendix"]["anchor"], cursor, "appendix"
        )
        starts.append(("appendix", start))
    return starts


# --- the checker itself, on records and texts written here -------------------------------------------

_TEXT = (
    "标题: 某局2015年度报告\n正文\n一、概述本局今年做了很多工作。二、主动公开政府信息情况本年主动公开十条。"
    "三、依申请公开情况未收到申请。四、收费及减免情况无。五、存在的问题和改进措施人手不足。"
    "六、附表指标名称计量单位"
)


def _record(**changes: Any) -> dict:
    sections = [
        {"number": 1, "status": "found", "heading": "一、概述", "anchor": "本局今年做了很多"},
        {"number": 2, "status": "found", "heading": "二、主动公开政府信息情况", "anchor": "本年主动公开十条"},
        {"number": 3, "status": "found", "heading": "三、依申请公开情况", "anchor": "未收到申请。"},
        {"number": 4, "status": "missing", "heading": None, "anchor": None},
        {"number": 5, "status": "found", "heading": "五、存在的问题和改进措施", "anchor": "人手不足。"},
        {"number": 6, "status": "missing", "heading": None, "anchor": None},
    ]
    record = {
        "doc": "x_2015.txt",
        "sha256": "0" * 64,
        "template": "pre2019",
        "agency": "某局",
        "year": 2015,
        "level": "department",
        "sections": sections,
        "appendix": {"heading": "六、附表", "anchor": "指标名称计量单位"},
    }
    record.update(changes)
    return record


def test_checker_accepts_a_good_record_and_resolves_it_in_order() -> None:
    record = _record()
    check_record(record, "x_2015.txt.json")
    starts = resolve(record, _TEXT)
    assert [w for w, _ in starts] == ["section 1", "section 2", "section 3", "section 5", "appendix"]
    assert [s for _, s in starts] == sorted(s for _, s in starts)


@pytest.mark.parametrize(
    "change",
    [
        {"appendix": None, "warnings": "one string"},
        {"year": "2015"},
        {"template": "2008"},
        {"doc": "y_2015.txt"},
        {"sha256": "abc"},
        {"extra": 1},
    ],
)
def test_checker_rejects_a_malformed_record(change: dict) -> None:
    record = _record(**change)
    with pytest.raises(GoldError):
        check_record(record, "x_2015.txt.json")


def test_checker_rejects_a_missing_appendix_key_and_bad_sections() -> None:
    record = _record()
    del record["appendix"]
    with pytest.raises(GoldError):
        check_record(record, "x_2015.txt.json")
    record = _record()
    record["sections"][3] = {"number": 4, "status": "missing", "heading": None, "anchor": "本局"}
    with pytest.raises(GoldError):
        check_record(record, "x_2015.txt.json")
    record = _record()
    record["sections"][0]["anchor"] = "本局今年做了很多工作本局今年做了很多工作"
    with pytest.raises(GoldError, match="longer"):
        check_record(record, "x_2015.txt.json")
    record = _record()
    record["sections"].reverse()
    with pytest.raises(GoldError):
        check_record(record, "x_2015.txt.json")


@pytest.mark.parametrize(
    "edit",
    [
        lambda r: r["sections"][2].update(anchor="人手不足。"),  # an anchor not right after its heading
        lambda r: r["sections"][1].update(heading="二、依申请公开"),  # a heading not in the text
        lambda r: r.update(
            sections=[
                r["sections"][0],
                r["sections"][4] | {"number": 2},
                r["sections"][1] | {"number": 3},
                r["sections"][3] | {"number": 4},
                r["sections"][2] | {"number": 5},
                r["sections"][5],
            ]
        ),  # sections out of text order
        lambda r: r["sections"][5].update(status="found", heading="六、附表", anchor="指标名称计量单位"),  # appendix
        # taken as section 6 leaves nothing after it for the appendix
    ],
)
def test_checker_rejects_a_record_that_does_not_resolve(edit: Any) -> None:
    record = _record()
    edit(record)
    with pytest.raises(GoldError):
        resolve(record, _TEXT)


# --- the real gold files -----------------------------------------------------------------------------


def test_there_are_gold_files_and_the_readme_lists_each_one() -> None:
    assert len(GOLD_FILES) >= 40
    readme = (GOLD / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `?([a-z]{3}_\d{4}(?:_[a-z])?\.txt)`? \|", readme, re.M))
    assert listed == {p.name.removesuffix(".json") for p in GOLD_FILES}


@pytest.mark.parametrize("gold", GOLD_FILES, ids=lambda p: p.name)
def test_gold_file_is_well_formed(gold: Path) -> None:
    check_record(json.loads(gold.read_text(encoding="utf-8")), gold.name)


@pytest.mark.parametrize("gold", GOLD_FILES, ids=lambda p: p.name)
def test_gold_file_resolves_against_its_report(gold: Path) -> None:
    shared_path("corpus", "pingtan-bodies")
    from gkreport.readers import read

    record = json.loads(gold.read_text(encoding="utf-8"))
    path = CORPUS / record["doc"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == record["sha256"], "sha256 differs from the file"
    resolve(record, read(path).text)
