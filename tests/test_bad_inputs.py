"""Every command that reads files, on every kind of bad input: one line naming the file and the reason, the
documented exit code (1: a file failed, the others were processed), no traceback, no hang.

The bad inputs are made here (texts of our own, generated PDFs and zips); each is given to each command beside
a good report, which must still be processed."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import EX01 as GOOD
from helpers import EXAMPLES, cli, needs_shipped_model


def _pdf(text: str | None = None, password: str | None = None) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, encrypt=password) if password else canvas.Canvas(out)
    if text:
        page.drawString(72, 720, text)
    else:
        page.rect(72, 600, 200, 100, fill=1)  # a drawing, no text: like a scan without OCR
    page.showPage()
    page.save()
    return out.getvalue()


def _docx_bomb() -> bytes:
    """A .docx whose document.xml unpacks to 120 MB of one repeated paragraph (0.1 MB on disk)."""
    out = io.BytesIO()
    paragraph = b"<w:p><w:r><w:t>" + "填充".encode() * 20 + b"</w:t></w:r></w:p>"
    body = paragraph * (120 * 2**20 // len(paragraph))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", b"<w:document><w:body>" + body + b"</w:body></w:document>")
    return out.getvalue()


def _corrupt_docx() -> bytes:
    data = (EXAMPLES / "ex06_2021_docx_department.docx").read_bytes()
    return data[: len(data) // 2]  # cut off: the central directory is gone


# name → (how to make it in a folder, words the error must contain)
Maker = Callable[[Path], None]
BAD_INPUTS: dict[str, tuple[Maker, str]] = {
    "empty.txt": (lambda p: p.write_bytes(b""), "empty file"),
    "binary.pdf": (lambda p: p.write_bytes(bytes(range(256)) * 40), "PDF"),
    "truncated.pdf": (lambda p: p.write_bytes(_pdf("2024 report")[:300]), "corrupt PDF"),
    "encrypted.pdf": (lambda p: p.write_bytes(_pdf("2024 report", password="secret")), "encrypted PDF"),
    "image-only.pdf": (lambda p: p.write_bytes(_pdf()), "no text layer"),
    "corrupt.docx": (lambda p: p.write_bytes(_corrupt_docx()), "corrupt DOCX"),
    "bomb.docx": (lambda p: p.write_bytes(_docx_bomb()), "unpacks to 120 MB"),
    "legacy.doc": (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)), "save it as .docx"),
    "pipe.txt": (lambda p: os.mkfifo(p), "named pipe, not a regular file: not opened"),
    "dangling.txt": (lambda p: p.symlink_to(p.parent / "gone.txt"), "dangling symbolic link"),
    "loop.txt": (lambda p: p.symlink_to(p), "symbolic link loop"),
    "huge.txt": (lambda p: p.open("wb").truncate(51 * 2**20), "larger than the limit of 50 MB"),
    "截断 的 年报.docx": (lambda p: p.write_bytes(b"PK\x03\x04" + bytes(40)), "corrupt DOCX"),
}
FILE_COMMANDS = ("segment", "tables", "check", "tag", "label")


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad inputs 坏文件")  # a path with spaces and Chinese
    for name, (make, _) in BAD_INPUTS.items():
        make(folder / name)
    (folder / "好 报告.txt").write_bytes(GOOD.read_bytes())
    return folder


def _args(command: str, tmp_path: Path) -> list[str]:
    if command == "label":
        return ["--out", str(tmp_path / "labels.jsonl"), "--annotator", "t"]
    return []


def _run(command: str, paths: list[Path], tmp_path: Path):
    if command == "tag":
        needs_shipped_model()
    # label: s skips each passage of the good report, so the run ends as a whole
    return cli(command, *map(str, paths), *_args(command, tmp_path), input="s\n" * 60)


def _assert_one_line(output: str, path: Path, reason: str) -> None:
    lines = [line for line in output.splitlines() if str(path) in line and reason in line]
    assert len(lines) == 1, f"want one line naming {path.name} with {reason!r}:\n{output[-3000:]}"
    assert "Traceback" not in output


@pytest.mark.parametrize("name", list(BAD_INPUTS))
@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_each_command_names_each_bad_file_and_goes_on(
    command: str, name: str, bad_folder: Path, tmp_path: Path
) -> None:
    bad = bad_folder / name
    good = bad_folder / "好 报告.txt"
    result = _run(command, [good, bad], tmp_path)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    _assert_one_line(result.output, bad, BAD_INPUTS[name][1])
    if command in ("segment", "tables", "check"):
        assert str(good) in result.output  # the good file beside it was processed


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_each_command_names_missing_files_loops_and_unlistable_folders(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "r.txt").write_bytes(GOOD.read_bytes())
    (folder / "good.txt").write_bytes(GOOD.read_bytes())
    (folder / "back").symlink_to(folder)  # a folder link leading back into the walk
    missing = tmp_path / "missing.txt"
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str]):  # as a folder without read permission (tests run as root)
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr("gkreport.walk.os.scandir", scandir)
    result = _run(command, [folder, missing], tmp_path)
    assert result.exit_code == 1, result.output
    _assert_one_line(result.output, missing, "file not found")
    _assert_one_line(result.output, folder / "locked", "cannot read folder: Permission denied")
    _assert_one_line(result.output, folder / "back", "symbolic link loop: leads back to")


def _unreadable(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Files called `name` behave as without read permission (the tests run as root, who may read anything)."""
    real_open, real_access = os.open, os.access

    def no_read(path: str, *args: Any, **kwargs: Any) -> Any:
        if Path(path).name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("gkreport.readers.os.open", no_read)
    monkeypatch.setattr("os.access", lambda path, mode, *a, **k: Path(path).name != name and real_access(path, mode))


