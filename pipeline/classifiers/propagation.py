"""Rule 6 as a learned propagation step: sentence-local labels first, then the author's argument fills the silence.

STANCE-SPEC v2 rule 6 and guide §3 step 4 / §4: a sentence that reads neutral on its own takes a stance when the
author uses its fact in an evaluation made in the same paragraph or stated as the article's thesis, and only for
the kinds of fact the spec lets context carry into (aid, cooperation / agreements / visits, measures, engagement,
failures: rules 7-9). The guide's order is "the sentence's own words come first, then its paragraph, then the
thesis", and context never overrides a sentence's own stance.

So the model works in two steps (the evidence is in ``pipeline.classifiers.propagation_evidence``):

1. Every unit is labelled sentence-locally by the role rules (``RoleStance``, no training). Their polar labels
   are the *explicit* (text-level) stances the document expresses toward each target.
2. For each unit the rules leave neutral, the direction the argument would carry is read from those explicit
   labels (its paragraph's net stance toward the same target, else its neighbours', else the document's).
   Whether the unit takes a direction at all is a small balanced logistic regression over direction-free
   evidence: how strongly and consistently the paragraph and the document argue that way, whether the paragraph
   evaluates anything at all (evaluative words in any of its sentences, also those naming no target), what kind
   of fact the sentence reports (``cues.CARRIERS``), ties ("This included ...", "Hence ..."), and what keeps a
   fact neutral (a statistic, history, a heading, a neutral name). With ``direction="learned"`` (registered as
   ``propagation``) one regression scores both directions from the evidence along each, so how far paragraph and
   document evidence are trusted, also when they disagree, is learned across the training documents. The
   target's identity and the direction are never features, so what is learned from "against Russia" context
   transfers to "favor Russia" context, which lives in one seed document.

Predict on whole documents (leave-one-document-out and the stance stage both do): context is read from the units
passed in. Without the unit table's context columns, paragraphs fall back to the two sentences either side.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from pipeline.classifiers.base import (
    AliasRows,
    ClassifierContext,
    StanceClassifier,
    check_labels,
    settle_coefficients,
)
from pipeline.classifiers.propagation_evidence import DIRECTIONS, document_evidence
from pipeline.params import PositiveNumber
from pipeline.paths import LABELS
from pipeline.plugins import classifiers

_AGAINST, _FAVOR, _NEUTRAL = (LABELS.index(label) for label in ("against", "favor", "neutral"))


class ContextPropagation(StanceClassifier):
    """Role rules, then a learned rule-6 propagation into the units they leave neutral (module docstring).

    ``neutral_bias`` is the rules' neutral logit; ``C`` the propagation regression's inverse L2 strength;
    ``direction``: "learned" (both directions scored by one regression), "guide" (the paragraph's direction, else
    the neighbours', else the document's, and a regression decides whether it is taken) or "thesis" (the
    document's direction only); ``balanced``: weigh "takes the direction" and "stays neutral" equally (else by
    frequency). ``aid_is_favor`` as in ``RoleStance``.
    """

    def __init__(
        self,
        aliases: AliasRows = (),
        aid_is_favor: bool = True,
        neutral_bias: float = 0.5,
        C: float = 1.0,
        direction: str = "learned",
        balanced: bool = True,
        seed: int = 0,
    ):
        self.aliases = aliases
        self.aid_is_favor = aid_is_favor
        self.neutral_bias = neutral_bias
        self.C = C
        self.direction = direction
        self.balanced = balanced
        self.seed = seed

    def _evidence(self, units: pd.DataFrame, remember: bool) -> tuple[np.ndarray, ...]:
        """(local, carried, open, features along favor, features along against) in unit order, read per
        document (everything here is within-document); memoised per document when ``remember`` (fitting)."""
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction '{self.direction}' must be one of {list(DIRECTIONS)}")
        units = units.reset_index(drop=True)
        positions, found = [], []
        for _, doc in units.groupby("doc_id", sort=True):
            positions.append(doc.index.to_numpy())
            found.append(
                document_evidence(
                    doc.reset_index(drop=True),
                    self.aliases,
                    self.aid_is_favor,
                    self.neutral_bias,
                    self.direction,
                    remember,
                )
            )
        if not found:
            empty = np.zeros((0, len(LABELS)))
            return empty, np.zeros(0), np.zeros(0, dtype=bool), empty, empty
        back = np.argsort(np.concatenate(positions), kind="stable")
        local, carried, plus, minus = (np.concatenate([f[k] for f in found])[back] for k in range(4))
        open_ = (local.argmax(axis=1) == _NEUTRAL) & (carried != 0)
        return local, carried, open_, plus, minus

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> ContextPropagation:
        if labels is None:
            raise ValueError("propagation classifier: fit needs gold labels")
        y = check_labels(labels)
        _, carried, open_, plus, minus = self._evidence(units, remember=True)
        if self.direction == "learned":
            x = np.vstack([plus[open_], minus[open_]])
            target = np.concatenate([y[open_] == "favor", y[open_] == "against"]).astype(int)
        else:
            x = np.where((carried > 0)[:, None], plus, minus)[open_]
            target = (y == np.where(carried > 0, "favor", "against"))[open_].astype(int)
        self.model_ = None
        self.constant_ = float(target.mean()) if len(target) else 0.0
        if len(set(target)) == 2:
            regression = LogisticRegression(
                C=self.C, class_weight="balanced" if self.balanced else None, max_iter=5000, random_state=self.seed
            )
            self.model_ = make_pipeline(StandardScaler(), regression).fit(x, target)
            settle_coefficients(regression)  # the same model file on every CPU
        self.classes_ = np.asarray(LABELS)
        return self

    def _p_taken(self, x: np.ndarray) -> np.ndarray:
        """P(the unit takes the direction) for each row of evidence (none: a document with no open unit)."""
        if self.model_ is None or len(x) == 0:
            return np.full(len(x), self.constant_)
        return self.model_.predict_proba(x)[:, 1]

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        local, carried, open_, plus, minus = self._evidence(units, remember=False)
        out = local.copy()
        rows = np.flatnonzero(open_)
        out[rows] = 0.0
        if self.direction == "learned":
            p_favor, p_against = self._p_taken(plus[rows]), self._p_taken(minus[rows])
            out[rows, _FAVOR] = p_favor * (1 - p_against)
            out[rows, _AGAINST] = p_against * (1 - p_favor)
            out[rows, _NEUTRAL] = (1 - p_favor) * (1 - p_against)
            out[rows] /= out[rows].sum(axis=1, keepdims=True)
        else:
            p_taken = self._p_taken(np.where((carried > 0)[:, None], plus, minus)[rows])
            out[rows, _NEUTRAL] = 1.0 - p_taken
            out[rows, np.where(carried[rows] > 0, _FAVOR, _AGAINST)] = p_taken
        return out


@classifiers.register("propagation")
def propagation(
    *, neutral_bias: float = 0.5, C: PositiveNumber = 1.0, context: ClassifierContext
) -> ContextPropagation:
    """Settings: ``classifiers.propagation``, fixed a priori (the rules' bias of ``roles``, scikit-learn's default
    C): tuning them by inner leave-one-document-out scored lower (docs/model-card.md)."""
    return ContextPropagation(
        context.aliases,
        aid_is_favor=context.label_spec == "v2",
        neutral_bias=neutral_bias,
        C=C,
        direction="learned",
        seed=context.seed,
    )
