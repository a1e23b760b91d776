"""Variants of the role rules that the experiments scored and the pipeline does not register.

- ``RoleContextRule``: rule 6 as a hand-set rule. A sentence that only reports a measure, aid or cooperation (a
  "bare" signal, no vote of its own) takes the direction of the author's evaluations of the same target in the
  same paragraph (the other units' summed votes, ``pipeline.classifiers.context``), with strength
  tanh(|paragraph net|). The learned propagation (``pipeline.classifiers.propagation``) replaced it: most
  paragraphs have no other unit of the same target to read a direction from.
- ``OpinionRoleStance``: a generic opinion lexicon's word polarities (``benchmarks.experiments.opinion``) as
  extra evaluative cues. Sentiment is not stance; it scored below the rules alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import softmax

from pipeline.classifiers.base import AliasRows
from pipeline.classifiers.context import context_features
from pipeline.classifiers.roles import RoleStance, signal_table, vote_logits


class RoleContextRule(RoleStance):
    """``RoleStance`` plus rule 6 as a rule (module docstring). Predict on whole documents."""

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        signals = self.signals(units)
        logits = vote_logits(signals, self.aid_is_favor, self.neutral_bias)
        logits[:, :2] += paragraph_votes(units, signals, logits)
        return softmax(logits, axis=1)


def paragraph_votes(units: pd.DataFrame, signals: pd.DataFrame, logits: np.ndarray) -> np.ndarray:
    """(n, 2) extra [against, favor] votes for bare, vote-less units from their paragraph's net (rule 6)."""
    net = np.tanh(logits[:, 1] - logits[:, 0])
    para = context_features(units, net, (net != 0).astype(float))["para_net"].to_numpy()
    bare = (signals[["measure_bare", "aid_bare", "cooperation_bare"]].sum(axis=1) > 0).to_numpy()
    quiet = (logits[:, 0] == 0) & (logits[:, 1] == 0)
    strength = np.where(bare & quiet, np.tanh(np.abs(para)), 0.0)
    return np.column_stack([strength * (para < 0), strength * (para > 0)])


class OpinionRoleStance(RoleStance):
    """``RoleStance`` whose evaluative cues include ``opinion``: (word, +1.0 / -1.0) pairs."""

    def __init__(
        self,
        aliases: AliasRows = (),
        aid_is_favor: bool = True,
        neutral_bias: float = 0.5,
        opinion: tuple[tuple[str, float], ...] = (),
    ):
        super().__init__(aliases, aid_is_favor, neutral_bias)
        self.opinion = opinion

    def signals(self, units: pd.DataFrame) -> pd.DataFrame:
        return signal_table(units, self.aliases, tuple(self.opinion))
