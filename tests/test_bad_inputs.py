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

import pytest
from typer.testing import CliRunner

from gkreport.cli import DEFAULT_MODEL, app

EXAMPLES = Path(__file__).resolve().parents[1] / "corpora" / "examples"
GOOD = EXAMPLES / "ex01_2024_tabs_township.txt"
runner = CliRunner()


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
    if command == "tag" and not (DEFAULT_MODEL / "card.json").exists():
        pytest.skip("no shipped theme model in models/themes")
    # label: s skips each passage of the good report, so the run ends as a whole
    return runner.invoke(app, [command, *map(str, paths), *_args(command, tmp_path)], input="s\n" * 60)


def _assert_one_line(output: str, path: Path, reason: str) -> None:
    lines = [line for line in output.splitlines() if str(path) in line and reason in line]
    assert len(lines) == 1, f"want one line naming {path.name} with {reason!r}:\n{output[-3000:]}"
    assert "Traceback" not in output


@pytest.mark.parametrize("name", list(BAD_INPUTS))
@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_each_command_names_each_bad_file_and_goes_on(command: str, name: str, bad_folder: Path,
                                                     tmp_path: Path) -> None:
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
        command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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


def test_batch_stores_one_error_row_per_bad_input_and_the_good_report(bad_folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    missing = tmp_path / "missing.txt"
    result = runner.invoke(app, ["batch", str(bad_folder), str(missing), "--db", str(db), "--no-themes",
                                 "--jobs", "2"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    rows = {Path(path).name: (status, error) for path, status, error in
            sqlite3.connect(db).execute("SELECT path, status, error FROM files")}
    assert rows.pop("好 报告.txt") == ("ok", None)
    assert rows.pop("missing.txt") == ("error", f"{missing}: file not found")
    for name, (_, reason) in BAD_INPUTS.items():
        status, error = rows.pop(name)
        assert status == "error" and error.startswith(f"{bad_folder / name}: ") and reason in error, (name, error)
    assert not rows


def test_bad_inputs_in_json_output_are_error_records(bad_folder: Path) -> None:
    result = runner.invoke(app, ["segment", str(bad_folder), "--format", "json"])
    assert result.exit_code == 1
    records = {Path(r["path"]).name: r for r in map(json.loads, result.stdout.splitlines())}
    assert records["好 报告.txt"]["error"] is None
    for name, (_, reason) in BAD_INPUTS.items():
        assert reason in records[name]["error"], name
