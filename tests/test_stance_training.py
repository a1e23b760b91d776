"""Out-of-fold predictions, training hashes, and refusing a model fitted on something else."""

import numpy as np
import pytest
from stance_data import make_units, params_with

from pipeline.classifiers import make_classifier
from pipeline.classifiers.cv import FoldError, out_of_fold_proba
from pipeline.classifiers.persist import ModelMismatchError, load_model, save_model, training_hash


@pytest.fixture(scope="module")
def units(params):
    return make_units(params)


def flipped(labels, mask):
    """Labels with every unit in ``mask`` given a different label."""
    swap = {"against": "favor", "favor": "neutral", "neutral": "against"}
    return np.where(mask, [swap[label] for label in labels], labels)


@pytest.mark.parametrize("name", ["linear", "ensemble"])
def test_a_documents_oof_prediction_ignores_its_own_labels(name, params, units):
    params = params_with(params, **{"classifiers.ensemble.members": ["lexicon", "linear"]})
    clf = make_classifier(name, params)
    own = (units["doc_id"] == "doc-b").to_numpy()
    before = out_of_fold_proba(clf, units, units["label"])
    after = out_of_fold_proba(clf, units, flipped(units["label"].to_numpy(), own))
    assert np.array_equal(before[own], after[own])
    assert not np.allclose(before[~own], after[~own])  # the other documents' models did see the change


def test_cross_validation_needs_two_documents(params, units):
    one = units[units["doc_id"] == "doc-a"]
    with pytest.raises(FoldError, match="at least two documents"):
        out_of_fold_proba(make_classifier("linear", params), one, one["label"])


def test_training_hash_tracks_labels_and_params_not_row_order(params, units):
    digest = training_hash("linear", units, units["label"], params)
    shuffled = units.sample(frac=1.0, random_state=1)
    assert training_hash("linear", shuffled, shuffled["label"], params) == digest
    assert training_hash("linear", units, flipped(units["label"].to_numpy(), units.index == 0), params) != digest
    assert (
        training_hash("linear", units, units["label"], params_with(params, **{"classifiers.linear.C": 9.0})) != digest
    )
    assert training_hash("lexicon", units, units["label"], params) != digest
    # params that do not shape the model (e.g. which labels compare uses) leave it alone
    assert training_hash("linear", units, units["label"], params_with(params, **{"stance.labels": "gold"})) == digest


def test_saved_model_loads_only_with_its_hash(params, units, tmp_path):
    clf = make_classifier("linear", params).fit(units, units["label"])
    digest = training_hash("linear", units, units["label"], params)
    save_model(clf, "linear", digest, tmp_path, {"n_units": len(units)})
    loaded = load_model("linear", digest, tmp_path, tmp_path)
    assert np.allclose(loaded.predict_proba(units), clf.predict_proba(units))

    changed = training_hash("linear", units, flipped(units["label"].to_numpy(), units.index == 0), params)
    with pytest.raises(ModelMismatchError, match="fitted on other training data or params"):
        load_model("linear", changed, tmp_path, tmp_path)
    with pytest.raises(ModelMismatchError, match="no fitted 'embedding' model"):
        load_model("embedding", digest, tmp_path, tmp_path)


def test_a_model_file_changed_after_saving_is_not_unpickled(params, units, tmp_path):
    clf = make_classifier("lexicon", params).fit(units)
    digest = training_hash("lexicon", units, units["label"], params)
    path = save_model(clf, "lexicon", digest, tmp_path, {})
    path.write_bytes(path.read_bytes() + b"\0")  # any change to the bytes: a swapped or damaged file
    with pytest.raises(ModelMismatchError, match="does not match the sha256 recorded"):
        load_model("lexicon", digest, tmp_path, tmp_path)
    path.with_suffix(".json").unlink()
    with pytest.raises(ModelMismatchError, match="no fitted 'lexicon' model"):
        load_model("lexicon", digest, tmp_path, tmp_path)


def test_a_pickled_linear_model_holds_no_memory_address(params, units):
    """scikit-learn's vectorizers cache id(stop_words), which differs between processes and
    would make the model file (a DVC output) differ between identical runs."""
    import pickle

    from sklearn.feature_extraction.text import CountVectorizer

    model = make_classifier("linear", params).fit(units, units["label"])
    vectorizers = [
        step
        for _, part in model.pipeline_.named_steps["features"].transformer_list
        for _, step in part.steps
        if isinstance(step, CountVectorizer)
    ]
    assert vectorizers and all(hasattr(v, "_stop_words_id") for v in vectorizers)  # what fit leaves
    restored = pickle.loads(pickle.dumps(model))
    assert not any(
        hasattr(step, "_stop_words_id")
        for _, part in restored.pipeline_.named_steps["features"].transformer_list
        for _, step in part.steps
    )
    assert np.allclose(restored.predict_proba(units), model.predict_proba(units))


def test_a_model_file_does_not_depend_on_where_the_project_lives(params, units, tmp_path):
    # the embedding classifier keeps the project root (for its model folder and cache)
    first = make_classifier("embedding", params_with(params, root=tmp_path / "a"))
    second = make_classifier("embedding", params_with(params, root=tmp_path / "b"))
    digest = training_hash("embedding", units, units["label"], params)
    paths = [save_model(m, "embedding", digest, tmp_path / d, {}) for m, d in ((first, "x"), (second, "y"))]
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert first.root == str(tmp_path / "a")  # saving leaves the live model as it was
    assert load_model("embedding", digest, tmp_path / "x", tmp_path / "c").root == str(tmp_path / "c")
