"""Gold rows that do not fit the corpus: unknown label, doc_id, target or sentence, through pipeline.annotation.gold."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.annotation.gold import GOLD_COLUMNS, GoldError, attach_gold, load_gold
from pipeline.text import sentence_key

SENTENCES = {
    ("d1", 0): "Japan condemned Russia's invasion of Ukraine.",
    ("d1", 1): "Kyiv welcomed the aid.",
    ("d2", 0): "India and Russia have long ties.",
}


@pytest.fixture
def units() -> pd.DataFrame:
    rows = [
        ("d1", 0, "russia"),
        ("d1", 0, "ukraine"),
        ("d1", 1, "ukraine"),
        ("d2", 0, "russia"),
    ]
    return pd.DataFrame(
        [(d, s, t, sentence_key(SENTENCES[d, s]), SENTENCES[d, s]) for d, s, t in rows],
        columns=["doc_id", "sent_id", "target", "sent_key", "text"],
    )


@pytest.fixture
def gold(units) -> pd.DataFrame:
    labels = ["against", "favor", "favor", "neutral"]
    return pd.DataFrame(
        {
            "doc_id": units["doc_id"],
            "sent_key": units["sent_key"],
            "target": units["target"],
            "sent_id": units["sent_id"],
            "label": labels,
            "source": "pass1",
            "annotator": "A",
            "pass2_label": "",
            "note": "",
            "sentence": units["text"],
        }
    )[GOLD_COLUMNS]


def write(tmp_path: Path, gold: pd.DataFrame) -> Path:
    path = tmp_path / "stance_gold.csv"
    gold.to_csv(path, index=False)
    return path


def test_consistent_gold_attaches(tmp_path, units, gold):
    joined = attach_gold(units, load_gold(write(tmp_path, gold)))
    assert joined["label"].tolist() == ["against", "favor", "favor", "neutral"]


def test_unknown_label_names_file_row_and_unit(tmp_path, gold):
    gold.loc[2, "label"] = "positive"
    path = write(tmp_path, gold)
    with pytest.raises(
        GoldError,
        match=rf"{path}: row 4: unknown label 'positive' \(doc_id 'd1', sent 1, ukraine\); "
        r"expected one of \['against', 'favor', 'neutral'\]",
    ):
        load_gold(path)


@pytest.mark.parametrize(
    "change, reason",
    [
        (
            {"doc_id": "nope-2020"},
            r"doc_id 'nope-2020' has no stance units \(not in the corpus, or no target mentions\)",
        ),
        ({"target": "belarus"}, r"target 'belarus' is not a configured target"),
        ({"sent_key": "0123456789abcdef"}, r"no sentence of 'd1' mentioning russia has this sent_key"),
    ],
)
def test_gold_row_matching_no_unit_says_why(units, gold, change, reason):
    extra = gold.iloc[[0]].assign(**change)
    with pytest.raises(
        GoldError,
        match=r"where\.csv: 1 gold row\(s\) match no sentence of the cleaned corpus, "
        r"e\.g\. \(.*\): " + reason,
    ):
        attach_gold(units, pd.concat([gold, extra], ignore_index=True), where="where.csv")


def test_unit_without_gold_label_is_reported(units, gold):
    with pytest.raises(GoldError, match=r"1 mention pair\(s\) have no gold label, e\.g\. \(d1, sent 1, ukraine\)"):
        attach_gold(units, gold.drop(index=2))


def test_missing_gold_file_and_columns(tmp_path, gold):
    with pytest.raises(GoldError, match="gold file not found"):
        load_gold(tmp_path / "none.csv")
    with pytest.raises(GoldError, match=r"missing column\(s\) \['label'\]"):
        load_gold(write(tmp_path, gold.drop(columns="label")))
