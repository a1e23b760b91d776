"""The `ppi` label source as tables: prediction-powered shares per document x target and per origin x target.

Input is the unit table with two additions: ``label``, the gold label where
the unit has one (from a random sample drawn by `annotate export`, or from a
census of the document) and missing elsewhere, and the model's cross-fitted
``p_against, p_favor, p_neutral`` (one-hot rows when the classifier gives
labels only). The caller decides which gold counts: only labels of units
drawn at random (or of every unit of the cell) keep the estimates valid.

Every row names its ``source``: ``census`` (every unit labelled: exact),
``ppi``, ``model`` (no gold in the cell: the model's share, and an interval
that ignores classification error) or ``sure_bounds`` (one labelled unit:
no variance estimate, so the interval is the range the share can still take).
Group rows join the sources of their documents ("census+ppi").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from pipeline.analysis.jobs import Job, Runner
from pipeline.analysis.ppi import (
    STATISTICS,
    CellEstimate,
    Labelled,
    PPIInputError,
    Unlabelled,
    document_weighted,
    estimate_cells,
    gold_values,
    interval,
    prediction_values,
    stack_documents,
)
from pipeline.analysis.ppi_bootstrap import (
    DocumentCell,
    hierarchical_ppi_bootstrap,
    percentile_interval,
)
from pipeline.paths import PROBA

Cells = Mapping[tuple[str, str], DocumentCell]


def document_cells(units: pd.DataFrame) -> dict[tuple[str, str], DocumentCell]:
    """(doc_id, target) -> the cell's gold values and predictions, labelled and unlabelled units apart."""
    missing = [c for c in ["doc_id", "target", "label", *PROBA] if c not in units.columns]
    if missing:
        raise PPIInputError(f"ppi estimates: units lack column(s) {', '.join(missing)}")
    labelled = units["label"].notna().to_numpy()
    f = prediction_values(units[PROBA].to_numpy(float))
    y = np.zeros_like(f)
    if labelled.any():
        y[labelled] = gold_values(units.loc[labelled, "label"])
    cells = {}
    for key, idx in units.groupby(["doc_id", "target"], sort=True).indices.items():
        sampled = labelled[idx]
        cells[key] = DocumentCell(y[idx][sampled], f[idx][sampled], f[idx][~sampled])
    return cells


def cell_estimate(cell: DocumentCell, level: float) -> CellEstimate:
    lab = Labelled.of(np.ones(len(cell.y)), cell.y, cell.f)
    return estimate_cells(lab, Unlabelled.of(np.ones(len(cell.f_unlabelled)), cell.f_unlabelled), level)


def source(cell: DocumentCell) -> str:
    n, m = len(cell.y), len(cell.f_unlabelled)
    if m == 0:
        return "census"
    return "model" if n == 0 else "sure_bounds" if n == 1 else "ppi"


def document_estimates(cells: Cells, level: float) -> pd.DataFrame:
    """Per document x target x statistic: units, labelled units, source, lam, estimate and interval."""
    rows = []
    for (doc_id, target), cell in sorted(cells.items()):
        est = cell_estimate(cell, level)
        lo, hi = interval(est, level)
        for k, statistic in enumerate(STATISTICS):
            rows.append(
                {
                    "doc_id": doc_id,
                    "target": target,
                    "statistic": statistic,
                    "n_units": len(cell.y) + len(cell.f_unlabelled),
                    "n_labelled": len(cell.y),
                    "source": source(cell),
                    "lam": float(est.lam[k]),
                    "estimate": float(est.estimate[k]),
                    "lo": float(lo[k]),
                    "hi": float(hi[k]),
                }
            )
    return pd.DataFrame(rows)


def group_estimates(
    cells: Cells,
    doc_group: Mapping[str, str],
    level: float,
    n_resamples: int,
    rng_for: Callable[[str, str], np.random.Generator],
    runner: Runner | None = None,
) -> tuple[pd.DataFrame, dict[tuple[str, str], np.ndarray]]:
    """Per origin x target x statistic: the document-weighted estimate with two intervals, and their hull.

    ``lo_documents, hi_documents``: for these documents, from the annotation sample's design (the
    interval the validation simulation scores). ``lo_bootstrap, hi_bootstrap``: the hierarchical
    prediction-powered bootstrap, documents then units, for authors of that origin (like today's
    gold and model intervals). ``lo, hi``: the hull of both; the bootstrap alone gives [0, 0] to a
    label no sampled unit carries, the design interval does not. Returns the table and each
    group's bootstrap replicates (for group differences). ``rng_for(origin, target)`` seeds them;
    ``runner`` (pipeline.analysis.jobs, default: this process) runs the groups' bootstraps.
    """
    rows, replicates = [], {}
    by_group: dict[tuple[str, str], list[tuple[str, DocumentCell]]] = {}
    for (doc_id, target), cell in sorted(cells.items()):
        by_group.setdefault((doc_group[doc_id], target), []).append((doc_id, cell))
    groups = sorted(by_group.items())
    jobs = [
        Job(
            hierarchical_ppi_bootstrap,
            ([cell for _, cell in members], n_resamples, rng_for(origin, target)),
            n_resamples * sum(len(cell.y) + len(cell.f_unlabelled) for _, cell in members),
        )
        for (origin, target), members in groups
    ]
    for ((origin, target), members), reps in zip(groups, (runner or Runner()).run(jobs)):
        docs = [cell for _, cell in members]
        design = document_weighted(stack_documents([cell_estimate(cell, level) for cell in docs]))
        lo_doc, hi_doc = interval(design, level)
        lo_boot, hi_boot = percentile_interval(reps, level)
        replicates[(origin, target)] = reps
        sources = [source(cell) for cell in docs]
        for k, statistic in enumerate(STATISTICS):
            rows.append(
                {
                    "author_origin": origin,
                    "target": target,
                    "statistic": statistic,
                    "n_docs": len(docs),
                    "n_docs_census": sources.count("census"),
                    "n_docs_model": sources.count("model"),
                    "n_units": sum(len(c.y) + len(c.f_unlabelled) for c in docs),
                    "n_labelled": sum(len(c.y) for c in docs),
                    "source": "+".join(sorted(set(sources))),
                    "estimate": float(design.estimate[k]),
                    "lo_documents": float(lo_doc[k]),
                    "hi_documents": float(hi_doc[k]),
                    "lo_bootstrap": float(lo_boot[k]),
                    "hi_bootstrap": float(hi_boot[k]),
                    "lo": float(min(lo_doc[k], lo_boot[k])),
                    "hi": float(max(hi_doc[k], hi_boot[k])),
                }
            )
    return pd.DataFrame(rows), replicates
