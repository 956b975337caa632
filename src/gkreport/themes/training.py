"""Grouped cross-validation of the theme models, and training the one to ship.

Folds are made once over reports (groups) and shared by every model, so the numbers compare like
with like. Only real passages (corpus, web) are tested; our own written passages can be added to the
training side of every fold (`include_written`). With no real labels yet, the written passages are
the test pool too, and the report says so (`tested_on="written"`): such numbers prove the plumbing,
not the model.

The honest CV that `gkreport evaluate themes` prints and `gkreport train` records in the card (reports that
share a text merged into one group, each text once) is `gkreport.themes.comparison`; `cross_validate` here
groups by report only and is kept for the model kinds' own tests.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from gkreport.annotations import LabelledPassage
from gkreport.errors import AnnotationError, OptionError
from gkreport.themes import THEME_IDS
from gkreport.themes.base import grouped_splits, themes_to_matrix
from gkreport.themes.features import token_cache

if TYPE_CHECKING:
    from gkreport.themes.comparison import HonestReport

# name -> (module, class): built lazily so listing the names costs no imports.
MODEL_CLASSES: dict[str, tuple[str, str]] = {
    "keyword": ("gkreport.themes.keyword", "KeywordThemeClassifier"),
    "linear": ("gkreport.themes.linear", "LinearThemeClassifier"),
    "spacy": ("gkreport.themes.spacy_textcat", "SpacyThemeClassifier"),
}
MODEL_NAMES: tuple[str, ...] = tuple(MODEL_CLASSES)

# progress(done, total, what is being done now): how long work reports its steps to a progress bar.
ProgressCallback = Callable[[int, int, str], None]


def make_model(name: str, **params: Any) -> Any:
    """An unfitted estimator by name: keyword | linear | spacy."""
    import importlib

    if name not in MODEL_CLASSES:
        raise OptionError("--model", f"unknown model {name!r}; choose from {', '.join(MODEL_NAMES)}")
    module, cls = MODEL_CLASSES[name]
    return getattr(importlib.import_module(module), cls)(**params)


@dataclass(slots=True)
class ModelScores:
    """Pooled out-of-fold scores of one model."""

    per_theme: dict[str, dict[str, float]]  # theme -> precision, recall, f1, support
    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_f1: float  # over themes with test support only (others listed in `no_support`)
    no_support: list[str]
    fold_micro_f1: list[float]
    fit_seconds: float  # summed over folds
    predict_seconds: float
    n_predicted: int


@dataclass(slots=True)
class EvalReport:
    n_splits: int
    n_test_passages: int
    n_test_groups: int
    n_written_in_training: int
    include_written: bool
    tested_on: str  # "real" or "written" (the latter only while no real labels exist)
    fold_sizes: list[tuple[int, int]]  # (n_train, n_test) per fold
    models: dict[str, ModelScores] = field(default_factory=dict)
    themes: tuple[str, ...] = THEME_IDS

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self, model: str) -> dict[str, Any]:
        """The card's CV block for one model."""
        scores = asdict(self.models[model])
        return {
            "n_splits": self.n_splits,
            "tested_on": self.tested_on,
            "include_written": self.include_written,
            "n_test_passages": self.n_test_passages,
            "n_test_groups": self.n_test_groups,
            **scores,
        }

    def to_markdown(self) -> str:
        head = (
            f"CV: {self.n_splits} grouped folds, {self.n_test_passages} test passages from "
            f"{self.n_test_groups} reports, tested on {self.tested_on} passages, "
            f"written passages in training: {self.n_written_in_training if self.include_written else 0}"
        )
        names = list(self.models)
        lines = [
            head,
            "",
            "| theme | " + " | ".join(f"{n} P/R/F1" for n in names) + " | support |",
            "|---|" + "---|" * (len(names) + 1),
        ]
        for theme in self.themes:
            cells = []
            for n in names:
                s = self.models[n].per_theme[theme]
                cells.append(f"{s['precision']:.2f}/{s['recall']:.2f}/{s['f1']:.2f}")
            support = int(next(iter(self.models.values())).per_theme[theme]["support"]) if names else 0
            lines.append(f"| {theme} | " + " | ".join(cells) + f" | {support} |")
        for label, key in (("micro F1", "micro_f1"), ("macro F1", "macro_f1")):
            values = " | ".join(f"{getattr(self.models[n], key):.3f}" for n in names)
            lines.append(f"| **{label}** | {values} | |")
        lines.append("| fit s (all folds) | " + " | ".join(f"{self.models[n].fit_seconds:.2f}" for n in names) + " | |")
        lines.append(
            "| predict s (all folds) | " + " | ".join(f"{self.models[n].predict_seconds:.2f}" for n in names) + " | |"
        )
        return "\n".join(lines)


