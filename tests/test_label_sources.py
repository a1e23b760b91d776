"""Label sources in compare: which exist per group, which is reported, and the ppi rows they produce."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.analysis.estimates import Settings
from pipeline.analysis.label_sources import LabelSourceError, compare_sources, source_phrase
from pipeline.classifiers.training import warn_targets_without_gold
from pipeline.diagnostics import InputWarning
from pipeline.paths import LABELS

SETTINGS = Settings(seed=3, min_mentions=1, n_resamples=400, level=0.95, n_permutations=100)
# doc -> (origin, design, gold labels of its russia units); 20 units each
DOCS = {
    "a1": ("A", "census", ["against"] * 12 + ["neutral"] * 8),
    "a2": ("A", "census", ["against"] * 6 + ["neutral"] * 14),
    "b1": ("B", "sample", ["favor"] * 10 + ["neutral"] * 10),
    "b2": ("B", "none", ["favor"] * 5 + ["neutral"] * 15),
}


def corpus(perfect_model: bool) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """documents, mentions, units (model label, p_*, gold) and the gold designs of a two-group corpus."""
    rng = np.random.default_rng(0)
    rows, cells = [], []
    for doc_id, (_, design, truth) in DOCS.items():
        sampled = set(rng.choice(len(truth), 8, replace=False)) if design == "sample" else set()
        for i, label in enumerate(truth):
            predicted = label if perfect_model else "neutral"
            gold = label if design == "census" or i in sampled else None
            rows.append(
                {"doc_id": doc_id, "sent_id": i, "target": "russia", "label": predicted, "gold": gold}
                | {f"p_{lab}": float(lab == predicted) for lab in LABELS}
            )
        n_gold = len(truth) if design == "census" else len(sampled)
        cells.append({"doc_id": doc_id, "target": "russia", "n_units": len(truth), "n_gold": n_gold, "design": design})
    units = pd.DataFrame(rows)
    documents = pd.DataFrame({"doc_id": list(DOCS), "author_origin": [o for o, _, _ in DOCS.values()], "n_words": 1000})
    mentions = units[["doc_id", "sent_id", "target"]]
    return documents, mentions, units, pd.DataFrame(cells)


def run(mode: str, perfect_model: bool = False):
    documents, mentions, units, cells = corpus(perfect_model)
    return compare_sources(documents, mentions, units, cells, ["russia"], SETTINGS, mode)


def test_auto_reports_gold_where_complete_and_ppi_where_there_is_a_sample():
    result = run("auto")
    rows = result.by_source.set_index(["author_origin", "label_source"])
    assert set(rows.index) == {("A", "gold"), ("A", "model"), ("B", "ppi"), ("B", "model")}
    assert rows.loc[("A", "gold"), "reported"] and rows.loc[("B", "ppi"), "reported"]
    assert not rows.loc[("A", "model"), "reported"] and not rows.loc[("B", "model"), "reported"]
    # gold of group A: mean of the documents' shares (0.6 and 0.3 against)
    assert rows.loc[("A", "gold"), "share_against"] == pytest.approx(0.45)
    assert rows.loc[("B", "ppi"), "n_docs_model"] == 1  # b2 has no gold: model labels, counted
    assert list(result.per_group["label_source"]) == ["gold", "ppi"]
    assert dict(zip(result.per_doc["doc_id"], result.per_doc["label_source"])) == {
        "a1": "gold",
        "a2": "gold",
        "b1": "ppi",
        "b2": "ppi",
    }


def test_ppi_covers_the_truth_and_a_blind_model_widens_its_interval():
    perfect = run("auto", perfect_model=True).by_source.set_index(["author_origin", "label_source"])
    b = perfect.loc[("B", "ppi")]
    truth = np.mean([0.5, 0.25])  # b2's model labels are right here too
    assert b["share_favor_lo"] <= truth <= b["share_favor_hi"]
    blind = run("auto").by_source.set_index(["author_origin", "label_source"]).loc[("B", "ppi")]
    assert blind["share_favor_hi"] - blind["share_favor_lo"] > b["share_favor_hi"] - b["share_favor_lo"]
    # the blind model says neutral everywhere: the model row misses favor entirely, ppi corrects b1 from its sample
    model = run("auto").by_source.set_index(["author_origin", "label_source"]).loc[("B", "model")]
    assert model["share_favor"] == 0 and blind["share_favor"] > 0


def test_forced_gold_names_the_documents_without_complete_gold():
    with pytest.raises(
        LabelSourceError,
        match=r"stance.labels is 'gold', but B x russia has no gold estimate: "
        r"document\(s\) b1, b2 lack complete gold labels",
    ):
        run("gold")


def test_model_mode_reports_model_rows_and_the_caption_warns():
    result = run("model")
    assert set(result.per_group["label_source"]) == {"model"}
    assert set(result.by_source["label_source"]) == {"gold", "ppi", "model"}  # the others stay visible
    phrase = source_phrase(result.by_source, "lexicon", "full")
    assert "model labels (classifier: lexicon) for A x russia, B x russia" in phrase
    assert "WARNING: some estimates rest on unvalidated model labels" in phrase
    assert "WARNING" not in source_phrase(
        run("auto", perfect_model=True).by_source.query("author_origin == 'A'"), "lexicon", "full"
    )


def test_evidence_units_carry_the_label_their_source_counts():
    units = run("auto").units.set_index("doc_id")
    a1 = units.loc["a1"]
    assert (a1["label"] == a1["gold"]).all() and (a1["label_source"] == "gold").all()
    b1 = units.loc["b1"]
    assert (b1["label"] == b1["model_label"]).all() and (b1["label_source"] == "ppi").all()


def test_a_target_without_gold_is_named_with_how_to_start_its_gold():
    labelled = pd.DataFrame({"target": ["russia", "ukraine"], "label": ["favor", "against"]})
    with pytest.warns(InputWarning, match=r"no gold for target china: .*annotate export --target china"):
        assert warn_targets_without_gold(labelled, ["russia", "ukraine", "china"]) == ["china"]
