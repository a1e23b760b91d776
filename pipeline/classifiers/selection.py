"""Choice inside the training folds: pick one of several candidate classifiers by inner leave-one-document-out.

Every knob of the new classifiers (regularisation, neutral bias, which feature blocks) is chosen this way, so under
the outer leave-one-document-out loop no choice ever sees the held-out document (nested cross-validation).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone

from pipeline.classifiers.base import StanceClassifier, check_labels
from pipeline.classifiers.cv import out_of_fold_proba
from pipeline.evaluation.metrics import mean_macro_f1, predicted_labels
from pipeline.paths import LABELS


class NestedSelect(StanceClassifier):
    """Fits the candidate with the best inner leave-one-document-out mean macro-F1 on the training units.

    Candidates are listed simplest first; a later one must beat an earlier one by more than ``tolerance`` to be
    chosen, so noise between near-equal candidates falls to the simpler one. With fewer than three training
    documents the first candidate is used (an inner fold would hold a single document for training).
    """

    def __init__(self, candidates: tuple[tuple[str, StanceClassifier], ...] = (), tolerance: float = 0.0):
        self.candidates = candidates
        self.tolerance = tolerance

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> NestedSelect:
        if not self.candidates:
            raise ValueError("NestedSelect needs at least one candidate")
        y = check_labels(labels) if labels is not None else None
        units = units.reset_index(drop=True)
        self.scores_: dict[str, float] = {}
        best = 0
        if y is not None and len(self.candidates) > 1 and units["doc_id"].nunique() >= 3:
            for k, (name, candidate) in enumerate(self.candidates):
                proba = out_of_fold_proba(candidate, units, y)
                self.scores_[name] = mean_macro_f1(y, predicted_labels(proba), units["target"])
                if self.scores_[name] > self.scores_[self.candidates[best][0]] + self.tolerance:
                    best = k
        self.chosen_ = self.candidates[best][0]
        self.model_ = clone(self.candidates[best][1]).fit(units, y)
        self.classes_ = np.asarray(LABELS)
        return self

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        return self.model_.predict_proba(units)
