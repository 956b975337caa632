"""Label Studio both ways: the shipped config, exported tasks, and Label Studio's JSON export read back.

The export files read back here are written by hand in the format Label Studio's documentation gives for its
JSON export ("Label Studio JSON format of annotated tasks": tasks with id, data, annotations holding result,
was_cancelled, completed_by, created_at, updated_at ...), not by our own exporter."""

from __future__ import annotations

import copy
import fnmatch
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from helpers import EX01 as REPORT
from helpers import EXAMPLES, ROOT, SHIPPED_MODEL, cli

from gkreport.annotations import load_annotations, resolve
from gkreport.labelling import collect, with_suggestions
from gkreport.labelstudio import CONFIG, config_xml, import_export
from gkreport.passages import ROLES, text_sha1
from gkreport.themes import THEME_IDS, load_scorer


def passages() -> dict[str, Any]:
    return {c.passage.id: c.passage for c in collect([REPORT]).candidates}


def test_the_shipped_config_has_the_roles_and_the_taxonomys_themes() -> None:
    view = ET.fromstring(config_xml())
    controls = {c.get("name"): c for c in view.iter("Choices")}
    taxonomy = json.loads((ROOT / "src/gkreport/themes/taxonomy.json").read_text("utf-8"))
    assert [c.get("value") for c in controls["role"].iter("Choice")] == list(ROLES)
    assert [c.get("value") for c in controls["themes"].iter("Choice")] == [t["id"] for t in taxonomy["themes"]]
    assert controls["role"].get("choice") in ("single", "single-radio") and controls["role"].get("required") == "true"
    assert controls["themes"].get("choice") == "multiple"
    texts = {t.get("name"): t.get("value") for t in view.iter("Text")}
    assert all(c.get("toName") in texts for c in controls.values())
    printed = cli("labelstudio", "config")
    assert printed.exit_code == 0 and printed.stdout == config_xml()


def test_the_config_is_package_data() -> None:
    if sys.version_info < (3, 11):
        pytest.skip("tomllib needs Python 3.11")
    import tomllib

    globs = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["package-data"]
    relative = CONFIG.relative_to(ROOT / "src/gkreport").as_posix()
    assert any(fnmatch.fnmatch(relative, g) for g in globs["gkreport"])


def test_export_writes_tasks_with_the_models_suggestions(tmp_path: Path) -> None:
    out = tmp_path / "tasks.json"
    result = cli("labelstudio", "export", str(REPORT), "--out", str(out))
    assert result.exit_code == 0, result.output
    tasks = json.loads(out.read_text("utf-8"))
    scorer = load_scorer(SHIPPED_MODEL)
    candidates = with_suggestions(collect([REPORT]).candidates, scorer)
    assert len(tasks) == len(candidates)
    view = ET.fromstring(config_xml())
    allowed = {c.get("name"): {x.get("value") for x in c.iter("Choice")} for c in view.iter("Choices")}
    fields = {t.get("value", "").lstrip("$") for t in view.iter("Text")}
    for item, candidate in zip(tasks, candidates, strict=True):
        data = item["data"]
        assert fields <= set(data) and text_sha1(data["text"]) == data["sha1"] == candidate.passage.sha1
        assert (data["doc"], data["passage"], data["role"]) == (
            REPORT.name,
            candidate.passage.id,
            candidate.passage.role,
        )
        (prediction,) = item["predictions"]
        chosen = {r["from_name"]: r["value"]["choices"] for r in prediction["result"]}
        assert chosen["role"] == [candidate.passage.role]
        assert chosen.get("themes", []) == [t for t in THEME_IDS if t in candidate.suggested]
        assert all(
            r["to_name"] == "text" and r["type"] == "choices" and set(r["value"]["choices"]) <= allowed[r["from_name"]]
            for r in prediction["result"]
        )


def annotation(
    ident: int, task: int, role: str | None, themes: list[str], when: str, *, cancelled: bool = False, who: Any = 1
) -> dict[str, Any]:
    """One annotation as Label Studio's JSON export writes it."""
    result = []
    if role is not None:
        result.append(
            {
                "value": {"choices": [role]},
                "id": f"r{ident}",
                "from_name": "role",
                "to_name": "text",
                "type": "choices",
                "origin": "manual",
            }
        )
    if themes:
        result.append(
            {
                "value": {"choices": themes},
                "id": f"t{ident}",
                "from_name": "themes",
                "to_name": "text",
                "type": "choices",
                "origin": "manual",
            }
        )
    return {
        "id": ident,
        "completed_by": who,
        "result": [] if cancelled else result,
        "was_cancelled": cancelled,
        "ground_truth": False,
        "created_at": when,
        "updated_at": when,
        "draft_created_at": None,
        "lead_time": 12.5,
        "prediction": {},
        "result_count": 0,
        "unique_id": f"u-{ident}",
        "import_id": None,
        "last_action": None,
        "bulk_created": False,
        "task": task,
        "project": 3,
        "updated_by": who if isinstance(who, int) else 1,
        "parent_prediction": None,
        "parent_annotation": None,
        "last_created_by": None,
    }


