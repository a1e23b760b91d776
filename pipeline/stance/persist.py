"""Fitted classifiers on disk, bound to the training data and params they came from.

A model file carries a content hash of (training units and their gold
labels, the params that shape the classifier, the classifier's name).
Loading recomputes that hash from the current gold set and params and
refuses a file that does not match: a model silently fitted on other
labels or settings must never label a corpus.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import joblib
import pandas as pd

from pipeline import io
from pipeline.config import Params
from pipeline.stance.base import StanceClassifier

# Params that can change what a fitted classifier predicts: the whole stance
# section except keys that only steer the pipeline around it.
_NOT_MODEL_PARAMS = {"classifier", "labels", "evaluate"}


class ModelMismatchError(ValueError):
    """A saved model does not belong to the current training data and params."""


def model_params(params: Params) -> dict[str, Any]:
    stance = {k: v for k, v in params.get("stance").items() if k not in _NOT_MODEL_PARAMS}
    return {"stance": stance, "targets": params.get("targets"), "actors": params.get("nlp.actors", {}),
            "seed": params.seed}


def training_hash(name: str, units: pd.DataFrame, labels: pd.Series | list[str], params: Params) -> str:
    """sha256 over the classifier name, model params, and every training unit with its label."""
    rows = sorted(
        [str(d), str(k), str(t), str(x), [int(s) for s in ss], [int(e) for e in es], str(y)]
        for d, k, t, x, ss, es, y in zip(units["doc_id"], units["sent_key"], units["target"], units["text"],
                                         units["mention_starts"], units["mention_ends"], list(labels))
    )
    payload = json.dumps({"classifier": name, "params": model_params(params), "units": rows},
                         sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def model_path(models_dir: Path, name: str) -> Path:
    return models_dir / f"{name}.joblib"


def save_model(model: StanceClassifier, name: str, digest: str, models_dir: Path, info: dict[str, Any]) -> Path:
    """Write ``<name>.joblib`` (model + hash) and a readable ``<name>.json`` beside it."""
    path = model_path(models_dir, name)
    with io.atomic_path(path) as tmp:
        joblib.dump({"classifier": name, "training_hash": digest, "model": model}, tmp)
    io.write_json(path.with_suffix(".json"), {"classifier": name, "training_hash": digest, **info})
    return path


def load_model(name: str, digest: str, models_dir: Path, root: Path) -> StanceClassifier:
    """The saved classifier ``name``, only if its training hash equals ``digest``,
    relocated to the project at ``root``."""
    path = model_path(models_dir, name)
    if not path.is_file():
        raise ModelMismatchError(f"{path}: no fitted '{name}' model; run `dvc repro train` first")
    saved = joblib.load(path)
    if saved.get("classifier") != name or saved.get("training_hash") != digest:
        raise ModelMismatchError(
            f"{path}: fitted on other training data or params (hash {str(saved.get('training_hash'))[:12]}, "
            f"classifier {saved.get('classifier')!r}); the current gold set and params give "
            f"{digest[:12]} for {name!r}. Refit it with `dvc repro train`."
        )
    return saved["model"].relocate(str(root))
