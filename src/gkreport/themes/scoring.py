"""Scoring a fitted linear theme model with numpy alone: what `tag`, `classify` and batch workers load.

Importing scikit-learn costs 1.5–2 s (its `utils.fixes` imports scipy.stats): more than all the rest of a
cold `gkreport tag`, and paid again by every batch worker. The model is still trained, cross-validated and
saved as a scikit-learn estimator; `LinearScorer` is the same fitted model's numbers (the two TF-IDF
vocabularies and idf weights, the stacked linear coefficients, the calibration sigmoids). It takes the
words from `features.segmented_words` (jieba alone), where training took them through spaCy. Its
`predict_proba` is the estimator's: `LinearThemeClassifier` scores through it, and builds it only after
checking on its own training texts that it gives scikit-learn's probabilities (`verify_against`), so a
scikit-learn release that changes TF-IDF, or a spaCy release that tokenises otherwise, fails training
instead of silently changing tags.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np

from gkreport.themes.base import check_texts
from gkreport.themes.features import CueTokenizer, JiebaTokenizer, pooling_units, segmented_words

# scikit-learn's `_VectorizerMixin._white_spaces`: runs of white space become one space before char n-grams.
_WHITE_SPACES = re.compile(r"\s\s+")

# Largest difference from scikit-learn's probabilities that `verify_against` accepts (float rounding only).
TOLERANCE = 1e-9

# Texts scored per numpy pass: the pass holds every known n-gram × every linear model, so `classify` on
# 20,000 passages at once would need 2 GB.
CHUNK = 256

# What the scorer reproduces of `TfidfVectorizer`; any other setting is refused at compile time.
_TFIDF_SETTINGS = {
    "lowercase": False,
    "strip_accents": None,
    "preprocessor": None,
    "stop_words": None,
    "binary": False,
    "norm": "l2",
    "use_idf": True,
    "sublinear_tf": True,
    "input": "content",
}


def word_ngrams(words: Sequence[str], ngram_range: tuple[int, int]) -> list[str]:
    """All word n-grams for n in `ngram_range`, joined by a space, as scikit-learn's `_word_ngrams`."""
    low, high = ngram_range
    grams = list(words) if low == 1 else []
    for n in range(max(low, 2), min(high, len(words)) + 1):
        grams.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return grams


def char_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    """All character n-grams for n in `ngram_range`, as scikit-learn's `_char_ngrams`."""
    text = _WHITE_SPACES.sub(" ", text)
    low, high = ngram_range
    grams = list(text) if low == 1 else []
    for n in range(max(low, 2), min(high, len(text)) + 1):
        grams.extend(text[i : i + n] for i in range(len(text) - n + 1))
    return grams


def pooled_proba(unit_proba: Callable[[list[str]], np.ndarray], texts: list[str], pooling: str) -> np.ndarray:
    """Probabilities per text: of the whole text ("passage"), or the maximum over its sentences or clauses
    (`features.pooling_units`), all units scored in one call of `unit_proba`."""
    if pooling == "passage":
        return unit_proba(texts)
    units = [pooling_units(text, pooling) for text in texts]
    flat = [unit for group in units for unit in group]
    proba = unit_proba(flat)
    if not texts:
        return proba.reshape(0, proba.shape[1] if proba.ndim == 2 else 0)
    starts = np.cumsum([0] + [len(group) for group in units[:-1]])
    return np.maximum.reduceat(proba, starts, axis=0)


