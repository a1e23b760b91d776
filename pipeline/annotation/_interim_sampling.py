"""TEMPORARY stand-in for ``pipeline.annotation.sampling.draw_sample`` (owned by the PPI work, branch ``ppi``).

It follows the signature and design fixed in the team plan so that the
annotation loop can be built and tested before that module lands. Delete
this file at merge and import ``draw_sample`` from ``pipeline.annotation.sampling``
in ``pipeline/annotation/cli.py`` (the only importer).
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

CELL = ["doc_id", "target"]
KEY = ["doc_id", "sent_key", "target"]


def draw_sample(units: pd.DataFrame, n: int, *, min_per_cell: int = 15, seed: int,
                exclude: Iterable[tuple] = ()) -> pd.DataFrame:
    """Simple random sample without replacement within each document x target cell.

    A cell gets round(n * N_cell / N_total) units, at least ``min_per_cell``
    (all of them when it is smaller); units keyed in ``exclude`` are not drawn.
    """
    excluded = set(map(tuple, exclude))
    keys = units[KEY].itertuples(index=False, name=None)
    pool = units[[key not in excluded for key in keys]].sort_values([*CELL, "sent_key"], kind="stable")
    rng = np.random.default_rng(seed)
    total = len(pool)
    drawn = []
    for _, cell in pool.groupby(CELL, sort=True):
        size = len(cell)
        take = min(size, max(round(n * size / total), min_per_cell))
        rows = cell.iloc[np.sort(rng.choice(size, size=take, replace=False))]
        drawn.append(rows.assign(cell_size=size, cell_n_drawn=take, inclusion_prob=take / size))
    if not drawn:
        return pool.assign(cell_size=pd.Series(dtype=int), cell_n_drawn=pd.Series(dtype=int),
                           inclusion_prob=pd.Series(dtype=float))
    return pd.concat(drawn, ignore_index=True)