def exported_task(ident: int, source: Any, annotations: list[dict[str, Any]], **data: str) -> dict[str, Any]:
    """One task as Label Studio's JSON export writes it, with the data our export put in (for passage `source`,
    some of it replaced by `data`)."""
    fields = {
        "text": source.text,
        "where": f"{source.doc} · {source.id}",
        "doc": source.doc,
        "passage": source.id,
        "sha1": source.sha1,
        "report": "",
        "section": "5",
        "role": source.role,
    }
    fields.update(data)
    return {
        "id": ident,
        "annotations": annotations,
        "file_upload": "c1f2e3a4-tasks.json",
        "drafts": [],
        "predictions": [],
        "data": fields,
        "meta": {},
        "created_at": "2026-12-01T08:00:00.000000Z",
        "updated_at": "2026-12-02T09:00:00.000000Z",
        "inner_id": ident,
        "total_annotations": len([a for a in annotations if not a["was_cancelled"]]),
        "cancelled_annotations": len([a for a in annotations if a["was_cancelled"]]),
        "total_predictions": 0,
        "comment_count": 0,
        "unresolved_comment_count": 0,
        "last_comment_updated_at": None,
        "project": 3,
        "updated_by": 1,
        "comment_authors": [],
    }


def hand_written_export() -> list[dict[str, Any]]:
    p = passages()
    return [
        exported_task(
            101, p["5.1"], [annotation(1, 101, "problem", ["staffing", "timeliness"], "2026-12-02T09:00:00.1Z")]
        ),
        # labelled twice, then skipped by a third look: the latest answer not cancelled wins
        exported_task(
            102,
            p["5.2"],
            [
                annotation(2, 102, "problem", ["channels"], "2026-12-02T09:01:00.0Z"),
                annotation(
                    5,
                    102,
                    "improvement",
                    ["content"],
                    "2026-12-03T10:00:00.0Z",
                    who={"id": 2, "email": "b@example.org", "first_name": "", "last_name": ""},
                ),
                annotation(6, 102, None, [], "2026-12-04T10:00:00.0Z", cancelled=True),
            ],
        ),
        exported_task(103, p["5.3"], [annotation(3, 103, None, [], "2026-12-02T09:02:00.0Z", cancelled=True)]),
        exported_task(104, p["5.4"], []),
        # the text was edited in Label Studio
        exported_task(
            105, p["5.5"], [annotation(7, 105, "improvement", [], "2026-12-02T09:03:00.0Z")], text=p["5.5"].text + "补"
        ),
        # text and hash agree, but the report no longer holds that passage
        exported_task(
            106,
            p["5.6"],
            [annotation(8, 106, "improvement", [], "2026-12-02T09:04:00.0Z")],
            text=p["5.6"].text + "补",
            sha1=text_sha1(p["5.6"].text + "补"),
        ),
        # the passage has another id now: its hash finds it
        exported_task(
            107, p["6.1"], [annotation(9, 107, "other", ["requests"], "2026-12-02T09:05:00.0Z")], passage="6.9"
        ),
        exported_task(108, p["6.2"], [annotation(10, 108, None, ["requests"], "2026-12-02T09:06:00.0Z")]),
        exported_task(
            109, p["6.3"], [annotation(11, 109, "innovation", ["interpretation", "speed"], "2026-12-02T09:07:00.0Z")]
        ),
    ]


