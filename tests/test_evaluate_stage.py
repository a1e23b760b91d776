"""The evaluate, train and stance stages end to end on a small project, and the metrics."""

import json

import numpy as np
import pandas as pd
import pytest
from conftest import make_project, write_census_pass
from stance_data import labelled_sentences

from pipeline import io
from pipeline.annotation.gold import attach_gold, read_gold
from pipeline.classifiers.persist import ModelMismatchError
from pipeline.classifiers.training import gold_units
from pipeline.evaluation.metrics import brier, document_weighted_shares, expected_calibration_error, reliability
from pipeline.nlp.units import stance_units
from pipeline.paths import DOCUMENTS, KEY, MENTIONS, SENTENCES
from pipeline.paths import OOF_STANCES as OOF
from pipeline.stages import evaluate, ingest, stance, tag, train

ORIGIN = {"doc-a": "Ukrainian", "doc-b": "Russian", "doc-c": "Indian", "doc-d": "Indian"}


def write_gold(params, label_of):
    """A census pass labelling every unit but doc-new's, and the gold stage run on it; STANCE-SPEC v2 shape:
    every polar label of a sentence with "aid" has basis context."""
    units = stance_units(*(io.read_parquet(params.root / p) for p in (SENTENCES, MENTIONS, DOCUMENTS)))
    units = units[units["doc_id"] != "doc-new"]
    labels = [label_of[(t, g)] for t, g in zip(units["text"], units["target"])]
    basis = [
        "context" if label != "neutral" and "aid" in text else "text" for text, label in zip(units["text"], labels)
    ]
    return write_census_pass(params, labels, units, basis=basis)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    rows = labelled_sentences()
    docs = {d: (ORIGIN[d], "\n\n".join(t for doc, t, _ in rows if doc == d)) for d in ORIGIN}
    docs["doc-new"] = ("Indian", "Russia's brutal aggression alarmed everyone.\n\nUkraine received generous aid.")
    params = make_project(
        tmp_path_factory.mktemp("evaluate"),
        docs,
        **{
            "stance.classifier": "auto",
            "evaluate.classifiers": ["lexicon", "roles", "propagation"],
            "report.formats": ["png"],
            "report.embed": "png",
            "report.dpi": 60,
        },
    )
    ingest.run(params)
    tag.run(params)
    label_of = {(text, target): label for _, text, labels in rows for target, label in labels.items()}
    write_gold(params, label_of)
    evaluate.run(params)
    train.run(params)
    stance.run(params)
    return params, label_of


def test_gold_units_from_the_gold_documents_alone_equal_the_gold_rows_of_every_unit(project):
    params, _ = project
    everything = stance_units(*(io.read_parquet(params.root / p) for p in (SENTENCES, MENTIONS, DOCUMENTS)))
    expected = attach_gold(everything, read_gold(params.root), reading=params.stance.basis)
    labelled = gold_units(params)
    assert "doc-new" in set(everything["doc_id"]) and "doc-new" not in set(labelled["doc_id"])
    pd.testing.assert_frame_equal(labelled, expected.sort_values(KEY).reset_index(drop=True))


def test_evaluate_writes_scores_for_every_classifier(project):
    params, _ = project
    metrics = json.loads((params.root / "outputs/tables/evaluate/eval_scores.json").read_text())
    assert set(metrics["classifiers"]) == {"lexicon", "roles", "propagation"}
    assert metrics["n_documents"] == 4 and metrics["reading"] == "full"
    gold = read_gold(params.root)
    assert metrics["gold_basis"] == {b: int((gold["basis"] == b).sum()) for b in ("text", "context")}
    polar = gold[gold["label"] != "neutral"]
    assert metrics["gold_basis"]["context"] > 0
    best = max(metrics["classifiers"], key=lambda n: metrics["classifiers"][n]["macro_f1"]["mean_over_targets"])
    assert metrics["selected"] == best
    headline = json.loads((params.root / "outputs/metrics/evaluate.json").read_text())
    assert headline["selected"] == best and headline["n_documents"] == 4 and len(headline) <= 13
    assert headline["macro_f1"] == metrics["classifiers"][best]["macro_f1"]["mean_over_targets"]
    runner_up = max(
        set(metrics["classifiers"]) - {best}, key=lambda n: metrics["classifiers"][n]["macro_f1"]["mean_over_targets"]
    )
    assert headline["runner_up"] == runner_up
    for scores in metrics["classifiers"].values():
        assert 0 <= scores["macro_f1"]["russia"] <= 1 and 0 <= scores["ece"] <= 1
        assert set(scores["per_class"]["russia"]) == {"against", "favor", "neutral"}
        assert {b: r["n_polar"] for b, r in scores["recall_by_basis"].items()} == {
            b: int((polar["basis"] == b).sum()) for b in ("text", "context")
        }
        assert scores["sensitivity"]["cells"] == 6
    shares = pd.read_csv(params.root / "outputs/tables/evaluate/eval_shares.csv")
    assert set(shares["author_origin"]) == {"Ukrainian", "Russian", "Indian"}
    assert np.allclose(shares.groupby(["classifier", "author_origin", "target"])["gold_share"].sum(), 1.0)
    summary = pd.read_csv(params.root / "outputs/tables/evaluate/eval_classifiers.csv")
    assert {"recall_text_basis", "recall_context_basis", "net_index_sign_differs"} <= set(summary.columns)
    sensitivity = pd.read_csv(params.root / "outputs/tables/evaluate/sensitivity.csv", keep_default_na=False)
    assert list(sensitivity.columns[:5]) == ["author_origin", "target", "n_docs", "n_units", "gold"]
    assert list(sensitivity.columns[5:8]) == ["lexicon", "roles", "propagation"]
    gold_net = shares[shares["classifier"] == "lexicon"].pivot_table(
        index=["author_origin", "target"], columns="label", values="gold_share"
    )
    expected = (gold_net["favor"] - gold_net["against"]).rename("gold").reset_index()
    joined = sensitivity.merge(expected, on=["author_origin", "target"], suffixes=("", "_shares"))
    assert len(joined) == 6 and np.allclose(joined["gold"], joined["gold_shares"])
    assert "under the gold labels" in (params.root / "outputs/tables/evaluate/sensitivity.md").read_text()
    confusion = pd.read_csv(params.root / "outputs/plots/confusion/propagation_russia.csv")
    assert list(confusion.columns) == ["doc_id", "sent_id", "actual", "predicted"]


