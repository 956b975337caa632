"""The CLI on the examples and on bad input: output formats, clear errors, exit codes."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES, HANG_GUARD_SECONDS, ROOT, cli_command, needs_shipped_model, shared_path
from helpers import cli as run


def test_segment_json_lines_for_every_example() -> None:
    result = run("segment", str(EXAMPLES), "--format", "json")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == len(list(EXAMPLES.iterdir()))
    for record in records:
        assert record["error"] is None
        assert [s["number"] for s in record["sections"]] == [1, 2, 3, 4, 5, 6]
        assert {"path", "sha256", "format", "encoding", "template", "agency", "year", "level"} <= set(record)


def test_bad_files_give_error_lines_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "junk.pdf").write_bytes(b"\x00\x01\x02 not a pdf")
    good = tmp_path / "good.txt"
    good.write_bytes((EXAMPLES / "ex01_2024_tabs_township.txt").read_bytes())
    result = run("segment", str(tmp_path), "--format", "json")
    assert result.exit_code == 1
    records = {Path(r["path"]).name: r for r in map(json.loads, result.stdout.splitlines())}
    assert records["good.txt"]["error"] is None
    assert "empty.txt" in records["empty.txt"]["error"] and "empty" in records["empty.txt"]["error"]
    assert "junk.pdf" in records["junk.pdf"]["error"]
    missing = run("check", str(tmp_path / "nope.txt"))
    assert missing.exit_code == 1 and "nope.txt" in missing.output


def test_tables_csv_and_text() -> None:
    example = str(EXAMPLES / "ex01_2024_tabs_township.txt")
    result = run("tables", example, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 200 and {r["table"] for r in rows} == {"2", "3", "4"}
    text = run("tables", example, "--format", "text")
    assert "表三" in text.stdout and "自然人" in text.stdout


def test_check_strict_fails_on_the_broken_example() -> None:
    broken = str(EXAMPLES / "ex09_2024_tabs_broken_county.txt")
    assert run("check", broken).exit_code == 0
    strict = run("check", broken, "--strict")
    assert strict.exit_code == 1
    assert "R1.total" in strict.stdout and "不符" in strict.stdout
    assert run("check", str(EXAMPLES / "ex01_2024_tabs_township.txt"), "--strict").exit_code == 0


def test_tag_and_classify(tmp_path: Path) -> None:
    needs_shipped_model()
    result = run("tag", str(EXAMPLES / "ex01_2024_tabs_township.txt"))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines and {"role", "themes", "scores", "passage", "text", "sha1"} <= set(lines[0])
    assert any(line["role"] == "problem" for line in lines)
    # what a label needs: the hash `gkreport train` resolves the passage by
    assert all(line["sha1"] == hashlib.sha1(line["text"].strip().encode()).hexdigest() for line in lines)
    text = run("tag", str(EXAMPLES / "ex01_2024_tabs_township.txt"), "--format", "text")
    assert "[problem]" in text.stdout
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "a", "text": "工作人员业务能力不足，培训不够。"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    assert run("classify", str(source), "--output", str(out)).exit_code == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["id"] == "a" and set(record["scores"]) >= {"staffing", "channels"}


def test_tagging_never_imports_scikit_learn_or_spacy() -> None:
    """`tag` and a batch worker score with the shipped numpy scorer and tokenise with jieba alone: importing
    scikit-learn (and scipy.stats with it) would cost 1.5–2 s of every cold `tag` and every worker, spaCy
    0.8–1.2 s."""
    needs_shipped_model()
    example = str(EXAMPLES / "ex01_2024_tabs_township.txt")
    code = (
        "import sys; from typer.testing import CliRunner; from gkreport.cli import DEFAULT_MODEL, app;"
        "from gkreport.pipeline import process_files;"
        "result = CliRunner().invoke(app, ['tag', sys.argv[1]]);"
        "[record] = process_files([(sys.argv[1], None)], str(DEFAULT_MODEL), None);"
        "print(result.exit_code, record.status, len(record.passages) > 0,"
        " sorted(m for m in ('sklearn', 'scipy', 'spacy', 'thinc') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code, example], capture_output=True, text=True, check=True)
    assert out.stdout.strip().split(maxsplit=3) == ["0", "ok", "True", "[]"], out.stdout + out.stderr


def test_tag_on_a_report_without_section_five(tmp_path: Path) -> None:
    needs_shipped_model()
    path = tmp_path / "short.txt"
    path.write_text("某镇2024年政府信息公开工作年度报告\n一、总体情况\n全年工作平稳。\n", encoding="utf-8")
    result = run("tag", str(path))
    assert result.exit_code == 1
    assert "no passages" in result.stdout


def test_classify_rejects_bad_lines(tmp_path: Path) -> None:
    needs_shipped_model()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    result = run("classify", str(bad))
    assert result.exit_code == 2 and "text" in result.output


def test_tag_refuses_a_missing_model(tmp_path: Path) -> None:
    result = run("tag", str(EXAMPLES / "ex01_2024_tabs_township.txt"), "--model", str(tmp_path))
    assert result.exit_code == 2
    assert "no theme model" in result.output


def test_previous_year_pairs_for_x1() -> None:
    from gkreport.document import Document
    from gkreport.pipeline import previous_year_index
    from gkreport.report import Report

    def report(agency: str, year: int) -> Report:
        return Report(Document("p", "txt", "0", ""), "2021", agency, year, "county")

    reports = [report("甲县人民政府", 2024), None, report("甲县人民政府", 2023), report("乙县人民政府", 2022)]
    assert previous_year_index(reports) == {0: 2}


def test_check_runs_x1_across_consecutive_years() -> None:
    shared = shared_path("corpus", "github")
    result = run("check", "--all", str(shared / "004_pingtan_syq_2025.txt"), str(shared / "005_pingtan_syq_2024.txt"))
    assert result.exit_code == 0
    assert result.stdout.count("[X1.") == 7  # only the 2025 report has its previous year among the inputs


def test_cli_choices_are_the_api_choices() -> None:
    # The CLI spells its choices out so that it starts without importing NumPy and the store; they must
    # stay the same as the ones the API accepts.
    from gkreport import cli, store, summary

    def values(choice: Any) -> list[str]:
        return [member.value for member in choice]

    assert values(cli.SummaryBy) == list(summary.GROUP_FIELDS)
    assert values(cli.SummaryRole) == list(summary.ROLES)
    assert values(cli.SummaryFormat) == list(summary.FORMATS)
    assert values(cli.ExportWhat) == list(store.EXPORTS)
    assert values(cli.ExportFormat) == list(store.EXPORT_FORMATS)
    from gkreport import labelling

    assert values(cli.LabelOrder) == list(labelling.ORDERS)


def test_batch_names_the_files_that_failed_and_exits_1(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes((EXAMPLES / "ex01_2024_tabs_township.txt").read_bytes())
    for i in range(7):
        (folder / f"empty{i}.txt").write_bytes(b"")  # one sha256: stored once, so one error row…
    (folder / "note.md").write_text("# 说明\n\n这里只是说明。\n", "utf-8")  # …and one more
    db = tmp_path / "r.sqlite"
    result = run("batch", str(folder), "--db", str(db), "--no-themes")
    assert result.exit_code == 1
    assert "9 files: 3 processed (1 ok, 2 errors), 0 already done, 6 identical copies of others" in result.output
    assert f"error: {folder / 'empty0.txt'}: empty file" in result.output
    assert "note.md: not an annual report" in result.output


def test_other_files_in_a_folder_are_counted_and_a_folder_without_reports_fails(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.xls").write_bytes(b"x")
    (folder / "b.zip").write_bytes(b"PK")
    (folder / "c.zip").write_bytes(b"PK\x03")
    for command in ("segment", "tables", "check", "tag", "batch"):
        extra = ["--db", str(tmp_path / "r.sqlite")] if command == "batch" else []
        result = run(command, str(folder), *extra)
        assert result.exit_code == 1, (command, result.output)
        assert f"error: no report files in {folder}: looked for .txt" in result.output, command
        assert "3 other files passed over (.zip 2, .xls 1)" in result.output, command
    (folder / "good.txt").write_bytes((EXAMPLES / "ex01_2024_tabs_township.txt").read_bytes())
    batch = run("batch", str(folder), "--db", str(tmp_path / "r.sqlite"), "--no-themes")
    assert batch.exit_code == 0, batch.output
    assert (
        "1 files: 1 processed (1 ok, 0 errors), 0 already done; 3 other files passed over (.zip 2, .xls 1);"
        in batch.output
    )
    segment = run("segment", str(folder))
    assert segment.exit_code == 0 and "note: 3 other files passed over (.zip 2, .xls 1)" in segment.output


def test_missing_database_is_named(tmp_path: Path) -> None:
    for command in ("summary", "export"):
        result = run(command, "--db", str(tmp_path / "nope.sqlite"))
        assert result.exit_code == 2
        assert f"error: {tmp_path / 'nope.sqlite'}: no such database" in result.output


@pytest.mark.slow
def test_readme_main_command_and_its_worked_example(examples_db: Path) -> None:
    # The README's main command (after its `pip install -e .`; the fixture runs its batch), and the summary
    # excerpt it shows.
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "gkreport batch corpora/examples --db results.sqlite && gkreport summary --db results.sqlite" in readme
    summary = subprocess.run(
        cli_command("summary", "--db", examples_db, "--format", "markdown"), cwd=ROOT, capture_output=True, text=True
    )
    assert summary.returncode == 0, summary.stderr
    excerpt = readme.split("## A worked example", 1)[1].split("Single reports", 1)[0]
    rows = [line for line in excerpt.splitlines() if line.startswith("| ") and "%" in line]
    assert len(rows) == 9
    for row in rows:
        assert row in summary.stdout, f"README row not in today's summary: {row}"


def test_readme_single_report_examples_are_what_the_commands_print(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the README's paths are relative to the checkout
    readme = (ROOT / "README.md").read_text("utf-8")
    block = readme.split("```text\n$ gkreport segment", 1)[1].split("```", 1)[0]
    shown: dict[str, list[str]] = {}
    command = ""
    for line in ("$ gkreport segment" + block).splitlines():
        if line.startswith("$ gkreport "):
            command = line[2:]
            shown[command] = []
        elif line.strip():
            shown[command].append(line)
    assert len(shown) == 2
    for command, lines in shown.items():
        result = run(*command.split()[1:])
        printed = [line.rstrip() for line in result.output.splitlines()]
        for line in lines:
            assert line.rstrip() in printed, f"{command}: README line not printed: {line}"


def _one_error_line(result: Any, *words: str, code: int = 2) -> None:
    """The command stopped with the documented exit code and one error line holding `words`, no traceback."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and all(w in errors[0] for w in words), result.output
    assert "Traceback" not in result.output