@pytest.mark.parametrize("command", (*FILE_COMMANDS, "batch"))
def test_an_unreadable_file_named_beside_a_good_one_is_one_line(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good, noperm = tmp_path / "ok.txt", tmp_path / "noperm.txt"
    good.write_bytes(GOOD.read_bytes())
    noperm.write_bytes(GOOD.read_bytes())
    _unreadable(monkeypatch, "noperm.txt")
    if command == "batch":
        db = tmp_path / "r.sqlite"
        result = cli("batch", str(good), str(noperm), "--db", str(db), "--no-themes", "--jobs", "1")
        rows = dict(sqlite3.connect(db).execute("SELECT path, status FROM files").fetchall())
        assert rows == {str(good): "ok", str(noperm): "error"}
    else:
        result = _run(command, [good, noperm], tmp_path)
    assert result.exit_code == 1, result.output
    _assert_one_line(result.output, noperm, "cannot read file: permission denied")


def test_batch_stores_one_error_row_per_bad_input_and_the_good_report(bad_folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    missing = tmp_path / "missing.txt"
    result = cli("batch", str(bad_folder), str(missing), "--db", str(db), "--no-themes", "--jobs", "2")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    rows = {
        Path(path).name: (status, error)
        for path, status, error in sqlite3.connect(db).execute("SELECT path, status, error FROM files")
    }
    assert rows.pop("好 报告.txt") == ("ok", None)
    assert rows.pop("missing.txt") == ("error", f"{missing}: file not found")
    for name, (_, reason) in BAD_INPUTS.items():
        status, error = rows.pop(name)
        assert status == "error" and error.startswith(f"{bad_folder / name}: ") and reason in error, (name, error)
    assert not rows


def test_bad_inputs_in_json_output_are_error_records(bad_folder: Path) -> None:
    result = cli("segment", str(bad_folder), "--format", "json")
    assert result.exit_code == 1
    records = {Path(r["path"]).name: r for r in map(json.loads, result.stdout.splitlines())}
    assert records["好 报告.txt"]["error"] is None
    for name, (_, reason) in BAD_INPUTS.items():
        assert reason in records[name]["error"], name


# ---------------------------------------------------------------------------------------------------
# Random option values: whatever is typed, one line and an exit code, never a traceback.


@pytest.fixture(scope="module")
def option_paths(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    from gkreport.records import FileRecord
    from gkreport.store import connect, write_records

    root = tmp_path_factory.mktemp("options 选项")
    (root / "empty folder").mkdir()
    (root / "notes.txt").write_text("说明\n", "utf-8")
    (root / "binary.bin").write_bytes(bytes(range(256)))
    os.mkfifo(root / "pipe")
    conn = connect(root / "gk 库.sqlite")
    write_records(conn, [FileRecord(sha256="e" * 64, path="/x/e.txt", status="error", error="/x/e.txt: empty file")])
    conn.close()
    return [
        str(p)
        for p in (
            root / "empty folder",
            root / "notes.txt",
            root / "binary.bin",
            root / "pipe",
            root / "gk 库.sqlite",
            root / "no folder" / "x",
            root / "new 文件.out",
            root,
            "",
        )
    ]


def _number_text() -> Any:
    from hypothesis import strategies as st

    return st.one_of(
        st.integers(-(10**15), 10**15).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.sampled_from(["0", "-1", "1", "2", "1e400", "-0", "nan", "inf", "", "x"]),
    )


def test_random_option_values_never_give_a_traceback(option_paths: list[str]) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    paths = st.sampled_from(option_paths)
    numbers = _number_text()
    folder = option_paths[0]  # empty: a batch finds nothing to run, so no worker starts
    commands = st.one_of(
        st.tuples(st.just("batch"), paths, numbers, numbers, st.sampled_from(["local", "dask"]), st.booleans()).map(
            lambda t: (
                ["batch", folder, "--db", t[1], "--jobs", t[2], "--timeout", t[3], "--backend", t[4]]
                + (["--scheduler", "tcp://127.0.0.1:1"] if t[5] and t[4] == "local" else [])
            )
        ),
        st.tuples(paths, numbers, numbers, paths).map(
            lambda t: ["summary", "--db", t[0], "--top", t[1], "--year", t[2], "--output", t[3]]
        ),
        paths.map(lambda p: ["export", "--db", p]),
        st.tuples(paths, paths, paths).map(lambda t: ["classify", t[0], "--output", t[1], "--model", t[2]]),
        st.tuples(st.sampled_from(["segment", "tables"]), paths, paths).map(
            lambda t: ["evaluate", t[0], "--gold", t[1], "--corpus", t[2]]
        ),
        st.tuples(paths, paths, paths, numbers).map(
            lambda t: ["train", "--annotations", t[0], "--corpus", t[1], "--out", t[2], "--cv", t[3]]
        ),
        st.tuples(paths, paths).map(lambda t: ["tag", t[0], "--model", t[1]]),
        st.tuples(paths, paths).map(lambda t: ["label", t[0], "--out", t[1], "--annotator", "t"]),
        st.tuples(paths, numbers, paths).map(lambda t: ["review", "--db", t[0], "--year", t[1], "--output", t[2]]),
        st.tuples(paths, paths).map(lambda t: ["labelstudio", "export", t[0], "--out", t[1], "--no-predictions"]),
        st.tuples(paths, paths, paths).map(lambda t: ["labelstudio", "import", t[0], "--corpus", t[1], "--out", t[2]]),
    )

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(commands)
    def check(args: list[str]) -> None:
        result = cli(*args, input="q\n")
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
        assert "Traceback" not in result.output, (args, result.output)
        assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)

    check()
