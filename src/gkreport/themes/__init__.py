"""Theme tagging of section 五/六 passages: taxonomy, three classifiers, evaluation, model card.

Importing this package is cheap on purpose: scikit-learn and spaCy are imported only when a model is
built, trained or loaded, so the pipeline can import `gkreport.themes` for the theme ids alone.
The names below resolve lazily to their submodules (PEP 562 module `__getattr__`).
"""

from __future__ import annotations

import importlib
from typing import Any

# The nine theme ids, in the column order every model and matrix uses (domain.md §2b, T1–T9).
THEME_IDS: tuple[str, ...] = (
    "staffing",
    "channels",
    "timeliness",
    "interpretation",
    "awareness",
    "content",
    "mechanism",
    "requests",
    "engagement",
)

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
