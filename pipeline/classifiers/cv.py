"""Leave-one-document-out cross-validation: the only way classifier quality is measured.

A document is the unit of replication, and sentences of one document share
its author, topic and vocabulary; holding out single sentences would let a
model learn the document instead of the stance. So every fold holds out
one whole document, and each unit's out-of-fold probabilities come from a
model that never saw any sentence of its document.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import LeaveOneGroupOut
from tqdm import tqdm

from pipeline.classifiers.base import StanceClassifier, check_labels
from pipeline.paths import LABELS


class FoldError(ValueError):
    """Cross-validation cannot run on the given units (e.g. a single document)."""


def out_of_fold_proba(
    classifier: StanceClassifier,
    units: pd.DataFrame,
    labels: Sequence[str] | np.ndarray,
    groups: Sequence[str] | None = None,
    desc: str | None = None,
) -> np.ndarray:
    """(n, 3) probabilities, each row predicted by a clone fitted without the row's group.

    ``groups`` defaults to ``units["doc_id"]``. A classifier that learns
    nothing from labels (``needs_labels = False``) is fitted once: its
    predictions are out-of-fold by construction.
    """
    y = check_labels(labels)
    by_document = np.asarray(units["doc_id"] if groups is None else groups)
    if len(set(by_document)) < 2:
        raise FoldError(f"cross-validation needs at least two documents, got {sorted(set(by_document))}")
    units = units.reset_index(drop=True)
    if not classifier.needs_labels:
        return clone(classifier).fit(units).predict_proba(units)
    proba = np.full((len(units), len(LABELS)), np.nan)
    folds = list(LeaveOneGroupOut().split(units, y, by_document))
    for train, test in tqdm(folds, desc=desc, unit="fold", disable=desc is None, leave=False):
        model = clone(classifier).fit(units.iloc[train].reset_index(drop=True), y[train])
        proba[test] = model.predict_proba(units.iloc[test].reset_index(drop=True))
    return proba
