"""The sampling design of `annotate export` (pipeline.annotation.sampling): allocation, minimum per cell,
exclusion, determinism, inclusion probabilities, simple random sampling within cells."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from pipeline.annotation.sampling import (
    SamplingError,
    draw_sample,
    sample_masks,
    stratify,
)

CELL_SIZES = {("d1", "russia"): 5, ("d1", "ukraine"): 20, ("d2", "russia"): 100, ("d3", "ukraine"): 300}


def make_units(sizes: dict[tuple[str, str], int] = CELL_SIZES) -> pd.DataFrame:
    rows = [
        {"doc_id": doc, "target": target, "sent_key": f"{doc}-{target}-{i:04d}", "sent_id": i}
        for (doc, target), size in sizes.items()
        for i in range(size)
    ]
    return pd.DataFrame(rows)


def drawn_per_cell(sample: pd.DataFrame) -> dict[tuple[str, str], int]:
    return sample.groupby(["doc_id", "target"]).size().to_dict()


def test_allocation_is_proportional_with_a_minimum_and_capped_at_the_cell():
    units = make_units()
    sample = draw_sample(units, 85, min_per_cell=15, seed=1)  # 85 of 425 units: 20% of each cell
    assert drawn_per_cell(sample) == {
        ("d1", "russia"): 5,  # smaller than the minimum: all of it
        ("d1", "ukraine"): 15,  # 20% would be 4: the minimum
        ("d2", "russia"): 20,
        ("d3", "ukraine"): 60,
    }
    cells = sample.groupby(["doc_id", "target"]).first()
    for cell, size in CELL_SIZES.items():
        assert cells.loc[cell, "cell_size"] == size
        assert cells.loc[cell, "cell_n_drawn"] == drawn_per_cell(sample)[cell]
    assert np.allclose(sample["inclusion_prob"], sample["cell_n_drawn"] / sample["cell_size"])
    assert not sample.duplicated(["doc_id", "sent_key", "target"]).any()
    assert set(units.columns) <= set(sample.columns)


def test_rounding_follows_round_of_the_proportional_share():
    units = make_units({("a", "t"): 30, ("b", "t"): 70})
    assert drawn_per_cell(draw_sample(units, 15, min_per_cell=0, seed=0)) == {("a", "t"): 4, ("b", "t"): 10}
    assert drawn_per_cell(draw_sample(units, 0, min_per_cell=3, seed=0)) == {("a", "t"): 3, ("b", "t"): 3}


def test_excluded_units_are_never_drawn_and_do_not_count_in_cell_sizes():
    units = make_units()
    first = draw_sample(units, 85, seed=1)
    exclude = set(zip(first["doc_id"], first["sent_key"], first["target"]))
    second = draw_sample(units, 85, seed=2, exclude=exclude)
    assert not exclude & set(zip(second["doc_id"], second["sent_key"], second["target"]))
    assert drawn_per_cell(second)[("d1", "ukraine")] == 5  # 20 - 15 already labelled: all that is left
    assert ("d1", "russia") not in drawn_per_cell(second)  # nothing left to draw
    assert second.groupby(["doc_id", "target"])["cell_size"].first()[("d3", "ukraine")] == 300 - 60
    everything = set(zip(units["doc_id"], units["sent_key"], units["target"]))
    empty = draw_sample(units, 10, seed=3, exclude=everything)
    assert empty.empty and {"cell_size", "cell_n_drawn", "inclusion_prob"} <= set(empty.columns)


def test_the_draw_depends_on_the_seed_only_not_on_row_order():
    units = make_units()
    a = draw_sample(units, 60, seed=7)
    b = draw_sample(units.sample(frac=1, random_state=3), 60, seed=7)
    pd.testing.assert_frame_equal(a, b)
    c = draw_sample(units, 60, seed=8)
    assert set(a["sent_key"]) != set(c["sent_key"])


def test_sample_masks_first_row_is_the_draw_of_draw_sample():
    units = make_units()
    strata = stratify(units, 60, min_per_cell=15)
    masks = sample_masks(strata, np.random.default_rng(11), n_samples=3)
    sample = draw_sample(units, 60, seed=11)
    assert list(strata.units.loc[masks[0], "sent_key"]) == list(sample["sent_key"])
    assert (masks.sum(axis=1) == strata.allocation.sum()).all()


def test_inclusion_probabilities_match_the_frequencies_of_many_draws():
    units = make_units()
    strata = stratify(units, 85, min_per_cell=15)
    n_draws = 4000
    frequency = sample_masks(strata, np.random.default_rng(5), n_draws).mean(axis=0)
    prob = strata.per_unit(strata.allocation / strata.sizes)
    # Each unit's count is Binomial(n_draws, prob): 5 standard errors, and exact for census cells.
    tolerance = 5 * np.sqrt(prob * (1 - prob) / n_draws) + 1e-12
    assert (np.abs(frequency - prob) <= tolerance).all()


def test_within_a_cell_every_subset_is_equally_likely():
    """Simple random sampling without replacement: all C(6, 2) = 15 pairs with probability 1/15."""
    units = make_units({("d", "t"): 6})
    strata = stratify(units, 0, min_per_cell=2)
    n_draws = 15_000
    masks = sample_masks(strata, np.random.default_rng(9), n_draws)
    pairs = pd.Series([tuple(np.flatnonzero(row)) for row in masks]).value_counts()
    assert set(pairs.index) == set(itertools.combinations(range(6), 2))
    p = 1 / math.comb(6, 2)
    assert (np.abs(pairs / n_draws - p) <= 5 * math.sqrt(p * (1 - p) / n_draws)).all()


@pytest.mark.parametrize(
    ("units", "n", "message"),
    [
        (make_units().drop(columns="sent_key"), 10, "lack column"),
        (pd.concat([make_units(), make_units().head(1)]), 10, "more than once"),
        (make_units(), -1, "non-negative"),
    ],
)
def test_bad_input_is_refused_with_a_reason(units, n, message):
    with pytest.raises(SamplingError, match=message):
        draw_sample(units, n, seed=0)
