"""Prediction-powered estimates of stance shares per document x target, and their document-weighted group means.

The estimand is today's (docs/method.md): for each document x target cell,
the share of each label among the cell's (sentence, target) units and the
net index (favor - against); for an origin group, the mean of its
documents' values. Gold labels exist for a simple random sample of each
cell's units (pipeline.annotation.sampling); model predictions, soft
probabilities or hard labels, exist for every unit.

Per cell and statistic the estimator is PPI++ (Angelopoulos, Duchi & Zrnic
2023) with the rest of the cell as the unlabelled set,

    theta = lam * mean_unlabelled(f) + mean_labelled(y - lam * f),

``lam`` power-tuned per statistic as ``ppi_py`` tunes it. Its variance is
the design variance of sampling n of the cell's N units without replacement,
not ppi_py's superpopulation variance, which ignores that the labelled units
are a large part of a small cell. Two small-sample repairs, each needed on
the seed corpus or on synthetic corpora (docs/ppi.md, "Small cells"): the
residual variance is never taken below its value with z^2 pseudo-units added
(labels spread evenly, the model saying nothing about them), and the
interval carries a continuity correction of half the spacing 1/N of the
values the truth can take. Intervals are clipped to the values the cell can still take
given its labelled units (a share with k of n labelled lies in
[k/N, (k + N - n)/N]). A census is exact; a cell without gold falls back to
the model and its variance then counts sentence resampling only.

Cross-fitting: a document's predictions must come from a model that never
saw that document's gold labels (leave-one-document-out); docs/ppi.md says
why that suffices. Every function works on sums over units, so the same code
serves one data set, thousands of simulated samples and bootstrap replicates;
the tests pin lam, the estimate and the large-population interval to
``ppi_py``'s own functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from statistics import NormalDist

import numpy as np

from pipeline.paths import LABELS

STATISTICS: tuple[str, ...] = (*LABELS, "net")
"""Columns of every value matrix: the share of each label, then the net index (favor - against)."""
UNIT_LOW = np.array([0.0, 0.0, 0.0, -1.0])
UNIT_HIGH = np.array([1.0, 1.0, 1.0, 1.0])
N_SHARES = len(LABELS)


class PPIInputError(ValueError):
    """Labels or predictions an estimate cannot be computed from."""


def gold_values(labels: Sequence[str]) -> np.ndarray:
    """Gold labels as (n, 4) unit values: one-hot shares, then +1 favor / -1 against / 0 neutral."""
    values = np.asarray(labels, dtype=object)
    unknown = sorted(set(values) - set(LABELS))
    if unknown:
        raise PPIInputError(f"gold labels: unknown label(s) {unknown}; expected {list(LABELS)}")
    return with_net(np.stack([values == label for label in LABELS], axis=1).astype(float))


def prediction_values(predictions: np.ndarray) -> np.ndarray:
    """Model predictions as (n, 4) unit values: probabilities (soft) or one-hot rows (hard labels), in LABELS order."""
    p = np.asarray(predictions, dtype=float)
    if p.size == 0:
        p = p.reshape(0, N_SHARES)
    if p.ndim != 2 or p.shape[1] != N_SHARES:
        raise PPIInputError(f"predictions: expected an (n, {N_SHARES}) matrix in LABELS order, got {p.shape}")
    if (p < -1e-9).any() or (p > 1 + 1e-9).any() or not np.allclose(p.sum(axis=1), 1, atol=1e-6):
        raise PPIInputError("predictions: every row must be probabilities (or one-hot labels) summing to 1")
    return with_net(p)


def hard_labels(probabilities: np.ndarray) -> np.ndarray:
    """One-hot rows of each unit's most probable label: the model's labels as the model source uses them."""
    p = np.asarray(probabilities, dtype=float)
    return np.eye(p.shape[1])[p.argmax(axis=1)]


def with_net(shares: np.ndarray) -> np.ndarray:
    favor, against = LABELS.index("favor"), LABELS.index("against")
    return np.column_stack([shares, shares[:, favor] - shares[:, against]])


@dataclass(frozen=True)
class Labelled:
    """Sums over a cell's labelled units per statistic (leading axes free: samples, replicates)."""

    n: np.ndarray
    y: np.ndarray
    f: np.ndarray
    yy: np.ndarray
    ff: np.ndarray
    yf: np.ndarray

    @classmethod
    def of(cls, weights: np.ndarray, y: np.ndarray, f: np.ndarray) -> Labelled:
        """Sums with unit ``weights`` (..., n_units): a 0/1 sample mask or bootstrap multiplicities."""
        w = np.asarray(weights, dtype=float)
        return cls(w.sum(axis=-1), w @ y, w @ f, w @ (y * y), w @ (f * f), w @ (y * f))


