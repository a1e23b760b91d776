"""Scores of out-of-fold predictions: F1, calibration, and gold vs model group shares.

Macro-F1 is the selection criterion because the classes are very unequal
(favor Russia and against Ukraine are rare) and a researcher's question is
about all three. It is computed per target, since each target has its own
class balance, and summarised as the mean over targets.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.metrics import f1_score, log_loss, precision_recall_fscore_support

from pipeline.paths import LABELS

_EPS = 1e-12


def predicted_labels(proba: np.ndarray) -> np.ndarray:
    return np.asarray(LABELS)[np.asarray(proba).argmax(axis=1)]


def macro_f1(gold: ArrayLike, pred: ArrayLike) -> float:
    """Macro-F1 over all three labels; a label absent from both gold and predictions scores 0."""
    return float(f1_score(gold, pred, labels=list(LABELS), average="macro", zero_division=0))


def mean_macro_f1(gold: ArrayLike, pred: ArrayLike, targets: ArrayLike) -> float:
    """The selection criterion: macro-F1 of each target's units, averaged over the targets present."""
    g, p, t = np.asarray(gold), np.asarray(pred), np.asarray(targets)
    return float(np.mean([macro_f1(g[t == name], p[t == name]) for name in sorted(set(t))]))


def per_class(gold: Sequence[str], pred: Sequence[str]) -> pd.DataFrame:
    p, r, f, n = precision_recall_fscore_support(gold, pred, labels=list(LABELS), zero_division=0)
    return pd.DataFrame({"label": list(LABELS), "precision": p, "recall": r, "f1": f, "support": n})


def one_hot(gold: Sequence[str]) -> np.ndarray:
    idx = np.array([LABELS.index(g) for g in gold], dtype=int)
    out = np.zeros((len(idx), len(LABELS)))
    out[np.arange(len(idx)), idx] = 1.0
    return out


def brier(gold: Sequence[str], proba: np.ndarray) -> float:
    """Multiclass Brier score: mean squared distance to the one-hot truth (0 best, 2 worst)."""
    return float(((np.asarray(proba) - one_hot(gold)) ** 2).sum(axis=1).mean())


def mean_log_loss(gold: Sequence[str], proba: np.ndarray) -> float:
    p = np.clip(np.asarray(proba, dtype=float), _EPS, 1.0)
    return float(log_loss(list(gold), p / p.sum(axis=1, keepdims=True), labels=list(LABELS)))


def reliability(gold: Sequence[str], proba: np.ndarray, bins: int) -> pd.DataFrame:
    """Top-label reliability: per confidence bin, units, mean confidence and accuracy."""
    proba = np.asarray(proba)
    confidence = proba.max(axis=1)
    correct = predicted_labels(proba) == np.asarray(gold)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    rows = []
    for b in range(bins):
        in_bin = which == b
        rows.append(
            {
                "bin_low": edges[b],
                "bin_high": edges[b + 1],
                "n": int(in_bin.sum()),
                "confidence": float(confidence[in_bin].mean()) if in_bin.any() else np.nan,
                "accuracy": float(correct[in_bin].mean()) if in_bin.any() else np.nan,
            }
        )
    return pd.DataFrame(rows)


def expected_calibration_error(gold: Sequence[str], proba: np.ndarray, bins: int) -> float:
    """ECE: unit-weighted mean |accuracy - confidence| over top-label confidence bins."""
    table = reliability(gold, proba, bins)
    filled = table[table["n"] > 0]
    return float((filled["n"] * (filled["accuracy"] - filled["confidence"]).abs()).sum() / filled["n"].sum())


def document_weighted_shares(labelled: pd.DataFrame, label_column: str) -> pd.DataFrame:
    """Per author_origin x target: the mean over documents of each document's label shares.

    A document is the unit of replication (DESIGN.md), so each document that
    mentions the target counts once, however long it is.
    """
    counts = (
        labelled.groupby(["author_origin", "doc_id", "target"])[label_column]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=list(LABELS), fill_value=0)
    )
    shares = counts.div(counts.sum(axis=1), axis=0)
    per_group = shares.groupby(level=["author_origin", "target"]).mean()
    n_docs = shares.groupby(level=["author_origin", "target"]).size().rename("n_docs")
    n_units = counts.sum(axis=1).groupby(level=["author_origin", "target"]).sum().rename("n_units")
    long = per_group.stack().rename("share").reset_index().rename(columns={"level_2": "label", label_column: "label"})
    long.columns = ["author_origin", "target", "label", "share"]
    return long.merge(n_docs.reset_index(), on=["author_origin", "target"]).merge(
        n_units.reset_index(), on=["author_origin", "target"]
    )
