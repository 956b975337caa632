"""The theme model a command uses: the shipped one (package data, so an installed wheel has it too) unless
a folder is named. Light on purpose: the CLI imports it at start-up to name the default."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from gkreport.errors import ModelError

DEFAULT_MODEL = Path(str(resources.files("gkreport") / "models" / "themes"))


def model_folder(model: Path | None) -> Path:
    """The folder of the model to use (`model`, else the shipped one), or why there is none."""
    where = model or DEFAULT_MODEL
    if not (where / "card.json").exists() and not any(where.glob("*.json")):
        raise ModelError(where, "no theme model here; train one with `gkreport train` or pass --model DIR")
    return where


def load_theme_model(model: Path | None) -> Any:
    """The scorer of `model_folder(model)` (its card's hashes are checked as it loads)."""
    from gkreport.themes.card import load_scorer

    return load_scorer(model_folder(model))


def model_version(model: Path | None) -> str:
    """The card version of `model_folder(model)`."""
    from gkreport.themes.card import read_card

    return str(read_card(model_folder(model)).get("version") or "gkreport")
