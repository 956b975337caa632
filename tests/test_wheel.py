"""The wheel carries the shipped theme model: built, installed into a fresh virtual environment and run from
there, `gkreport tag` gives themes; and `batch` without a model stops instead of dropping the themes."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from helpers import EX01 as EXAMPLE
from helpers import ROOT
from typer.testing import CliRunner

from gkreport import cli

MODEL_FILES = ("card.json", "model.joblib", "scorer.joblib")


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _fresh_venv(venv: Path) -> Path:
    """A virtual environment without gkreport that sees this interpreter's installed libraries (numpy, jieba…)
    through a .pth line: like --system-site-packages, but also from inside a venv (CI's), and without the
    .pth files of those folders, so the editable install of gkreport is not on its path."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    python = _venv_python(venv)
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    libraries = dict.fromkeys(
        [*site.getsitepackages(), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    )
    (Path(purelib) / "outer_libraries.pth").write_text("".join(f"{p}\n" for p in libraries), encoding="utf-8")
    return python


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


@pytest.mark.slow
def test_the_wheel_ships_the_model_and_tags_from_a_fresh_venv(tmp_path: Path) -> None:
    if not (Path(str(cli.DEFAULT_MODEL)) / "card.json").exists():
        pytest.skip("no shipped theme model in src/gkreport/models/themes")
    source = tmp_path / "source"  # built from a copy: the build leaves build/ and *.egg-info behind
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(tmp_path / "dist")],
        capture_output=True,
        text=True,
        env=_env(),
    )
    if built.returncode and "Could not find a version that satisfies" in built.stderr:
        pytest.skip(f"no package index to build the wheel with: {built.stderr.strip().splitlines()[-1]}")
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("gkreport-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"gkreport/models/themes/{name}" for name in MODEL_FILES} <= names
    assert {"gkreport/data/sections.json", "gkreport/themes/taxonomy.json", "gkreport/review/review.js"} <= names

    venv = tmp_path / "venv"
    python = _fresh_venv(venv)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        capture_output=True,
        env=_env(),
        cwd=tmp_path,
    )
    where = subprocess.run(
        [str(python), "-c", "import gkreport, gkreport.cli as c; print(gkreport.__file__); print(c.DEFAULT_MODEL)"],
        check=True,
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp_path,
    ).stdout.split()
    assert all(Path(p).resolve().is_relative_to(venv.resolve()) for p in where), where

    gkreport = python.with_name("gkreport.exe" if os.name == "nt" else "gkreport")  # the wheel's console script
    tag = subprocess.run([str(gkreport), "tag", str(EXAMPLE)], capture_output=True, text=True, env=_env(), cwd=tmp_path)
    assert tag.returncode == 0, tag.stderr
    passages = [json.loads(line) for line in tag.stdout.splitlines()]
    assert passages and any(p["themes"] for p in passages)

    installed = Path(where[1])  # the card still guards the model installed from the wheel
    with (installed / "scorer.joblib").open("ab") as handle:
        handle.write(b"\0")
    tampered = subprocess.run(
        [str(gkreport), "tag", str(EXAMPLE)], capture_output=True, text=True, env=_env(), cwd=tmp_path
    )
    assert tampered.returncode == 2 and tampered.stdout == ""
    [line] = tampered.stderr.strip().splitlines()
    assert "scorer.joblib" in line and "Traceback" not in tampered.stderr


def test_batch_without_a_model_stops_unless_no_themes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.database, "DEFAULT_MODEL", tmp_path / "no-model")  # an install without the shipped model
    runner = CliRunner()
    db = tmp_path / "r.sqlite"
    result = runner.invoke(cli.app, ["batch", str(EXAMPLE), "--db", str(db), "--jobs", "1"])
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith("error: --model: no shipped theme model") and "--no-themes" in line
    assert not db.exists()  # nothing done
    result = runner.invoke(cli.app, ["batch", str(EXAMPLE), "--db", str(db), "--jobs", "1", "--no-themes"])
    assert result.exit_code == 0, result.output
