"""Document-weighted estimates, the hierarchical bootstrap and the permutation test, on inputs with known answers."""

import warnings

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.analysis import resampling
from pipeline.analysis.resampling import (
    DocumentUnits,
    StatsInputError,
    document_weighted_mean,
    hierarchical_bootstrap,
    percentile_interval,
    permutation_test,
    stable_rng,
)

AGAINST, FAVOR, NEUTRAL = np.eye(3)


def doc(*labels: np.ndarray) -> DocumentUnits:
    """A document of stance units, one one-hot row per unit."""
    rows = np.array(labels)
    return DocumentUnits(rows, np.ones(len(rows)))


def test_long_document_does_not_outweigh_two_short_ones():
    long_doc = doc(*[NEUTRAL] * 100)
    short = [doc(AGAINST, AGAINST), doc(AGAINST, AGAINST, AGAINST)]
    share = document_weighted_mean([long_doc, *short])
    assert share == pytest.approx([2 / 3, 0, 1 / 3])  # pooled sentences would say 5/105 against
    reps = hierarchical_bootstrap([long_doc, *short], 2000, np.random.default_rng(0))
    assert reps[:, 0].mean() == pytest.approx(2 / 3, abs=0.02)


def test_group_of_all_against_documents_has_a_degenerate_interval_at_one():
    group = [doc(*[AGAINST] * n) for n in (3, 7, 20)]
    reps = hierarchical_bootstrap(group, 500, np.random.default_rng(1))
    lo, hi = percentile_interval(reps, 0.95)
    assert document_weighted_mean(group) == pytest.approx([1, 0, 0])
    assert lo == pytest.approx([1, 0, 0]) and hi == pytest.approx([1, 0, 0])


def test_first_stage_resamples_documents():
    """Two internally uniform documents: replicates are the share of all-against
    documents drawn, i.e. 0, 1/2 or 1 with probabilities 1/4, 1/2, 1/4."""
    reps = hierarchical_bootstrap([doc(*[AGAINST] * 30), doc(*[FAVOR] * 5)], 20000, np.random.default_rng(2))
    values, counts = np.unique(reps[:, 0], return_counts=True)
    assert values.tolist() == [0.0, 0.5, 1.0]
    assert counts / counts.sum() == pytest.approx([0.25, 0.5, 0.25], abs=0.015)


def test_single_document_interval_is_sentence_sampling_only():
    one = doc(*[AGAINST] * 20, *[NEUTRAL] * 30)
    reps = hierarchical_bootstrap([one], 20000, np.random.default_rng(3))
    assert reps[:, 0].std() == pytest.approx(np.sqrt(0.4 * 0.6 / 50), rel=0.05)  # binomial standard error


def simulated_group(rng: np.random.Generator, true_share: float, n_docs: int, n_units: int) -> list[DocumentUnits]:
    """Documents whose own against-share varies around ``true_share`` (Beta), sentences drawn from it."""
    shares = rng.beta(true_share * 8, (1 - true_share) * 8, size=n_docs)
    docs = []
    for p in shares:
        against = rng.random(n_units) < p
        docs.append(DocumentUnits(np.column_stack([against, ~against]).astype(float), np.ones(n_units)))
    return docs


def coverage(rng: np.random.Generator, true_share: float, n_docs: int, n_units: int, n_sims: int) -> float:
    covered = 0
    for _ in range(n_sims):
        group = simulated_group(rng, true_share, n_docs, n_units)
        lo, hi = percentile_interval(hierarchical_bootstrap(group, 400, rng), 0.95)
        covered += lo[0] <= true_share <= hi[0]
    return covered / n_sims


def test_bootstrap_interval_covers_the_true_share():
    # Ten documents whose shares average exactly 0.325 (2, 3, ..., 11 against of 20 units each).
    group = [
        DocumentUnits(np.column_stack([np.arange(20) < k, np.arange(20) >= k]).astype(float), np.ones(20))
        for k in range(2, 12)
    ]
    assert document_weighted_mean(group)[0] == pytest.approx(0.325)
    lo, hi = percentile_interval(hierarchical_bootstrap(group, 4000, np.random.default_rng(4)), 0.95)
    assert lo[0] < 0.325 < hi[0] and 0.05 < hi[0] - lo[0] < 0.3
    # Repeated sampling from a population of documents with mean share 0.3:
    # 25 documents per group reach the nominal 95%.
    assert coverage(np.random.default_rng(11), 0.3, n_docs=25, n_units=20, n_sims=150) >= 0.9


def test_few_documents_under_cover():
    """The known small-sample limit, kept true to docs/method.md: with three documents
    a nominal 95% percentile interval covers the population share far less often."""
    assert coverage(np.random.default_rng(12), 0.3, n_docs=3, n_units=50, n_sims=200) < 0.9


def test_rates_per_word_are_ratio_of_sums():
    sentence_counts = np.array([[2.0], [0.0], [1.0]])
    words = np.array([10.0, 20.0, 30.0])
    assert DocumentUnits(1000 * sentence_counts, words).ratio() == pytest.approx([50.0])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2), min_size=1, max_size=15), min_size=1, max_size=6), st.integers(1, 5))
