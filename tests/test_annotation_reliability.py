"""Agreement for any number of annotators, checked against published worked examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.annotation.reliability import (
    alpha,
    alpha_columns,
    alpha_from_totals,
    alpha_table,
    bootstrap_alpha,
    field_values,
    kappa_columns,
    kappa_from_totals,
    kappa_table,
    resampled_totals,
    stratified_resample,
    wilson_interval,
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


def krippendorff_c_counts() -> np.ndarray:
    """Units x values: how many of the four observers of KRIPPENDORFF_C gave each value to each unit."""
    counts = np.zeros((12, 5), dtype=int)
    for observer in KRIPPENDORFF_C:
        for unit, value in enumerate(observer):
            if value is not None:
                counts[unit, value - 1] += 1
    return counts


def test_alpha_four_observers_with_missing_codings():
    counts = krippendorff_c_counts()
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


def test_resampled_totals_are_the_totals_of_each_replicates_draws():
    """The totals equal summing the drawn units replicate by replicate, with the same integer draws."""
    rng = np.random.default_rng(5)
    values = rng.integers(0, 4, size=(23, 3)).astype(float)
    strata = np.array(list("bacbbcaacbbbcaaacbcbabc"))
    totals = resampled_totals(values, strata, n_boot=7, rng=np.random.default_rng(1), block=3)
    reference_rng = np.random.default_rng(1)
    drawn = [np.flatnonzero(strata == s) for s in ("a", "b", "c")]  # sorted strata, rows ascending
    drawn = [rows[reference_rng.integers(0, len(rows), size=(7, len(rows)))] for rows in drawn]
    expected = np.stack([sum(values[d[b]].sum(axis=0) for d in drawn) for b in range(7)])
    assert np.array_equal(totals, expected)


def test_alpha_and_kappa_from_totals_match_the_reference_implementations():
    """Unweighted totals give krippendorff's alpha and scikit-learn's kappa."""
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(2)
    first, second = rng.integers(0, 3, 60), rng.integers(0, 3, 60)
    second[:40] = first[:40]  # agreement well above chance
    counts = np.zeros((60, 3))
    np.add.at(counts, (np.arange(60), first), 1)
    np.add.at(counts, (np.arange(60), second), 1)
    counts[0] = [1, 0, 0]  # a unit coded once: alpha leaves it out
    assert alpha_from_totals(alpha_columns(counts).sum(axis=0, keepdims=True))[0] == pytest.approx(alpha(counts))
    kappa_value = kappa_from_totals(kappa_columns(first, second, 3).sum(axis=0, keepdims=True), 3)[0]
    assert kappa_value == pytest.approx(cohen_kappa_score(first, second))


def test_alpha_is_nan_when_undefined():
    assert np.isnan(alpha(np.array([[2, 0, 0], [2, 0, 0]])))  # one value only
    assert np.isnan(alpha(np.array([[1, 0, 0], [0, 1, 0]])))  # no unit coded twice


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_wilson_interval_is_scipys_to_the_last_bit(level):
    """The gold stage computes the Wilson interval itself (no scipy.stats import); the floats must be scipy's."""
    from scipy.stats import binomtest

    for n in (1, 2, 7, 60, 459, 918):
        for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            ci = binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
            assert wilson_interval(k, n, level) == (float(ci.low), float(ci.high)), (k, n)


def test_alpha_from_totals_is_alpha_with_or_without_unpairable_units():
    """Krippendorff's published example (unit 12 coded once): the totals give alpha either way."""
    counts = krippendorff_c_counts()
    assert not (counts.sum(axis=1) >= 2).all()
    pairable = counts[counts.sum(axis=1) >= 2]
    for table in (counts, pairable):
        assert alpha_from_totals(alpha_columns(table).sum(axis=0, keepdims=True))[0] == pytest.approx(
            alpha(counts), abs=1e-12
        )
