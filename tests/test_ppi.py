"""Prediction-powered estimates (pipeline.analysis.ppi*): agreement with ppi_py where the two coincide,
design-unbiasedness, coverage on synthetic corpora with known truth, edge cases, the validation table."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import ppi_py
import pytest

from pipeline.analysis.ppi import (
    STATISTICS,
    Labelled,
    PPIInputError,
    Unlabelled,
    document_weighted,
    estimate_cells,
    gold_values,
    interval,
    power_tuned_lambda,
    ppi_point_estimate,
    prediction_values,
    stack_documents,
    sure_bounds,
)
from pipeline.analysis.ppi_bootstrap import (
    DocumentCell,
    hierarchical_ppi_bootstrap,
    percentile_interval,
    resample_counts,
)
from pipeline.analysis.ppi_estimates import (
    document_cells,
    document_estimates,
    group_estimates,
)
from pipeline.analysis.ppi_validation import (
    BUDGETS,
    COLUMNS,
    SMALL_CELL,
    ppi_validation,
    width_vs_classical,
)
from pipeline.annotation.sampling import sample_masks, stratify
from pipeline.paths import LABELS

LEVEL = 0.95


def synthetic_units(
    seed: int,
    sizes: dict[tuple[str, str, str], int],
    strength: float = 2.0,
    favor_bias: float = 0.0,
    hard: bool = False,
) -> pd.DataFrame:
    """A corpus with full gold and model probabilities: (origin, doc, target) -> units.

    Each cell has its own label mix (some labels rare or absent); the model's logits are
    ``strength`` on the gold label plus unit noise (plus ``favor_bias`` on favor: a biased model).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for (origin, doc, target), size in sizes.items():
        mix = rng.dirichlet([0.6, 0.6, 1.5])
        labels = rng.choice(3, size=size, p=mix)
        logits = strength * np.eye(3)[labels] + rng.normal(size=(size, 3))
        logits[:, LABELS.index("favor")] += favor_bias
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        if hard:
            p = np.eye(3)[p.argmax(axis=1)]
        for i in range(size):
            rows.append(
                {
                    "author_origin": origin,
                    "doc_id": doc,
                    "target": target,
                    "sent_key": f"{doc}{target}{i}",
                    "label": LABELS[labels[i]],
                    **{f"p_{lab}": p[i, j] for j, lab in enumerate(LABELS)},
                }
            )
    return pd.DataFrame(rows)


CORPUS = {
    ("A", "a1", "x"): 30,
    ("A", "a2", "x"): 120,
    ("A", "a3", "x"): 60,
    ("B", "b1", "x"): 200,
    ("A", "a1", "y"): 25,
    ("A", "a2", "y"): 80,
    ("B", "b1", "y"): 35,
    ("B", "b2", "y"): 150,
}


def sums(y: np.ndarray, f: np.ndarray, f_unlabelled: np.ndarray) -> tuple[Labelled, Unlabelled]:
    return Labelled.of(np.ones(len(y)), y, f), Unlabelled.of(np.ones(len(f_unlabelled)), f_unlabelled)


