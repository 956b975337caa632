"""Baseline: tag a passage with every theme whose cue phrases (taxonomy.json) occur in it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from gkreport.themes import THEME_IDS
from gkreport.themes.base import ThemeClassifierMixin, check_label_matrix, check_texts


class KeywordThemeClassifier(ThemeClassifierMixin, ClassifierMixin, BaseEstimator):
    """Cue-phrase matcher with an sklearn face.

    predict_proba for a theme is hits / (hits + half_at): `half_at` cue hits give 0.5, more hits
    approach 1. `fit` learns nothing from the labels; it resolves the cue table and thresholds.

    Parameters
    ----------
    cues: theme id -> cue phrases; None takes them from the packaged taxonomy.
    themes: column order; None means `THEME_IDS`.
    half_at: number of distinct cue hits that scores 0.5.
    threshold: decision threshold applied to every theme.
    """

    def __init__(
        self,
        cues: Mapping[str, Sequence[str]] | None = None,
        themes: Sequence[str] | None = None,
        half_at: float = 1.0,
        threshold: float = 0.5,
    ) -> None:
        self.cues = cues
        self.themes = themes
        self.half_at = half_at
        self.threshold = threshold

    def fit(self, X: Any, Y: Any = None, groups: Sequence[str] | None = None) -> KeywordThemeClassifier:
        from gkreport.themes.taxonomy import CueMatcher, expand_cues, load_taxonomy

        texts = check_texts(X)
        themes = tuple(self.themes) if self.themes is not None else THEME_IDS
        if Y is not None:
            check_label_matrix(Y, len(texts), len(themes))
        if self.half_at <= 0:
            raise ValueError("half_at must be positive")
        source = self.cues if self.cues is not None else load_taxonomy().cues()
        missing = [t for t in themes if t not in source]
        if missing:
            raise ValueError(f"no cue phrases for themes {missing}")
        self.classes_ = np.array(themes)
        self.cues_ = {t: expand_cues(list(source[t])) for t in themes}
        self.matcher_ = CueMatcher.build(self.cues_, themes)
        self.thresholds_ = np.full(len(themes), float(self.threshold))
        return self

    def cue_hits(self, X: Any) -> np.ndarray:
        """Distinct cue phrases found per text and theme, shape (n, n_themes)."""
        texts = check_texts(X)
        hits = np.zeros((len(texts), len(self.classes_)), dtype=float)
        for i, text in enumerate(texts):
            for columns in self.matcher_.hits(text):
                hits[i, list(columns)] += 1
        return hits

    def predict_proba(self, X: Any) -> np.ndarray:
        hits = self.cue_hits(X)
        return hits / (hits + self.half_at)
