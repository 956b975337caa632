"""The one error hierarchy and the CLI's one mapping of it: each class to one line on stderr and its exit code."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from gkreport.cli import DEFAULT_MODEL, app
from gkreport.errors import AnnotationError, ConfigError, GkreportError, ModelError, OptionError, ReportError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "corpora/examples/ex01_2024_tabs_township.txt"
runner = CliRunner()

# what README's CLI reference documents: 1 for a file that is not a usable report, 2 for the rest
DOCUMENTED = {ReportError: 1, ModelError: 2, AnnotationError: 2, ConfigError: 2, OptionError: 2}


def _app_raising(error: GkreportError) -> typer.Typer:
    """A two-command app built like gkreport's (same group class), whose command raises `error`."""
    test_app = typer.Typer(cls=app.info.cls, add_completion=False)

    @test_app.command("fail")
    def fail() -> None:
        raise error

    @test_app.command("other")
    def other() -> None:  # a second command, so that `fail` is a subcommand as in gkreport
        pass

    return test_app


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (ReportError("a.pdf", "scanned PDF, no text layer"), "error: a.pdf: scanned PDF, no text layer"),
        (ModelError("models/x/card.json", "model card is missing"), "error: models/x/card.json: model card is missing"),
        (AnnotationError("gold/a.json", "unreadable gold file"), "error: gold/a.json: unreadable gold file"),
        (ConfigError("r.sqlite", "not an SQLite database"), "error: r.sqlite: not an SQLite database"),
        (OptionError("--top", "must be at least 1 (got 0)"), "error: --top: must be at least 1 (got 0)"),
    ],
)
def test_each_class_is_one_line_and_its_exit_code(error: GkreportError, line: str) -> None:
    result = runner.invoke(_app_raising(error), ["fail"])
    assert result.exit_code == DOCUMENTED[type(error)] == type(error).exit_code
    assert result.stderr == line + "\n" and result.stdout == ""
    assert isinstance(result.exception, SystemExit)  # handled: no traceback, not an escaped exception


def test_an_annotation_error_prints_one_line_per_problem() -> None:
    problems = ["a.jsonl:3: not valid JSON (Expecting value)", "a.jsonl:7: unknown theme ids ['weather']"]
    error = AnnotationError("a.jsonl", "2 annotation problems:\n  " + "\n  ".join(problems), problems=problems)
    result = runner.invoke(_app_raising(error), ["fail"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {p}" for p in problems]


def test_the_classes_form_one_hierarchy() -> None:
    assert all(issubclass(cls, GkreportError) for cls in DOCUMENTED)
    assert issubclass(OptionError, ConfigError) and not issubclass(ModelError, ReportError)
    assert str(ReportError(None, "no report files")) == "no report files"


def test_the_readme_documents_every_class_and_its_code() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for cls, code in DOCUMENTED.items():
        if cls is OptionError:
            continue
        assert re.search(rf"^\| {code} \|.*`{cls.__name__}`", readme, re.M), cls.__name__


def _gkreport(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gkreport.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_real_errors_of_each_class_reach_the_user_as_one_line(tmp_path: Path) -> None:
    """One real trigger per class, end to end in a new process: the line names the file or option."""
    empty_model = tmp_path / "model"
    empty_model.mkdir()
    (tmp_path / "nothing").mkdir()
    bad_labels = tmp_path / "labels.jsonl"
    bad_labels.write_text("{not json\n", encoding="utf-8")
    latin = tmp_path / "passages.jsonl"
    latin.write_bytes('{"text": "公开"}\n'.encode("gb18030"))
    not_a_db = tmp_path / "r.sqlite"
    not_a_db.write_text("plain text, not SQLite", encoding="utf-8")
    cases = [
        (
            [
                "label",
                str(tmp_path / "nothing"),
                "--out",
                str(tmp_path / "o.jsonl"),
                "--annotator",
                "t",
                "--no-suggestions",
            ],
            1,
            "nothing",
        ),
        (["tag", str(EXAMPLE), "--model", str(empty_model)], 2, str(empty_model)),
        (
            ["train", "--annotations", str(bad_labels), "--corpus", str(tmp_path), "--out", str(tmp_path / "m")],
            2,
            f"{bad_labels}:1",
        ),
        (["classify", str(latin), "--model", str(DEFAULT_MODEL)], 2, str(latin)),
        (["summary", "--db", str(not_a_db)], 2, str(not_a_db)),
        (["summary", "--db", str(not_a_db), "--top", "0"], 2, "--top"),
    ]
    for args, code, named in cases:
        done = _gkreport(*args, cwd=tmp_path)
        lines = done.stderr.splitlines()
        assert done.returncode == code, (args, done.stderr)
        assert len(lines) == 1 and lines[0].startswith("error: ") and named in lines[0], (args, done.stderr)
        assert "Traceback" not in done.stderr


def test_a_database_damaged_past_its_header_is_refused_in_one_line(tmp_path: Path) -> None:
    """An SQLite error met while reading (not only on opening) is a ConfigError naming the database."""
    from gkreport.store import connect, reading

    db = tmp_path / "r.sqlite"
    connect(db).close()
    with pytest.raises(ConfigError, match=re.escape(str(db)) + ": cannot read the database"), reading(db) as conn:
        conn.execute("SELECT no_such_column FROM files")


def test_a_gold_file_without_its_fields_names_itself(tmp_path: Path) -> None:
    from gkreport.evaluate import evaluate_tables

    gold = tmp_path / "gold"
    gold.mkdir()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / EXAMPLE.name).write_bytes(EXAMPLE.read_bytes())
    sha256 = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    (gold / f"{EXAMPLE.name}.json").write_text(
        json.dumps({"doc": EXAMPLE.name, "sha256": sha256, "cells": [{"row": "1"}]}), encoding="utf-8"
    )
    with pytest.raises(AnnotationError, match=re.escape(f"{EXAMPLE.name}.json") + ": bad gold entry: lacks"):
        evaluate_tables(gold, [corpus])
    (gold / f"{EXAMPLE.name}.json").write_text("[]", encoding="utf-8")
    with pytest.raises(AnnotationError, match="not a gold file"):
        evaluate_tables(gold, [corpus])
