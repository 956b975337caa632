"""Fixtures shared by the test files (plain helpers are in helpers.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from gate_model import save_gate_model
from helpers import ROOT, cli_command, needs_shipped_model


@pytest.fixture()
def shipped_model() -> Path:
    """The theme model shipped with the package (the test is skipped where it is absent)."""
    return needs_shipped_model()


@pytest.fixture()
def gate(tmp_path: Path) -> tuple[Path, Path]:
    """(model folder, gate file): a theme model that holds every passage carrying `gate_model.MARKER` until the
    test creates the gate file (`gate_model.held_at(gate)` names the processes held so far)."""
    gate_file = tmp_path / "gate-open"
    return save_gate_model(tmp_path / "gate-model", gate_file), gate_file


@pytest.fixture()
def deaf_gate(tmp_path: Path) -> tuple[Path, Path]:
    """As `gate`, but the held call also ignores SIGALRM: a file that really never finishes, which only a hard
    time limit (killing its worker) ends."""
    gate_file = tmp_path / "gate-open"
    return save_gate_model(tmp_path / "gate-model", gate_file, deaf=True), gate_file


@pytest.fixture(scope="session")
def examples_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's main command, run once: `gkreport batch corpora/examples --db DB` from the checkout, in a
    new process with the shipped model (skipped where it is absent). Tests read it; none may write to it."""
    needs_shipped_model()
    db = tmp_path_factory.mktemp("examples-db") / "results.sqlite"
    batch = subprocess.run(
        cli_command("batch", "corpora/examples", "--db", db), cwd=ROOT, capture_output=True, text=True
    )
    assert batch.returncode == 0, batch.stderr
    return db


@pytest.fixture()
def keyword_model(tmp_path: Path) -> Path:
    """A saved theme model that needs no training data: the keyword classifier with its cue lists (every theme,
    a score from the cue phrases a passage holds)."""
    from gkreport.themes import KeywordThemeClassifier, save_model

    folder = tmp_path / "keyword-model"
    save_model(KeywordThemeClassifier().fit(["-"]), folder, model_kind="keyword")
    return folder
