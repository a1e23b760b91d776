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
from collections.abc import Iterator, Sequence
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
    void and the spread is sentence sampling within that document only. A
    drawn document whose redrawn denominator is 0 has no ratio and is left
    out of its replicate's mean (NaN where a replicate has none).
    """
    if not documents:
        raise StatsInputError("bootstrap of no documents")
    if n_resamples < 1:
        raise StatsInputError(f"bootstrap: n_resamples must be positive, got {n_resamples}")
    n_docs = len(documents)
    n_stats = documents[0].numerators.shape[1]
    picks = rng.integers(n_docs, size=(n_resamples, n_docs))
    totals = ReplicateTotals.zeros(n_resamples, n_stats)
    for doc, slots in zip(documents, slots_by_document(picks, n_docs)):
        n_units = len(doc.denominators)
        uniform = np.full(n_units, 1.0 / n_units)
        for start in range(0, len(slots), DRAW_BLOCK):
            drawn = slots[start : start + DRAW_BLOCK]
            # Drawing n_units units with replacement = multinomial counts of each unit.
            weights = rng.multinomial(n_units, uniform, size=len(drawn)).astype(float)
            den = weights @ doc.denominators
            with np.errstate(invalid="ignore", divide="ignore"):
                totals.add(drawn // n_docs, (weights @ doc.numerators) / den[:, None])
    return totals.means()


DRAW_BLOCK = 512
"""Redraws of one document made at a time: the multinomial counts of a long document drawn 4,000 times
would be tens of MB; the generator gives the same numbers in blocks as in one call (tested)."""


@dataclass(frozen=True)
class ReplicateTotals:
    """Per replicate, the sum of its drawn documents' values and how many of them are not NaN.

    Their quotient is the replicate's mean over its documents (NaN values left
    out, like ``np.nanmean``), without a value per (replicate, draw): that
    array grows with replicates × documents, 850 MB for one bootstrap of
    1,667 documents and 16 statistics at 4,000 replicates.
    """

    sums: np.ndarray
    counts: np.ndarray

    @classmethod
    def zeros(cls, n_resamples: int, n_stats: int) -> ReplicateTotals:
        return cls(np.zeros((n_resamples, n_stats)), np.zeros((n_resamples, n_stats)))

    def add(self, replicates: np.ndarray, values: np.ndarray) -> None:
        """Add one document's values (one row per draw) to the replicates that drew it."""
        present = ~np.isnan(values)
        np.add.at(self.sums, replicates, np.where(present, values, 0.0))
        np.add.at(self.counts, replicates, present)

    def means(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.sums / self.counts


def slots_by_document(picks: np.ndarray, n_docs: int) -> list[np.ndarray]:
    """Per document, the flat indices of the (replicate, position) slots that drew it, in row-major order.

    The same slots, in the same order, as ``np.flatnonzero(picks == i)`` for each document, from one
    stable sort instead of a scan of every slot per document (which grows with the square of the
    documents); the order fixes which random draws each slot gets.
    """
    flat = picks.ravel()
    order = np.argsort(flat, kind="stable")
    ends = np.cumsum(np.bincount(flat, minlength=n_docs))
    return np.split(order, ends[:-1])


def bootstrap_interval(
    documents: Sequence[DocumentUnits], n_resamples: int, rng: np.random.Generator, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """The percentile interval of :func:`hierarchical_bootstrap` (a job that returns two rows, not its replicates)."""
    return percentile_interval(hierarchical_bootstrap(documents, n_resamples, rng), level)


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
    chunks = _enumerated(n, n_a) if exact else _drawn(rng, n, n_a, n_permutations)
    sum_a = np.concatenate([np.where(members, pooled, 0.0).sum(axis=1) for members in chunks])
    diffs = np.abs(sum_a / n_a - (total - sum_a) / (n - n_a))
    tolerance = 1e-12 * max(1.0, float(np.abs(pooled).max()))
    hits = int((diffs >= abs(observed) - tolerance).sum())
    extreme = int((diffs >= diffs.max() - tolerance).sum())
    if exact:
        p, min_p = hits / n_total, extreme / n_total
    else:
        p, min_p = (1 + hits) / (1 + n_permutations), 1 / (1 + n_permutations)
    return PermutationResult(observed, p, len(diffs), exact, min_p)


PERMUTATION_CHUNK = 1024
"""Assignments held in memory at a time: memory stays flat however many documents the groups have."""


def _enumerated(n: int, n_a: int) -> Iterator[np.ndarray]:
    """Every assignment of n_a of n documents to group a, as boolean rows, a chunk at a time."""
    combos = itertools.combinations(range(n), n_a)
    while chunk := list(itertools.islice(combos, PERMUTATION_CHUNK)):
        members = np.zeros((len(chunk), n), dtype=bool)
        np.put_along_axis(members, np.array(chunk), True, axis=1)
        yield members


def _drawn(rng: np.random.Generator, n: int, n_a: int, n_draws: int) -> Iterator[np.ndarray]:
    """Random assignments: group a = the n_a documents with the smallest of n uniform draws.

    Drawing the uniforms a chunk of rows at a time takes the same numbers from ``rng`` as one
    (n_draws, n) draw; ``argpartition`` finds the same n_a smallest as a full sort, in O(n).
    """
    for start in range(0, n_draws, PERMUTATION_CHUNK):
        draws = rng.random((min(PERMUTATION_CHUNK, n_draws - start), n))
        members = np.zeros(draws.shape, dtype=bool)
        np.put_along_axis(members, np.argpartition(draws, n_a - 1, axis=1)[:, :n_a], True, axis=1)
        yield members


def stable_rng(seed: int, *names: str) -> np.random.Generator:
    """A generator seeded by ``seed`` and names (group, target): results do not depend on loop order."""
    return np.random.default_rng([seed, *(zlib.crc32(name.encode("utf-8")) for name in names)])