def test_stance_uses_oof_for_gold_documents_and_the_fitted_model_for_new_ones(project):
    params, _ = project
    stances = io.read_parquet(params.root / "outputs/data/stances.parquet")
    metrics = json.loads((params.root / "outputs/metrics/evaluate.json").read_text())
    assert set(stances["classifier"]) == {metrics["selected"]}
    new = stances[stances["doc_id"] == "doc-new"]
    assert set(new["prediction"]) == {"fit_on_all_gold"} and len(new) == 2
    assert set(stances.loc[stances["doc_id"] != "doc-new", "prediction"]) == {"out_of_fold"}
    oof = io.read_parquet(params.root / OOF)
    oof = oof[oof["classifier"] == metrics["selected"]]
    joined = stances.merge(oof, on=["doc_id", "sent_id", "target"], suffixes=("", "_oof"))
    assert len(joined) == len(stances) - len(new)
    assert np.allclose(joined["p_favor"], joined["p_favor_oof"])
    assert np.allclose(stances[["p_against", "p_favor", "p_neutral"]].sum(axis=1), 1.0)


def test_stored_probabilities_have_four_decimals(project):
    """Out-of-fold and stance probabilities (the fitted model's too) are stored rounded, so last-bit
    differences between CPUs' numeric kernels do not reach the files (docs/determinism.md)."""
    params, _ = project
    proba = ["p_against", "p_favor", "p_neutral"]
    stances = io.read_parquet(params.root / "outputs/data/stances.parquet")
    assert "fit_on_all_gold" in set(stances["prediction"])
    for frame in (io.read_parquet(params.root / OOF), stances):
        values = frame[proba].to_numpy()
        assert np.array_equal(values, np.round(values, 4))
        assert not np.array_equal(values, np.round(values, 3))  # rounded, not coarser


def test_stance_refuses_a_model_fitted_on_other_labels(project):
    params, label_of = project
    changed = dict(label_of)
    key = next(k for k in changed if k[1] == "russia")
    changed[key] = "favor" if changed[key] != "favor" else "neutral"
    try:
        write_gold(params, changed)
        with pytest.raises(ModelMismatchError, match="fitted on other training data or params"):
            stance.run(params)
    finally:
        write_gold(params, label_of)


def test_calibration_and_brier_on_known_values():
    gold = ["favor", "favor", "against", "neutral"]
    perfect = np.array([[0, 1, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]], dtype=float)
    assert brier(gold, perfect) == 0.0
    assert expected_calibration_error(gold, perfect, 10) == 0.0
    uniform = np.full((4, 3), 1 / 3)
    assert brier(gold, uniform) == pytest.approx(2 / 3)
    # confidence 0.9 everywhere, half right: ECE 0.4
    half = np.array([[0.05, 0.9, 0.05]] * 4)
    assert expected_calibration_error(["favor", "against", "favor", "neutral"], half, 10) == pytest.approx(0.4)
    table = reliability(gold, half, 10)
    assert table["n"].sum() == 4 and table.loc[table["n"] > 0, "bin_high"].item() == pytest.approx(0.9)


def test_shares_weight_each_document_once():
    # doc x: 1 unit against; doc y: 3 units favor -> group share 0.5 / 0.5, not 0.25 / 0.75
    frame = pd.DataFrame(
        {
            "author_origin": ["G"] * 4,
            "doc_id": ["x", "y", "y", "y"],
            "target": ["russia"] * 4,
            "label": ["against", "favor", "favor", "favor"],
        }
    )
    shares = document_weighted_shares(frame, "label").set_index("label")["share"]
    assert shares["against"] == pytest.approx(0.5) and shares["favor"] == pytest.approx(0.5)
    assert shares["neutral"] == 0.0


def test_selection_prefers_the_simpler_classifier_within_the_tolerance():
    from pipeline.stages.evaluate import select

    scores = {
        n: {"macro_f1": {"mean_over_targets": f}}
        for n, f in [("lexicon", 0.570), ("linear", 0.49), ("ensemble", 0.574)]
    }
    names = ["lexicon", "linear", "ensemble"]
    assert select(scores, names, tolerance=0.01) == "lexicon"
    assert select(scores, names, tolerance=0.0) == "ensemble"
    assert select(scores, names, tolerance=0.003) == "ensemble"
