"""Document-grouped cross-validation: the only way classifier quality is measured.

A document is the unit of replication, and sentences of one document share
its author, topic and vocabulary; holding out single sentences would let a
model learn the document instead of the stance. So every fold holds out
whole documents, and each unit's out-of-fold probabilities come from a
model that never saw any sentence of its document.

How many folds: leave-one-document-out while the units come from at most
``cross_validation.loo_max_documents`` documents, else
``cross_validation.k_folds`` folds of whole documents (scikit-learn's
``GroupKFold``: deterministic, folds balanced by units). Leave-one-out costs
one fit per document, and a choice made inside the training folds
(``NestedSelect``) repeats it in every fold, so with hundreds of gold
documents it grows with the square of their number; K folds keep both
linear. The evaluate and train stages set the plan from params.yaml
(``folds_from``) for every cross-validation they run, nested ones included;
elsewhere (tests, notebooks) it is leave-one-document-out at any size.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut
from tqdm import tqdm

from pipeline.classifiers.base import StanceClassifier, check_labels
from pipeline.params import CrossValidation
from pipeline.paths import LABELS

LEAVE_ONE_OUT = CrossValidation(loo_max_documents=None)
_PLAN: ContextVar[CrossValidation] = ContextVar("cross_validation", default=LEAVE_ONE_OUT)


class FoldError(ValueError):
    """Cross-validation cannot run on the given units (e.g. a single document)."""


@contextmanager
def folds_from(plan: CrossValidation) -> Iterator[None]:
    """Every cross-validation inside the block (nested ones too) splits as ``plan`` says."""
    token = _PLAN.set(plan)
    try:
        yield
    finally:
        _PLAN.reset(token)


def document_folds(groups: np.ndarray, plan: CrossValidation | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) row indices: one fold per document up to ``plan.loo_max_documents``, else
    ``plan.k_folds`` folds of whole documents."""
    plan = plan or _PLAN.get()
    n_documents = len(set(groups))
    if plan.loo_max_documents is None or n_documents <= plan.loo_max_documents:
        splitter: LeaveOneGroupOut | GroupKFold = LeaveOneGroupOut()
    else:
        splitter = GroupKFold(n_splits=min(plan.k_folds, n_documents))
    return list(splitter.split(np.zeros(len(groups)), groups=groups))


def fold_phrase(n_documents: int, plan: CrossValidation) -> str:
    """How ``n_documents`` are split under ``plan``, in words for captions and metrics."""
    if plan.loo_max_documents is None or n_documents <= plan.loo_max_documents:
        return "leave-one-document-out"
    return f"{min(plan.k_folds, n_documents)} folds of whole documents"


def out_of_fold_proba(
    classifier: StanceClassifier,
    units: pd.DataFrame,
    labels: Sequence[str] | np.ndarray,
    groups: Sequence[str] | None = None,
    desc: str | None = None,
) -> np.ndarray:
    """(n, 3) probabilities, each row predicted by a clone fitted without the row's group.

    ``groups`` defaults to ``units["doc_id"]``; the folds are ``document_folds``. A
    classifier that learns nothing from labels (``needs_labels = False``) is fitted once:
    its predictions are out-of-fold by construction.
    """
    y = check_labels(labels)
    by_document = np.asarray(units["doc_id"] if groups is None else groups)
    if len(set(by_document)) < 2:
        raise FoldError(f"cross-validation needs at least two documents, got {sorted(set(by_document))}")
    units = units.reset_index(drop=True)
    if not classifier.needs_labels:
        return clone(classifier).fit(units).predict_proba(units)
    proba = np.full((len(units), len(LABELS)), np.nan)
    folds = document_folds(by_document)
    for train, test in tqdm(folds, desc=desc, unit="fold", disable=desc is None, leave=False):
        model = clone(classifier).fit(units.iloc[train].reset_index(drop=True), y[train])
        proba[test] = model.predict_proba(units.iloc[test].reset_index(drop=True))
    return proba
