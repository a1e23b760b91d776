"""Agreement between annotation passes: kappa and its interval, the sample design, guide quotes, the stage."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from pipeline import paths
from pipeline.annotation.gold import read_adjudication, read_passes
from pipeline.annotation.reliability import (
    AgreementError,
    _kappa_from_counts,
    adjudication_table,
    agreement_stats,
    guide_quotes,
    pair_passes,
    quoted_in_guide,
    second_pass_sample,
)
from pipeline.params import load_params
from pipeline.paths import LABELS
from pipeline.stages import agreement as agreement_stage
from pipeline.stages import ingest, tag

ROOT = Path(__file__).resolve().parents[1]
ANNOTATIONS = ROOT / "corpus" / "annotations"


def pairs_of(
    first: list[str], second: list[str], doc_ids: list[str] | None = None, targets: list[str] | None = None
) -> pd.DataFrame:
    n = len(first)
    return pd.DataFrame(
        {
            "doc_id": doc_ids or ["d"] * n,
            "sent_id": range(n),
            "target": targets or ["russia"] * n,
            "sent_key": [f"k{i}" for i in range(n)],
            "label_1": first,
            "label_2": second,
        }
    )


def test_kappa_on_a_worked_example():
    # observed agreement 3/4; chance (2·1 + 1·2 + 1·1)/16 = 5/16; kappa = (3/4 − 5/16)/(1 − 5/16) = 7/11
    stats = agreement_stats(
        pairs_of(["against", "against", "favor", "neutral"], ["against", "favor", "favor", "neutral"]),
        n_boot=500,
        level=0.95,
        seed=1,
    )
    assert stats["kappa"] == pytest.approx(7 / 11)
    assert stats["raw_agreement"] == pytest.approx(0.75)
    assert (stats["n_units"], stats["n_disagree"]) == (4, 1)
    assert -1 <= stats["kappa_ci_low"] <= stats["kappa"] <= stats["kappa_ci_high"] <= 1
    assert stats["raw_ci_low"] < 0.75 < stats["raw_ci_high"]


def test_bootstrap_kappa_agrees_with_sklearn_and_is_reproducible():
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 20, size=(50, 3, 3))
    for matrix in counts:
        y1 = np.repeat(np.repeat(np.arange(3), 3), matrix.ravel())
        y2 = np.repeat(np.tile(np.arange(3), 3), matrix.ravel())
        assert _kappa_from_counts(matrix) == pytest.approx(cohen_kappa_score(y1, y2))
    first = list(rng.choice(LABELS, 120))
    second = [label if rng.random() < 0.8 else rng.choice(LABELS) for label in first]
    pairs = pairs_of(first, second, doc_ids=["a", "b", "c"] * 40, targets=["russia", "ukraine"] * 60)
    one = agreement_stats(pairs, n_boot=1000, level=0.9, seed=3)
    assert one == agreement_stats(pairs, n_boot=1000, level=0.9, seed=3)
    assert one["kappa_ci_low"] < one["kappa"] < one["kappa_ci_high"]
    wider = agreement_stats(pairs, n_boot=1000, level=0.99, seed=3)
    assert wider["kappa_ci_low"] <= one["kappa_ci_low"] and wider["kappa_ci_high"] >= one["kappa_ci_high"]


def test_kappa_is_undefined_when_both_passes_use_one_label():
    stats = agreement_stats(pairs_of(["neutral"] * 5, ["neutral"] * 5), n_boot=100, level=0.95, seed=0)
    assert math.isnan(stats["kappa"]) and stats["n_boot_valid"] == 0
    assert stats["raw_agreement"] == 1.0


def test_second_pass_sample_reproduces_the_blind_pass():
    """pass2_C.csv is exactly the documented design drawn from the first-pass units."""
    first = read_passes(ANNOTATIONS, "pass1_*.csv")
    second = read_passes(ANNOTATIONS, "pass2_*.csv")
    params = load_params(ROOT / "params.yaml")
    sample = second_pass_sample(first, params.agreement.second_pass.share, params.agreement.second_pass.seed)
    key = ["doc_id", "sent_key", "target"]
    assert set(map(tuple, sample[key].to_numpy())) == set(map(tuple, second[key].to_numpy()))
    per_stratum = first.groupby(["doc_id", "target"]).size()
    drawn = sample.groupby(["doc_id", "target"]).size()
    assert (drawn == np.ceil(0.35 * per_stratum).astype(int)).all()
    assert len(second) / len(first) >= 0.30


def test_second_pass_sample_is_stratified_and_seeded():
    units = pd.DataFrame(
        {
            "doc_id": ["a"] * 10 + ["b"] * 3,
            "sent_id": list(range(10)) + list(range(3)),
            "target": "russia",
            "sent_key": [f"k{i}" for i in range(13)],
        }
    )
    s1 = second_pass_sample(units, 0.3, seed=5)
    assert s1.groupby("doc_id").size().to_dict() == {"a": 3, "b": 1}
    assert s1.equals(second_pass_sample(units.sample(frac=1, random_state=2), 0.3, seed=5))
    with pytest.raises(AgreementError, match="share must be in"):
        second_pass_sample(units, 0, seed=5)


def test_guide_quotes_match_whole_examples_not_cue_phrases():
    guide = (
        '| 002 | "Putin, however, has been reluctant ... talks have failed many times.[2]" | against | – |\n'
        'Cues: "Russia’s aggression", "so-called".\n'
        "## Revisions after the agreement study\n"
        '| 001 | "Japan is heavily dependent on imported energy." | neutral | – |\n'
    )
    quotes = guide_quotes(guide)
    assert quoted_in_guide(
        "Putin, however, has been reluctant to hand over the islands to Japan and that is the "
        "prime reason why talks have failed many times.",
        quotes,
    )
    assert not quoted_in_guide(
        "Since 2014, Russia's aggression against Ukraine has continued without pause "
        "and the so-called peace talks stalled.",
        quotes,
    )
    assert not quoted_in_guide("Japan is heavily dependent on imported energy.", quotes)  # written after the passes


def test_unmatched_second_pass_and_unadjudicated_disagreements_are_refused():
    first = pd.DataFrame(
        {
            "doc_id": ["d", "d"],
            "sent_id": [0, 1],
            "sent_key": ["k0", "k1"],
            "target": "russia",
            "sentence": ["a", "b"],
            "label": ["neutral", "favor"],
            "annotator": "A",
        }
    )
    second = first.assign(label=["against", "favor"], annotator="C")
    pairs = pair_passes(first, second)
    assert pairs["label_1"].tolist() == ["neutral", "favor"] and pairs["label_2"].tolist() == ["against", "favor"]
    adjudication = pd.DataFrame(
        columns=["doc_id", "sent_key", "target", "sent_id", "label_pass1", "label_pass2", "label", "rule"]
    )
    with pytest.raises(AgreementError, match=r"1 disagreement\(s\) .* not adjudicated.*neutral vs against"):
        adjudication_table(pairs, adjudication)
    decided = pd.DataFrame(
        [
            {
                "doc_id": "d",
                "sent_key": "k0",
                "target": "russia",
                "sent_id": "0",
                "label_pass1": "neutral",
                "label_pass2": "against",
                "label": "against",
                "rule": "R1",
            }
        ]
    )
    assert adjudication_table(pairs, decided)["reason"].tolist() == ["passes disagreed"]
    with pytest.raises(AgreementError, match="has no first-pass label"):
        pair_passes(first.iloc[:1], second)


@pytest.mark.slow
def test_agreement_stage_on_the_seed_corpus(tmp_path):
    """The real stage in a copy of the project: checks pass, outputs agree with a direct sklearn computation."""
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "annotation-guide.md", tmp_path / "docs" / "annotation-guide.md")
    params = load_params(tmp_path / "params.yaml")
    ingest.run(params)
    tag.run(params)
    agreement_stage.run(params)

    metrics = json.loads((tmp_path / paths.metrics("agreement")).read_text(encoding="utf-8"))
    first = read_passes(ANNOTATIONS, "pass1_*.csv")
    pairs = pair_passes(first, read_passes(ANNOTATIONS, "pass2_*.csv"))
    assert metrics["n_multiply_coded"] == len(pairs)
    assert metrics["kappa_label"] == pytest.approx(cohen_kappa_score(pairs["label_1"], pairs["label_2"]), abs=1e-4)
    assert metrics["kappa_label_low"] <= metrics["kappa_label"] <= metrics["kappa_label_high"]
    assert "model-based" in metrics["annotators"] and "not human coders" in metrics["annotators"]
    assert len(metrics) <= 12  # headline numbers; the agreement table holds per target and per document
    counts = pd.read_csv(tmp_path / paths.table("agreement", "gold_counts"))
    per_doc = counts[counts["doc_id"] != "all"]
    assert per_doc["n_units"].sum() == len(first) == metrics["n_gold_units"]
    assert (per_doc[list(LABELS)].sum(axis=1) == per_doc["n_units"]).all()
    adjudications = pd.read_csv(tmp_path / paths.table("agreement", "adjudications"))
    assert len(adjudications) == len(read_adjudication(ANNOTATIONS, first))
