"""Out-of-fold stacking: member classifiers' inner leave-one-document-out probabilities feed a combiner.

Inside ``fit``, each member is cross-validated over the training documents (leave one document out), and the
combiner is fit on those out-of-fold probabilities, which are as wrong as the members will be on a new document;
the members are then refit on all training units. Under the outer leave-one-document-out loop this is nested.

Combiners: ``lr``, a balanced multinomial logistic regression on the members' log-probabilities (3 x members + 3
parameters); ``weights``, simplex weights of a weighted average on a grid, maximising mean macro-F1 over targets
(members + 0 free parameters beyond the simplex: what ``pipeline.classifiers.ensemble`` does).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from pipeline.classifiers.base import StanceClassifier, align_proba, check_labels
from pipeline.classifiers.cv import out_of_fold_proba
from pipeline.classifiers.ensemble import macro_f1_weights
from pipeline.paths import LABELS

_EPS = 1e-4
COMBINERS = ("lr", "weights")


class StackedStance(StanceClassifier):
    def __init__(
        self,
        members: tuple[tuple[str, StanceClassifier], ...] = (),
        combiner: str = "lr",
        C: float = 0.1,
        weight_step: float = 0.1,
        seed: int = 0,
    ):
        self.members = members
        self.combiner = combiner
        self.C = C
        self.weight_step = weight_step
        self.seed = seed

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> StackedStance:
        if labels is None:
            raise ValueError("stacked classifier: fit needs gold labels")
        if self.combiner not in COMBINERS:
            raise ValueError(f"combiner '{self.combiner}' must be one of {list(COMBINERS)}")
        y = check_labels(labels)
        units = units.reset_index(drop=True)
        oof = [out_of_fold_proba(member, units, y) for _, member in self.members]
        if self.combiner == "lr":
            self.meta_ = LogisticRegression(
                C=self.C, class_weight="balanced", max_iter=5000, random_state=self.seed
            ).fit(_stack(oof), y)
        else:
            self.weights_ = macro_f1_weights(oof, y, units["target"].to_numpy(), self.weight_step)
        self.members_ = [clone(member).fit(units, y) for _, member in self.members]
        self.classes_ = np.asarray(LABELS)
        return self

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        probas = [member.predict_proba(units) for member in self.members_]
        if self.combiner == "lr":
            return align_proba(self.meta_.predict_proba(_stack(probas)), self.meta_.classes_)
        return np.tensordot(self.weights_, np.stack(probas), axes=1)


def _stack(probas: Sequence[np.ndarray]) -> np.ndarray:
    return np.hstack([np.log(np.clip(p, _EPS, 1.0)) for p in probas])