@dataclass(frozen=True)
class TfidfBlock:
    """How one fitted TF-IDF vectorizer turns a text into n-grams, and their columns (its idf weights are in
    `LinearScorer.idf`, with every block's, by union column)."""

    analyzer: str  # "word" (JiebaTokenizer words) or "char"
    ngram_range: tuple[int, int]
    keep_numbers: bool
    vocabulary: dict[str, int]
    offset: int  # this block's first column in the feature union
    cues: CueTokenizer | None = None  # a word block over cue phrases (`CueTokenizer`) instead of jieba words

    @classmethod
    def from_vectorizer(cls, vectorizer: Any, offset: int) -> TfidfBlock:
        params = vectorizer.get_params()
        unsupported = {k: params.get(k) for k, v in _TFIDF_SETTINGS.items() if params.get(k) != v}
        tokenizer = params.get("tokenizer")
        if params.get("analyzer") == "word" and not isinstance(tokenizer, JiebaTokenizer | CueTokenizer):
            unsupported["tokenizer"] = tokenizer
        if params.get("analyzer") not in ("word", "char"):
            unsupported["analyzer"] = params.get("analyzer")
        if unsupported:
            raise ValueError(f"cannot score a TF-IDF vectorizer with {unsupported} without scikit-learn")
        return cls(
            analyzer=params["analyzer"],
            ngram_range=tuple(params["ngram_range"]),
            keep_numbers=bool(getattr(tokenizer, "keep_numbers", False)),
            vocabulary={str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
            offset=offset,
            cues=tokenizer if isinstance(tokenizer, CueTokenizer) else None,
        )

    def analyse(self, text: str) -> list[str]:
        if self.analyzer == "char":
            return char_ngrams(text, self.ngram_range)
        cues = getattr(self, "cues", None)  # absent from scorers saved before cue features existed
        words = cues(text) if cues is not None else segmented_words(text, self.keep_numbers)
        return word_ngrams(words, self.ngram_range)


@dataclass(frozen=True)
class LinearHead:
    """Every fitted linear model of a one-vs-rest classifier stacked into one matrix, and per label how
    their scores become a probability: the mean over its parts of sigmoid(-(a·score + b)) (a calibrated
    fold, or a logistic regression with a = -1, b = 0); a label with no parts is its training prior."""

    weights: np.ndarray  # features × models
    bias: np.ndarray  # models
    plan: tuple[tuple[tuple[int, float, float], ...], ...]  # per label: (model, a, b) parts
    priors: np.ndarray  # labels

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        """Probabilities (samples × labels) from decision scores (samples × models, bias included)."""
        proba = np.empty((scores.shape[0], len(self.plan)), dtype=float)
        with np.errstate(over="ignore"):  # exp overflow gives p = 0, as expit does
            for j, parts in enumerate(self.plan):
                if not parts:
                    proba[:, j] = self.priors[j]
                    continue
                proba[:, j] = np.mean([1.0 / (1.0 + np.exp(a * scores[:, k] + b)) for k, a, b in parts], axis=0)
        return proba


@dataclass(frozen=True)
class LinearScorer:
    """A fitted TF-IDF + linear theme model that scores passages without scikit-learn (see the module doc).

    Has what inference reads of a theme classifier: `classes_`, `thresholds_` and `predict_proba`.
    """

    blocks: tuple[TfidfBlock, ...]
    idf: np.ndarray  # the blocks' idf weights end to end, by union column
    head: LinearHead
    classes_: np.ndarray
    thresholds_: np.ndarray
    pooling: str = "passage"  # or score each sentence / clause and take the maximum (`pooled_proba`)
    theme_roles_: tuple[str, ...] = ()  # a role-aware model's roles that may carry themes (`theme_probabilities`)

    @classmethod
    def from_pipeline(
        cls,
        pipeline: Any,
        classes: np.ndarray,
        thresholds: np.ndarray,
        pooling: str = "passage",
        theme_roles: Sequence[str] = (),
    ) -> LinearScorer:
        """From a fitted `Pipeline([("features", FeatureUnion of TfidfVectorizers), ("classifier", head)])`
        whose classifier has `head()` (`OneVsRestCalibrated`)."""
        union, classifier = pipeline[0], pipeline[-1]
        if getattr(union, "transformer_weights", None):
            raise ValueError("cannot score a feature union with transformer_weights without scikit-learn")
        vectorizers = [vectorizer for _name, vectorizer in union.transformer_list]
        offsets = np.cumsum([0] + [len(vectorizer.idf_) for vectorizer in vectorizers])
        blocks = tuple(TfidfBlock.from_vectorizer(v, int(o)) for v, o in zip(vectorizers, offsets, strict=False))
        idf = np.concatenate([np.asarray(vectorizer.idf_, dtype=float) for vectorizer in vectorizers])
        head = classifier.head()
        if head.weights.shape[0] not in (0, len(idf)):
            raise ValueError(f"classifier has {head.weights.shape[0]} features, the vectorizers {len(idf)}")
        return cls(
            blocks, idf, head, np.asarray(classes), np.asarray(thresholds, dtype=float), pooling, tuple(theme_roles)
        )

    def decision_scores(self, texts: Sequence[str]) -> np.ndarray:
        """Scores (texts × models): each block's 1 + log tf × idf, L2-normalised, times the weights, + bias.
        All texts at once: a few numpy calls per batch instead of several per passage."""
        columns: list[int] = []  # per distinct n-gram: its column in its block, -1 if unknown
        counts: list[int] = []
        sizes: list[int] = []  # distinct n-grams per (text, block)
        for text in texts:
            for block in self.blocks:
                grams = Counter(block.analyse(text))
                columns += map(block.vocabulary.get, grams, repeat(-1))
                counts += grams.values()
                sizes.append(len(grams))
        scores = np.tile(self.head.bias, (len(texts), 1))
        column = np.array(columns, dtype=np.intp)
        known = column >= 0
        if not known.any() or not self.head.weights.shape[1]:  # nothing known, or every label a constant
            return scores
        segment = np.repeat(np.arange(len(sizes)), sizes)[known]
        offsets = np.array([block.offset for block in self.blocks], dtype=np.intp)
        column = column[known] + offsets[segment % len(self.blocks)]
        values = (1.0 + np.log(np.array(counts, dtype=float)[known])) * self.idf[column]
        norms = np.sqrt(np.bincount(segment, weights=values * values, minlength=len(sizes)))
        values /= norms[segment]  # a segment with an entry has a norm > 0
        rows = segment // len(self.blocks)
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])  # rows come in order, each in one run
        scores[rows[starts]] += np.add.reduceat(values[:, None] * self.head.weights[column], starts)
        return scores

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        return pooled_proba(self._unit_proba, check_texts(X), getattr(self, "pooling", "passage"))

    def _unit_proba(self, texts: list[str]) -> np.ndarray:
        if len(texts) <= CHUNK:
            return self.head.probabilities(self.decision_scores(texts))
        return np.vstack(
            [self.head.probabilities(self.decision_scores(texts[i : i + CHUNK])) for i in range(0, len(texts), CHUNK)]
        )

    def verify_against(self, reference: Any, texts: Sequence[str]) -> None:
        """Raise unless `reference.predict_proba(texts)` (scikit-learn) equals ours within `TOLERANCE`."""
        if not texts:
            return
        ours, theirs = self.predict_proba(texts), np.asarray(reference.predict_proba(list(texts)))
        gap = float(np.max(np.abs(ours - theirs))) if ours.shape == theirs.shape else float("inf")
        if not gap <= TOLERANCE:
            raise RuntimeError(
                f"the numpy scorer differs from scikit-learn by {gap:.3g} on the training "
                "texts; this scikit-learn release computes TF-IDF differently, or this "
                "spaCy release tokenises otherwise than jieba alone: pin the versions in the "
                "model card's `libraries` or update gkreport.themes.scoring"
            )
