"""Theme tagging of section 五/六 passages: taxonomy, three classifiers, evaluation, model card.

Importing this package is cheap on purpose: scikit-learn and spaCy are imported only when a model is
built, trained or loaded, so the pipeline can import `gkreport.themes` for the theme ids alone.
The names below resolve lazily to their submodules (PEP 562 module `__getattr__`).
"""

from __future__ import annotations

import importlib
import json
from importlib import resources
from typing import Any


def _packaged_theme_ids() -> tuple[str, ...]:
    """The theme ids of the packaged taxonomy.json, in its order: the column order of every model and matrix.
    Read with json alone (no parsing of cues), so importing the package stays cheap."""
    raw = json.loads(resources.files(__name__).joinpath("taxonomy.json").read_text(encoding="utf-8"))
    return tuple(str(theme["id"]) for theme in raw["themes"])


# taxonomy.json alone defines the themes (domain.md §2b, T1–T9)
THEME_IDS: tuple[str, ...] = _packaged_theme_ids()

# public name -> submodule that defines it
_LAZY: dict[str, str] = {
    "Theme": "taxonomy",
    "Taxonomy": "taxonomy",
    "load_taxonomy": "taxonomy",
    "themes_to_matrix": "base",
    "matrix_to_themes": "base",
    "KeywordThemeClassifier": "keyword",
    "LinearThemeClassifier": "linear",
    "OneVsRestCalibrated": "linear",
    "build_feature_union": "features",
    "JiebaTokenizer": "features",
    "SpacyThemeClassifier": "spacy_textcat",
    "MODEL_NAMES": "training",
    "make_model": "training",
    "cross_validate": "training",
    "train": "training",
    "EvalReport": "training",
    "ModelScores": "training",
    "save_model": "card",
    "load_model": "card",
    "load_scorer": "card",
    "LinearScorer": "scoring",
    "training_data_hash": "card",
}

__all__ = ["THEME_IDS", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gkreport.themes' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"gkreport.themes.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
