"""The classifiers of issue #14 as plugins: found by name, settings typed and checked, the label definition
taken from the gold, and the sensitivity and per-basis scores the evaluate stage reports about them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stance_data import params_with

from pipeline.classifiers import available, check_settings, label_spec, make_classifier
from pipeline.classifiers.llm import LLMStance
from pipeline.classifiers.propagation import ContextPropagation
from pipeline.classifiers.roles import RoleStance
from pipeline.classifiers.selection import NestedSelect
from pipeline.evaluation.scoring import recall_by_basis
from pipeline.evaluation.sensitivity import GOLD, sensitivity_summary, sensitivity_table
from pipeline.paths import GOLD as GOLD_FILE
from pipeline.validation import ConfigError


def test_the_new_classifiers_are_registered_by_name(params):
    assert {"roles", "propagation", "llm"} <= set(available())
    roles = make_classifier("roles", params)
    assert isinstance(roles, NestedSelect)
    assert [name for name, _ in roles.candidates] == [f"neutral_bias={b}" for b in (0.2, 0.35, 0.5, 0.8)]
    assert all(isinstance(c, RoleStance) and c.aliases for _, c in roles.candidates)
    propagation = make_classifier("propagation", params)
    assert isinstance(propagation, ContextPropagation)
    assert (propagation.neutral_bias, propagation.C, propagation.direction) == (0.5, 1.0, "learned")
    with pytest.raises(ConfigError, match="classifiers.llm.model is not set"):
        make_classifier("llm", params)  # the project ships without a model


def test_one_neutral_bias_needs_no_gold_and_settings_are_typed(params):
    single = make_classifier("roles", params_with(params, **{"classifiers.roles": {"neutral_bias": [0.5]}}))
    assert isinstance(single, RoleStance) and not single.needs_labels
    bad = [
        ("classifiers.roles", {"neutral_bias": "high"}, "classifiers.roles.neutral_bias"),
        ("classifiers.roles", {"neutral_bias": []}, "classifiers.roles.neutral_bias"),
        ("classifiers.propagation", {"C": 0}, "classifiers.propagation.C"),
        ("classifiers.propagation", {"C": 1.0, "direction": "guide"}, "classifiers.propagation.direction"),
        ("classifiers.llm", {"max_concurrency": "4"}, "classifiers.llm.max_concurrency"),
    ]
    for section, value, key in bad:
        wrong = params_with(params, **{section: value})
        with pytest.raises(ConfigError, match=key):
            check_settings(wrong, [], "evaluate.classifiers")


def test_the_label_definition_follows_the_gold(params, tmp_path):
    assert label_spec(tmp_path / "none.parquet") == "v2"  # no gold: the spec in force
    v1, v2 = tmp_path / "v1.parquet", tmp_path / "v2.parquet"
    unit = {"doc_id": ["d"], "sent_key": ["k"], "target": ["russia"], "label": ["neutral"]}
    pd.DataFrame(unit).to_parquet(v1)
    pd.DataFrame({**unit, "basis": ["text"]}).to_parquet(v2)
    assert (label_spec(v1), label_spec(v2)) == ("v1", "v2")
    (tmp_path / GOLD_FILE).parent.mkdir(parents=True)
    v1.replace(tmp_path / GOLD_FILE)
    roles = make_classifier("roles", params_with(params, root=tmp_path))
    assert not any(c.aid_is_favor for _, c in roles.candidates)  # guide v1: a record of aid is neutral
    assert make_classifier("propagation", params).aid_is_favor == (label_spec(params.root / GOLD_FILE) == "v2")


def oof_rows(classifier: str, rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """Out-of-fold rows (doc_id, target, gold label, predicted label) of one classifier."""
    frame = pd.DataFrame(rows, columns=["doc_id", "target", "label", "predicted"])
    return frame.assign(classifier=classifier, sent_id=range(len(frame)))


def test_sensitivity_puts_each_groups_net_index_under_gold_beside_every_classifier():
    documents = pd.DataFrame({"doc_id": ["a", "b", "c"], "author_origin": ["X", "X", "Y"]})
    gold = [("a", "russia", "against"), ("a", "russia", "neutral"), ("b", "russia", "favor"), ("c", "russia", "favor")]
    calls = {  # predicted labels, unit by unit
        "agrees": ["against", "neutral", "favor", "favor"],
        "flips": ["favor", "neutral", "favor", "neutral"],
    }
    oof = pd.concat(
        [oof_rows(name, [(d, t, g, p) for (d, t, g), p in zip(gold, predicted)]) for name, predicted in calls.items()]
    )
    table = sensitivity_table(oof, documents, list(calls)).set_index("author_origin")
    # X: document a has net (0 - 1) / 2 = -0.5, document b +1; each document counts once: mean +0.25
    assert table.loc["X", GOLD] == pytest.approx(0.25) and table.loc["Y", GOLD] == pytest.approx(1.0)
    assert table.loc["X", "agrees"] == pytest.approx(0.25)
    assert table.loc["X", "flips"] == pytest.approx(0.75) and table.loc["Y", "flips"] == pytest.approx(0.0)
    assert (table.loc["X", "n_docs"], table.loc["X", "n_units"]) == (2, 3)
    assert table["sign_differs"].tolist() == ["", "flips"]  # Y: 0 is not the sign of +1
    assert table.loc["Y", "max_abs_diff"] == pytest.approx(1.0)
    assert sensitivity_summary(table.reset_index(), "flips") == {"cells": 2, "sign_differs": 1, "max_abs_diff": 1.0}
    assert sensitivity_summary(table.reset_index(), "agrees")["sign_differs"] == 0


def test_recall_is_reported_per_gold_basis():
    frame = pd.DataFrame(
        {
            "label": ["favor", "favor", "against", "neutral", "favor"],
            "predicted": ["favor", "neutral", "against", "favor", "neutral"],
        }
    )
    basis = pd.Series(["text", "text", "context", "text", "context"], index=np.arange(10, 15))
    out = recall_by_basis(frame, basis)
    assert out["text"] == {"recall": 0.5, "n_polar": 2}  # the neutral unit is not polar
    assert out["context"] == {"recall": 0.5, "n_polar": 2}
    assert recall_by_basis(frame.iloc[3:4], basis.iloc[3:4])["context"] == {"recall": None, "n_polar": 0}


def test_llm_is_a_zero_shot_classifier_bound_to_its_section(params, tmp_path):
    settings = {"base_url": "http://127.0.0.1:9/v1", "model": "m", "timeout_s": 5}
    llm = make_classifier("llm", params_with(params, root=tmp_path, **{"classifiers.llm": settings}))
    assert isinstance(llm, LLMStance) and not llm.needs_labels
    assert (llm.root, llm.timeout_s, llm.max_concurrency) == (str(tmp_path), 5, 4)