@dataclass(frozen=True)
class Unlabelled:
    """Sums over a cell's units without gold: count, sum of predictions, sum of squared predictions."""

    m: np.ndarray
    f: np.ndarray
    ff: np.ndarray

    @classmethod
    def of(cls, weights: np.ndarray, f: np.ndarray) -> Unlabelled:
        w = np.asarray(weights, dtype=float)
        return cls(w.sum(axis=-1), w @ f, w @ (f * f))


@dataclass(frozen=True)
class CellEstimate:
    """Per cell and statistic: estimate, variance (NaN where none is valid), lam, the sure bounds
    (the values the truth can still take given the labelled units) and the spacing of those values."""

    estimate: np.ndarray
    variance: np.ndarray
    lam: np.ndarray
    low: np.ndarray
    high: np.ndarray
    spacing: np.ndarray


def power_tuned_lambda(lab: Labelled, unl: Unlabelled) -> np.ndarray:
    """PPI++ power tuning of each statistic's mean, as ``ppi_py`` does it (``lam_optim_mode="element"``, clipped).

    lam_k = cov(y_k, f_k) / ((1 + n/m) * var(f_k)), the covariance over the labelled units, the
    variance of the predictions over all units; clipped to [0, 1]. One lam per statistic, because
    a label that never occurs in a cell must get lam = 0 (its gold share is exactly 0 in every
    sample, and any weight on the model's non-zero probabilities would only add noise). Zero where
    undefined (no labelled or no unlabelled units, constant predictions).
    """
    n, m = lab.n[..., None], unl.m[..., None]
    total = n + m
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = (lab.yf - lab.y * lab.f / n) / n
        var = (lab.ff + unl.ff - (lab.f + unl.f) ** 2 / total) / (total - 1)
        lam = cov / ((1 + n / m) * var)
    return np.where(np.isfinite(lam) & (var > 1e-12), np.clip(lam, 0.0, 1.0), 0.0)


