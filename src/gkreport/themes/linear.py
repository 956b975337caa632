"""TF-IDF (jieba words + character n-grams) -> one calibrated linear model per theme.

`LinearThemeClassifier` owns a scikit-learn `Pipeline([features, OneVsRestCalibrated])` and chooses
one threshold per theme on grouped inner cross-validation inside its training data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from gkreport.themes import THEME_IDS
from gkreport.themes.base import (
    DEFAULT_THRESHOLD,
    ThemeClassifierMixin,
    best_threshold,
    check_label_matrix,
    check_texts,
    out_of_fold_proba,
)
from gkreport.themes.features import POOLINGS, build_feature_union, token_cache
from gkreport.themes.scoring import LinearHead, LinearScorer, pooled_proba

# How each theme's column was fitted; recorded in `strategies_` and in the model card.
CALIBRATED = "calibrated"  # base model + CalibratedClassifierCV (sigmoid)
LOGISTIC = "logistic"  # too few positives to calibrate: plain class-balanced logistic regression
CONSTANT = "constant"  # only one class present: the training prior

BASES = ("logreg", "svm")


class OneVsRestCalibrated(ClassifierMixin, BaseEstimator):
    """One binary linear model per label column, calibrated where the data allow it.

    A column is calibrated (sigmoid, stratified `calibration_cv` folds) when both its positives and
    negatives number at least `min_calibration_count`; with fewer, a class-balanced logistic regression
    gives probabilities directly (LinearSVC has none); with a single class the prior is used.
    """

    def __init__(
        self,
        base: str = "svm",
        C: float | Sequence[float] = 1.0,
        calibration_cv: int = 3,
        min_calibration_count: int = 6,
        random_state: int = 0,
    ) -> None:
        self.base = base
        self.C = C
        self.calibration_cv = calibration_cv
        self.min_calibration_count = min_calibration_count
        self.random_state = random_state

    def _column_C(self, column: int) -> float:
        """The regularisation of one label column: `C`, or its entry when `C` gives one per column."""
        return float(self.C) if isinstance(self.C, int | float) else float(self.C[column])

    def _logistic(self, C: float) -> LogisticRegression:
        # liblinear: an order of magnitude faster than lbfgs on a few hundred wide sparse rows.
        return LogisticRegression(
            C=C, class_weight="balanced", solver="liblinear", max_iter=2000, random_state=self.random_state
        )

    def _base_model(self, C: float) -> Any:
        if self.base == "logreg":
            return self._logistic(C)
        if self.base == "svm":
            return LinearSVC(C=C, class_weight="balanced", random_state=self.random_state)
        raise ValueError(f"base must be one of {BASES}, got {self.base!r}")

    def fit(self, X: Any, Y: Any) -> OneVsRestCalibrated:
        Y = np.asarray(Y)
        if Y.ndim != 2:
            raise ValueError("Y must be a 2-d label matrix")
        self._base_model(1.0)  # validates `base` even when no column ends up using it
        if not isinstance(self.C, int | float) and len(self.C) != Y.shape[1]:
            raise ValueError(f"C must be one number or one per label column ({Y.shape[1]}), got {self.C!r}")
        self._head_cache: LinearHead | None = None  # a refit must not score with the models it replaces
        self.estimators_: list[Any] = []
        self.strategies_: list[str] = []
        self.priors_ = Y.mean(axis=0).astype(float)
        for j in range(Y.shape[1]):
            y = Y[:, j]
            positives = int(y.sum())
            negatives = int(len(y) - positives)
            if min(positives, negatives) == 0:
                self.estimators_.append(None)
                self.strategies_.append(CONSTANT)
            elif min(positives, negatives) >= max(self.min_calibration_count, self.calibration_cv):
                folds = StratifiedKFold(self.calibration_cv, shuffle=True, random_state=self.random_state)
                model = CalibratedClassifierCV(self._base_model(self._column_C(j)), method="sigmoid", cv=folds)
                self.estimators_.append(model.fit(X, y))
                self.strategies_.append(CALIBRATED)
            else:
                self.estimators_.append(self._logistic(self._column_C(j)).fit(X, y))
                self.strategies_.append(LOGISTIC)
        self.n_outputs_ = Y.shape[1]
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        # One sparse product for every linear model at once: calling 9 themes × 3 calibration folds of
        # scikit-learn estimators one by one costs ~0.2 s per report in input validation alone.
        head = self.head()
        scores = np.asarray(X @ head.weights) + head.bias if head.weights.shape[1] else np.empty((X.shape[0], 0))
        return head.probabilities(scores)

    def predict_proba_per_model(self, X: Any) -> np.ndarray:
        """`predict_proba` through each fitted scikit-learn estimator in turn: the slow, independent
        reference that `LinearThemeClassifier.fit` checks the numpy scorer against."""
        proba = np.empty((X.shape[0], self.n_outputs_), dtype=float)
        for j, model in enumerate(self.estimators_):
            proba[:, j] = self.priors_[j] if model is None else model.predict_proba(X)[:, 1]
        return proba

    def head(self) -> LinearHead:
        """Every fitted linear model stacked, and per column how to turn scores into p (cached)."""
        cached = getattr(self, "_head_cache", None)
        if cached is not None:
            return cached
        coefs: list[np.ndarray] = []
        bias: list[float] = []
        plan: list[tuple[tuple[int, float, float], ...]] = []
        for model in self.estimators_:
            parts: list[tuple[int, float, float]] = []
            if isinstance(model, CalibratedClassifierCV):
                for fold in model.calibrated_classifiers_:
                    calibrator = fold.calibrators[0]
                    coefs.append(np.ravel(fold.estimator.coef_))
                    bias.append(float(np.ravel(fold.estimator.intercept_)[0]))
                    parts.append((len(coefs) - 1, float(calibrator.a_), float(calibrator.b_)))
            elif model is not None:  # logistic regression: p = sigmoid(score) = expit(-(-1·score + 0))
                coefs.append(np.ravel(model.coef_))
                bias.append(float(np.ravel(model.intercept_)[0]))
                parts.append((len(coefs) - 1, -1.0, 0.0))
            plan.append(tuple(parts))
        # dense (features × models): a sparse row batch times a dense matrix is one fast product
        weights = np.ascontiguousarray(np.vstack(coefs).T) if coefs else np.zeros((0, 0))
        self._head_cache = LinearHead(
            weights, np.asarray(bias, dtype=float), tuple(plan), np.asarray(self.priors_, dtype=float)
        )
        return self._head_cache

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_head_cache", None)  # derived; keeps the pickled model (and its hash) unchanged
        return state

    def predict(self, X: Any) -> np.ndarray:
        return (self.predict_proba(X) >= DEFAULT_THRESHOLD).astype(np.int64)


def build_pipeline(
    word_ngram_range: tuple[int, int] = (1, 2),
    char_ngram_range: tuple[int, int] = (1, 3),
    min_df: int = 1,
    base: str = "svm",
    C: float | Sequence[float] = 1.0,
    calibration_cv: int = 3,
    min_calibration_count: int = 6,
    random_state: int = 0,
    cue_features: bool = False,
) -> Pipeline:
    """The unfitted feature + classifier pipeline (no thresholds)."""
    return Pipeline(
        [
            ("features", build_feature_union(word_ngram_range, char_ngram_range, min_df, cue_features)),
            (
                "classifier",
                OneVsRestCalibrated(
                    base=base,
                    C=C,
                    calibration_cv=calibration_cv,
                    min_calibration_count=min_calibration_count,
                    random_state=random_state,
                ),
            ),
        ]
    )


class LinearThemeClassifier(ThemeClassifierMixin, ClassifierMixin, BaseEstimator):
    """TF-IDF + calibrated one-vs-rest linear models, with per-theme thresholds from inner CV.

    `fit(X, Y, groups)` first fits `threshold_cv`-fold grouped inner CV (groups = report ids) to get
    out-of-fold probabilities, picks each theme's F1-best threshold into `thresholds_`, then fits
    `pipeline_` on all the training data. Without groups the inner folds are plain shuffled K-fold;
    `threshold_cv` 0 keeps 0.5 for every theme. `cue_features` adds the taxonomy's cue phrases by theme as
    features; `pooling` "sentence" or "clause" scores each piece of a passage and takes the maximum (the
    thresholds are tuned on the pooled probabilities). `role_aware` keeps taxonomy.json's
    `applies_to_roles` in `theme_roles_`: tagging then gives no theme to a passage of another role
    (`base.theme_probabilities`); `predict_proba` on bare texts is unchanged. The defaults are the variant
    that scored best in the honest comparison (`comparison.SHIPPED_VARIANT`, benchmarks/themes.json).
    With a `C_grid`, the inner CV is run once per C in it and each theme takes the C (and threshold) whose
    out-of-fold F1 is best (`C_`, one per theme); without, every theme uses `C`.
    """

    def __init__(
        self,
        themes: Sequence[str] | None = None,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (1, 3),
        min_df: int = 1,
        base: str = "svm",
        C: float = 1.0,
        calibration_cv: int = 3,
        min_calibration_count: int = 6,
        threshold_cv: int = 3,
        random_state: int = 0,
        cue_features: bool = True,
        pooling: str = "passage",
        role_aware: bool = True,
        C_grid: Sequence[float] = (),
    ) -> None:
        self.themes = themes
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.base = base
        self.C = C
        self.calibration_cv = calibration_cv
        self.min_calibration_count = min_calibration_count
        self.threshold_cv = threshold_cv
        self.random_state = random_state
        self.cue_features = cue_features
        self.pooling = pooling
        self.role_aware = role_aware
        self.C_grid = C_grid

    def _pipeline(self, C: float | Sequence[float] | None = None) -> Pipeline:
        return build_pipeline(
            self.word_ngram_range,
            self.char_ngram_range,
            self.min_df,
            self.base,
            self.C if C is None else C,
            self.calibration_cv,
            self.min_calibration_count,
            self.random_state,
            self.cue_features,
        )

    def _tune(self, texts: list[str], Y: np.ndarray, groups: Sequence[str] | None) -> tuple[np.ndarray, np.ndarray]:
        """(C per theme, threshold per theme) from the inner grouped CV: with a `C_grid`, each theme's best
        out-of-fold F1 over every C of the grid and every threshold; else `C` and the best threshold."""
        grid = [float(c) for c in self.C_grid] or [float(self.C)]
        if self.threshold_cv < 2:
            return np.full(Y.shape[1], float(self.C)), np.full(Y.shape[1], DEFAULT_THRESHOLD)
        best: list[tuple[float, float, float, float]] = [(-1.0, 0.0, float(self.C), DEFAULT_THRESHOLD)] * Y.shape[1]
        for C in grid:
            template = _Pooled(self._pipeline(C), self.pooling)
            proba = out_of_fold_proba(partial(clone, template), texts, Y, groups, self.threshold_cv, self.random_state)
            if proba is None:  # too few groups for an inner CV
                return np.full(Y.shape[1], float(self.C)), np.full(Y.shape[1], DEFAULT_THRESHOLD)
            for j in range(Y.shape[1]):
                threshold = best_threshold(Y[:, j], proba[:, j])
                # ties go to the C nearest the default `C` (on a log scale)
                candidate = (_f1(Y[:, j], proba[:, j] >= threshold), -abs(np.log(C / self.C)), C, threshold)
                if candidate[:2] > best[j][:2]:
                    best[j] = candidate
        return np.array([b[2] for b in best]), np.array([b[3] for b in best])

    def fit(self, X: Any, Y: Any, groups: Sequence[str] | None = None) -> LinearThemeClassifier:
        texts = check_texts(X)
        themes = tuple(self.themes) if self.themes is not None else THEME_IDS
        Y = check_label_matrix(Y, len(texts), len(themes))
        if groups is not None and len(groups) != len(texts):
            raise ValueError("groups must have one entry per text")
        if self.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {self.pooling!r}")
        self.classes_ = np.array(themes)
        self.theme_roles_ = _theme_roles() if self.role_aware else ()
        with token_cache():  # the threshold CV and the final fit tokenise the same texts
            self.C_, self.thresholds_ = self._tune(texts, Y, groups)
            self.pipeline_ = self._pipeline(tuple(self.C_) if self.C_grid else None).fit(texts, Y)
            self._scorer_cache: LinearScorer | None = None
            self.inference_scorer().verify_against(_PerModelReference(self.pipeline_, self.pooling), texts)
        return self

    def inference_scorer(self) -> LinearScorer:
        """This fitted model as a `LinearScorer`: the same probabilities, computed without scikit-learn.
        `predict_proba` goes through it, and `save_model` saves it for `tag` and batch workers (cached)."""
        cached = getattr(self, "_scorer_cache", None)
        if cached is None:
            cached = self._scorer_cache = LinearScorer.from_pipeline(
                self.pipeline_, self.classes_, self.thresholds_, self.pooling, getattr(self, "theme_roles_", ())
            )
        if not (
            np.array_equal(cached.classes_, self.classes_) and np.array_equal(cached.thresholds_, self.thresholds_)
        ):  # set after fitting
            cached = self._scorer_cache = replace(
                cached, classes_=np.asarray(self.classes_), thresholds_=np.asarray(self.thresholds_, dtype=float)
            )
        return cached

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_scorer_cache", None)  # derived from pipeline_; rebuilt on first use
        return state

    @property
    def strategies_(self) -> list[str]:
        """Per theme: calibrated / logistic / constant (see `OneVsRestCalibrated`)."""
        return list(self.pipeline_[-1].strategies_)

    def predict_proba(self, X: Any) -> np.ndarray:
        return self.inference_scorer().predict_proba(check_texts(X))


def _f1(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    truth, pred = np.asarray(y_true).astype(bool), np.asarray(y_pred).astype(bool)
    denom = float(truth.sum() + pred.sum())
    return 2 * float(np.sum(truth & pred)) / denom if denom else 0.0


def _theme_roles() -> tuple[str, ...]:
    from gkreport.themes.taxonomy import load_taxonomy

    return load_taxonomy().theme_roles


class _PerModelReference:
    """scikit-learn's own probabilities for a fitted pipeline: its TF-IDF transform, then each fitted
    estimator's `predict_proba` (`OneVsRestCalibrated.predict_proba_per_model`), none of our numpy code
    (pooled over the same pieces as the scorer)."""

    def __init__(self, pipeline: Pipeline, pooling: str = "passage") -> None:
        self.pipeline = pipeline
        self.pooling = pooling

    def _unit_proba(self, texts: list[str]) -> np.ndarray:
        return self.pipeline[-1].predict_proba_per_model(self.pipeline[:-1].transform(texts))

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return pooled_proba(self._unit_proba, texts, self.pooling)


class _Pooled(BaseEstimator):
    """A feature + classifier pipeline whose probabilities are pooled like the fitted model's: what the
    inner threshold CV fits, so the thresholds suit the pooled scores."""

    def __init__(self, pipeline: Pipeline, pooling: str = "passage") -> None:
        self.pipeline = pipeline
        self.pooling = pooling

    def fit(self, X: list[str], Y: np.ndarray) -> _Pooled:
        self.pipeline_ = clone(self.pipeline).fit(X, Y)
        return self

    def predict_proba(self, X: list[str]) -> np.ndarray:
        return pooled_proba(self.pipeline_.predict_proba, list(X), self.pooling)