def _fit(model: Any, texts: list[str], Y: np.ndarray, groups: list[str]) -> Any:
    # Our models use groups for their inner threshold CV; plain sklearn estimators may not take them.
    if "groups" in inspect.signature(model.fit).parameters:
        return model.fit(texts, Y, groups=groups)
    return model.fit(texts, Y)


def _scores(
    Y_true: np.ndarray, Y_pred: np.ndarray, fold_f1: list[float], fit_s: float, predict_s: float, themes: Sequence[str]
) -> ModelScores:
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(Y_true, Y_pred, average=None, zero_division=0)
    mp, mr, mf, _ = precision_recall_fscore_support(Y_true, Y_pred, average="micro", zero_division=0)
    per_theme = {
        t: {"precision": float(p[j]), "recall": float(r[j]), "f1": float(f[j]), "support": int(s[j])}
        for j, t in enumerate(themes)
    }
    supported = [j for j in range(len(themes)) if s[j] > 0]
    macro = float(np.mean([f[j] for j in supported])) if supported else 0.0
    return ModelScores(
        per_theme=per_theme,
        micro_precision=float(mp),
        micro_recall=float(mr),
        micro_f1=float(mf),
        macro_f1=macro,
        no_support=[themes[j] for j in range(len(themes)) if s[j] == 0],
        fold_micro_f1=fold_f1,
        fit_seconds=fit_s,
        predict_seconds=predict_s,
        n_predicted=int(Y_true.shape[0]),
    )


