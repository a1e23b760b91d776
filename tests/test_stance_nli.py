"""The zero-shot NLI classifier, run for real on a tiny NLI-shaped model built here."""

import numpy as np
import pandas as pd
import pytest
import torch
from stance_data import params_with
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    BertConfig,
    BertForSequenceClassification,
    BertTokenizer,
)

from pipeline.classifiers import make_classifier
from pipeline.classifiers.hf import ModelLoadError
from pipeline.classifiers.nli import NLIModelError, zero_shot_pipeline
from pipeline.params import ConfigError
from pipeline.paths import LABELS

WORDS = (
    "[PAD] [UNK] [CLS] [SEP] [MASK] the author is critical of sympathetic to neutral about russia "
    "ukraine japan aid sent brutal attack by . on a"
).split()
NLI_LABELS = {0: "contradiction", 1: "neutral", 2: "entailment"}


def tiny_model(path, id2label):
    """A randomly initialised 1-layer BERT with an NLI-style (or other) label set, saved to ``path``."""
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(WORDS),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        initializer_range=1.0,
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )
    BertForSequenceClassification(config).save_pretrained(path)
    BertTokenizer(vocab={w: i for i, w in enumerate(WORDS)}).save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def nli_dir(tmp_path_factory):
    return tiny_model(tmp_path_factory.mktemp("tiny_nli"), NLI_LABELS)


@pytest.fixture()
def units():
    return pd.DataFrame(
        {
            "doc_id": ["a", "a", "b"],
            "text": ["Japan sent aid to Ukraine.", "A brutal attack by Russia.", "Russia on Ukraine."],
            "target": ["ukraine", "russia", "russia"],
            "mention_starts": [[19], [20], [0]],
            "mention_ends": [[26], [26], [6]],
        }
    )


def test_nli_scores_are_the_entailment_softmax_over_hypotheses(params, nli_dir, units):
    clf = make_classifier("nli", params_with(params, **{"classifiers.nli.model": str(nli_dir)}))
    proba = clf.fit(units).predict_proba(units)
    assert proba.shape == (3, 3) and np.allclose(proba.sum(axis=1), 1.0)

    # the same numbers by hand: entailment logit (id 2) of each (sentence, hypothesis) pair
    tokenizer = AutoTokenizer.from_pretrained(nli_dir)
    model = AutoModelForSequenceClassification.from_pretrained(nli_dir).eval()
    hypotheses = params.classifiers["nli"]["hypotheses"]
    for row, (text, target) in enumerate(zip(units["text"], units["target"])):
        pairs = [hypotheses[target][label] for label in LABELS]
        enc = tokenizer([text] * 3, pairs, return_tensors="pt", padding=True)
        with torch.inference_mode():
            logits = model(**enc).logits[:, 2]
        assert np.allclose(proba[row], torch.softmax(logits, dim=0).numpy(), atol=1e-5)
    assert proba[0].max() - proba[0].min() > 0.01  # the model's scores, not a uniform fallback


def test_model_without_entailment_label_is_refused(params, tmp_path, units):
    plain = tiny_model(tmp_path / "plain", {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
    clf = make_classifier("nli", params_with(params, **{"classifiers.nli.model": str(plain)}))
    with pytest.raises(NLIModelError, match="need exactly one entailment label"):
        clf.fit(units)
    with pytest.raises(NLIModelError):
        zero_shot_pipeline(str(plain), str(tmp_path))


def test_nli_config_errors(params, tmp_path):
    with pytest.raises(ConfigError, match="classifiers.nli.model is not set"):
        make_classifier("nli", params)
    broken = params_with(
        params, **{"classifiers.nli.model": "x", "classifiers.nli.hypotheses.ukraine": {"favor": "yes"}}
    )
    with pytest.raises(ConfigError, match=r"classifiers.nli.hypotheses.ukraine.against is missing"):
        make_classifier("nli", broken)
    missing = make_classifier("nli", params_with(params, root=tmp_path, **{"classifiers.nli.model": "no/such-model"}))
    with pytest.raises(ModelLoadError, match="classifiers.nli.model 'no/such-model' could not be loaded"):
        missing.fit(pd.DataFrame({"text": ["a"], "target": ["russia"]}))