def _small_db(path: Path) -> Path:
    from gkreport.records import FileRecord
    from gkreport.store import connect, write_records

    conn = connect(path)
    write_records(
        conn, [FileRecord(sha256="e" * 64, path="/x/bad.txt", status="error", error="/x/bad.txt: empty file")]
    )
    conn.close()  # the last connection to close checkpoints the WAL into the file
    return path


def test_bad_option_values_are_one_line_and_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    db = str(tmp_path / "r.sqlite")
    nowhere = tmp_path / "no such folder"
    _one_error_line(run("batch", str(folder), "--db", db, "--jobs", "0"), "--jobs", "got 0")
    _one_error_line(run("batch", str(folder), "--db", db, "--timeout", "-5"), "--timeout", "got -5")
    _one_error_line(run("batch", str(folder), "--db", db, "--timeout", "nan"), "--timeout")
    _one_error_line(
        run("batch", str(folder), "--db", db, "--scheduler", "tcp://127.0.0.1:1"), "--scheduler", "needs --backend dask"
    )
    _one_error_line(run("batch", str(folder), "--db", str(nowhere / "r.sqlite")), "does not exist")
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("some notes\n" * 200, "utf-8")
    for command in ("batch", "summary", "export"):
        args = [command, str(folder)] if command == "batch" else [command]
        _one_error_line(run(*args, "--db", str(not_sqlite)), str(not_sqlite), "not an SQLite database")
    _small_db(tmp_path / "ok.sqlite")
    _one_error_line(run("summary", "--db", str(tmp_path / "ok.sqlite"), "--top", "-1"), "--top", "at least 1")
    _one_error_line(
        run("summary", "--db", str(tmp_path / "ok.sqlite"), "--output", str(nowhere / "s.html")),
        "--output",
        "does not exist",
    )
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "培训不够。"}\n', "utf-8")
    _one_error_line(run("classify", str(source), "--output", str(nowhere / "o.jsonl")), "--output", "does not exist")
    _one_error_line(
        run("train", "--annotations", str(source), "--corpus", str(folder), "--out", str(nowhere / "deeper" / "model")),
        "--out",
        "does not exist",
    )
    _one_error_line(
        run("train", "--annotations", str(source), "--corpus", str(folder), "--out", str(tmp_path / "m"), "--cv", "1"),
        "--cv",
    )
    for what in ("segment", "tables"):
        _one_error_line(
            run("evaluate", what, "--gold", str(nowhere), "--corpus", str(folder)), "--gold", "no such folder"
        )
        _one_error_line(
            run("evaluate", what, "--gold", str(folder), "--corpus", str(nowhere)), "--corpus", "no such folder"
        )


