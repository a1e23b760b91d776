"""Uncertainty for document-weighted group statistics: hierarchical bootstrap, permutation test.

The document is the unit of replication (docs/method.md). A group's
statistic is the *mean over its documents* of a per-document ratio
(labelled units / units, frame matches / words), so a long report counts
once, like a short one. The bootstrap mirrors that two-stage design:
resample documents within the group, then sentences within each drawn
document. The permutation test shuffles whole documents between groups.
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


class StatsInputError(ValueError):
    """Input a statistic cannot be computed from (no documents, shapes that disagree)."""


@dataclass(frozen=True)
class DocumentUnits:
    """One document's units: ``numerators`` (n_units × n_statistics) over ``denominators`` (n_units).

    A stance share has one row per (sentence, target) unit, numerator 1 for
    the unit's label and denominator 1; a rate per word has one row per
    sentence with the sentence's match count over its word count.
    """

    numerators: np.ndarray
    denominators: np.ndarray

    def __post_init__(self) -> None:
        num = np.asarray(self.numerators, dtype=float)
        den = np.asarray(self.denominators, dtype=float)
        if num.ndim != 2 or den.ndim != 1 or num.shape[0] != den.shape[0]:
            raise StatsInputError(
                f"document units: numerators {num.shape} and denominators {den.shape} must be (n, k) and (n,)"
            )
        if num.shape[0] == 0 or den.sum() <= 0:
            raise StatsInputError("document units: a document needs at least one unit with a positive denominator")
        object.__setattr__(self, "numerators", num)
        object.__setattr__(self, "denominators", den)

    def ratio(self) -> np.ndarray:
        """The document's own statistic: total numerator over total denominator."""
        return self.numerators.sum(axis=0) / self.denominators.sum()


def document_weighted_mean(documents: Sequence[DocumentUnits]) -> np.ndarray:
    """Mean over documents of each document's ratio (every document weighs the same)."""
    if not documents:
        raise StatsInputError("document-weighted mean of no documents")
    return np.mean([d.ratio() for d in documents], axis=0)


def hierarchical_bootstrap(
    documents: Sequence[DocumentUnits], n_resamples: int, rng: np.random.Generator
) -> np.ndarray:
    """Bootstrap replicates (n_resamples × k) of the document-weighted mean.

    Stage 1 draws as many documents as the group has, with replacement;
    stage 2 redraws each drawn document's units with replacement (a document
    drawn twice gets two independent redraws). With one document, stage 1 is
    void and the spread is sentence sampling within that document only.
    """
    if not documents:
        raise StatsInputError("bootstrap of no documents")
    if n_resamples < 1:
        raise StatsInputError(f"bootstrap: n_resamples must be positive, got {n_resamples}")
    n_docs = len(documents)
    n_stats = documents[0].numerators.shape[1]
    picks = rng.integers(n_docs, size=(n_resamples, n_docs))
    ratios = np.empty((n_resamples, n_docs, n_stats))
    for i, doc in enumerate(documents):
        slots = np.nonzero(picks == i)
        n_slots = len(slots[0])
        if n_slots == 0:
            continue
        n_units = len(doc.denominators)
        # Drawing n_units units with replacement = multinomial counts of each unit.
        weights = rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=n_slots)
        den = weights @ doc.denominators
        with np.errstate(invalid="ignore", divide="ignore"):
            ratios[slots] = (weights @ doc.numerators) / den[:, None]
    return np.nanmean(ratios, axis=1)


def percentile_interval(replicates: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed percentile interval of bootstrap replicates (columns are statistics)."""
    if not 0 < level < 1:
        raise StatsInputError(f"interval level must be in (0, 1), got {level}")
    tail = 100 * (1 - level) / 2
    lo, hi = np.nanpercentile(replicates, [tail, 100 - tail], axis=0)
    return lo, hi


@dataclass(frozen=True)
class PermutationResult:
    """Two-sided document-level permutation test of a difference in group means."""

    statistic: float  # mean(a) - mean(b)
    p_value: float
    n_assignments: int  # assignments evaluated (all of them when exact)
    exact: bool
    min_attainable_p: float  # the p the most extreme assignment would get: what the design can show


def permutation_test(
    a: Sequence[float], b: Sequence[float], n_permutations: int, rng: np.random.Generator
) -> PermutationResult:
    """Shuffle documents between two groups; p = share of assignments with |difference| >= observed.

    Every distinct assignment is enumerated when there are at most
    ``n_permutations`` (always the case for a handful of documents), else
    ``n_permutations`` random ones are drawn and the observed assignment
    is counted in (p = (1 + hits) / (1 + draws)). Unlike
    ``scipy.stats.permutation_test`` this accepts a group of one document,
    where the test is still valid, only weak: ``min_attainable_p`` says how weak.
    """
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    if len(x) == 0 or len(y) == 0:
        raise StatsInputError("permutation test: each group needs at least one document")
    pooled = np.concatenate([x, y])
    n, n_a = len(pooled), len(x)
    observed = float(x.mean() - y.mean())
    total = pooled.sum()
    n_total = math.comb(n, n_a)
    exact = n_total <= n_permutations
    if exact:
        members = np.zeros((n_total, n), dtype=bool)
        for row, combo in enumerate(itertools.combinations(range(n), n_a)):
            members[row, list(combo)] = True
    else:
        order = np.argsort(rng.random((n_permutations, n)), axis=1)
        members = np.zeros((n_permutations, n), dtype=bool)
        np.put_along_axis(members, order[:, :n_a], True, axis=1)
    sum_a = members.astype(float) @ pooled
    diffs = np.abs(sum_a / n_a - (total - sum_a) / (n - n_a))
    tolerance = 1e-12 * max(1.0, float(np.abs(pooled).max()))
    hits = int((diffs >= abs(observed) - tolerance).sum())
    extreme = int((diffs >= diffs.max() - tolerance).sum())
    if exact:
        p, min_p = hits / n_total, extreme / n_total
    else:
        p, min_p = (1 + hits) / (1 + n_permutations), 1 / (1 + n_permutations)
    return PermutationResult(observed, p, len(diffs), exact, min_p)


def stable_rng(seed: int, *names: str) -> np.random.Generator:
    """A generator seeded by ``seed`` and names (group, target): results do not depend on loop order."""
    return np.random.default_rng([seed, *(zlib.crc32(name.encode("utf-8")) for name in names)])
