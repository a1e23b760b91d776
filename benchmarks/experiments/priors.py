"""Per-target class priors chosen inside the training folds: a decision-threshold layer for any classifier.

Macro-F1 weighs the tiny classes (6 `against` Ukraine units, 37 `favor` Russia units in gold v2) as much as the big
ones, and where a classifier's scores put the boundary between a tiny class and `neutral` decides most of the
score. ``PriorShift`` adds a per-target offset to the `against` and `favor` log-probabilities of a base classifier
(equivalently, moves its decision thresholds), choosing the offsets on the base's inner leave-one-document-out
probabilities over the training documents, so under an outer leave-one-document-out loop no threshold sees the
held-out document. Offsets are tried nearest-to-zero first and must strictly improve the target's macro-F1, so
without evidence the base's own thresholds stay.

``per="target"`` chooses an (against, favor) pair per target (four numbers); ``per="shared"`` one offset of the
neutral class against both polar classes, shared by the targets (one number: the polar-vs-neutral threshold, which
moves least with the few documents a tiny class lives in).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone

from pipeline.classifiers.base import StanceClassifier, check_labels
from pipeline.classifiers.cv import out_of_fold_proba
from pipeline.evaluation.metrics import macro_f1, mean_macro_f1
from pipeline.paths import LABELS

OFFSET_GRID = (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0)
_EPS = 1e-6
_SHIFTED = [LABELS.index("against"), LABELS.index("favor")]


def shifted(proba: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Probabilities after adding ``offsets`` (per row: against, favor) to the log-probabilities."""
    logits = np.log(np.clip(proba, _EPS, 1.0))
    logits[:, _SHIFTED] += offsets
    logits -= logits.max(axis=1, keepdims=True)
    out = np.exp(logits)
    return out / out.sum(axis=1, keepdims=True)


def best_offsets(labels: np.ndarray, proba: np.ndarray, grid: Sequence[float] = OFFSET_GRID) -> tuple[float, float]:
    """The (against, favor) offset pair of ``grid`` that maximises macro-F1 of one target's units."""
    pairs = sorted(itertools.product(grid, grid), key=lambda p: (abs(p[0]) + abs(p[1]), p))
    best, best_score = (0.0, 0.0), -1.0
    for pair in pairs:
        pred = np.asarray(LABELS)[shifted(proba, np.asarray(pair)).argmax(axis=1)]
        score = macro_f1(labels, pred)
        if score > best_score:
            best, best_score = pair, score
    return best


def best_shared_offset(
    labels: np.ndarray, proba: np.ndarray, targets: np.ndarray, grid: Sequence[float] = OFFSET_GRID
) -> float:
    """The offset of both polar log-probabilities (one for all targets) that maximises mean macro-F1 over targets."""
    best, best_score = 0.0, -1.0
    for offset in sorted(grid, key=lambda o: (abs(o), o)):
        pred = np.asarray(LABELS)[shifted(proba, np.array([offset, offset])).argmax(axis=1)]
        score = mean_macro_f1(labels, pred, targets)
        if score > best_score:
            best, best_score = offset, score
    return best


PER = ("target", "shared")


class PriorShift(StanceClassifier):
    """``base`` with log-prior offsets of the polar classes chosen by inner leave-one-document-out."""

    def __init__(
        self, base: StanceClassifier | None = None, grid: tuple[float, ...] = OFFSET_GRID, per: str = "target"
    ):
        self.base = base
        self.grid = grid
        self.per = per

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> PriorShift:
        if labels is None or self.base is None:
            raise ValueError("PriorShift: fit needs a base classifier and gold labels")
        if self.per not in PER:
            raise ValueError(f"PriorShift: per '{self.per}' must be one of {list(PER)}")
        y = check_labels(labels)
        units = units.reset_index(drop=True)
        self.offsets_: dict[str, tuple[float, float]] = {}
        if units["doc_id"].nunique() >= 2:
            proba = out_of_fold_proba(self.base, units, y)
            targets = units["target"].to_numpy()
            if self.per == "shared":
                shared = best_shared_offset(y, proba, targets, self.grid)
                self.offsets_ = {t: (shared, shared) for t in sorted(set(targets))}
            else:
                for target in sorted(set(targets)):
                    mask = targets == target
                    self.offsets_[target] = best_offsets(y[mask], proba[mask], self.grid)
        self.model_ = clone(self.base).fit(units, y)
        self.chosen_ = f"{getattr(self.model_, 'chosen_', '')} offsets={self.offsets_}".strip()
        self.classes_ = np.asarray(LABELS)
        return self

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        offsets = np.array([self.offsets_.get(t, (0.0, 0.0)) for t in units["target"]], float).reshape(-1, 2)
        return shifted(self.model_.predict_proba(units), offsets)
