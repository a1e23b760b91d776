"""Proof by simulation that prediction-powered intervals cover the full-gold values (issue #15, docs/ppi.md).

On a corpus with complete gold, the full-gold shares are the truth. For each
annotation budget, many samples are drawn exactly as `annotate export` draws
them (pipeline.annotation.sampling), and for every document x target x label
share and every origin x target estimate (three shares and the net index)
three 95% intervals are scored:

- ``ppi``: PPI++ with the model's predictions for every unit (pipeline.analysis.ppi);
- ``classical``: the gold sample alone (the same estimator with lam = 0);
- ``model``: today's interval from model labels for every unit (hierarchical
  bootstrap of the model's hard labels); it does not depend on the sample,
  so it is scored once per interval, not once per sample.

``ppi`` and ``classical`` group intervals are for these documents (their
sampling is the only randomness the full-gold value is measured against);
``model`` is today's interval over documents and sentences. Cells labelled in
full by the design (smaller than the minimum per cell) are exact and not scored;
a group x target whose documents are all such cells neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.analysis.estimates import Settings
from pipeline.analysis.ppi import (
    STATISTICS,
    CellEstimate,
    Labelled,
    PPIInputError,
    Unlabelled,
    document_weighted,
    estimate_cells,
    gold_values,
    hard_labels,
    interval,
    prediction_values,
    stack_documents,
    with_net,
)
from pipeline.analysis.ppi_bootstrap import (
    DocumentCell,
    hierarchical_ppi_bootstrap,
    percentile_interval,
)
from pipeline.annotation.sampling import Strata, sample_masks, stratify
from pipeline.paths import LABELS, PROBA

BUDGETS = (0.05, 0.10, 0.20, 0.40)
SMALL_CELL = 40
"""Cells (document x target, or origin x target) with fewer units than this are reported as small."""
COLUMNS = [
    "method",
    "budget",
    "level",
    "cell_size",
    "coverage",
    "median_width",
    "mean_width",
    "width_vs_classical",
    "n",
    "labelled_fraction",
]
LEVELS = {"document_target_label": len(LABELS), "group_target": len(STATISTICS)}
"""Statistics scored per level: the three shares per document; the shares and the net index per group."""


@dataclass(frozen=True)
class Corpus:
    """The units sorted by cell, their gold and prediction values, and each cell's truth and group."""

    strata: Strata
    y: np.ndarray
    f: np.ndarray
    f_hard: np.ndarray
    groups: dict[tuple[str, str], list[int]]

    def cell(self, c: int) -> slice:
        return slice(self.strata.starts[c], self.strata.starts[c] + self.strata.sizes[c])

    def truth(self, c: int) -> np.ndarray:
        return self.y[self.cell(c)].mean(axis=0)


def ppi_validation(
    units: pd.DataFrame,
    *,
    seed: int,
    budgets: Sequence[float] = BUDGETS,
    n_samples: int = 500,
    min_per_cell: int = 15,
    level: float = 0.95,
    n_resamples: int = 2000,
) -> pd.DataFrame:
    """The ppi_validation table: coverage of the full-gold value and median width per method x budget x level x size.

    ``units``: one row per (doc_id, sent_key, target) with ``author_origin``, the gold ``label`` of every
    unit, and the model's cross-fitted ``p_against, p_favor, p_neutral`` (one-hot rows for hard labels).
    A budget b draws round(b * units) units with at least ``min_per_cell`` per document x target cell;
    ``labelled_fraction`` is the share of units the design actually labels.
    """
    corpus = corpus_of(units)
    rows = []
    model = model_scores(corpus, level, n_resamples, np.random.default_rng([seed, len(budgets)]))
    for b, budget in enumerate(budgets):
        strata = stratify(units, round(budget * len(units)), min_per_cell=min_per_cell)
        masks = sample_masks(strata, np.random.default_rng([seed, b]), n_samples)
        fraction = float(masks[0].mean())
        sampled = sample_scores(corpus, strata, masks, level)
        for method, scores in [*sampled.items(), ("model", model)]:
            for key, (covered, width) in scores.items():
                paired = width_vs_classical(width, sampled["classical"][key][1]) if method != "model" else np.nan
                rows.append(
                    {
                        "method": method,
                        "budget": budget,
                        "level": key[0],
                        "cell_size": key[1],
                        "coverage": float(np.mean(covered)),
                        "median_width": float(np.median(width)),
                        "mean_width": float(np.mean(width)),
                        "width_vs_classical": paired,
                        "n": int(covered.size),
                        "labelled_fraction": fraction,
                    }
                )
    return pd.DataFrame(rows, columns=COLUMNS)


