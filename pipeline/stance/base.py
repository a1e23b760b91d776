"""The interface every stance classifier implements.

A classifier is a scikit-learn estimator over the stance-unit table
(pipeline.units): ``fit(units, labels)`` then ``predict_proba(units)``
returning an (n, 3) matrix with columns in ``LABELS`` order. Being a plain
estimator lets cross-validation, stacking and persistence treat every
classifier alike.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from pipeline.config import LABELS


class StanceClassifier(ClassifierMixin, BaseEstimator):
    """Base class: subclasses implement ``fit`` and ``predict_proba``."""

    #: True when ``fit`` learns from labels (False: rules tuned on the guide alone).
    needs_labels: bool = True

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> "StanceClassifier":
        raise NotImplementedError

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        raise NotImplementedError

    def predict(self, units: pd.DataFrame) -> np.ndarray:
        return np.asarray(LABELS)[self.predict_proba(units).argmax(axis=1)]

    def relocate(self, root: str) -> "StanceClassifier":
        """Point a loaded model at this checkout's project root (model folders and caches
        in params are relative to it), so a model file moves between clones."""
        if "root" in self.get_params(deep=False):
            self.set_params(root=root)
        return self


def check_labels(labels: Sequence[str]) -> np.ndarray:
    """Labels as an array; a label outside LABELS is a clear error, not a silent class."""
    arr = np.asarray(labels, dtype=object)
    unknown = sorted(set(arr) - set(LABELS))
    if unknown:
        raise ValueError(f"unknown stance label(s) {unknown}; expected {list(LABELS)}")
    return arr


def align_proba(proba: np.ndarray, classes: Sequence[str]) -> np.ndarray:
    """Probabilities with columns in LABELS order. A class the model never saw (absent
    from its training fold) gets probability 0 rather than shifting the columns."""
    out = np.zeros((len(proba), len(LABELS)))
    for j, label in enumerate(classes):
        out[:, LABELS.index(str(label))] = proba[:, j]
    return out
