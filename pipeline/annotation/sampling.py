"""The sampling design of `annotate export`: stratified simple random samples of stance units.

Prediction-powered estimates (pipeline.analysis.ppi, docs/ppi.md) are valid
only when the gold-labelled units of a document x target cell are a simple
random sample of that cell's units. This module is that design, used by the
CLI and by the validation simulation alike, so the simulation proves the
intervals for exactly the samples people label.

Strata are document x target cells. A cell gets its proportional share of
the budget, ``round(n * N_cell / N_total)``, but at least ``min_per_cell``
units (all of them when the cell is smaller): an estimate from a handful of
labelled units has an interval that cannot be trusted (docs/ppi.md,
"Small cells"), so the minimum is part of the design. The total drawn can
therefore exceed ``n``.

Units already labelled (``exclude``) are not drawn and do not count in the
cell sizes: a second round is a simple random sample of the rest, and the
union of the rounds is again a simple random sample of the cell.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

KEY = ["doc_id", "sent_key", "target"]
ORDER = ["doc_id", "target", "sent_key"]


class SamplingError(ValueError):
    """A sample that cannot be drawn as asked (missing columns, duplicate units, bad sizes)."""


@dataclass(frozen=True)
class Strata:
    """Units sorted by cell (doc_id, target, sent_key), with each cell's first row, size and allocation."""

    units: pd.DataFrame
    starts: np.ndarray
    sizes: np.ndarray
    allocation: np.ndarray

    def per_unit(self, values: np.ndarray) -> np.ndarray:
        """A per-cell array repeated for every unit of the cell."""
        return np.repeat(values, self.sizes)


def draw_sample(
    units: pd.DataFrame, n: int, *, min_per_cell: int = 15, seed: int, exclude: Collection[tuple] = ()
) -> pd.DataFrame:
    """Draw a stratified simple random sample of about ``n`` units (doc_id, sent_key, target rows).

    Returns the drawn rows (all input columns) sorted by doc_id, target, sent_key, with
    ``cell_size`` (eligible units in the unit's document x target cell), ``cell_n_drawn`` and
    ``inclusion_prob`` = cell_n_drawn / cell_size. The draw depends only on ``seed`` and on
    the set of units, not on the order of the rows.
    """
    strata = stratify(units, n, min_per_cell=min_per_cell, exclude=exclude)
    drawn = sample_masks(strata, np.random.default_rng(seed), n_samples=1)[0]
    out = strata.units[drawn].copy()
    out["cell_size"] = strata.per_unit(strata.sizes)[drawn]
    out["cell_n_drawn"] = strata.per_unit(strata.allocation)[drawn]
    out["inclusion_prob"] = out["cell_n_drawn"] / out["cell_size"]
    return out.reset_index(drop=True)


def stratify(units: pd.DataFrame, n: int, *, min_per_cell: int, exclude: Collection[tuple] = ()) -> Strata:
    """Check the units, drop the excluded ones, sort them by cell and allocate ``n`` to the cells."""
    missing = [c for c in KEY if c not in units.columns]
    if missing:
        raise SamplingError(f"draw_sample: units lack column(s) {', '.join(missing)}")
    if n < 0 or min_per_cell < 0:
        raise SamplingError(f"draw_sample: n ({n}) and min_per_cell ({min_per_cell}) must be non-negative")
    duplicated = units.duplicated(KEY)
    if duplicated.any():
        first = units.loc[duplicated, KEY].iloc[0].tolist()
        raise SamplingError(f"draw_sample: unit {tuple(first)} occurs more than once")
    eligible = units[~_in_exclude(units, exclude)].sort_values(ORDER).reset_index(drop=True)
    cell_change = (eligible[["doc_id", "target"]] != eligible[["doc_id", "target"]].shift()).any(axis=1)
    starts = np.flatnonzero(cell_change.to_numpy())
    sizes = np.diff(np.append(starts, len(eligible)))
    return Strata(eligible, starts, sizes, cell_allocation(sizes, n, min_per_cell))


def cell_allocation(sizes: np.ndarray, n: int, min_per_cell: int) -> np.ndarray:
    """Units to draw per cell: the proportional share of ``n``, at least ``min_per_cell``, at most the cell."""
    total = int(np.sum(sizes))
    if total == 0:
        return np.zeros(len(sizes), dtype=int)
    proportional = np.rint(n * np.asarray(sizes) / total).astype(int)
    return np.minimum(np.maximum(proportional, min_per_cell), sizes)


def sample_masks(strata: Strata, rng: np.random.Generator, n_samples: int) -> np.ndarray:
    """``n_samples`` independent draws of the design as a boolean (n_samples, n_units) matrix.

    Simple random sampling without replacement in every cell at once: each unit gets a
    uniform key and a cell's ``allocation`` units with the smallest keys are drawn. The
    first row is the draw `draw_sample` makes with the same generator.
    """
    keys = rng.random((n_samples, len(strata.units)))
    drawn = np.zeros(keys.shape, dtype=bool)
    for start, size, take in zip(strata.starts, strata.sizes, strata.allocation):
        if take == 0:
            continue
        block = keys[:, start : start + size]
        cutoff = np.partition(block, take - 1, axis=1)[:, take - 1 : take]
        drawn[:, start : start + size] = block <= cutoff
    return drawn


def _in_exclude(units: pd.DataFrame, exclude: Collection[tuple]) -> np.ndarray:
    if not exclude:
        return np.zeros(len(units), dtype=bool)
    return pd.MultiIndex.from_frame(units[KEY]).isin(list(exclude))