def width_vs_classical(width: np.ndarray, classical: np.ndarray) -> float:
    """Mean ratio of each interval's width to the classical interval's for the same sample and statistic.

    The paired comparison the width goal needs: a median pooled over cells of different sizes can land in
    the gap between two cells' widths and move with which side of the gap a few intervals fall on. Pairs
    whose classical interval has width 0 (a statistic known exactly) count as 1.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(classical > 0, width / classical, 1.0)
    return float(ratio.mean())


def corpus_of(units: pd.DataFrame) -> Corpus:
    """The units sorted by cell with their values; refuses units without full gold or predictions."""
    missing = [c for c in ["author_origin", "label", *PROBA] if c not in units.columns]
    if missing:
        raise PPIInputError(f"ppi validation: units lack column(s) {', '.join(missing)}")
    if units["label"].isna().any():
        raise PPIInputError(
            f"ppi validation: {int(units['label'].isna().sum())} unit(s) without a gold label; "
            "the simulation needs complete gold as its truth"
        )
    strata = stratify(units, 0, min_per_cell=0)
    sorted_units = strata.units
    cells = sorted_units.iloc[strata.starts]
    groups: dict[tuple[str, str], list[int]] = {}
    for c, (origin, target) in enumerate(zip(cells["author_origin"], cells["target"])):
        groups.setdefault((origin, target), []).append(c)
    p = sorted_units[PROBA].to_numpy(float)
    return Corpus(strata, gold_values(sorted_units["label"]), prediction_values(p), with_net(hard_labels(p)), groups)


def sample_scores(corpus: Corpus, strata: Strata, masks: np.ndarray, level: float) -> dict[str, dict]:
    """Coverage indicators and widths of the ppi and classical intervals over all samples."""
    out: dict[str, dict] = {}
    for method, tuned in (("ppi", True), ("classical", False)):
        cells = [cell_estimate(corpus, c, masks, level, tuned) for c in range(len(strata.sizes))]
        scores: dict[tuple[str, str], list] = {}
        for c, est in enumerate(cells):
            if strata.allocation[c] < strata.sizes[c]:
                lo, hi = interval(est, level)
                add(scores, "document_target_label", strata.sizes[c], corpus.truth(c), lo, hi)
        for members in corpus.groups.values():
            if all(strata.allocation[c] == strata.sizes[c] for c in members):
                continue
            lo, hi = interval(document_weighted(stack_documents([cells[c] for c in members])), level)
            truth = np.mean([corpus.truth(c) for c in members], axis=0)
            add(scores, "group_target", strata.sizes[members].sum(), truth, lo, hi)
        out[method] = finish(scores)
    return out


def cell_estimate(corpus: Corpus, c: int, masks: np.ndarray, level: float, tuned: bool) -> CellEstimate:
    cell = corpus.cell(c)
    drawn = masks[:, cell]
    lab = Labelled.of(drawn, corpus.y[cell], corpus.f[cell])
    return estimate_cells(lab, Unlabelled.of(~drawn, corpus.f[cell]), level, tuned=tuned)


def model_scores(corpus: Corpus, level: float, n_resamples: int, rng: np.random.Generator) -> dict:
    """Today's intervals from the model's labels for every unit: sentence, then document resampling."""

    def model_cell(c: int) -> DocumentCell:
        empty = np.empty((0, corpus.y.shape[1]))
        return DocumentCell(empty, empty, corpus.f_hard[corpus.cell(c)])

    scores: dict[tuple[str, str], list] = {}
    for c, size in enumerate(corpus.strata.sizes):
        lo, hi = percentile_interval(hierarchical_ppi_bootstrap([model_cell(c)], n_resamples, rng), level)
        add(scores, "document_target_label", size, corpus.truth(c), lo, hi)
    for members in corpus.groups.values():
        reps = hierarchical_ppi_bootstrap([model_cell(c) for c in members], n_resamples, rng)
        lo, hi = percentile_interval(reps, level)
        truth = np.mean([corpus.truth(c) for c in members], axis=0)
        add(scores, "group_target", corpus.strata.sizes[members].sum(), truth, lo, hi)
    return finish(scores)


def add(scores: dict, level: str, size: int, truth: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
    """Record whether each interval (statistics of the level) covers the truth, and its width."""
    k = LEVELS[level]
    tolerance = 1e-9
    covered = (lo[..., :k] - tolerance <= truth[:k]) & (truth[:k] <= hi[..., :k] + tolerance)
    key = (level, "small" if size < SMALL_CELL else "large")
    scores.setdefault(key, []).append((covered.ravel(), (hi[..., :k] - lo[..., :k]).ravel()))


def finish(scores: dict) -> dict:
    return {
        key: (np.concatenate([c for c, _ in parts]), np.concatenate([w for _, w in parts]))
        for key, parts in sorted(scores.items())
    }


def validation_if_census(
    units: pd.DataFrame, documents: pd.DataFrame, cells: pd.DataFrame, settings: Settings, min_per_cell: int
) -> pd.DataFrame | None:
    """The validation table when every cell has complete gold (its truth), else None.

    ``units``: pipeline.analysis.labels.source_units; on a census corpus every
    unit is gold, so its ``p_*`` are the evaluate stage's out-of-fold
    (cross-fitted) predictions, as the simulation needs.
    """
    if cells.empty or not (cells["design"] == "census").all():
        return None
    with_origin = units.merge(documents[["doc_id", "author_origin"]], on="doc_id")
    return ppi_validation(
        with_origin.assign(label=with_origin["gold"]),
        seed=settings.seed,
        min_per_cell=min_per_cell,
        level=settings.level,
        n_resamples=settings.n_resamples,
    )
