"""Our framing-vocabulary log-odds (Monroe, Colaresi & Quinn 2008) against Scattertext and ConvoKit.

The peers live in their own venv, .venv-peers (`make peers`; `make test`
makes it first, so CI runs these tests): their scipy pin clashes with
ours. The tests call them through benchmarks/peers/theirs.py in a
subprocess, JSON in and out, and skip with the reason when the venv or a
package is missing. The peers get our tokenisation and check they
reproduce our counts, so a disagreement can only be a formula's.

Findings (benchmarks/peers/agreement.py lists the pairs):
* ConvoKit's FightingWords given our prior vector computes our formula
  exactly; its own default, a constant prior of 0.1 per term, is a
  different statistic (rank correlation 0.26-0.96 with ours on the seeds).
* Scattertext's LogOddsRatioInformativeDirichletPrior (scale_type "word",
  sigma = prior_scale) has our log-odds but a variance with two more terms,
  1/(n_a+α₀-y_a-α) + 1/(n_b+α₀-y_b-α), which MCQ's eq. 20 (ours,
  ConvoKit's) leaves out. With those terms ours equals Scattertext's.
  The hand example below shows both are what they claim: eq. 20 as
  published, and the fuller delta-method variance, which is nearer the
  exact posterior variance.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import polygamma

from benchmarks.peers.agreement import PeersUnavailable, peer_python, prepare, run_peers, summarise
from benchmarks.peers.contrasts import (
    LogOddsSettings,
    TargetSentences,
    count_target,
    full_variance,
    our_scores,
    stage_top_terms,
    target_sentences,
)
from pipeline.analysis.vocabulary import log_odds_dirichlet

ROOT = Path(__file__).resolve().parents[1]
# Pairs whose methods coincide mathematically once settings match (see agreement.PAIRS).
SAME_FORMULA = (
    "z_full_variance vs scattertext",
    "z vs convokit",
    "z_uniform_prior vs convokit_uniform_prior",
    "log_odds vs scattertext (z x sd)",
    "log_odds vs convokit (z x sd)",
    "log_odds_uniform_prior vs convokit_uniform_prior (z x sd)",
)

# --- a tiny example worked by hand ---------------------------------------------------------
# Group A says alpha 3 times and beta once (n_a = 4); the rest say alpha once, beta twice and
# gamma 4 times (n_b = 7). The background has alpha 5, beta 3, gamma 2 times; scaled to 1
# pseudo-token the prior is alpha 0.5, beta 0.3, gamma 0.2 (α₀ = 1).
TINY_SETTINGS = LogOddsSettings(
    prior_scale=1.0, top_n=3, min_count=1, ngram_max=1, english_stop_words=False, alias_texts=()
)
TINY_TERMS = ("alpha", "beta", "gamma")
# δ = ln[(y_a+α)/(n_a+α₀-y_a-α)] - ln[(y_b+α)/(n_b+α₀-y_b-α)], the numbers filled in by hand
HAND_LOG_ODDS = (
    math.log(3.5 / 1.5) - math.log(1.5 / 6.5),
    math.log(1.3 / 3.7) - math.log(2.3 / 5.7),
    math.log(0.2 / 4.8) - math.log(4.2 / 3.8),
)
# MCQ eq. 20: 1/(y_a+α) + 1/(y_b+α)
HAND_VARIANCE_MCQ = (1 / 3.5 + 1 / 1.5, 1 / 1.3 + 1 / 2.3, 1 / 0.2 + 1 / 4.2)
# the two terms Scattertext adds: 1/(n_a+α₀-y_a-α) + 1/(n_b+α₀-y_b-α)
HAND_VARIANCE_EXTRA = (1 / 1.5 + 1 / 6.5, 1 / 3.7 + 1 / 5.7, 1 / 4.8 + 1 / 3.8)
# The posterior of each group's term shares is Dirichlet(y + α), so a term's share is
# Beta(y+α, n+α₀-y-α) and its logit has variance trigamma(y+α) + trigamma(n+α₀-y-α):
HAND_BETA_PARAMETERS = ((3.5, 1.5, 1.5, 6.5), (1.3, 3.7, 2.3, 5.7), (0.2, 4.8, 4.2, 3.8))


def tiny_corpus() -> TargetSentences:
    sentences = pd.DataFrame(
        {
            "doc_id": ["a1", "a2", "b1", "b2"],
            "author_origin": ["A", "A", "B", "B"],
            "text": ["alpha alpha beta", "alpha", "alpha beta gamma gamma", "beta gamma gamma"],
        }
    )
    background = pd.DataFrame(
        {"doc_id": ["bg"], "author_origin": ["A"], "text": ["alpha alpha alpha alpha alpha beta beta beta gamma gamma"]}
    )
    return TargetSentences("tiny", sentences, background)


def test_ours_matches_the_hand_computation():
    counted = count_target(tiny_corpus(), TINY_SETTINGS)
    assert tuple(counted.terms) == TINY_TERMS
    np.testing.assert_allclose(counted.prior, [0.5, 0.3, 0.2])
    scores = our_scores(counted, "A", uniform_alpha=0.1)
    np.testing.assert_array_equal(scores["count_group"], [3, 1, 0])
    np.testing.assert_array_equal(scores["count_rest"], [1, 2, 4])
    np.testing.assert_allclose(scores["log_odds"], HAND_LOG_ODDS, rtol=1e-12)
    np.testing.assert_allclose(scores["z"], np.divide(HAND_LOG_ODDS, np.sqrt(HAND_VARIANCE_MCQ)), rtol=1e-12)
    full = np.add(HAND_VARIANCE_MCQ, HAND_VARIANCE_EXTRA)
    np.testing.assert_allclose(scores["z_full_variance"], np.divide(HAND_LOG_ODDS, np.sqrt(full)), rtol=1e-12)


def test_four_term_variance_is_nearer_the_exact_posterior_and_both_meet_in_a_large_vocabulary():
    """Who is right about the variance: eq. 20 is the paper's, and a cruder approximation of the
    exact posterior variance than Scattertext's four terms. The two extra terms are about the
    term's share of its group's tokens times eq. 20's, so among the thousands of tokens of a real
    contrast, where every term is a small share, the two z's nearly coincide."""
    exact = [sum(float(polygamma(1, x)) for x in params) for params in HAND_BETA_PARAMETERS]
    for mcq, extra, truth in zip(HAND_VARIANCE_MCQ, HAND_VARIANCE_EXTRA, exact):
        assert mcq < mcq + extra < truth
    gaps = []
    for other_tokens in (0, 1000):  # the hand example's counts, alone or among 1000 more tokens per group
        y_a, y_b = np.array([3.0, 1, 0, other_tokens]), np.array([1.0, 2, 4, other_tokens])
        prior = np.array([0.5, 0.3, 0.2, 0.5])
        delta, z = log_odds_dirichlet(y_a, y_b, prior)
        z_full = delta / np.sqrt(full_variance(y_a, y_b, prior))
        gaps.append(np.max(z[:3] / z_full[:3] - 1))
    assert gaps[0] > 0.1 and gaps[1] < gaps[0] / 100