def test_repeating_a_documents_sentences_changes_nothing(docs, factor):
    """Document weighting: a document's length (here: every unit repeated) never changes the group estimate."""
    units = [doc(*np.eye(3)[labels]) for labels in docs]
    longer = [doc(*np.eye(3)[labels * factor]) if i == 0 else d for i, (labels, d) in enumerate(zip(docs, units))]
    assert document_weighted_mean(longer) == pytest.approx(document_weighted_mean(units))


def test_bootstrap_is_deterministic_per_seed_and_names():
    group = [doc(AGAINST, FAVOR, NEUTRAL), doc(AGAINST, AGAINST)]
    a = hierarchical_bootstrap(group, 100, stable_rng(7, "Indian", "russia"))
    b = hierarchical_bootstrap(group, 100, stable_rng(7, "Indian", "russia"))
    c = hierarchical_bootstrap(group, 100, stable_rng(7, "Indian", "ukraine"))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def replicate_by_replicate(documents: list[DocumentUnits], n_resamples: int, seed: int) -> np.ndarray:
    """The bootstrap as first written: every (replicate, draw) ratio held, then nanmean per replicate."""
    rng = np.random.default_rng(seed)
    n_docs = len(documents)
    picks = rng.integers(n_docs, size=(n_resamples, n_docs))
    ratios = np.full((n_resamples * n_docs, documents[0].numerators.shape[1]), np.nan)
    for i, d in enumerate(documents):
        slots = np.flatnonzero(picks == i)
        n = len(d.denominators)
        weights = rng.multinomial(n, np.full(n, 1.0 / n), size=len(slots))
        with np.errstate(invalid="ignore", divide="ignore"):
            ratios[slots] = (weights @ d.numerators) / (weights @ d.denominators)[:, None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "Mean of empty slice": a replicate without a ratio
        return np.nanmean(ratios.reshape(n_resamples, n_docs, -1), axis=1)


def test_bootstrap_keeps_per_replicate_totals_of_the_same_draws(monkeypatch):
    """Totals per replicate (not a value per draw) give the replicate-by-replicate means of the same draws,
    in draw blocks of any size; a redraw with a zero denominator is left out of its replicate's mean."""
    rng = np.random.default_rng(11)
    sparse = [DocumentUnits(rng.poisson(2.0, (n, 4)).astype(float), np.eye(n)[0]) for n in (2, 3)]
    long = DocumentUnits(rng.poisson(2.0, (40, 4)).astype(float), rng.integers(1, 30, 40).astype(float))
    for group in ([*sparse, long], sparse):
        expected = replicate_by_replicate(group, 300, seed=5)
        for block in (1, 7, 512):
            monkeypatch.setattr(resampling, "DRAW_BLOCK", block)
            got = hierarchical_bootstrap(group, 300, np.random.default_rng(5))
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
            assert np.array_equal(np.isnan(got), np.isnan(expected))
    assert np.isnan(expected).any(), "the two sparse documents alone: some replicates have no ratio at all"


def test_document_units_reject_bad_shapes():
    with pytest.raises(StatsInputError):
        DocumentUnits(np.ones((3, 2)), np.ones(2))
    with pytest.raises(StatsInputError):
        DocumentUnits(np.ones((2, 2)), np.zeros(2))
    with pytest.raises(StatsInputError):
        hierarchical_bootstrap([], 10, np.random.default_rng(0))


def test_exact_permutation_test_with_one_document_in_a_group():
    result = permutation_test([1.0, 1.0, 1.0], [0.0], 10_000, np.random.default_rng(0))
    # 4 assignments; only the observed one puts the 0 alone: p = 1/4 = the floor the design allows.
    assert (result.exact, result.n_assignments, result.statistic) == (True, 4, 1.0)
    assert result.p_value == pytest.approx(0.25) and result.min_attainable_p == pytest.approx(0.25)
    single_pair = permutation_test([0.9], [0.1], 10_000, np.random.default_rng(0))
    assert single_pair.p_value == 1.0 and single_pair.min_attainable_p == 1.0


def test_exact_permutation_p_matches_scipy_enumeration():
    a, b = np.array([0.1, 0.5, 0.7, 0.9]), np.array([0.0, 0.2, 0.15])
    ours = permutation_test(a, b, 10_000, np.random.default_rng(0))
    reference = scipy.stats.permutation_test(
        (a, b),
        lambda x, y, axis: np.abs(x.mean(axis=axis) - y.mean(axis=axis)),
        permutation_type="independent",
        alternative="greater",
        n_resamples=10_000,
        vectorized=True,
    )
    assert ours.exact and ours.n_assignments == 35
    assert ours.p_value == pytest.approx(reference.pvalue)


def test_monte_carlo_permutation_counts_the_observed_assignment():
    rng = np.random.default_rng(5)
    a, b = rng.normal(3, 1, 12), rng.normal(0, 1, 12)  # C(24, 12) assignments: too many to enumerate
    result = permutation_test(a, b, 999, rng)
    assert not result.exact and result.n_assignments == 999
    assert result.p_value == pytest.approx(1 / 1000)
    same = permutation_test(a, a + 0.0, 999, rng)
    assert same.p_value == 1.0
