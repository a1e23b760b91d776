"""Fitted classifiers on disk, bound to the training data and params they came from.

A model file carries a content hash of (training units and their gold
labels, the params that shape the classifier, the classifier's name), and
a JSON sidecar records that hash and the sha256 of the model file's bytes.
Loading recomputes the training hash from the current gold set and params
and checks both against the sidecar *before* unpickling (unpickling can run
code): a model silently fitted on other labels or settings, or a model file
replaced since it was saved, must never label a corpus.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import joblib
import pandas as pd

from pipeline import io
from pipeline.classifiers.base import StanceClassifier
from pipeline.params import Params


class ModelMismatchError(ValueError):
    """A saved model does not belong to the current training data and params."""


def model_params(params: Params) -> dict[str, Any]:
    """The params that can change what a fitted classifier predicts: every classifier section
    (a classifier may be built from others), the targets and actors, and the seed."""
    return {
        "classifiers": params.classifiers,
        "targets": params.targets,
        "actors": {a: actor.model_dump() for a, actor in params.nlp.actors.items()},
        "seed": params.seed,
    }


def training_hash(name: str, units: pd.DataFrame, labels: pd.Series | list[str], params: Params) -> str:
    """sha256 over the classifier name, model params, and every training unit with its label and paragraph
    (a classifier that reads context learns from where a sentence sits, not only from its words)."""
    paragraphs = units["paragraph"] if "paragraph" in units else [-1] * len(units)
    rows = sorted(
        [str(d), str(k), str(t), str(x), [int(s) for s in ss], [int(e) for e in es], int(p), str(y)]
        for d, k, t, x, ss, es, p, y in zip(
            units["doc_id"],
            units["sent_key"],
            units["target"],
            units["text"],
            units["mention_starts"],
            units["mention_ends"],
            paragraphs,
            list(labels),
        )
    )
    payload = json.dumps(
        {"classifier": name, "params": model_params(params), "units": rows},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def model_path(models_dir: Path, name: str) -> Path:
    return models_dir / f"{name}.joblib"


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(model: StanceClassifier, name: str, digest: str, models_dir: Path, info: dict[str, Any]) -> Path:
    """Write ``<name>.joblib`` (model + hash) and a readable ``<name>.json`` beside it that
    records the training hash and the sha256 of the joblib file's bytes."""
    path = model_path(models_dir, name)
    # no absolute project path in the file: the same fit gives the same bytes wherever the
    # project lives (load_model relocates it to the loading checkout)
    portable = copy.deepcopy(model).relocate(".")
    with io.atomic_path(path) as tmp:
        joblib.dump({"classifier": name, "training_hash": digest, "model": portable}, tmp)
    io.write_json(
        path.with_suffix(".json"),
        {"classifier": name, "training_hash": digest, "file_sha256": file_sha256(path), **info},
    )
    return path


def load_model(name: str, digest: str, models_dir: Path, root: Path) -> StanceClassifier:
    """The saved classifier ``name``, only if its training hash equals ``digest``,
    relocated to the project at ``root``.

    Unpickling can run code, so nothing is unpickled before two checks pass:
    the sidecar ``<name>.json`` names this classifier and training hash, and
    the joblib file's bytes have the sha256 the sidecar recorded when the
    model was saved (a file swapped or half-written since is refused).
    """
    path = model_path(models_dir, name)
    sidecar = path.with_suffix(".json")
    if not path.is_file() or not sidecar.is_file():
        raise ModelMismatchError(f"{path}: no fitted '{name}' model; run `dvc repro train` first")
    recorded = json.loads(sidecar.read_text(encoding="utf-8"))
    check_binding(path, recorded, name, digest)
    if file_sha256(path) != recorded.get("file_sha256"):
        raise ModelMismatchError(
            f"{path}: file content does not match the sha256 recorded in {sidecar.name} when it was saved "
            "(changed or replaced since); it is not loaded. Refit it with `dvc repro train`."
        )
    saved = joblib.load(path)
    check_binding(path, saved, name, digest)
    return saved["model"].relocate(str(root))


def check_binding(path: Path, record: dict[str, Any], name: str, digest: str) -> None:
    """ModelMismatchError unless ``record`` (sidecar or unpickled payload) names this
    classifier and training hash."""
    if record.get("classifier") != name or record.get("training_hash") != digest:
        raise ModelMismatchError(
            f"{path}: fitted on other training data or params (hash {str(record.get('training_hash'))[:12]}, "
            f"classifier {record.get('classifier')!r}); the current gold set and params give "
            f"{digest[:12]} for {name!r}. Refit it with `dvc repro train`."
        )
