"""Every classifier behind the common interface, on a small labelled fixture."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stance_data import BOTH, make_units, params_with

from pipeline.classifiers import make_classifier
from pipeline.classifiers.base import PROBA_DECIMALS, alias_rows, at_fixed_precision
from pipeline.classifiers.embedding import marked_texts
from pipeline.classifiers.ensemble import macro_f1_weights, simplex_grid
from pipeline.classifiers.features import finder_for, masked_texts
from pipeline.evaluation.metrics import mean_log_loss
from pipeline.params import ConfigError
from pipeline.paths import LABELS

HELD_OUT = "doc-d"


@pytest.fixture(scope="module")
def fast_params(params, tmp_path_factory):
    # embeddings cached under a temp folder, not the project's .cache
    return params_with(params, root=tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def units(params):
    return make_units(params)


def fit_and_score(name, params, units):
    train, test = units[units["doc_id"] != HELD_OUT], units[units["doc_id"] == HELD_OUT]
    clf = make_classifier(name, params).fit(train.reset_index(drop=True), train["label"])
    proba = clf.predict_proba(test.reset_index(drop=True))
    return clf, test, proba


@pytest.mark.parametrize("name", ["lexicon", "lexicon_calibrated", "linear", "embedding", "ensemble"])
def test_classifier_learns_obvious_pattern_on_a_held_out_document(name, fast_params, units):
    params = fast_params
    if name == "ensemble":
        params = params_with(fast_params, **{"classifiers.ensemble.members": ["lexicon", "linear", "embedding"]})
    clf, test, proba = fit_and_score(name, params, units)
    assert proba.shape == (len(test), len(LABELS))
    assert np.all(proba >= 0) and np.allclose(proba.sum(axis=1), 1.0)
    predicted = clf.predict(test.reset_index(drop=True))
    assert (predicted == test["label"].to_numpy()).mean() >= 0.75
    # target-aware: the held-out aggressor/victim sentence gets against Russia, favor Ukraine
    both = test["text"].isin(BOTH).to_numpy()
    got = sorted(zip(test["target"].to_numpy()[both], predicted[both]))
    assert got == [("russia", "against"), ("ukraine", "favor")]


def test_lexicon_roles_and_target_cues(params):
    lexicon = make_classifier("lexicon", params)
    text = "Russia's invasion of Ukraine and the reunification of Crimea with Russia."
    finder = finder_for(alias_rows(params.aliases()))
    spans = {t: [(m.start, m.end) for m in finder.find(text) if m.target == t] for t in ("russia", "ukraine")}
    russia = lexicon.votes(text, *zip(*spans["russia"]), target="russia")
    ukraine = lexicon.votes(text, *zip(*spans["ukraine"]), target="ukraine")
    assert "invasion-" in russia.cues and "reunification+" in russia.cues
    assert "invasion+" in ukraine.cues and "reunification-" in ukraine.cues
    # a hyphen compound does not hide the cue: "Russian-occupied" -> Russia as occupier
    occupied = "the Russian-occupied territories"
    assert lexicon.votes(occupied, [4], [11], target="russia").cues == ("occupied-",)


def test_masking_marks_own_and_other_target(params, units):
    text = "Russia's brutal invasion of Ukraine shocked Japan."
    row = units[(units["text"] == text) & (units["target"] == "ukraine")]
    finder = finder_for(alias_rows(params.aliases()))
    assert masked_texts(row, finder) == ["OTHERX's brutal invasion of TARGETX shocked Japan."]
    assert marked_texts(row, alias_rows(params.aliases()), ["[", "]", "{", "}"]) == [
        "{Russia}'s brutal invasion of [Ukraine] shocked Japan."
    ]


def test_learned_classifiers_need_labels(fast_params, units):
    for name in ("lexicon_calibrated", "linear", "embedding", "ensemble"):
        with pytest.raises(ValueError, match="needs gold labels"):
            make_classifier(name, fast_params).fit(units)


def test_unknown_label_and_bad_ensemble_config(params, units):
    with pytest.raises(ValueError, match=r"unknown stance label\(s\) \['pro'\]"):
        make_classifier("linear", params).fit(units, ["pro"] * len(units))
    with pytest.raises(ConfigError, match="classifiers.ensemble.members"):
        make_classifier("ensemble", params_with(params, **{"classifiers.ensemble.members": ["ensemble"]}))
    with pytest.raises(ConfigError, match="classifiers.ensemble.objective: 'accuracy' is not allowed"):
        make_classifier("ensemble", params_with(params, **{"classifiers.ensemble.objective": "accuracy"}))
    with pytest.raises(ConfigError, match="weight_step 0.3 must divide 1"):
        make_classifier("ensemble", params_with(params, **{"classifiers.ensemble.weight_step": 0.3}))
    with pytest.raises(ConfigError, match="classifier 'nope' is unknown"):
        make_classifier("nope", params)


def test_class_missing_from_training_gets_zero_probability(params, units):
    train = units[units["label"] != "against"].reset_index(drop=True)
    proba = make_classifier("linear", params).fit(train, train["label"]).predict_proba(units)
    assert proba.shape == (len(units), 3)
    assert np.all(proba[:, LABELS.index("against")] == 0)
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_calibrated_lexicon_keeps_every_decision_and_fits_a_temperature(params, units):
    lexicon = make_classifier("lexicon", params)
    calibrated = make_classifier("lexicon_calibrated", params).fit(units, units["label"])
    raw, scaled = lexicon.predict_proba(units), calibrated.predict_proba(units)
    assert np.array_equal(raw.argmax(axis=1), scaled.argmax(axis=1))
    assert calibrated.temperature_ != pytest.approx(1.0)
    assert mean_log_loss(units["label"], scaled) < mean_log_loss(units["label"], raw)


def test_macro_f1_weights_pick_the_member_that_gets_the_labels_right():
    y = np.array(["against", "favor", "neutral"] * 4)
    targets = np.array(["russia"] * 6 + ["ukraine"] * 6)
    right = np.eye(3)[[LABELS.index(label) for label in y]] * 0.6 + 0.4 / 3
    wrong = np.roll(right, 1, axis=1)
    assert simplex_grid(2, 0.5).tolist() == [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]]
    assert macro_f1_weights([wrong, right], y, targets, 0.1).tolist() == [0.0, 1.0]
    assert macro_f1_weights([right, wrong], y, targets, 0.1)[0] > 0.5


@given(st.lists(st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3).filter(lambda w: sum(w) > 0), max_size=20))
def test_fixed_precision_rows_keep_four_decimals_and_sum_to_one(weights):
    """Stored probabilities (docs/determinism.md): 4 decimals, each row still a distribution."""
    proba = np.array(weights, dtype=float).reshape(-1, 3)
    proba = proba / proba.sum(axis=1, keepdims=True) if len(proba) else proba
    stored = at_fixed_precision(proba)
    assert stored.shape == proba.shape
    assert np.array_equal(stored, np.round(stored, PROBA_DECIMALS))
    assert ((stored >= 0) & (stored <= 1)).all()
    assert np.allclose(stored.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.abs(stored - proba).max(initial=0) <= 2e-4 + 1e-12
