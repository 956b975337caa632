"""spaCy `textcat_multilabel` (bag-of-words n-grams over jieba words) as an sklearn-style estimator.

Small and deterministic on CPU: the BOW architecture, a fixed seed for spaCy/thinc and for example
shuffling. The fitted pipeline is pickled as spaCy bytes + config, so joblib round-trips work.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from gkreport.themes import THEME_IDS
from gkreport.themes.base import (
    DEFAULT_THRESHOLD,
    ThemeClassifierMixin,
    check_label_matrix,
    check_texts,
    tune_thresholds,
)
from gkreport.themes.features import ZH_JIEBA_CONFIG

PIPE_NAME = "textcat_multilabel"


def _blank_zh() -> Any:
    import logging

    import jieba
    import spacy

    jieba.setLogLevel(logging.WARNING)
    return spacy.blank("zh", config=ZH_JIEBA_CONFIG)


class SpacyThemeClassifier(ThemeClassifierMixin, ClassifierMixin, BaseEstimator):
    """Multi-label spaCy text classifier over the theme ids.

    Parameters
    ----------
    themes: label order; None means `THEME_IDS`.
    epochs, batch_size, dropout, learn_rate: training loop settings.
    ngram_size, hash_length: the BOW model (word n-grams hashed into `hash_length` buckets).
    threshold_cv: >= 2 chooses per-theme thresholds on grouped inner CV (trains that many extra
        models); otherwise every threshold is 0.5.
    seed: fixes spaCy/thinc initialisation and the shuffling of examples.
    """

    def __init__(
        self,
        themes: Sequence[str] | None = None,
        epochs: int = 12,
        batch_size: int = 8,
        dropout: float = 0.1,
        learn_rate: float = 0.01,
        ngram_size: int = 2,
        hash_length: int = 2**16,
        threshold_cv: int = 3,
        seed: int = 0,
    ) -> None:
        self.themes = themes
        self.epochs = epochs
        self.batch_size = batch_size
        self.dropout = dropout
        self.learn_rate = learn_rate
        self.ngram_size = ngram_size
        self.hash_length = hash_length
        self.threshold_cv = threshold_cv
        self.seed = seed

    def _train(self, texts: list[str], Y: np.ndarray, themes: tuple[str, ...]) -> Any:
        from spacy.training import Example
        from spacy.util import fix_random_seed, minibatch
        from thinc.api import Adam

        fix_random_seed(self.seed)
        nlp = _blank_zh()
        textcat = nlp.add_pipe(
            PIPE_NAME,
            config={
                "model": {
                    "@architectures": "spacy.TextCatBOW.v3",
                    "exclusive_classes": False,
                    "ngram_size": self.ngram_size,
                    "no_output_layer": False,
                    "length": self.hash_length,
                }
            },
        )
        for theme in themes:
            textcat.add_label(theme)
        examples = [
            Example.from_dict(nlp.make_doc(text), {"cats": {t: float(v) for t, v in zip(themes, row, strict=True)}})
            for text, row in zip(texts, Y, strict=True)
        ]
        nlp.initialize(lambda: examples)
        optimizer = Adam(self.learn_rate)
        rng = random.Random(self.seed)
        order = list(range(len(examples)))
        self.losses_: list[float] = []
        for _ in range(self.epochs):
            rng.shuffle(order)
            losses: dict[str, float] = {}
            for batch in minibatch([examples[i] for i in order], size=self.batch_size):
                nlp.update(batch, drop=self.dropout, sgd=optimizer, losses=losses)
            self.losses_.append(float(losses.get(PIPE_NAME, 0.0)))
        return nlp

    def fit(self, X: Any, Y: Any, groups: Sequence[str] | None = None) -> SpacyThemeClassifier:
        texts = check_texts(X)
        themes = tuple(self.themes) if self.themes is not None else THEME_IDS
        Y = check_label_matrix(Y, len(texts), len(themes))
        if not texts:
            raise ValueError("cannot fit on no texts")
        self.classes_ = np.array(themes)
        if self.threshold_cv >= 2:
            inner = clone(self).set_params(threshold_cv=0)
            self.thresholds_ = tune_thresholds(lambda: clone(inner), texts, Y, groups, self.threshold_cv, self.seed)
        else:
            self.thresholds_ = np.full(len(themes), DEFAULT_THRESHOLD)
        self.nlp_ = self._train(texts, Y, themes)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        texts = check_texts(X)
        themes = list(self.classes_)
        proba = np.zeros((len(texts), len(themes)), dtype=float)
        for i, doc in enumerate(self.nlp_.pipe(texts, batch_size=64)):
            proba[i] = [doc.cats[t] for t in themes]
        return proba

    # spaCy pipelines are stored as config + bytes: robust across processes, no live objects pickled.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        nlp = state.pop("nlp_", None)
        if nlp is not None:
            state["_nlp_config"] = nlp.config.to_str()
            state["_nlp_bytes"] = nlp.to_bytes()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        config = state.pop("_nlp_config", None)
        data = state.pop("_nlp_bytes", None)
        super().__setstate__(state)
        if config is not None and data is not None:
            from spacy.util import load_model_from_config
            from thinc.api import Config

            nlp = load_model_from_config(Config().from_str(config), auto_fill=True)
            self.nlp_ = nlp.from_bytes(data)
