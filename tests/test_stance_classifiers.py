"""Every classifier behind the common interface, on a small labelled fixture."""
import numpy as np
import pytest

from pipeline.config import LABELS, ConfigError
from pipeline.stance import make_classifier
from pipeline.stance.embedding import marked_texts
from pipeline.stance.features import alias_rows, masked_texts, finder_for
from pipeline.stance.lexicon import make_lexicon
from stance_data import BOTH, make_units, params_with

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


@pytest.mark.parametrize("name", ["lexicon", "linear", "embedding", "ensemble"])
def test_classifier_learns_obvious_pattern_on_a_held_out_document(name, fast_params, units):
    params = fast_params
    if name == "ensemble":
        params = params_with(fast_params, **{"stance.ensemble.members": ["lexicon", "linear", "embedding"]})
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
    lexicon = make_lexicon(params)
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
        "{Russia}'s brutal invasion of [Ukraine] shocked Japan."]


def test_learned_classifiers_need_labels(fast_params, units):
    for name in ("linear", "embedding", "ensemble"):
        with pytest.raises(ValueError, match="needs gold labels"):
            make_classifier(name, fast_params).fit(units)


def test_unknown_label_and_bad_ensemble_config(params, units):
    with pytest.raises(ValueError, match=r"unknown stance label\(s\) \['pro'\]"):
        make_classifier("linear", params).fit(units, ["pro"] * len(units))
    with pytest.raises(ConfigError, match="stance.ensemble.members"):
        make_classifier("ensemble", params_with(params, **{"stance.ensemble.members": ["ensemble"]}))
    with pytest.raises(ConfigError, match="stance.classifier 'nope' is unknown"):
        make_classifier("nope", params)


def test_class_missing_from_training_gets_zero_probability(params, units):
    train = units[units["label"] != "against"].reset_index(drop=True)
    proba = make_classifier("linear", params).fit(train, train["label"]).predict_proba(units)
    assert proba.shape == (len(units), 3)
    assert np.all(proba[:, LABELS.index("against")] == 0)
    assert np.allclose(proba.sum(axis=1), 1.0)
