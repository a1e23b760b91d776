"""An ensemble: a weighted average of the other classifiers' probabilities.

Members' probabilities on their own training rows are overconfident (the
model has seen those rows), so the weights are fit on out-of-fold member
probabilities: inside ``fit``, each member is cross-validated over the
training documents (leave one document out), and the simplex weights that
minimise the log loss of the averaged out-of-fold probabilities are kept.
The members are then refit on all training rows for prediction. Under the
evaluate stage's own leave-one-document-out loop this is nested
cross-validation, so the ensemble's score stays honest.

A weighted average has as many parameters as members; a stacking
regression (3 x members + 3 parameters) fit on four documents' worth of
rows overfit in our measurements (docs/model-card.md).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import softmax
from sklearn.base import clone

from pipeline.config import LABELS, ConfigError, Params
from pipeline.stance import registry
from pipeline.stance.base import StanceClassifier, check_labels
from pipeline.stance.cv import out_of_fold_proba

_EPS = 1e-6


class EnsembleStance(StanceClassifier):
    def __init__(self, members: tuple[tuple[str, StanceClassifier], ...] = ()):
        self.members = members

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> "EnsembleStance":
        if labels is None:
            raise ValueError("ensemble classifier: fit needs gold labels")
        if not self.members:
            raise ConfigError("params.yaml: stance.ensemble.members is empty")
        y = check_labels(labels)
        units = units.reset_index(drop=True)
        oof = [out_of_fold_proba(member, units, y) for _, member in self.members]
        self.weights_ = fit_weights(oof, y)
        self.members_ = [clone(member).fit(units, y) for _, member in self.members]
        self.classes_ = np.asarray(LABELS)
        return self

    def relocate(self, root: str) -> "EnsembleStance":
        for _, member in self.members:
            member.relocate(root)
        for member in getattr(self, "members_", []):
            member.relocate(root)
        return self

    @property
    def weights(self) -> dict[str, float]:
        """Fitted weight per member name (for the metrics and the model card)."""
        return {name: float(w) for (name, _), w in zip(self.members, self.weights_)}

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        probas = np.stack([member.predict_proba(units) for member in self.members_])
        return np.tensordot(self.weights_, probas, axes=1)


def fit_weights(probas: Sequence[np.ndarray], y: Sequence[str]) -> np.ndarray:
    """Simplex weights (softmax-parametrised) minimising the log loss of the weighted average."""
    stacked = np.stack(probas)  # members x rows x labels
    truth = np.array([LABELS.index(label) for label in y])
    rows = np.arange(len(truth))

    def loss(theta: np.ndarray) -> float:
        p = np.tensordot(softmax(theta), stacked, axes=1)[rows, truth]
        return float(-np.log(np.clip(p, _EPS, 1.0)).mean())

    if len(probas) == 1:
        return np.ones(1)
    return softmax(minimize(loss, np.zeros(len(probas)), method="Nelder-Mead").x)


@registry.register("ensemble")
def make_ensemble(params: Params) -> EnsembleStance:
    from pipeline.stance import make_classifier

    names = [str(n) for n in params.get("stance.ensemble.members")]
    if not names or "ensemble" in names or len(set(names)) != len(names):
        raise ConfigError(
            f"params.yaml: stance.ensemble.members {names} must name other classifiers, each once (not 'ensemble')"
        )
    return EnsembleStance(members=tuple((name, make_classifier(name, params)) for name in names))
