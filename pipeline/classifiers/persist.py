"""Fitted classifiers on disk: a format that cannot run code when loaded, bound to its training data.

A model file (``<name>.skops``) is written with skops' secure format
(``skops.io``): a zip of a JSON schema and NumPy arrays. Loading rebuilds
the object tree only from types on an explicit trusted list, refusing any
other type (a function to call, a class whose ``__setstate__`` does
something) before anything is constructed, so unlike a pickle or joblib
file it runs no code of the file's choosing. The trusted list is:

- the types skops trusts itself (builtins, NumPy, SciPy sparse matrices and
  scikit-learn's estimators, such as ``Pipeline`` and ``LogisticRegression``);
- every ``StanceClassifier`` subclass, and every scikit-learn estimator class
  defined in the ``pipeline`` package (linear's ``MaskedContext``, ...);
- the classes a classifier lists in its ``persisted_types`` attribute (the
  way a project plugin declares helper classes its fitted state holds).

So a new classifier is persisted with nothing to add when its fitted state
is made of scikit-learn estimators, arrays, numbers, strings, lists and
dicts; a helper class of a plugin goes in ``persisted_types``. Heavy
weights (a transformer encoder) stay out of the state: the classifier keeps
their location and loads them itself (see the embedding classifier). The
train stage refuses to save a state holding anything else.

The file also carries a content hash of (training units and their gold
labels, the params that shape the classifier, the classifier's name), and a
JSON sidecar records that hash and the sha256 of the file's bytes: loading
recomputes the training hash from the current gold set and params, so a
model fitted on other labels or settings, or a file changed since it was
saved, never labels a corpus.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io as bytes_io
import json
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
from sklearn.base import BaseEstimator

from pipeline import io
from pipeline.classifiers.base import StanceClassifier
from pipeline.imports import hidden
from pipeline.params import Params

SUFFIX = ".skops"
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry: no date in the file


@functools.cache
def _skops_io() -> ModuleType:
    """skops.io, imported when a model is saved or loaded, without torch, dask and pytest.

    Importing skops.io lists scikit-learn's estimators (``all_estimators``),
    which imports every scikit-learn subpackage: the array-API shims of
    sklearn.externals import torch and dask when they are installed, and
    sklearn.utils._testing imports pytest for its test markers. Hidden, the
    shims fail to import and the walk skips them (pkgutil.walk_packages
    passes over a package that raises ImportError), and _testing leaves its
    markers out: skops' trusted-type lists come out the same (no estimator
    lives in either; tests/test_imports.py checks), without seconds of
    imports no model file needs. Stages that never save or load a model
    (evaluate) do not import skops at all.
    """
    with hidden("torch", "dask", "pytest"):
        import skops.io

    return skops.io


class ModelMismatchError(ValueError):
    """A saved model does not belong to the current training data and params."""


class ModelFormatError(ValueError):
    """A model file or its sidecar is not what the train stage writes (and is never loaded)."""


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
    return models_dir / f"{name}{SUFFIX}"


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _subclasses(cls: type) -> list[type]:
    subs: list[type] = type.__subclasses__(cls)
    return [found for sub in subs for found in (sub, *_subclasses(sub))]


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def trusted_types() -> set[str]:
    """Project types a model file may hold besides those skops trusts (see the module docstring)."""
    classifiers = _subclasses(StanceClassifier)
    estimators = [c for c in _subclasses(BaseEstimator) if c.__module__.split(".")[0] == "pipeline"]
    declared = [t for c in classifiers for t in getattr(c, "persisted_types", ())]
    return {_qualified(c) for c in [*classifiers, *estimators, *declared]}


def canonical_zip(data: bytes) -> bytes:
    """skops' file with its object ids and array file names numbered in schema order and no
    timestamps, so the same fit gives the same bytes in every process (models are DVC outputs)."""
    with zipfile.ZipFile(bytes_io.BytesIO(data)) as src:
        schema = json.loads(src.read("schema.json"))
        ids: dict[int, int] = {}
        files: dict[str, str] = {}

        def renumber(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "__id__" and isinstance(value, int):
                        node[key] = ids.setdefault(value, len(ids) + 1)
                    elif key == "file" and isinstance(value, str):
                        node[key] = files.setdefault(value, f"{len(files) + 1}{Path(value).suffix}")
                    else:
                        renumber(value)
            elif isinstance(node, list):
                for item in node:
                    renumber(item)

        renumber(schema)
        entries = [("schema.json", json.dumps(schema, indent=2).encode("utf-8"))]
        entries += [(new, src.read(old)) for old, new in files.items()]
    out = bytes_io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as dst:
        for name, payload in entries:
            dst.writestr(zipfile.ZipInfo(name, date_time=_EPOCH), payload)
    return out.getvalue()


def save_model(model: StanceClassifier, name: str, digest: str, models_dir: Path, info: dict[str, Any]) -> Path:
    """Write ``<name>.skops`` (model + hash) and a readable ``<name>.json`` beside it that
    records the training hash and the sha256 of the model file's bytes."""
    path = model_path(models_dir, name)
    # no absolute project path in the file: the same fit gives the same bytes wherever the
    # project lives (load_model relocates it to the loading checkout)
    portable = copy.deepcopy(model).relocate(".")
    sio = _skops_io()
    data = canonical_zip(sio.dumps({"classifier": name, "training_hash": digest, "model": portable}))
    untrusted = sorted(set(sio.get_untrusted_types(data=data)) - trusted_types())
    if untrusted:
        raise ModelFormatError(
            f"classifier '{name}': its fitted state holds types the model loader does not trust ({', '.join(untrusted)}); "
            "keep them out of the fitted state, or list the classifier's own helper classes in its persisted_types"
        )
    with io.atomic_path(path) as tmp:
        tmp.write_bytes(data)
    io.write_json(
        path.with_suffix(".json"),
        {"classifier": name, "training_hash": digest, "file_sha256": file_sha256(path), **info},
    )
    return path


