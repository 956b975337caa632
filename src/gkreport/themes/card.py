"""Saving and loading a trained theme model together with its model card.

A model directory holds `model.joblib` (the scikit-learn estimator) and `card.json`, and for the linear
model also `scorer.joblib`: the same fitted model for scoring with numpy alone (`themes.scoring`). The card
records what the model is, which labels and thresholds it uses, a hash of the training labels, the CV
metrics and the sha256 of each file; `load_model` and `load_scorer` refuse a file whose hash does not match.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from gkreport import __version__
from gkreport.annotations import LabelledPassage
from gkreport.errors import ModelError

MODEL_FILE = "model.joblib"
SCORER_FILE = "scorer.joblib"
CARD_FILE = "card.json"
CARD_FORMAT = 1
# Keys the card computes itself; `card_extra` may add keys but not overwrite these.
CORE_KEYS: tuple[str, ...] = (
    "card_format",
    "version",
    "model_kind",
    "labels",
    "thresholds",
    "training_data_sha256",
    "n_training_passages",
    "created",
    "model_file",
    "model_sha256",
    "scorer_file",
    "scorer_sha256",
    "gkreport_version",
)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def training_data_hash(data: Sequence[LabelledPassage]) -> str:
    """sha256 over the sorted (doc, passage, sha1, themes) records: the identity of a training set."""
    records = sorted((d.doc, d.passage, d.sha1, sorted(d.themes)) for d in data)
    payload = json.dumps(records, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=repr))


def _library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str] = {}
    for name in ("scikit-learn", "spacy", "jieba", "numpy", "joblib"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out


def save_model(
    estimator: Any,
    out_dir: str | Path,
    card_extra: Mapping[str, Any] | None = None,
    *,
    data: Sequence[LabelledPassage] | None = None,
    model_kind: str | None = None,
) -> Path:
    """Write `model.joblib` and `card.json` into `out_dir`; returns the card's path.

    `data` (the training passages) gives the training-data hash; `card_extra` adds e.g. `cv_metrics`.
    """
    import joblib

    if not hasattr(estimator, "thresholds_"):
        raise ValueError("save_model needs a fitted theme classifier (no thresholds_)")
    extra = dict(card_extra or {})
    clash = sorted(set(extra) & set(CORE_KEYS))
    if clash:
        raise ValueError(f"card_extra may not overwrite {clash}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model_path = out / MODEL_FILE
    joblib.dump(estimator, model_path, compress=3)
    scorer_path = out / SCORER_FILE
    if hasattr(estimator, "inference_scorer"):
        joblib.dump(estimator.inference_scorer(), scorer_path, compress=3)
    else:
        scorer_path.unlink(missing_ok=True)  # a linear model saved here before: its scorer is not this model
    created = datetime.now(timezone.utc)
    kind = model_kind or type(estimator).__name__
    labels = [str(t) for t in estimator.classes_]
    card: dict[str, Any] = {
        "card_format": CARD_FORMAT,
        "version": f"themes-{kind}-{created:%Y%m%dT%H%M%SZ}",
        "model_kind": kind,
        "estimator": type(estimator).__name__,
        "labels": labels,
        "thresholds": {t: float(x) for t, x in zip(labels, estimator.thresholds_, strict=True)},
        "training_data_sha256": training_data_hash(data) if data is not None else None,
        "n_training_passages": len(data) if data is not None else None,
        "cv_metrics": None,
        "params": _jsonable(estimator.get_params(deep=False)),
        "created": created.isoformat(timespec="seconds"),
        "gkreport_version": __version__,
        "libraries": _library_versions(),
        "model_file": MODEL_FILE,
        "model_sha256": file_sha256(model_path),
    }
    if scorer_path.exists():
        card.update(scorer_file=SCORER_FILE, scorer_sha256=file_sha256(scorer_path))
    card.update(_jsonable(extra))
    card_path = out / CARD_FILE
    card_path.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return card_path


def read_card(model_dir: str | Path) -> dict[str, Any]:
    card_path = Path(model_dir) / CARD_FILE
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(card_path, "model card is missing") from exc
    except OSError as exc:
        raise ModelError(card_path, f"cannot read the model card: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise ModelError(card_path, f"model card is not valid JSON: {exc}") from exc
    missing = [k for k in ("model_file", "model_sha256", "labels", "thresholds") if k not in card]
    if missing:
        raise ModelError(card_path, f"model card lacks {missing}")
    return card


def _verified(model_dir: Path, card: Mapping[str, Any], file_key: str, hash_key: str) -> Path:
    path = model_dir / str(card[file_key])
    if not path.is_file():
        raise ModelError(path, "model file named by the card is missing")
    actual = file_sha256(path)
    if actual != card[hash_key]:
        raise ModelError(
            path, f"model file {path.name} does not match its card: sha256 is {actual}, card says {card[hash_key]}"
        )
    return path


def verify_model(model_dir: str | Path) -> tuple[dict[str, Any], Path]:
    """The card and the model file's path, after checking each file the card names against its sha256.
    Cheap: it does not unpickle the model (a batch driver checks this before its workers load the model)."""
    model_dir = Path(model_dir)
    card = read_card(model_dir)
    if "scorer_file" in card:
        _verified(model_dir, card, "scorer_file", "scorer_sha256")
    return card, _verified(model_dir, card, "model_file", "model_sha256")


def _check_against_card(model: Any, card: Mapping[str, Any], path: Path) -> Any:
    import numpy as np

    labels = [str(t) for t in getattr(model, "classes_", [])]
    if labels != list(card["labels"]):
        raise ModelError(path, f"model labels {labels} differ from the card's {card['labels']}")
    thresholds = [card["thresholds"][t] for t in labels]
    if not np.allclose(model.thresholds_, thresholds):
        raise ModelError(path, "model thresholds differ from the card's")
    return model


def load_model(model_dir: str | Path) -> Any:
    """Load a saved model after checking its files against the card (sha256, labels, thresholds)."""
    import joblib

    card, model_path = verify_model(model_dir)
    return _check_against_card(joblib.load(model_path), card, model_path)


def load_scorer(model_dir: str | Path) -> Any:
    """What tagging needs of a saved model (`classes_`, `thresholds_`, `predict_proba`), loaded the cheapest
    way: the numpy `scorer.joblib` where the card has one (no scikit-learn import), else the estimator."""
    import joblib

    card, model_path = verify_model(model_dir)
    path = Path(model_dir) / str(card["scorer_file"]) if "scorer_file" in card else model_path
    return _check_against_card(joblib.load(path), card, path)
