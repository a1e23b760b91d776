"""An ensemble: a weighted average of the other classifiers' probabilities.

Members' probabilities on their own training rows are overconfident (the
model has seen those rows), so the weights are fit on out-of-fold member
probabilities: inside ``fit``, each member is cross-validated over the
training documents (leave one document out), and simplex weights are chosen
on the averaged out-of-fold probabilities. The members are then refit on
all training rows for prediction. Under the evaluate stage's own
leave-one-document-out loop this is nested cross-validation, so the
ensemble's score stays honest.

Two objectives (``classifiers.ensemble.objective``): ``macro_f1``, the
selection criterion itself (mean over targets), maximised over a grid of
simplex weights with step ``weight_step``; and ``log_loss``, minimised
continuously. Log loss rewards calibrated members, so it gave the
uncalibrated lexicon, the best single classifier by macro-F1, no weight at
all (docs/model-card.md); with macro-F1 as the objective and the calibrated
lexicon as a member, the ensemble keeps the lexicon's decisions where they
are better and is calibrated.

A weighted average has as many parameters as members; a stacking
regression (3 x members + 3 parameters) fit on four documents' worth of
rows overfit in our measurements (docs/model-card.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import Field
from scipy.optimize import minimize
from scipy.special import softmax
from sklearn.base import clone

from pipeline.classifiers.base import ClassifierContext, StanceClassifier, check_labels
from pipeline.classifiers.cv import out_of_fold_proba
from pipeline.evaluation.metrics import mean_macro_f1, predicted_labels
from pipeline.params import ConfigError
from pipeline.paths import LABELS
from pipeline.plugins import classifiers

_EPS = 1e-6


class EnsembleStance(StanceClassifier):
    def __init__(
        self,
        members: tuple[tuple[str, StanceClassifier], ...] = (),
        objective: str = "macro_f1",
        weight_step: float = 0.1,
    ):
        self.members = members
        self.objective = objective
        self.weight_step = weight_step

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> EnsembleStance:
        if labels is None:
            raise ValueError("ensemble classifier: fit needs gold labels")
        if not self.members:
            raise ConfigError("params.yaml: classifiers.ensemble.members is empty")
        y = check_labels(labels)
        units = units.reset_index(drop=True)
        oof = [out_of_fold_proba(member, units, y) for _, member in self.members]
        if self.objective == "log_loss":
            self.weights_ = fit_weights(oof, y)
        else:
            self.weights_ = macro_f1_weights(oof, y, units["target"].to_numpy(), self.weight_step)
        self.members_ = [clone(member).fit(units, y) for _, member in self.members]
        self.classes_ = np.asarray(LABELS)
        return self

    def relocate(self, root: str) -> EnsembleStance:
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


def simplex_grid(n: int, step: float) -> np.ndarray:
    """Every weight vector of ``n`` non-negative multiples of ``step`` summing to 1, in a fixed order."""
    k = round(1 / step)
    return np.array([c for c in itertools.product(range(k + 1), repeat=n) if sum(c) == k], dtype=float) / k


def macro_f1_weights(
    probas: Sequence[np.ndarray], labels: Sequence[str] | np.ndarray, targets: np.ndarray, step: float
) -> np.ndarray:
    """Simplex weights (grid with ``step``) maximising macro-F1, mean over targets, of the weighted
    average; of equal scores the first in grid order wins, so the choice is deterministic."""
    stacked, y = np.stack(probas), np.asarray(labels)
    best_score, best = -1.0, np.ones(len(probas)) / len(probas)
    for weights in simplex_grid(len(probas), step):
        score = mean_macro_f1(y, predicted_labels(np.tensordot(weights, stacked, axes=1)), targets)
        if score > best_score + 1e-12:
            best_score, best = score, weights
    return best


def fit_weights(probas: Sequence[np.ndarray], y: Sequence[str] | np.ndarray) -> np.ndarray:
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


@classifiers.register("ensemble")
def ensemble(
    *,
    members: Annotated[Sequence[str], Field(min_length=1)],
    objective: Literal["macro_f1", "log_loss"],
    weight_step: Annotated[float, Field(gt=0, le=1)],
    context: ClassifierContext,
) -> EnsembleStance:
    """Settings: ``classifiers.ensemble``; each member is built from its own section."""
    if "ensemble" in members or len(set(members)) != len(members):
        raise ConfigError(
            f"params.yaml: classifiers.ensemble.members {list(members)} must name other classifiers, "
            "each once (not 'ensemble')"
        )
    if abs(round(1 / weight_step) * weight_step - 1) > 1e-9:
        raise ConfigError(f"params.yaml: classifiers.ensemble.weight_step {weight_step} must divide 1 (e.g. 0.1, 0.05)")
    return EnsembleStance(
        members=tuple((name, context.build(name)) for name in members), objective=objective, weight_step=weight_step
    )
