"""Variants of the rule-6 propagation that the experiments scored and the pipeline does not register.

Each adds one block of evidence to ``ContextPropagation`` (``pipeline.classifiers.propagation``), appended after
its own features, along favor for one direction and against for the other:

- ``EdgesPropagation``: the thesis read from the first and last ``OPENING_SHARE`` of the document's units that
  mention the target (guide §4.2: the thesis is stated in the title, the opening, a summary or the conclusion);
- ``EmbeddingPropagation``: ``components`` principal components (fit on the training units) of frozen
  sentence-encoder vectors of the unit's paragraph, from ``encoder`` (any object with ``encode(texts) -> (n, d)``).

Both scored below ``propagation`` alone (docs/model-card.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA

from pipeline.classifiers.base import AliasRows
from pipeline.classifiers.propagation import ContextPropagation
from pipeline.paths import LABELS

OPENING_SHARE = 0.2
_AGAINST, _FAVOR = LABELS.index("against"), LABELS.index("favor")


def opening_net(units: pd.DataFrame, local: np.ndarray) -> np.ndarray:
    """Mean explicit stance (favor +1, against -1) toward the unit's target over the first and last
    ``OPENING_SHARE`` of the document's sentences that mention it: where the guide finds a thesis."""
    predicted = local.argmax(axis=1)
    signed = np.where(predicted == _FAVOR, 1.0, np.where(predicted == _AGAINST, -1.0, 0.0))
    frame = pd.DataFrame(
        {
            "doc_id": units["doc_id"].to_numpy(),
            "target": units["target"].to_numpy(),
            "sent_id": units["sent_id"].to_numpy(),
            "signed": signed,
        }
    )
    rank = frame.groupby(["doc_id", "target"])["sent_id"].rank(pct=True, method="first").to_numpy()
    frame["edge"] = np.where((rank <= OPENING_SHARE) | (rank > 1 - OPENING_SHARE), frame["signed"], np.nan)
    return frame.groupby(["doc_id", "target"])["edge"].transform("mean").fillna(0.0).to_numpy()


class EdgesPropagation(ContextPropagation):
    """``ContextPropagation`` + the thesis of the document's edges (module docstring)."""

    def _evidence(self, units: pd.DataFrame, remember: bool) -> tuple[np.ndarray, ...]:
        local, carried, open_, plus, minus = super()._evidence(units, remember)
        edges = opening_net(units.reset_index(drop=True), local)
        return local, carried, open_, np.column_stack([plus, edges]), np.column_stack([minus, -edges])


class EmbeddingPropagation(ContextPropagation):
    """``ContextPropagation`` + principal components of paragraph embeddings (module docstring)."""

    def __init__(
        self,
        aliases: AliasRows = (),
        aid_is_favor: bool = True,
        neutral_bias: float = 0.5,
        C: float = 1.0,
        direction: str = "learned",
        balanced: bool = True,
        seed: int = 0,
        components: int = 8,
        encoder: Any = None,
    ):
        super().__init__(aliases, aid_is_favor, neutral_bias, C, direction, balanced, seed)
        self.components = components
        self.encoder = encoder

    def _paragraph_vectors(self, units: pd.DataFrame) -> np.ndarray:
        texts = units["paragraph_text"] if "paragraph_text" in units else units["text"]
        return np.asarray(self.encoder.encode(texts.fillna("").tolist()), float)

    def _evidence(self, units: pd.DataFrame, remember: bool) -> tuple[np.ndarray, ...]:
        local, carried, open_, plus, minus = super()._evidence(units, remember)
        vectors = self.projection_.transform(self._paragraph_vectors(units.reset_index(drop=True)))
        return local, carried, open_, np.hstack([plus, vectors]), np.hstack([minus, vectors])

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> EmbeddingPropagation:
        vectors = self._paragraph_vectors(units.reset_index(drop=True))
        self.projection_ = PCA(self.components, random_state=self.seed).fit(vectors)
        super().fit(units, labels)
        return self