def cross_validate(
    models: Mapping[str, Any] | Sequence[str],
    data: Sequence[LabelledPassage],
    n_splits: int = 5,
    include_written: bool = True,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> EvalReport:
    """Grouped K-fold CV of several models on the same folds; per-theme and micro/macro scores, timings.

    `models` is names (see `MODEL_NAMES`) or name -> unfitted estimator (cloned per fold). `progress` is
    told before each model is fitted on each fold.
    """
    from sklearn.base import clone
    from sklearn.metrics import f1_score

    estimators = {n: make_model(n) for n in models} if not isinstance(models, Mapping) else dict(models)
    real = [d for d in data if d.is_real]
    written = [d for d in data if not d.is_real]
    tested_on = "real" if real else "written"
    test_pool = real if real else written
    extra_train = written if (real and include_written) else []
    if not test_pool:
        raise AnnotationError(None, "no labelled passages to evaluate on")
    Y_pool = themes_to_matrix(d.themes for d in test_pool)
    groups_pool = [d.group for d in test_pool]
    splits = grouped_splits(Y_pool, groups_pool, n_splits, seed)
    if not splits:
        raise AnnotationError(None, f"need passages from at least 2 reports for CV, got {len(set(groups_pool))}")

    Y_extra = themes_to_matrix(d.themes for d in extra_train)
    report = EvalReport(
        n_splits=len(splits),
        n_test_passages=len(test_pool),
        n_test_groups=len(set(groups_pool)),
        n_written_in_training=len(extra_train),
        include_written=include_written,
        tested_on=tested_on,
        fold_sizes=[],
    )
    order = np.concatenate([test for _, test in splits])
    predictions: dict[str, list[np.ndarray]] = {n: [] for n in estimators}
    timings: dict[str, list[float]] = {n: [0.0, 0.0] for n in estimators}
    fold_f1: dict[str, list[float]] = {n: [] for n in estimators}
    with token_cache():  # every fold tokenises the same passages again
        for fold, (train_idx, test_idx) in enumerate(splits):
            train_texts = [test_pool[i].text for i in train_idx] + [d.text for d in extra_train]
            train_groups = [groups_pool[i] for i in train_idx] + [d.group for d in extra_train]
            Y_train = np.vstack([Y_pool[train_idx], Y_extra]) if extra_train else Y_pool[train_idx]
            test_texts = [test_pool[i].text for i in test_idx]
            report.fold_sizes.append((len(train_texts), len(test_texts)))
            for step, (name, template) in enumerate(estimators.items()):
                if progress is not None:
                    progress(
                        fold * len(estimators) + step,
                        len(splits) * len(estimators),
                        f"fold {fold + 1}/{len(splits)}: {name}",
                    )
                model = clone(template)
                start = time.perf_counter()
                _fit(model, train_texts, Y_train, train_groups)
                fitted = time.perf_counter()
                Y_hat = np.asarray(model.predict(test_texts))
                timings[name][0] += fitted - start
                timings[name][1] += time.perf_counter() - fitted
                predictions[name].append(Y_hat)
                fold_f1[name].append(float(f1_score(Y_pool[test_idx], Y_hat, average="micro", zero_division=0)))
    Y_true = Y_pool[order]
    for name in estimators:
        report.models[name] = _scores(
            Y_true, np.vstack(predictions[name]), fold_f1[name], timings[name][0], timings[name][1], THEME_IDS
        )
    return report


def train(model_name: str | Any, data: Sequence[LabelledPassage], include_written: bool = True, **params: Any) -> Any:
    """Fit a model (by name or an unfitted estimator) on all labelled passages."""
    model = make_model(model_name, **params) if isinstance(model_name, str) else model_name
    use = [d for d in data if include_written or d.is_real]
    if not use:
        raise AnnotationError(None, "no labelled passages to train on")
    return _fit(model, [d.text for d in use], themes_to_matrix(d.themes for d in use), [d.group for d in use])


# ---- training on whatever labels a user has, saying what that cannot give (few labels, missing themes) ----


@dataclass(slots=True)
class TrainingRun:
    """What `train_on_labels` did: the model, the passages it learnt from, and what it could not do."""

    model: Any
    used: list[LabelledPassage]  # the passages the model was fitted on (what the card counts and hashes)
    untrained: dict[str, str]  # theme -> why it has no classifier
    cv: EvalReport | HonestReport | None
    cv_skipped: str | None  # why no cross-validation was run, when it was asked for
    seconds: float = 0.0

    def card_extra(self, model_name: str) -> dict[str, Any]:
        return {
            "cv_metrics": self.cv.summary(model_name) if self.cv is not None else None,
            "cv_skipped": self.cv_skipped,
            "untrained_themes": self.untrained,
            "training_seconds": round(self.seconds, 2),
        }


def untrainable_themes(data: Sequence[LabelledPassage]) -> dict[str, str]:
    """Themes no classifier can be fitted for on `data`: none of its passages has them, or all do. A model
    must not score them at all: a constant would look like a judgement it never made."""
    Y = themes_to_matrix(d.themes for d in data)
    out: dict[str, str] = {}
    for j, theme in enumerate(THEME_IDS):
        positives = int(Y[:, j].sum())
        if positives == 0:
            out[theme] = "no passage labelled with it"
        elif positives == len(data):
            out[theme] = "every passage labelled with it, nothing to tell it from"
    return out


def cv_report_count(data: Sequence[LabelledPassage]) -> int:
    """How many reports `cross_validate` would split its test passages by (the real ones, else the written)."""
    real = {d.group for d in data if d.is_real}
    return len(real) if real else len({d.group for d in data})


def train_on_labels(
    model_name: str,
    data: Sequence[LabelledPassage],
    *,
    include_written: bool = True,
    cv: int = 5,
    progress: ProgressCallback | None = None,
    **params: Any,
) -> TrainingRun:
    """Cross-validate (when the labels come from at least 2 reports) and fit `model_name` on every usable
    passage, with a classifier only for the themes the passages show both with and without."""
    from gkreport.themes.honest import honest_data

    # Each distinct text once and reports that share text merged, as in the honest CV.
    honest = honest_data(data).passages
    use = [d for d in honest if include_written or d.is_real]
    if not use:
        raise AnnotationError(None, "no labelled passages to train on")
    untrained = untrainable_themes(use)
    themes = [t for t in THEME_IDS if t not in untrained]
    if not themes:
        raise AnnotationError(
            None,
            f"none of the {len(use)} labelled passages' themes can be learnt: each theme "
            "is on none of them or on all of them; label passages with and without each "
            "theme",
        )
    report = skipped = None
    if cv:
        reports = cv_report_count(honest)
        if reports < 2:
            skipped = (
                f"the labels come from {reports} report (reports sharing a passage count as one); "
                "cross-validation needs passages from at least 2 (no report may be on both sides of a "
                "split)"
            )
        else:
            from gkreport.themes.comparison import model_cv

            report = model_cv(model_name, data, n_splits=cv, include_written=include_written, progress=progress)
    if progress is not None:
        progress(0, 1, f"training on {len(use)} passages")
    started = time.perf_counter()
    model = make_model(model_name, themes=themes, **params)
    Y = themes_to_matrix(([t for t in d.themes if t in themes] for d in use), themes)
    model = _fit(model, [d.text for d in use], Y, [d.group for d in use])
    if progress is not None:
        progress(1, 1, "trained")
    return TrainingRun(model, use, untrained, report, skipped, time.perf_counter() - started)