# --- the peers ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_targets(tmp_path_factory) -> tuple[list[TargetSentences], LogOddsSettings]:
    """The compare stage's contrasts on the seed corpus: ingest and tag (all the vocabulary contrast
    reads) run in a temp copy, about 20 s, instead of every stage of the shared built_project."""
    from pipeline.cli import main

    tmp = tmp_path_factory.mktemp("peer_seeds")
    shutil.copytree(ROOT / "corpus", tmp / "corpus")
    shutil.copy(ROOT / "params.yaml", tmp / "params.yaml")
    for stage in ("ingest", "tag"):
        assert main(["--params", str(tmp / "params.yaml"), stage]) == 0, stage
    data = {
        name: pd.read_parquet(tmp / f"outputs/data/{name}.parquet") for name in ("documents", "sentences", "mentions")
    }
    return target_sentences(**data), LogOddsSettings.from_params(tmp / "params.yaml")


@pytest.fixture(scope="module")
def peers(request) -> dict:
    """One call of the peers' process (their imports take seconds) for the hand example and the
    seeds; skips, saying why, where the peers' venv or packages are missing."""
    if not peer_python().exists():
        pytest.skip(
            f"peer tools not installed: no {peer_python()}; `make peers` creates .venv-peers with "
            "scattertext and convokit (benchmarks/peers/requirements.txt)"
        )
    tiny = prepare([tiny_corpus()], TINY_SETTINGS, variants=False)
    seeds = prepare(*request.getfixturevalue("seed_targets"), variants=True)
    try:
        answer = run_peers([tiny.request, seeds.request])
    except PeersUnavailable as error:
        pytest.skip(f"peer tools not usable: {error}")
    return {"tiny": answer["responses"][0]["targets"][0], "seeds": summarise(seeds, answer["responses"][1])}