def random_cell(rng: np.random.Generator, n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    labels = rng.choice(3, size=n + m, p=[0.3, 0.25, 0.45])
    logits = 1.5 * np.eye(3)[labels] + rng.normal(size=(n + m, 3))
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y, f = gold_values([LABELS[i] for i in labels]), prediction_values(p)
    return y[:n], f[:n], f[n:]


# --- agreement with ppi_py --------------------------------------------------------------


def test_lambda_and_point_estimate_are_ppi_py_s():
    y, f, f_unl = random_cell(np.random.default_rng(0), 60, 300)
    lab, unl = sums(y, f, f_unl)
    lam = power_tuned_lambda(lab, unl)
    ours = ppi_point_estimate(lab, unl, lam)
    theirs = ppi_py.ppi_mean_pointestimate(y, f, f_unl, lam_optim_mode="element")
    assert np.allclose(ours, theirs, atol=1e-12)
    for k in range(len(STATISTICS)):  # one statistic at a time: ppi_py's default tuning
        assert ours[k] == pytest.approx(float(ppi_py.ppi_mean_pointestimate(y[:, k], f[:, k], f_unl[:, k])[0]))
    assert ppi_point_estimate(lab, unl, np.full(4, 0.3)) == pytest.approx(
        ppi_py.ppi_mean_pointestimate(y, f, f_unl, lam=0.3)
    )


def test_interval_is_ppi_mean_ci_when_the_unlabelled_units_are_countless():
    """With m >> n the finite-population correction and the unlabelled mean's own noise vanish."""
    y, f, f_unl = random_cell(np.random.default_rng(1), 400, 400_000)
    lab, unl = sums(y, f, f_unl)
    est = estimate_cells(lab, unl, LEVEL)
    lo, hi = interval(est, LEVEL)
    for k in range(len(STATISTICS)):
        their_lo, their_hi = ppi_py.ppi_mean_ci(y[:, k], f[:, k], f_unl[:, k], alpha=1 - LEVEL, lam=est.lam[k])
        assert (lo[k] + hi[k]) / 2 == pytest.approx((their_lo[0] + their_hi[0]) / 2, abs=1e-4)
        assert (hi[k] - lo[k]) == pytest.approx(their_hi[0] - their_lo[0], rel=0.02)


def test_bootstrap_of_one_document_agrees_with_ppboot():
    y, f, f_unl = random_cell(np.random.default_rng(2), 80, 400)
    favor = LABELS.index("favor")
    reps = hierarchical_ppi_bootstrap([DocumentCell(y, f, f_unl)], 4000, np.random.default_rng(3))
    lo, hi = percentile_interval(reps, LEVEL)
    np.random.seed(4)  # ppboot draws from numpy's global generator
    their_lo, their_hi = ppi_py.ppboot(
        np.mean, y[:, favor], f[:, favor], f_unl[:, favor], n_resamples=4000, alpha=1 - LEVEL
    )
    # Monte Carlo error of a 2.5% quantile from 4000 replicates is about 0.05 bootstrap sd; allow 0.2.
    tolerance = 0.2 * reps[:, favor].std()
    assert lo[favor] == pytest.approx(their_lo, abs=tolerance)
    assert hi[favor] == pytest.approx(their_hi, abs=tolerance)


def test_bootstrap_sums_per_replicate_the_estimates_a_value_per_draw_would_hold():
    """Per-replicate sums of the drawn documents' estimates equal the mean over a (replicate, draw) array."""
    rng = np.random.default_rng(8)
    docs = [DocumentCell(*random_cell(rng, n, m)) for n, m in ((5, 30), (0, 12), (20, 0), (9, 60))]
    n_resamples = 200
    reference_rng = np.random.default_rng(9)
    picks = reference_rng.integers(len(docs), size=(n_resamples, len(docs)))
    values = np.empty((n_resamples * len(docs), 4))
    for i, d in enumerate(docs):
        slots = np.flatnonzero(picks == i)
        lab = Labelled.of(resample_counts(reference_rng, len(d.y), len(slots)), d.y, d.f)
        unl = Unlabelled.of(resample_counts(reference_rng, len(d.f_unlabelled), len(slots)), d.f_unlabelled)
        values[slots] = np.clip(ppi_point_estimate(lab, unl, power_tuned_lambda(lab, unl)), *sure_bounds(lab, unl))
    expected = values.reshape(n_resamples, len(docs), 4).mean(axis=1)
    got = hierarchical_ppi_bootstrap(docs, n_resamples, np.random.default_rng(9))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


# --- the estimator's properties -----------------------------------------------------------


def test_point_estimate_is_design_unbiased_over_every_sample_for_a_fixed_lambda():
    """Average over all C(10, 4) simple random samples of a 10-unit cell = the cell's true shares."""
    rng = np.random.default_rng(5)
    y, f, _ = random_cell(rng, 10, 0)
    lam = np.array([0.7, 0.4, 1.0, 0.5])
    estimates = []
    for subset in itertools.combinations(range(10), 4):
        mask = np.zeros(10, dtype=bool)
        mask[list(subset)] = True
        estimates.append(ppi_point_estimate(*sums(y[mask], f[mask], f[~mask]), lam))
        # the difference-estimator form that design_variance rests on, with b = lam * N / m
        b = lam * 10 / 6
        assert np.allclose(estimates[-1], y[mask].mean(0) - b * (f[mask].mean(0) - f.mean(0)))
    assert len(estimates) == math.comb(10, 4)
    assert np.allclose(np.mean(estimates, axis=0), y.mean(axis=0), atol=1e-12)


def test_census_is_exact_without_the_model():
    y, f, _ = random_cell(np.random.default_rng(6), 25, 0)
    est = estimate_cells(*sums(y, f, f[:0]), LEVEL)
    lo, hi = interval(est, LEVEL)
    assert np.allclose(est.estimate, y.mean(0)) and np.allclose(lo, y.mean(0)) and np.allclose(hi, y.mean(0))


def test_a_cell_without_gold_falls_back_to_the_model_and_says_so():
    units = synthetic_units(7, {("A", "a1", "x"): 40, ("A", "a2", "x"): 30}, hard=True)
    units.loc[units["doc_id"] == "a1", "label"] = None
    table = document_estimates(document_cells(units), LEVEL)
    a1 = table[table["doc_id"] == "a1"].set_index("statistic")
    assert (a1["source"] == "model").all() and (a1["n_labelled"] == 0).all()
    predicted = units[units["doc_id"] == "a1"][[f"p_{lab}" for lab in LABELS]].to_numpy().argmax(axis=1)
    assert a1.loc["favor", "estimate"] == pytest.approx(np.mean(predicted == LABELS.index("favor")))
    assert (table[table["doc_id"] == "a2"]["source"] == "census").all()


def test_one_labelled_unit_gives_the_sure_bounds():
    y, f, f_unl = random_cell(np.random.default_rng(8), 1, 9)
    est = estimate_cells(*sums(y, f, f_unl), LEVEL)
    lo, hi = interval(est, LEVEL)
    assert np.isnan(est.variance).all()
    assert np.allclose(lo, (y[0] + 9 * np.array([0, 0, 0, -1])) / 10)
    assert np.allclose(hi, (y[0] + 9) / 10)


def test_a_group_of_one_document_is_that_document_and_variances_add_over_documents():
    rng = np.random.default_rng(9)
    a = estimate_cells(*sums(*random_cell(rng, 15, 30)), LEVEL)
    b = estimate_cells(*sums(*random_cell(rng, 20, 60)), LEVEL)
    one = document_weighted(stack_documents([a]))
    assert np.allclose(interval(one, LEVEL), interval(a, LEVEL))
    two = document_weighted(stack_documents([a, b]))
    assert np.allclose(two.variance, (a.variance + b.variance) / 4)
    assert np.allclose(two.estimate, (a.estimate + b.estimate) / 2)


def test_group_interval_is_the_hull_of_the_design_and_bootstrap_intervals():
    units = synthetic_units(10, CORPUS)
    rng = np.random.default_rng(11)
    units.loc[rng.random(len(units)) < 0.7, "label"] = None  # not a stratified sample; enough for shapes
    cells = document_cells(units)
    table, replicates = group_estimates(
        cells,
        dict(zip(units["doc_id"], units["author_origin"])),
        LEVEL,
        500,
        lambda origin, target: np.random.default_rng([12, ord(origin), ord(target)]),
    )
    assert len(table) == 4 * len(STATISTICS) and set(replicates) == {("A", "x"), ("B", "x"), ("A", "y"), ("B", "y")}
    assert (table["lo"] == np.minimum(table["lo_documents"], table["lo_bootstrap"])).all()
    assert (table["hi"] == np.maximum(table["hi_documents"], table["hi_bootstrap"])).all()
    assert (table["lo"] <= table["estimate"]).all() and (table["estimate"] <= table["hi"]).all()


def test_bad_labels_and_predictions_are_refused():
    with pytest.raises(PPIInputError, match="unknown label"):
        gold_values(["favor", "pro"])
    with pytest.raises(PPIInputError, match="summing to 1"):
        prediction_values(np.array([[0.5, 0.5, 0.5]]))
    incomplete = synthetic_units(0, {("A", "a1", "x"): 20})
    incomplete.loc[3, "label"] = None
    with pytest.raises(PPIInputError, match="1 unit\\(s\\) without a gold label"):
        ppi_validation(incomplete, seed=0, n_samples=2)
    with pytest.raises(PPIInputError, match="lack column"):
        document_cells(incomplete.drop(columns="p_favor"))


# --- coverage with known truth --------------------------------------------------------


def coverage_floor(n_independent: int, nominal: float = LEVEL) -> float:
    """Lowest coverage a valid 95% interval shows in ``n_independent`` samples, 3 binomial sd below nominal."""
    return nominal - 3 * math.sqrt(nominal * (1 - nominal) / n_independent)


@pytest.mark.parametrize("hard", [False, True], ids=["probabilities", "hard labels"])
def test_ppi_covers_the_full_gold_value_and_is_narrower_than_the_gold_sample(hard):
    n_samples = 300
    table = ppi_validation(synthetic_units(13, CORPUS, hard=hard), seed=14, budgets=(0.1, 0.4), n_samples=n_samples)
    scored = table[table["method"] != "model"]
    # Intervals of one sample are dependent, so count samples, not intervals, as independent draws.
    assert (scored["coverage"] >= coverage_floor(n_samples)).all(), scored
    wide = table.pivot_table(index=["budget", "level", "cell_size"], columns="method", values="median_width")
    assert (wide["ppi"] <= wide["classical"]).all(), wide
    paired = scored.set_index(["method", "budget", "level", "cell_size"])["width_vs_classical"]
    assert (paired.loc["classical"] == 1).all()
    assert (paired.loc["ppi"] <= 1).all(), paired


def test_width_vs_classical_pairs_intervals_and_counts_exact_statistics_as_equal():
    ppi = np.array([0.1, 0.3, 0.0])
    classical = np.array([0.2, 0.3, 0.0])
    assert width_vs_classical(ppi, classical) == pytest.approx((0.5 + 1.0 + 1.0) / 3)


def test_a_biased_model_s_own_intervals_miss_and_ppi_repairs_them():
    table = ppi_validation(synthetic_units(15, CORPUS, favor_bias=1.5), seed=16, budgets=(0.2,), n_samples=200)
    by_method = table[table["level"] == "group_target"].groupby("method")["coverage"].min()
    assert by_method["model"] < 0.7
    assert by_method["ppi"] >= coverage_floor(200)


# --- the validation table ---------------------------------------------------------------


def test_validation_table_has_one_row_per_method_budget_level_and_cell_size():
    units = synthetic_units(17, CORPUS)
    table = ppi_validation(units, seed=18, n_samples=20)
    assert list(table.columns) == COLUMNS
    assert set(table["budget"]) == set(BUDGETS)
    # methods x budgets x (document level: small and large cells; group level: every group has >= 40 units)
    assert len(table) == 3 * len(BUDGETS) * 3
    assert set(table.loc[table["level"] == "group_target", "cell_size"]) == {"large"}
    assert not table.duplicated(["method", "budget", "level", "cell_size"]).any()
    assert table["coverage"].between(0, 1).all() and (table["median_width"] >= 0).all()
    small_cells = sum(size < SMALL_CELL for size in CORPUS.values())  # none is below the minimum of 15
    row = table[
        (table["method"] == "ppi") & (table["level"] == "document_target_label") & (table["cell_size"] == "small")
    ].iloc[0]
    assert row["n"] == 20 * small_cells * len(LABELS)
    model = table[(table["method"] == "model") & (table["level"] == "document_target_label")]
    assert set(model["n"]) == {small_cells * 3, (len(CORPUS) - small_cells) * 3}  # scored once, not per sample


def test_validation_coverage_is_what_the_table_functions_give_sample_by_sample():
    """The vectorised simulation and the per-data-set tables (document_estimates) agree on every sample."""
    units = synthetic_units(19, CORPUS)
    n_samples, seed, budget = 12, 20, 0.1
    table = ppi_validation(units, seed=seed, budgets=(budget,), n_samples=n_samples)
    strata = stratify(units, round(budget * len(units)), min_per_cell=15)
    masks = sample_masks(strata, np.random.default_rng([seed, 0]), n_samples)  # the simulation's stream
    truth = (
        units.assign(**{lab: units["label"] == lab for lab in LABELS})
        .groupby(["doc_id", "target"])[list(LABELS)]
        .mean()
        .stack()
        .rename("truth")
    )
    covered = {"small": [], "large": []}
    for mask in masks:
        sample = strata.units.assign(label=strata.units["label"].where(mask))
        rows = document_estimates(document_cells(sample), LEVEL)
        rows = rows[rows["statistic"].isin(LABELS)].join(truth, on=["doc_id", "target", "statistic"])
        for _, r in rows[rows["source"] == "ppi"].iterrows():
            size = "small" if r["n_units"] < SMALL_CELL else "large"
            covered[size].append(r["lo"] - 1e-9 <= r["truth"] <= r["hi"] + 1e-9)
    ppi_doc = table[(table["method"] == "ppi") & (table["level"] == "document_target_label")].set_index("cell_size")
    for size, hits in covered.items():
        assert ppi_doc.loc[size, "n"] == len(hits)
        assert ppi_doc.loc[size, "coverage"] == pytest.approx(np.mean(hits))