@pytest.mark.slow
def test_an_unreachable_dask_scheduler_fails_fast_in_one_line(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes((EXAMPLES / "ex01_2024_tabs_township.txt").read_bytes())
    cmd = cli_command(
        "batch",
        folder,
        "--db",
        tmp_path / "r.sqlite",
        "--backend",
        "dask",
        "--scheduler",
        "tcp://127.0.0.1:1",
        "--no-themes",
    )
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=HANG_GUARD_SECONDS)
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "cannot reach the Dask scheduler" in errors[0], done.stderr
    assert "Traceback" not in done.stderr


def test_summary_and_export_never_change_a_database(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    for command in ("summary", "export"):
        _one_error_line(run(command, "--db", str(other)), "not a gkreport results database", "notes")
    assert other.read_bytes() == before  # no tables added, not switched to WAL
    ours = _small_db(tmp_path / "ours.sqlite")
    before = ours.read_bytes()
    assert run("summary", "--db", str(ours)).exit_code == 0
    assert run("export", "--db", str(ours)).exit_code == 0
    assert ours.read_bytes() == before
    conn = sqlite3.connect(ours)
    conn.execute("PRAGMA user_version = 99")  # as a later gkreport would write it
    conn.commit()
    conn.close()
    for command in ("summary", "export"):
        _one_error_line(run(command, "--db", str(ours)), "newer gkreport", "schema version 99")
    with pytest.raises(Exception, match="newer gkreport"):
        from gkreport.batch import run_batch

        run_batch([EXAMPLES / "ex01_2024_tabs_township.txt"], ours, jobs=1, progress=False)


def test_summary_says_why_there_are_no_themes(tmp_path: Path) -> None:
    errors_only = _small_db(tmp_path / "errors.sqlite")
    result = run("summary", "--db", str(errors_only), "--format", "json")
    assert "holds no report, only 1 error rows" in json.loads(result.stdout)["note"]
    db = tmp_path / "plain.sqlite"
    batch = run("batch", str(EXAMPLES / "ex01_2024_tabs_township.txt"), "--db", str(db), "--no-themes")
    assert batch.exit_code == 0, batch.output
    note = json.loads(run("summary", "--db", str(db), "--format", "json", "--year", "1999").stdout)["note"]
    assert note == "themes are not available: no report of 1999 in the database (its years: 2024)"
    note = json.loads(run("summary", "--db", str(db), "--format", "json").stdout)["note"]
    assert "none of the 1 reports was tagged" in note and "--model DIR" in note


def test_files_named_on_the_command_line_each_get_a_line_and_the_rest_is_done(tmp_path: Path) -> None:
    good = tmp_path / "ok.txt"
    good.write_bytes((EXAMPLES / "ex01_2024_tabs_township.txt").read_bytes())
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.txt"
    db = tmp_path / "r.sqlite"
    result = run("batch", str(good), str(empty), str(missing), "--db", str(db), "--no-themes")
    assert result.exit_code == 1, result.output
    assert f"error: {missing}: file not found" in result.output
    rows = dict(sqlite3.connect(db).execute("SELECT path, status FROM files").fetchall())
    assert rows == {str(good): "ok", str(empty): "error", str(missing): "error"}
    # a re-run says how many stored errors it skipped and how to retry them; a path missing now is named again
    again = run("batch", str(good), str(empty), str(missing), "--db", str(db), "--no-themes")
    assert again.exit_code == 1, again.output
    assert "3 files: 1 processed (0 ok, 1 errors), 2 already done (1 of them stored as errors)" in again.output
    assert (
        "note: 1 files stored as errors were skipped; to try them again, run the same command with "
        "--retry-errors" in again.output
    )
    for command in ("segment", "tables", "check"):
        named = run(command, str(good), str(missing))
        assert named.exit_code == 1 and f"{missing}: file not found" in named.output, command
        assert str(good) in named.output