def test_peers_on_the_hand_example(peers):
    theirs = peers["tiny"]
    assert all(theirs["checks"].values()), theirs["checks"]
    full = np.add(HAND_VARIANCE_MCQ, HAND_VARIANCE_EXTRA)
    np.testing.assert_allclose(
        theirs["scores"]["A"]["convokit"], np.divide(HAND_LOG_ODDS, np.sqrt(HAND_VARIANCE_MCQ)), rtol=1e-9
    )
    np.testing.assert_allclose(theirs["scores"]["A"]["scattertext"], np.divide(HAND_LOG_ODDS, np.sqrt(full)), rtol=1e-9)


def test_the_scores_compared_are_the_compare_stages(seed_targets):
    """Our side of the cross-check scores every term; the stage's contrast_terms shows the top ones:
    their z must be the same numbers, so the peers are compared with what the pipeline reports."""
    targets, settings = seed_targets
    for data in targets:
        counted = count_target(data, settings)
        table = stage_top_terms(data, settings)
        # an origin whose terms all stay under the z floor (MIN_Z) shows none; the others must be there
        assert set(table["author_origin"]) <= set(data.origins) and not table.empty
        for origin, shown in table.groupby("author_origin"):
            z = dict(zip(counted.terms, our_scores(counted, origin, 0.1)["z"]))
            np.testing.assert_allclose(shown["z"], [z[t] for t in shown["term"]], rtol=1e-12)


def test_peers_count_exactly_what_we_count(peers):
    for target, checks in peers["seeds"]["checks"].items():
        assert all(checks.values()), (target, checks)


def test_every_seed_contrast_is_compared(peers, seed_targets):
    targets, _ = seed_targets
    expected = {(t.target, o) for t in targets for o in t.origins}
    assert {(c["target"], c["origin"]) for c in peers["seeds"]["contrasts"]} == expected
    assert len(expected) >= 4  # two targets, at least two origins each in the seeds


def test_where_the_methods_coincide_the_scores_agree(peers):
    for contrast in peers["seeds"]["contrasts"]:
        for pair in SAME_FORMULA:
            result = contrast["pairs"][pair]
            where = (contrast["target"], contrast["origin"], pair)
            assert result["spearman"] >= 0.95, where
            assert result["max_abs_diff"] < 1e-9, where  # not merely ranked alike: the same numbers
            assert result["top_k_same_order"], where


def test_scattertexts_variance_changes_ranks_little_and_convokits_default_prior_a_lot(peers):
    """The deliberate differences, measured: the extra variance terms move no term in or out of a
    top-12 list; a constant prior of 0.1 instead of corpus frequencies reorders the vocabulary."""
    variance = [c["pairs"]["z vs scattertext"] for c in peers["seeds"]["contrasts"]]
    prior = [c["pairs"]["z vs convokit_uniform_prior"] for c in peers["seeds"]["contrasts"]]
    assert min(r["spearman"] for r in variance) >= 0.95
    assert all(r["top_k_overlap"] == 1.0 for r in variance)
    assert min(r["spearman"] for r in prior) < 0.95