def ppi_point_estimate(lab: Labelled, unl: Unlabelled, lam: np.ndarray) -> np.ndarray:
    """lam * mean_unlabelled(f) + mean_labelled(y - lam * f); the gold mean for a census, the model's without gold."""
    n, m = lab.n[..., None], unl.m[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        rectified = np.where(m > 0, lam * unl.f / m, 0.0) + (lab.y - lam * lab.f) / n
        model_only = unl.f / m
    return np.where(n > 0, rectified, model_only)


def design_variance(lab: Labelled, unl: Unlabelled, lam: np.ndarray, level: float) -> np.ndarray:
    """Variance of the estimate under simple random sampling of n of the cell's N units without replacement.

    The estimate equals mean_labelled(y) - b * (mean_labelled(f) - mean_all(f)) with b = lam * N / m
    (the difference estimator of survey sampling), whose variance is (1 - n/N) * S^2 / n with S^2 the
    variance of the residual y - b * f, estimated from the labelled units and never taken below its
    value with pseudo-units added (`with_pseudo_units`). Zero for a census; NaN with one labelled unit.
    Without labelled units: the sentence-resampling variance of the predictions' mean, var(f) / m,
    which says nothing about classification error.
    """
    n, m = lab.n[..., None], unl.m[..., None]
    total = n + m
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.where(m > 0, lam * total / m, 0.0)
        s2 = np.maximum(residual_variance(lab, b), residual_variance(with_pseudo_units(lab, unl, level), b))
        sampled = (1 - n / total) * s2 / n
        model_only = np.maximum(unl.ff / m - (unl.f / m) ** 2, 0.0) / m
    variance = np.where(m == 0, 0.0, np.where(n >= 2, sampled, np.nan))
    return np.where(n == 0, model_only, variance)


def residual_variance(lab: Labelled, b: np.ndarray) -> np.ndarray:
    """Sample variance (n - 1 denominator) of y - b * f over the labelled units, from their sums."""
    n = lab.n[..., None]
    residual_sum = lab.y - b * lab.f
    squares = lab.yy - 2 * b * lab.yf + b**2 * lab.ff
    return np.maximum(squares - residual_sum**2 / n, 0.0) / (n - 1)


def with_pseudo_units(lab: Labelled, unl: Unlabelled, level: float) -> Labelled:
    """The labelled sums with z^2 pseudo-units added: z^2/3 of each label, each predicted as the cell's mean.

    The Agresti-Coull adjustment (z^2/2 successes and z^2/2 failures added to a proportion) carried
    over to three labels and a model: pseudo-units on which the model says nothing. Without them a
    sample of 15 units in which a label, or a model error, happens not to occur gets a residual
    variance near zero and an interval that misses (docs/ppi.md, "Small cells"). Used for the
    variance only; the estimate is unchanged.
    """
    weight = normal_quantile(level) ** 2 / N_SHARES
    pseudo_y = gold_values(LABELS)
    with np.errstate(divide="ignore", invalid="ignore"):
        f_mean = (lab.f + unl.f) / (lab.n + unl.m)[..., None]
    n_pseudo = weight * N_SHARES
    return Labelled(
        lab.n + n_pseudo,
        lab.y + weight * pseudo_y.sum(axis=0),
        lab.f + n_pseudo * f_mean,
        lab.yy + weight * (pseudo_y**2).sum(axis=0),
        lab.ff + n_pseudo * f_mean**2,
        lab.yf + weight * pseudo_y.sum(axis=0) * f_mean,
    )


def estimate_cells(lab: Labelled, unl: Unlabelled, level: float, tuned: bool = True) -> CellEstimate:
    """PPI++ (``tuned``) or the gold sample alone (lam = 0) for every cell and statistic."""
    lam = power_tuned_lambda(lab, unl) if tuned else np.zeros_like(lab.y, dtype=float)
    low, high = sure_bounds(lab, unl)
    n, m = lab.n[..., None], unl.m[..., None]
    with np.errstate(divide="ignore"):
        spacing = np.broadcast_to(np.where((m > 0) & (n > 0), 1.0 / (n + m), 0.0), low.shape)
    estimate = np.clip(ppi_point_estimate(lab, unl, lam), low, high)
    return CellEstimate(
        estimate, design_variance(lab, unl, lam, level), np.broadcast_to(lam, low.shape), low, high, spacing
    )


def sure_bounds(lab: Labelled, unl: Unlabelled) -> tuple[np.ndarray, np.ndarray]:
    """The values a cell's statistic can still take: labelled units as labelled, the others anything.

    Estimates are clipped to these bounds (a value the truth cannot take is never reported).
    """
    m = unl.m[..., None]
    total = lab.n[..., None] + m
    return (lab.y + m * UNIT_LOW) / total, (lab.y + m * UNIT_HIGH) / total


def interval(est: CellEstimate, level: float) -> tuple[np.ndarray, np.ndarray]:
    """estimate +- (z * sqrt(variance) + spacing / 2), clipped to the sure bounds.

    The truth takes one of a few values spaced 1/N apart (with one unlabelled unit out of 16: one
    end of the sure range or the other); half a spacing more, a continuity correction, lets a normal
    interval that stops just short of such a value count it. Where the variance is NaN (one labelled
    unit) the interval is the sure bounds; clipping to bounds the truth cannot leave never lowers coverage.
    """
    half = normal_quantile(level) * np.sqrt(est.variance) + est.spacing / 2
    lo = np.where(np.isnan(half), est.low, np.maximum(est.estimate - half, est.low))
    hi = np.where(np.isnan(half), est.high, np.minimum(est.estimate + half, est.high))
    return lo, hi


def stack_documents(cells: Sequence[CellEstimate]) -> CellEstimate:
    """A group's cells (one per document) stacked on a documents axis, second to last."""

    def stacked(name: str) -> np.ndarray:
        return np.stack([np.broadcast_to(getattr(c, name), c.estimate.shape) for c in cells], axis=-2)

    return CellEstimate(*(stacked(field.name) for field in fields(CellEstimate)))


def document_weighted(docs: CellEstimate) -> CellEstimate:
    """The mean over a group's documents (axis -2), for these documents (design-based).

    The documents' samples are independent, so the variance of the mean is sum(var_d) / D^2; the
    sure bounds are the means of the documents'; the spacing is the documents' spacings / D,
    weighted by their share of the variance (one document: its own). One document without a
    variance estimate leaves the group with its sure bounds. ``lam`` is the documents' mean.
    """
    n_docs = docs.estimate.shape[-2]
    part = docs.variance / n_docs**2
    variance = part.sum(axis=-2)
    with np.errstate(divide="ignore", invalid="ignore"):
        spacing = np.where(variance > 0, (part * docs.spacing).sum(axis=-2) / variance, 0.0) / n_docs
    return CellEstimate(
        docs.estimate.mean(axis=-2),
        variance,
        docs.lam.mean(axis=-2),
        docs.low.mean(axis=-2),
        docs.high.mean(axis=-2),
        spacing,
    )


def normal_quantile(level: float) -> float:
    """z_(1 - alpha/2) of a two-sided interval of the given level."""
    if not 0 < level < 1:
        raise PPIInputError(f"interval level must be in (0, 1), got {level}")
    return NormalDist().inv_cdf(0.5 + level / 2)
