"""What the three theme classifiers share: the label matrix, thresholds, grouped splits, scoring.

Every classifier takes texts X (a sequence of str) and a binary label matrix Y of shape
(n_passages, n_themes), columns in `THEME_IDS` order, and predicts with one threshold per theme
(`thresholds_`). `predict_proba` returns the same (n_passages, n_themes) shape.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from gkreport.themes import THEME_IDS

# Candidate thresholds for per-theme tuning: a coarse grid resists overfitting tiny training sets.
THRESHOLD_GRID: tuple[float, ...] = tuple(round(x, 2) for x in np.arange(0.05, 0.951, 0.05))
DEFAULT_THRESHOLD = 0.5


def themes_to_matrix(labels: Iterable[Iterable[str]], themes: Sequence[str] = THEME_IDS) -> np.ndarray:
    """Lists of theme ids -> binary indicator matrix (n, len(themes)); unknown ids raise ValueError."""
    index = {t: i for i, t in enumerate(themes)}
    rows = [list(row) for row in labels]
    matrix = np.zeros((len(rows), len(themes)), dtype=np.int64)
    for r, row in enumerate(rows):
        for theme in row:
            if theme not in index:
                raise ValueError(f"unknown theme id {theme!r}; expected one of {list(themes)}")
            matrix[r, index[theme]] = 1
    return matrix


def matrix_to_themes(matrix: np.ndarray, themes: Sequence[str] = THEME_IDS) -> list[list[str]]:
    """Binary indicator matrix -> lists of theme ids."""
    return [[str(themes[int(j)]) for j in np.flatnonzero(row)] for row in np.asarray(matrix)]


def check_texts(X: Any) -> list[str]:
    if isinstance(X, str):
        raise ValueError("X must be a sequence of texts, not a single string")
    texts = list(X)
    if not all(isinstance(t, str) for t in texts):
        raise ValueError("X must contain only str")
    return texts


def check_label_matrix(Y: Any, n_samples: int, n_themes: int) -> np.ndarray:
    matrix = np.asarray(Y)
    if matrix.ndim != 2 or matrix.shape != (n_samples, n_themes):
        raise ValueError(f"Y must have shape ({n_samples}, {n_themes}), got {matrix.shape}")
    if not np.isin(matrix, (0, 1)).all():
        raise ValueError("Y must be a binary indicator matrix")
    return matrix.astype(np.int64)


def stratification_key(Y: np.ndarray) -> np.ndarray:
    """One class per passage for stratified splitting: its rarest theme (or -1 for none).

    Stratifying on the rarest theme spreads the few positives of rare themes over the folds.
    """
    counts = Y.sum(axis=0)
    keys = np.full(Y.shape[0], -1, dtype=np.int64)
    for i, row in enumerate(Y):
        present = np.flatnonzero(row)
        if present.size:
            keys[i] = present[np.argmin(counts[present])]
    return keys


def grouped_splits(
    Y: np.ndarray, groups: Sequence[str] | None, n_splits: int, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Train/test index pairs with no group (report) on both sides; fewer folds if groups are few.

    Returns [] when fewer than two groups (or samples) exist, i.e. no split is possible.
    """
    from sklearn.model_selection import KFold, StratifiedGroupKFold

    n = Y.shape[0]
    if groups is None:
        k = min(n_splits, n)
        if k < 2:
            return []
        return list(KFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(n)))
    group_arr = np.asarray(list(groups))
    k = min(n_splits, len(set(group_arr.tolist())))
    if k < 2:
        return []
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        # Rare themes have fewer members than folds; that is expected here, not a problem.
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        return list(splitter.split(np.zeros(n), stratification_key(Y), group_arr))


def best_threshold(y_true: np.ndarray, scores: np.ndarray) -> float:
    """The grid threshold with the best F1; ties go to the one nearest 0.5. No positives -> 0.5."""
    y_true = np.asarray(y_true).astype(bool)
    if not y_true.any():
        return DEFAULT_THRESHOLD
    best = (-1.0, 0.0, DEFAULT_THRESHOLD)
    for t in THRESHOLD_GRID:
        pred = scores >= t
        tp = float(np.sum(pred & y_true))
        denom = float(pred.sum() + y_true.sum())
        f1 = 2 * tp / denom if denom else 0.0
        candidate = (f1, -abs(t - DEFAULT_THRESHOLD), t)
        if candidate[:2] > best[:2]:
            best = candidate
    return float(best[2])


def out_of_fold_proba(
    make_estimator: Callable[[], Any],
    X: list[str],
    Y: np.ndarray,
    groups: Sequence[str] | None,
    n_splits: int,
    seed: int,
) -> np.ndarray | None:
    """Probabilities for every training passage from models that never saw its report."""
    splits = grouped_splits(Y, groups, n_splits, seed)
    if not splits:
        return None
    proba = np.zeros(Y.shape, dtype=float)
    for train_idx, test_idx in splits:
        model = make_estimator()
        model.fit([X[i] for i in train_idx], Y[train_idx])
        proba[test_idx] = model.predict_proba([X[i] for i in test_idx])
    return proba