def test_import_reads_labelstudios_export_back_into_annotation_records(tmp_path: Path) -> None:
    export = tmp_path / "project-3-at-2026-12-04.json"
    export.write_text(json.dumps(hand_written_export(), ensure_ascii=False), "utf-8")
    out = tmp_path / "from_ls.jsonl"
    result = cli("labelstudio", "import", str(export), "--corpus", str(EXAMPLES), "--out", str(out))
    assert result.exit_code == 1, result.output  # some tasks were refused
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert [line.split(": ")[2] for line in errors] == ["task 105", "task 106", "task 108", "task 109"]
    assert all(line.startswith(f"error: {export}: task ") for line in errors)
    assert "no longer hashes" in errors[0] and "no longer matches the corpus" in errors[1]
    assert "no role" in errors[2] and "'speed'" in errors[3]
    assert "3 labels written" in result.output and "2 tasks skipped or not labelled" in result.output
    labels = load_annotations([out])
    p = passages()
    assert [(lb.passage, lb.sha1, lb.role, lb.themes, lb.annotator, lb.date) for lb in labels] == [
        ("5.1", p["5.1"].sha1, "problem", ("staffing", "timeliness"), "labelstudio-1", "2026-12-02"),
        ("5.2", p["5.2"].sha1, "improvement", ("content",), "labelstudio-b@example.org", "2026-12-03"),
        ("6.1", p["6.1"].sha1, "other", ("requests",), "labelstudio-1", "2026-12-02"),
    ]
    # the same shape as the repository's own annotation files, no text, and `train` resolves them
    shipped = json.loads((ROOT / "annotations/real_part1.jsonl").read_text("utf-8").splitlines()[0])
    assert all(set(json.loads(line)) == set(shipped) for line in out.read_text("utf-8").splitlines())
    assert [d.passage for d in resolve(labels, [EXAMPLES])] == ["5.1", "5.2", "6.1"]
    # an existing file is not overwritten by accident
    again = cli("labelstudio", "import", str(export), "--corpus", str(EXAMPLES), "--out", str(out))
    assert again.exit_code == 2 and "--force" in again.output and len(load_annotations([out])) == 3


def test_what_label_studio_gives_back_for_our_tasks_round_trips(tmp_path: Path) -> None:
    tasks_file = tmp_path / "tasks.json"
    assert cli("labelstudio", "export", str(REPORT), "--out", str(tasks_file)).exit_code == 0
    tasks = json.loads(tasks_file.read_text("utf-8"))
    # Label Studio keeps the data, gives ids and stores the annotator's result; here each accepts the suggestion
    export = []
    for ident, item in enumerate(tasks, 40):
        answer = annotation(ident, ident, None, [], "2026-12-04T11:00:00.0Z")
        answer["result"] = copy.deepcopy(item["predictions"][0]["result"])
        export.append({**exported_task(ident, passages()[item["data"]["passage"]], [answer]), "data": item["data"]})
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export, ensure_ascii=False), "utf-8")
    imported = import_export(path, [EXAMPLES])
    assert not imported.refused and not imported.skipped
    expected = [
        (t["data"]["passage"], {r["from_name"]: tuple(r["value"]["choices"]) for r in t["predictions"][0]["result"]})
        for t in tasks
    ]
    assert [(lb.passage, lb.role, lb.themes) for lb in imported.labels] == [
        (pid, chosen["role"][0], chosen.get("themes", ())) for pid, chosen in expected
    ]


@pytest.mark.parametrize(
    "content,reason",
    [
        ("{not json", "not a JSON file"),
        ('{"id": 1}', "expected a list of tasks"),
        ('[{"text": "x", "role": "problem"}]', "JSON-MIN"),
        (None, "cannot read the export"),
    ],
)
def test_a_bad_export_is_one_line_naming_it(tmp_path: Path, content: str | None, reason: str) -> None:
    export = tmp_path / "export.json"
    if content is not None:
        export.write_text(content, "utf-8")
    result = cli("labelstudio", "import", str(export), "--corpus", str(EXAMPLES), "--out", str(tmp_path / "o.jsonl"))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {export}: ") and reason in lines[0], result.output


@pytest.mark.parametrize("case", ["empty folder", "missing folder", "bad model"])
def test_export_errors_are_one_line(tmp_path: Path, case: str) -> None:
    (tmp_path / "in").mkdir()
    args = ["labelstudio", "export", str(REPORT), "--out", str(tmp_path / "t.json")]
    if case == "empty folder":
        args[2] = str(tmp_path / "in")
    elif case == "missing folder":
        args[4] = str(tmp_path / "nowhere" / "t.json")
    else:
        args += ["--model", str(tmp_path / "in")]
    result = cli(*args)
    assert result.exit_code == (1 if case == "empty folder" else 2)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output, result.output


def test_an_equal_time_is_broken_by_the_later_annotation_id() -> None:
    from gkreport.labelstudio import _latest

    same = "2026-12-01T10:00:00.000000Z"
    answers = [{"id": 9, "updated_at": same, "result": []}, {"id": 10, "updated_at": same, "result": []}]
    assert _latest(answers)["id"] == 10
    assert _latest(list(reversed(answers)))["id"] == 10
