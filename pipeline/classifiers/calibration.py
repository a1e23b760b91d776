"""The lexicon with calibrated probabilities: one temperature fit on training labels.

The lexicon's softmax over cue votes is not a probability anyone fitted:
out-of-fold its top-label confidence sits far from its accuracy (ECE about
0.23). Rescaling its log-probabilities by one temperature fit to minimise
the log loss on the training units fixes much of that while leaving every
decision as it was (dividing all logits by one positive number keeps their
order), so macro-F1 is the lexicon's own. The cues stay tuned on the guide
alone; only the temperature sees gold labels, and under the evaluate
stage's leave-one-document-out loop only those of the training folds.

Calibrated probabilities matter where probabilities are averaged: the
ensemble can give the lexicon weight once its confidence means something.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax

from pipeline.classifiers.base import ClassifierContext, StanceClassifier, check_labels
from pipeline.classifiers.lexicon import LexiconStance
from pipeline.paths import LABELS
from pipeline.plugins import classifiers

_EPS = 1e-12


class CalibratedLexicon(StanceClassifier):
    def __init__(self, lexicon: LexiconStance | None = None, max_log_temperature: float = 5.0):
        self.lexicon = lexicon
        self.max_log_temperature = max_log_temperature

    def _log_proba(self, units: pd.DataFrame) -> np.ndarray:
        lexicon = self.lexicon if self.lexicon is not None else LexiconStance()
        return np.log(np.clip(lexicon.predict_proba(units), _EPS, 1.0))

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> CalibratedLexicon:
        if labels is None:
            raise ValueError("lexicon_calibrated classifier: fit needs gold labels")
        truth = np.array([LABELS.index(label) for label in check_labels(labels)])
        logits, rows = self._log_proba(units), np.arange(len(truth))

        def loss(log_t: float) -> float:
            return float(-log_softmax(logits / np.exp(log_t), axis=1)[rows, truth].mean())

        bound = self.max_log_temperature
        self.temperature_ = float(np.exp(minimize_scalar(loss, bounds=(-bound, bound), method="bounded").x))
        self.classes_ = np.asarray(LABELS)
        return self

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        return softmax(self._log_proba(units) / self.temperature_, axis=1)


@classifiers.register("lexicon_calibrated")
def lexicon_calibrated(*, context: ClassifierContext) -> CalibratedLexicon:
    """No settings of its own: the lexicon as ``classifiers.lexicon`` configures it, plus a fitted temperature."""
    lexicon = context.build("lexicon")
    if not isinstance(lexicon, LexiconStance):
        raise TypeError("lexicon_calibrated: the 'lexicon' classifier is not a LexiconStance")
    return CalibratedLexicon(lexicon=lexicon)
