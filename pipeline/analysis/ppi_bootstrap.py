"""Hierarchical prediction-powered bootstrap: documents within a group, then labelled and unlabelled units.

Today's group intervals (docs/method.md) resample documents within an origin
group and then each drawn document's units, so they describe authors of that
origin, not only these documents. With a gold sample the second stage
becomes the prediction-powered bootstrap (Zrnic 2024): a document's labelled
units (gold value with its prediction, paired) and its unlabelled units
(prediction only) are resampled separately, and the PPI++ estimate, power
tuning included, is recomputed on every replicate, so the spread counts the
noise of lam too. A census document reduces to today's gold bootstrap, a
document without gold to today's model bootstrap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.analysis.ppi import (
    Labelled,
    PPIInputError,
    Unlabelled,
    power_tuned_lambda,
    ppi_point_estimate,
    sure_bounds,
)
from pipeline.analysis.resampling import slots_by_document


@dataclass(frozen=True)
class DocumentCell:
    """One document x target: unit values (n, 4) of the labelled units and their predictions, and the
    predictions (m, 4) of the units without gold (pipeline.analysis.ppi.gold_values / prediction_values)."""

    y: np.ndarray
    f: np.ndarray
    f_unlabelled: np.ndarray

    def __post_init__(self) -> None:
        if self.y.shape != self.f.shape or self.f.shape[1:] != self.f_unlabelled.shape[1:]:
            raise PPIInputError(
                f"document cell: gold {self.y.shape}, predictions {self.f.shape} and unlabelled "
                f"predictions {self.f_unlabelled.shape} do not match"
            )
        if len(self.y) + len(self.f_unlabelled) == 0:
            raise PPIInputError("document cell: a document needs at least one unit")


def hierarchical_ppi_bootstrap(
    docs: Sequence[DocumentCell], n_resamples: int, rng: np.random.Generator, tuned: bool = True
) -> np.ndarray:
    """Replicates (n_resamples, 4) of the document-weighted mean of the documents' PPI++ estimates.

    Stage 1 draws as many documents as the group has, with replacement (void with one document);
    stage 2 redraws each drawn document's labelled units and its unlabelled units, separately and
    with replacement (a document drawn twice gets two independent redraws). ``tuned=False`` gives
    the gold-sample-only bootstrap (lam = 0).
    """
    if not docs:
        raise PPIInputError("bootstrap of no documents")
    if n_resamples < 1:
        raise PPIInputError(f"bootstrap: n_resamples must be positive, got {n_resamples}")
    n_docs = len(docs)
    picks = rng.integers(n_docs, size=(n_resamples, n_docs))
    # per replicate, the sum of its drawn documents' estimates (not one row per draw: see ReplicateTotals)
    sums = np.zeros((n_resamples, docs[0].y.shape[1]))
    for doc, slots in zip(docs, slots_by_document(picks, n_docs)):
        n_slots = len(slots)
        if n_slots == 0:
            continue
        lab = Labelled.of(resample_counts(rng, len(doc.y), n_slots), doc.y, doc.f)
        unl = Unlabelled.of(resample_counts(rng, len(doc.f_unlabelled), n_slots), doc.f_unlabelled)
        lam = power_tuned_lambda(lab, unl) if tuned else np.zeros((n_slots, 1))
        np.add.at(sums, slots // n_docs, np.clip(ppi_point_estimate(lab, unl, lam), *sure_bounds(lab, unl)))
    return sums / n_docs


def resample_counts(rng: np.random.Generator, n_units: int, size: int) -> np.ndarray:
    """How often each of ``n_units`` units is drawn when drawing n_units with replacement, ``size`` times."""
    if n_units == 0:
        return np.zeros((size, 0))
    return rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=size).astype(float)


def percentile_interval(replicates: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed percentile interval of bootstrap replicates (columns are statistics)."""
    if not 0 < level < 1:
        raise PPIInputError(f"interval level must be in (0, 1), got {level}")
    tail = 100 * (1 - level) / 2
    lo, hi = np.percentile(replicates, [tail, 100 - tail], axis=0)
    return lo, hi