def load_model(name: str, digest: str, models_dir: Path, root: Path) -> StanceClassifier:
    """The saved classifier ``name``, only if its training hash equals ``digest``,
    relocated to the project at ``root``.

    The sidecar ``<name>.json`` must name this classifier and training hash,
    the file's bytes must have the sha256 it recorded (a file swapped or
    half-written since is refused), and the file must be a skops file of
    trusted types only (anything else, a pickle above all, is never read as
    a model).
    """
    path = model_path(models_dir, name)
    sidecar = path.with_suffix(".json")
    if not path.is_file() or not sidecar.is_file():
        raise ModelMismatchError(f"{path}: no fitted '{name}' model; run `dvc repro train` first")
    recorded = read_sidecar(sidecar)
    check_binding(path, recorded, name, digest)
    if file_sha256(path) != recorded.get("file_sha256"):
        raise ModelMismatchError(
            f"{path}: file content does not match the sha256 recorded in {sidecar.name} when it was saved "
            "(changed or replaced since); it is not loaded. Refit it with `dvc repro train`."
        )
    saved = read_trusted(path)
    if not isinstance(saved, dict) or not isinstance(saved.get("model"), StanceClassifier):
        raise ModelFormatError(
            f"{path}: holds no stance classifier; it is not loaded. Refit it with `dvc repro train`."
        )
    check_binding(path, saved, name, digest)
    return saved["model"].relocate(str(root))


def read_sidecar(sidecar: Path) -> dict[str, Any]:
    """The sidecar's record, or ModelFormatError naming the file."""
    try:
        record = json.loads(sidecar.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFormatError(
            f"{sidecar}: not a JSON model record ({exc}); refit the model with `dvc repro train`"
        ) from None
    if not isinstance(record, dict):
        raise ModelFormatError(
            f"{sidecar}: not a JSON model record (not a JSON object); refit the model with `dvc repro train`"
        )
    return record


def read_trusted(path: Path) -> Any:
    """A skops file's object, after checking that every type it holds is trusted; nothing else is read.

    The sha256 checked before (load_model) only proves the file is the one the
    sidecar describes; whoever can replace both could plant anything, so the
    format itself must not run code: a pickle is not a skops file, and a skops
    file naming an untrusted type is refused before any object is built.
    """
    data = path.read_bytes()
    sio = _skops_io()
    try:
        untrusted = set(sio.get_untrusted_types(data=data))
    except Exception as exc:  # any parse failure: not a file the train stage wrote
        raise ModelFormatError(
            f"{path}: not a skops model file ({type(exc).__name__}: {exc}); it is not loaded (model files are never "
            "unpickled). Refit it with `dvc repro train`."
        ) from None
    refused = sorted(untrusted - trusted_types())
    if refused:
        raise ModelFormatError(
            f"{path}: holds types outside the trusted list ({', '.join(refused)}); it is not loaded. "
            "Refit it with `dvc repro train`."
        )
    return sio.loads(data, trusted=sorted(untrusted))


def check_binding(path: Path, record: dict[str, Any], name: str, digest: str) -> None:
    """ModelMismatchError unless ``record`` (sidecar or saved payload) names this classifier and training hash."""
    if record.get("classifier") != name or record.get("training_hash") != digest:
        raise ModelMismatchError(
            f"{path}: fitted on other training data or params (hash {str(record.get('training_hash'))[:12]}, "
            f"classifier {record.get('classifier')!r}); the current gold set and params give "
            f"{digest[:12]} for {name!r}. Refit it with `dvc repro train`."
        )