def tune_thresholds(
    make_estimator: Callable[[], Any],
    X: list[str],
    Y: np.ndarray,
    groups: Sequence[str] | None,
    n_splits: int,
    seed: int,
) -> np.ndarray:
    """Per-theme thresholds chosen on inner grouped CV inside the training data."""
    proba = out_of_fold_proba(make_estimator, X, Y, groups, n_splits, seed)
    if proba is None:
        return np.full(Y.shape[1], DEFAULT_THRESHOLD)
    return np.array([best_threshold(Y[:, j], proba[:, j]) for j in range(Y.shape[1])])


def micro_f1(Y_true: np.ndarray, Y_pred: np.ndarray) -> float:
    tp = float(np.sum((Y_true == 1) & (Y_pred == 1)))
    denom = float(np.sum(Y_true) + np.sum(Y_pred))
    return 2 * tp / denom if denom else 0.0


def theme_probabilities(model: Any, texts: Sequence[str], roles: Sequence[str | None] | None = None) -> np.ndarray:
    """`model.predict_proba(texts)`, with the rows of passages whose role (from the splitter) cannot carry a
    theme set to 0, for a role-aware model (`theme_roles_`, taxonomy.json's `applies_to_roles`): a lead-in,
    a fee note or a statistics note then gets no theme. Without roles, or for a model without the gate,
    the probabilities as they are."""
    return gate_roles(model, np.asarray(model.predict_proba(list(texts)), dtype=float), roles)


def scored_themes(
    model: Any, texts: Sequence[str], roles: Sequence[str | None] | None = None
) -> list[tuple[dict[str, float], tuple[str, ...]]]:
    """Per text, its score for every theme the model has a classifier for, and the themes whose score
    reaches their threshold (role-gated as `theme_probabilities`)."""
    if not texts:
        return []
    return themes_of(model, theme_probabilities(model, texts, roles))


def themes_of(model: Any, proba: np.ndarray) -> list[tuple[dict[str, float], tuple[str, ...]]]:
    """Per row of (role-gated) probabilities, the score of each theme the model has a classifier for, and
    the themes whose score reaches their threshold."""
    labels = [str(t) for t in model.classes_]
    return [
        (
            {t: float(p) for t, p in zip(labels, row, strict=True)},
            tuple(t for t, p, th in zip(labels, row, model.thresholds_, strict=True) if p >= th),
        )
        for row in proba
    ]


def tagged_records(model: Any, records: Sequence[dict[str, Any]], digits: int = 4) -> list[dict[str, Any]]:
    """Each record (with "text", and "role" when known) with its assigned "themes" and its "scores" (to
    `digits` places) added: what `gkreport classify` writes."""
    scored = scored_themes(model, [r["text"] for r in records], [r.get("role") for r in records])
    return [
        {**record, "themes": list(themes), "scores": {t: round(p, digits) for t, p in scores.items()}}
        for record, (scores, themes) in zip(records, scored, strict=True)
    ]


def gate_roles(model: Any, proba: np.ndarray, roles: Sequence[str | None] | None) -> np.ndarray:
    """`proba` (changed in place) with the rows of passages whose role cannot carry a theme set to 0, for a
    role-aware model (see `theme_probabilities`)."""
    allowed = tuple(getattr(model, "theme_roles_", ()) or ())
    if allowed and roles is not None:
        clear_other_roles(proba, roles, allowed)
    return proba


def clear_other_roles(matrix: np.ndarray, roles: Sequence[str | None], allowed: Sequence[str]) -> np.ndarray:
    """`matrix` (changed in place) with the rows of a known role outside `allowed` set to 0: the role gate,
    for probabilities as for predictions."""
    if len(roles) != len(matrix):
        raise ValueError("roles must have one entry per text")
    matrix[[role is not None and role not in allowed for role in roles]] = 0
    return matrix


class ThemeClassifierMixin:
    """predict / score for estimators that set `classes_` and `thresholds_` and implement `predict_proba`."""

    classes_: np.ndarray
    thresholds_: np.ndarray

    def predict_proba(self, X: Any) -> np.ndarray:  # pragma: no cover - implemented by subclasses
        raise NotImplementedError

    def predict(self, X: Any) -> np.ndarray:
        """Binary theme matrix: probability >= the theme's threshold."""
        return (self.predict_proba(X) >= self.thresholds_[np.newaxis, :]).astype(np.int64)

    def predict_themes(self, X: Any) -> list[list[str]]:
        """Theme ids per text, for callers that do not want a matrix."""
        return matrix_to_themes(self.predict(X), list(self.classes_))

    def score(self, X: Any, Y: Any) -> float:
        """Micro-averaged F1, so GridSearchCV has a sensible default score for multi-label output."""
        return micro_f1(np.asarray(Y), self.predict(X))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]  # from the BaseEstimator this mixin is combined with
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags
