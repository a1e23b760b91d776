"""The experiment-only classifiers of issue #14 (benchmarks/experiments/): learned layers on the role signals,
stacking, the rule-6 context rule, opinion words, per-target priors, the fine-tuned cross-encoder (on a tiny BERT
built here), and the harness that scores variants by nested leave-one-document-out and compares them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from stance_data import NEUTRAL_BOTH, make_units
from transformers import BertConfig, BertModel, BertTokenizer

from benchmarks.experiments.cross_encoder import CrossEncoderStance
from benchmarks.experiments.rule_variants import RoleContextRule
from benchmarks.experiments.stacked import StackedStance
from benchmarks.experiments.two_step import SignalLR, TwoStepStance
from pipeline.classifiers.base import alias_rows
from pipeline.classifiers.roles import RoleStance
from pipeline.classifiers.selection import NestedSelect
from pipeline.paths import LABELS


@pytest.fixture(scope="module")
def fixture_units(params):
    return make_units(params)


def _learners(params):
    aliases = alias_rows(params.aliases())
    return [
        SignalLR(aliases, use_context=True, C=0.3),
        TwoStepStance(aliases, use_context=True),
        TwoStepStance(aliases, use_context=False, direction="rules", polar_features="summed"),
        NestedSelect((("weak", SignalLR(aliases, C=0.001)), ("strong", SignalLR(aliases, C=1.0)))),
        StackedStance((("roles", RoleStance(aliases)), ("lr", SignalLR(aliases))), combiner="lr"),
        StackedStance((("roles", RoleStance(aliases)), ("lr", SignalLR(aliases))), combiner="weights"),
    ]


@pytest.mark.parametrize("index", range(6))
def test_learned_layers_give_deterministic_distributions_in_label_order(params, fixture_units, index):
    model = _learners(params)[index]
    train = fixture_units[fixture_units["doc_id"] != "doc-d"].reset_index(drop=True)
    test = fixture_units[fixture_units["doc_id"] == "doc-d"].reset_index(drop=True)
    first = model.fit(train, train["label"]).predict_proba(test)
    again = _learners(params)[index].fit(train, train["label"]).predict_proba(test)
    assert first.shape == (len(test), len(LABELS))
    np.testing.assert_allclose(first.sum(axis=1), 1.0)
    np.testing.assert_array_equal(first, again)
    assert (model.predict(test) == test["label"]).mean() >= 0.7  # the fixture's patterns are obvious


WORDS = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "[MASK]",
    "russia",
    "ukraine",
    "japan",
    "aid",
    "sent",
    "brutal",
    "attack",
    "by",
    "to",
    "[",
    "]",
    "{",
    "}",
    ".",
    "on",
]


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny_bert")
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(WORDS),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
    )
    BertModel(config).save_pretrained(path)
    BertTokenizer(vocab={w: i for i, w in enumerate(WORDS)}).save_pretrained(path)
    return path


def test_cross_encoder_fits_deterministically_and_learns(params, tiny_bert):
    texts = ["Japan sent aid to Ukraine.", "A brutal attack by Russia."] * 8
    units = make_units(
        params, [(f"d{i % 3}", t, {"russia": "against", "ukraine": "favor"}) for i, t in enumerate(texts)]
    )
    kwargs = {
        "model": str(tiny_bert),
        "aliases": alias_rows(params.aliases()),
        "epochs": 30,
        "learning_rate": 1e-2,
        "batch_size": 8,
        "trainable_layers": 1,
        "threads": 1,
        "seed": 3,
    }
    first = CrossEncoderStance(**kwargs).fit(units, units["label"]).predict_proba(units)
    again = CrossEncoderStance(**kwargs).fit(units, units["label"]).predict_proba(units)
    assert first.shape == (len(units), 3)
    np.testing.assert_allclose(first.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(first, again)
    assert (np.asarray(LABELS)[first.argmax(axis=1)] == units["label"]).all()


def test_opinion_words_extend_the_evaluative_cues(params):
    pytest.importorskip("vaderSentiment")
    from benchmarks.experiments.opinion import opinion_words
    from benchmarks.experiments.rule_variants import OpinionRoleStance

    words = dict(opinion_words())
    assert words["outrageous"] == -1.0 and "war" not in words and "crisis" not in words
    units = make_units(params, [("d", "Russia behaved in an appalling way.", NEUTRAL_BOTH)])
    aliases = alias_rows(params.aliases())
    assert RoleStance(aliases).fit(units).predict(units)[0] == "neutral"
    assert OpinionRoleStance(aliases, opinion=opinion_words()).fit(units).predict(units)[0] == "against"


def _data_dir(tmp_path, params):
    """sentences / mentions / documents.parquet of the fixture corpus (two paragraphs per document)."""
    from stance_data import labelled_sentences

    from pipeline.nlp.mentions import MentionFinder
    from pipeline.text import sentence_key

    finder, sentences, mentions, texts = MentionFinder(params.aliases()), [], [], {}
    for doc_id, text, _ in labelled_sentences():
        body = texts.get(doc_id, "")
        start = len(body) + (2 if body else 0)
        texts[doc_id] = f"{body}\n\n{text}" if body else text
        sent_id = sum(1 for s in sentences if s[0] == doc_id)
        sentences.append((doc_id, sent_id, start, start + len(text), sentence_key(text), text))
        mentions += [
            (doc_id, sent_id, m.target, m.alias, m.kind, start + m.start, start + m.end, m.text)
            for m in finder.find(text)
        ]
    folder = tmp_path / "data"
    folder.mkdir()
    pd.DataFrame(sentences, columns=["doc_id", "sent_id", "start_char", "end_char", "sent_key", "text"]).to_parquet(
        folder / "sentences.parquet"
    )
    pd.DataFrame(
        mentions, columns=["doc_id", "sent_id", "target", "alias", "alias_kind", "start_char", "end_char", "text"]
    ).to_parquet(folder / "mentions.parquet")
    pd.DataFrame({"doc_id": list(texts), "text": list(texts.values())}).to_parquet(folder / "documents.parquet")
    return folder


def test_harness_scores_a_v2_gold_in_both_readings(params, tmp_path, monkeypatch):
    from benchmarks.experiments import run_models

    units = make_units(params)
    gold = units[["doc_id", "sent_key", "target", "label"]].copy()
    gold["basis"] = np.where(gold["label"] == "neutral", "text", np.where(np.arange(len(gold)) % 3, "text", "context"))
    gold.to_csv(tmp_path / "gold_v2.csv", index=False)
    monkeypatch.chdir(Path(__file__).resolve().parents[1])  # params.yaml of the project
    out = tmp_path / "out"
    assert (
        run_models.main(
            [
                "--gold",
                str(tmp_path / "gold_v2.csv"),
                "--data",
                str(_data_dir(tmp_path, params)),
                "--out",
                str(out),
                "--variants",
                "lexicon",
                "roles",
                "--reading",
                "both",
                "--no-determinism",
            ]
        )
        == 0
    )
    table = pd.read_csv(out / "results.csv")
    assert sorted(zip(table["reading"], table["variant"])) == [
        ("full", "lexicon"),
        ("full", "roles"),
        ("local", "lexicon"),
        ("local", "roles"),
    ]
    full = table[table["reading"] == "full"]
    assert full["recall_context_basis"].notna().all() and full["macro_f1_mean"].between(0, 1).all()
    assert "spec v2" in (out / "results.md").read_text(encoding="utf-8")


def test_context_rule_lets_a_bare_report_take_its_paragraphs_direction(params):
    rows = [
        ("d", "Japan must toughen its sanctions on Russia after the brutal aggression.", NEUTRAL_BOTH),
        ("d", "Japan froze the assets of Russian banks in March.", NEUTRAL_BOTH),
        ("e", "Japan froze the assets of Russian banks in March.", NEUTRAL_BOTH),
    ]
    units = make_units(params, rows)
    aliases = alias_rows(params.aliases())
    plain = RoleStance(aliases).fit(units).predict(units)
    with_context = RoleContextRule(aliases).fit(units).predict(units)
    assert plain.tolist() == ["against", "neutral", "neutral"]
    assert with_context.tolist() == ["against", "against", "neutral"]  # document e evaluates nothing


def test_prior_shift_moves_a_tiny_class_boundary_chosen_on_training_documents(params):
    from benchmarks.experiments.priors import PriorShift, best_offsets, shifted

    # a scorer that always underrates `against`: its best offset raises it, and the shift is a proper distribution
    labels = np.array(["against"] * 3 + ["neutral"] * 7)
    proba = np.tile([0.3, 0.1, 0.6], (10, 1))
    proba[:3] = [0.45, 0.05, 0.5]
    against, favor = best_offsets(labels, proba)
    assert against > 0 and favor == 0.0
    np.testing.assert_allclose(shifted(proba, np.array([against, favor])).sum(axis=1), 1.0)
    units = make_units(params)
    model = PriorShift(RoleStance(alias_rows(params.aliases()))).fit(units, units["label"])
    assert set(model.offsets_) == {"russia", "ukraine"}
    np.testing.assert_allclose(model.predict_proba(units).sum(axis=1), 1.0)
    assert (model.predict(units) == units["label"]).mean() >= 0.7


def test_paired_bootstrap_interval_of_a_difference():
    from benchmarks.experiments.paired import paired_bootstrap

    gold = np.array(["against", "favor", "neutral"] * 20)
    targets = np.array(["russia", "ukraine"] * 30)
    same = paired_bootstrap(gold, gold, gold, targets, resamples=200, seed=1)
    assert same["difference"] == 0.0 and same["low"] == same["high"] == 0.0
    worse = np.where(np.arange(60) % 4 == 0, "neutral", gold)
    better = paired_bootstrap(gold, gold, worse, targets, resamples=200, seed=1)
    assert better["difference"] > 0 and 0 < better["low"] <= better["difference"] <= better["high"]
    assert better == paired_bootstrap(gold, gold, worse, targets, resamples=200, seed=1)  # seeded
