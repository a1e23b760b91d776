"""The model card states the committed evaluation, and `auto` follows the evaluate stage."""

import json

import pytest
from conftest import ROOT
from stance_data import params_with

from pipeline.classifiers.training import resolve_classifier
from pipeline.evaluation.card import CardError, blocks_in, refreshed, render_blocks


def test_model_card_matches_the_committed_metrics():
    metrics = json.loads((ROOT / "outputs/tables/evaluate/eval_scores.json").read_text(encoding="utf-8"))
    card = (ROOT / "docs/model-card.md").read_text(encoding="utf-8")
    assert f"Chosen default: `{metrics['selected']}`" in card
    for name, scores in metrics["classifiers"].items():
        row = next(
            (line for line in card.splitlines() if line.startswith(f"| {name} ") or line.startswith(f"| **{name}**")),
            None,
        )
        assert row is not None, f"model card has no results row for {name}"
        assert f"{scores['macro_f1']['mean_over_targets']:.3f}" in row, f"{name}: card out of date"


def test_generated_blocks_match_the_committed_outputs(params):
    """Every table of numbers in the card is generated; refresh with `python -m pipeline.evaluation.card`."""
    card = (ROOT / "docs/model-card.md").read_text(encoding="utf-8")
    expected = render_blocks(ROOT, params.targets)
    found = blocks_in(card)
    assert set(found) == set(expected)
    stale = [name for name in expected if found[name] != expected[name]]
    assert not stale, f"model card blocks {stale} are stale: run `python -m pipeline.evaluation.card`"


def test_refreshing_replaces_only_the_blocks_and_refuses_unknown_ones():
    card = "intro\n<!-- generated: a -->\nold\n<!-- end generated: a -->\noutro\n"
    assert refreshed(card, {"a": "new"}) == "intro\n<!-- generated: a -->\nnew\n<!-- end generated: a -->\noutro\n"
    with pytest.raises(CardError, match="differ from the renderer"):
        refreshed(card, {"a": "new", "b": "x"})


def test_auto_resolves_to_the_evaluate_stage_choice(params, tmp_path):
    assert resolve_classifier(params_with(params, **{"stance.classifier": "linear"})) == "linear"
    auto = params_with(params, root=tmp_path, **{"stance.classifier": "auto"})
    with pytest.raises(FileNotFoundError, match="evaluate stage has not run"):
        resolve_classifier(auto)
    (tmp_path / "outputs/metrics").mkdir(parents=True)
    (tmp_path / "outputs/metrics/evaluate.json").write_text(json.dumps({"selected": "embedding"}))
    assert resolve_classifier(auto) == "embedding"
