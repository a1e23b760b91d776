"""Agreement for any number of annotators, checked against published worked examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.annotation.reliability import (
    alpha,
    alpha_table,
    bootstrap_alpha,
    field_values,
    kappa_table,
    resample_weights,
    stratified_resample,
    weighted_alpha,
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four observers,
# twelve units, values 1-5, missing codings; nominal alpha = 0.743.
KRIPPENDORFF_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
# Same source, section A: two observers, ten units, binary values; nominal alpha = 0.095.
KRIPPENDORFF_A = ([0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0])


def passes_from(codings: dict[str, list[str | None]], basis: str = "text") -> pd.DataFrame:
    """A long pass table: one row per unit an annotator coded (units u0, u1, ... of one document)."""
    rows = [
        {"doc_id": "d", "sent_key": f"u{unit}", "target": "russia", "annotator": who, "label": label, "basis": basis}
        for who, labels in codings.items()
        for unit, label in enumerate(labels)
        if label is not None
    ]
    return pd.DataFrame(rows)


def test_alpha_four_observers_with_missing_codings():
    counts = np.zeros((12, 5), dtype=int)
    for observer in KRIPPENDORFF_C:
        for unit, value in enumerate(observer):
            if value is not None:
                counts[unit, value - 1] += 1
    assert alpha(counts) == pytest.approx(0.743, abs=5e-4)


def test_alpha_of_two_annotators_through_the_pass_table():
    to_label = {0: "against", 1: "favor"}
    passes = passes_from({"A": [to_label[v] for v in KRIPPENDORFF_A[0]], "B": [to_label[v] for v in KRIPPENDORFF_A[1]]})
    row = alpha_table(passes, n_boot=20).query("scope == 'all' and field == 'label'").iloc[0]
    assert row["alpha"] == pytest.approx(0.095, abs=5e-4)
    assert (row["n_units"], row["n_annotators"]) == (10, 2)


def test_kappa_textbook_example():
    """50 items: both yes 20, A yes / B no 5, A no / B yes 10, both no 15: kappa = 0.4 (Cohen's kappa, Wikipedia)."""
    a = ["favor"] * 25 + ["against"] * 25
    b = ["favor"] * 20 + ["against"] * 5 + ["favor"] * 10 + ["against"] * 15
    kappas = kappa_table(passes_from({"A": a, "B": b}))
    row = kappas.query("scope == 'all' and field == 'label'").iloc[0]
    assert (row["annotator_a"], row["annotator_b"], row["n_units"]) == ("A", "B", 50)
    assert row["kappa"] == pytest.approx(0.4)


def test_pairwise_kappa_uses_the_units_both_coded():
    passes = passes_from(
        {
            "A": ["favor", "against", "neutral", "favor"],
            "B": ["favor", "against", None, None],
            "C": [None, "against", "neutral", "against"],
        }
    )
    kappas = kappa_table(passes).query("scope == 'all' and field == 'label'").set_index(["annotator_a", "annotator_b"])
    assert kappas["n_units"].to_dict() == {("A", "B"): 2, ("A", "C"): 3, ("B", "C"): 1}
    assert kappas.loc[("A", "B"), "kappa"] == pytest.approx(1.0)
    assert np.isnan(kappas.loc[("B", "C"), "kappa"])  # one unit: undefined


def test_text_reading_turns_context_labels_neutral():
    passes = pd.DataFrame({"label": ["favor", "against", "neutral"], "basis": ["text", "context", "text"]})
    assert field_values(passes, "label_text").tolist() == ["favor", "neutral", "neutral"]
    assert field_values(passes, "label").tolist() == ["favor", "against", "neutral"]


def test_tables_per_target_and_field():
    rng = np.random.default_rng(1)
    rows = []
    for doc in ("d1", "d2", "d3"):
        for unit in range(20):
            truth = rng.choice(["favor", "against", "neutral"])
            for who in ("A", "B", "C"):
                label = truth if rng.random() < 0.8 else rng.choice(["favor", "against", "neutral"])
                basis = "text" if label == "neutral" or rng.random() < 0.7 else "context"
                rows.append(
                    {
                        "doc_id": doc,
                        "sent_key": f"s{unit}",
                        "target": ("russia", "ukraine")[unit % 2],
                        "annotator": who,
                        "label": label,
                        "basis": basis,
                    }
                )
    passes = pd.DataFrame(rows)
    table = alpha_table(passes, n_boot=200, seed=3)
    assert set(zip(table["scope"], table["field"])) == {
        (s, f) for s in ("all", "russia", "ukraine") for f in ("label", "label_text", "basis")
    }
    assert (table["alpha_low"] <= table["alpha"]).all() and (table["alpha"] <= table["alpha_high"]).all()
    assert table.equals(alpha_table(passes, n_boot=200, seed=3))  # seeded
    assert len(kappa_table(passes)) == 3 * 3 * 3  # scopes x fields x pairs


def test_bootstrap_resamples_within_strata():
    strata = np.array(["a"] * 5 + ["b"] * 3 + ["c"] * 1)
    groups = [np.flatnonzero(strata == s) for s in ("a", "b", "c")]
    rng = np.random.default_rng(0)
    for _ in range(50):
        rows = stratified_resample(groups, rng)
        assert pd.Series(strata[rows]).value_counts().to_dict() == {"a": 5, "b": 3, "c": 1}


def test_bootstrap_interval_brackets_alpha():
    counts = np.array([[2, 0, 0], [0, 2, 0], [1, 1, 0], [0, 0, 2]] * 10)
    strata = np.repeat(["s1", "s2"], 20)
    low, high = bootstrap_alpha(counts, strata, n_boot=300, level=0.95, rng=np.random.default_rng(0))
    assert low < alpha(counts) < high and high - low < 0.6


def test_alpha_is_nan_when_undefined():
    assert np.isnan(alpha(np.array([[2, 0, 0], [2, 0, 0]])))  # one value only
    assert np.isnan(alpha(np.array([[1, 0, 0], [0, 1, 0]])))  # no unit coded twice


def test_resample_weights_count_each_replicates_draws_within_strata():
    strata = np.array(["a", "b", "a", "c", "b", "a"])
    weights = resample_weights(strata, 40, np.random.default_rng(3))
    rng, expected = np.random.default_rng(3), np.zeros((40, len(strata)))
    for stratum in np.unique(strata):  # the same draws, counted one at a time
        rows = np.flatnonzero(strata == stratum)
        drawn = rows[rng.integers(0, len(rows), size=(40, len(rows)))]
        for replicate, units in enumerate(drawn):
            np.add.at(expected[replicate], units, 1)
    assert np.array_equal(weights, expected)
    for stratum, size in zip(*np.unique(strata, return_counts=True)):
        assert (weights[:, strata == stratum].sum(axis=1) == size).all()  # every replicate keeps the sizes


def test_weighted_alpha_with_every_unit_drawn_once_is_alpha_with_or_without_unpairable_units():
    counts = np.zeros((12, 5), dtype=int)
    for observer in KRIPPENDORFF_C:
        for unit, value in enumerate(observer):
            if value is not None:
                counts[unit, value - 1] += 1
    assert not (counts.sum(axis=1) >= 2).all()  # unit 12 has one coding only
    ones = np.ones((1, len(counts)))
    assert weighted_alpha(counts, ones)[0] == pytest.approx(alpha(counts), abs=1e-12)
    pairable = counts[counts.sum(axis=1) >= 2]
    assert weighted_alpha(pairable, ones[:, : len(pairable)])[0] == pytest.approx(alpha(counts), abs=1e-12)
