"""Gold labels derived from the passes and the adjudication: complete for the seed corpus, refused when they drift."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from pipeline import paths
from pipeline.annotation.gold import GoldError, apply_reading, attach_gold, coverage, derive_gold
from pipeline.annotation.guide_quotes import _comparable, guide_quotes, quoted_in_guide
from pipeline.annotation.passes import PASS_COLUMNS, read_adjudication, read_passes
from pipeline.cli import main
from pipeline.nlp.tagger import tag_documents
from pipeline.nlp.units import stance_units
from pipeline.params import load_params
from pipeline.stages import ingest

ROOT = Path(__file__).resolve().parents[1]
ANNOTATIONS = ROOT / paths.ANNOTATIONS


# -- the seed corpus --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_project(tmp_path_factory):
    """The seed corpus ingested and tagged by the real stages in a throwaway copy of the project,
    so the check needs no `dvc repro` outputs and sees the current cleaning and segmentation."""
    root = tmp_path_factory.mktemp("seed")
    shutil.copy(ROOT / "params.yaml", root / "params.yaml")
    shutil.copytree(ROOT / "corpus", root / "corpus")
    params = load_params(root / "params.yaml")
    ingest.run(params)
    documents = pd.read_parquet(root / paths.DOCUMENTS)
    sentences, _, mentions = tag_documents(documents, params)
    return root, stance_units(sentences, mentions, documents)


@pytest.fixture(scope="module")
def seed_gold(seed_project):
    _, units = seed_project
    return derive_gold(read_passes(ANNOTATIONS), read_adjudication(ANNOTATIONS), units, ANNOTATIONS)


@pytest.mark.slow
def test_every_unit_of_the_seed_corpus_has_a_gold_label_from_two_blind_passes(seed_project, seed_gold):
    _, units = seed_project
    cells = coverage(units, seed_gold)
    assert (cells["design"] == "census").all(), cells[cells["design"] != "census"]
    assert len(seed_gold) == len(units)
    assert (seed_gold["n_annotators"] == 2).all()
    assert set(seed_gold["annotator_kinds"]) == {"model"}  # said plainly: model-based annotators
    assert set(seed_gold["source"]) == {"agreed", "adjudicated"}
    assert (seed_gold.loc[seed_gold["source"] == "adjudicated", "rule"].str.len() > 0).all()
    assert set(seed_gold["basis"]) == {"text", "context"}
    assert not ((seed_gold["label"] == "neutral") & (seed_gold["basis"] == "context")).any()


def _guide_examples(guide: str) -> list[tuple[str, str, str]]:
    """(quoted sentence, russia label, ukraine label) from the guide's example tables."""
    rows = []
    for line in guide.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 6:
            continue
        sentence, russia, ukraine = cells[2:5] if re.fullmatch(r"00\d", cells[1]) else cells[1:4]
        if russia in {"against", "favor", "neutral", "–"} and ukraine in {"against", "favor", "neutral", "–"}:
            rows.append((sentence, russia, ukraine))
    return rows


@pytest.mark.slow
def test_guide_examples_carry_their_gold_labels(seed_project, seed_gold):
    """Every worked example of the guide that quotes a corpus sentence gives that sentence's gold labels,
    so guide and gold cannot drift apart when either is revised."""
    _, units = seed_project
    gold = seed_gold.merge(units[["doc_id", "sent_key", "target", "text"]], on=["doc_id", "sent_key", "target"])
    sentences = gold.drop_duplicates(["doc_id", "sent_key"])
    checked = 0
    for quoted, russia, ukraine in _guide_examples((ROOT / paths.GUIDE).read_text(encoding="utf-8")):
        quotes = [
            [_comparable(f).strip(" ,;:.!?()[]\"'") for f in re.split(r"\.\.\.|…", q) if f.strip()]
            for q in re.findall(r'"([^"]+)"', quoted.replace("\\|", "|"))
        ]
        if not quotes:
            continue
        longest = max(quotes, key=lambda fragments: sum(map(len, fragments)))
        hits = sentences[[quoted_in_guide(s, [longest]) for s in sentences["text"]]]
        assert len(hits) == 1, f"guide example matches {len(hits)} corpus sentences: {quoted[:80]}"
        hit = hits.iloc[0]
        labels = gold[(gold["doc_id"] == hit["doc_id"]) & (gold["sent_key"] == hit["sent_key"])]
        labels = labels.set_index("target")["label"].to_dict()
        expected = {"russia": russia, "ukraine": ukraine}
        assert {t: labels.get(t, "–") for t in expected} == expected, quoted[:80]
        checked += 1
    assert checked >= 95


@pytest.mark.slow
def test_gold_stage_on_the_seed_corpus(seed_project):
    """The real stage: gold.parquet, the agreement numbers (checked against sklearn), and the caption's honesty."""
    root, _ = seed_project
    (root / "docs").mkdir(exist_ok=True)
    shutil.copy(ROOT / paths.GUIDE, root / paths.GUIDE)
    assert main(["--params", str(root / "params.yaml"), "tag"]) == 0
    assert main(["--params", str(root / "params.yaml"), "gold"]) == 0
    gold = pd.read_parquet(root / paths.GOLD)
    metrics = json.loads((root / paths.GOLD_METRICS).read_text(encoding="utf-8"))
    passes = read_passes(ANNOTATIONS)
    wide = passes.pivot(index=["doc_id", "sent_key", "target"], columns="annotator", values="label")
    assert metrics["n_gold_units"] == len(gold) == len(wide)
    assert metrics["kappa_label"] == pytest.approx(cohen_kappa_score(wide.iloc[:, 0], wide.iloc[:, 1]), abs=1e-4)
    assert metrics["alpha_label_low"] <= metrics["alpha_label"] <= metrics["alpha_label_high"]
    assert "model-based" in metrics["annotators"] and "not human" in metrics["annotators"]
    agreement = (root / paths.tables("gold") / "agreement.md").read_text(encoding="utf-8")
    assert "model-based" in agreement and "overstates" in agreement
    table = pd.read_csv(root / paths.table("gold", "agreement"))
    non_guide = table[(table["subset"] == "non_guide") & (table["scope"] == "all") & (table["field"] == "label")]
    assert 0 < int(non_guide["n_units"].iloc[0]) < len(gold)


# -- deriving gold from passes: small made-up cases --------------------------------------------

UNITS = pd.DataFrame(
    {
        "doc_id": ["d"] * 3,
        "sent_id": [0, 1, 2],
        "target": ["russia"] * 3,
        "sent_key": ["k0", "k1", "k2"],
        "text": ["Russia a.", "Russia b.", "Russia c."],
    }
)


def passes_of(*labels_by_annotator: list[tuple[str, str]], sample_id: str = "census") -> pd.DataFrame:
    rows = []
    for who, labels in zip("AB", labels_by_annotator):
        for i, (label, basis) in enumerate(labels):
            rows.append(
                {
                    "doc_id": "d",
                    "sent_key": f"k{i}",
                    "target": "russia",
                    "sent_id": i,
                    "sentence": f"Russia {'abc'[i]}.",
                    "label": label,
                    "basis": basis,
                    "note": "",
                    "annotator": who,
                    "annotator_kind": "human",
                    "guide_version": "2.1",
                    "sample_id": sample_id,
                    "date": "2026-11-29",
                    "pass_id": f"{sample_id}-{who}",
                }
            )
    return pd.DataFrame(rows, columns=[*PASS_COLUMNS, "pass_id"])


ADJ_COLUMNS = [
    "doc_id",
    "sent_key",
    "target",
    "label",
    "basis",
    "rule",
    "note",
    "adjudicator",
    "adjudicator_kind",
    "guide_version",
]


def adjudication_of(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "doc_id": "d",
                "sent_key": k,
                "target": "russia",
                "label": lab,
                "basis": b,
                "rule": rule,
                "note": "",
                "adjudicator": "C",
                "adjudicator_kind": "human",
                "guide_version": "2.1",
            }
            for k, lab, b, rule in rows
        ],
        columns=ADJ_COLUMNS,
    )


def test_agreed_labels_and_adjudicated_disagreements():
    a = [("favor", "text"), ("against", "context"), ("neutral", "text")]
    b = [("favor", "text"), ("against", "text"), ("favor", "context")]
    gold = derive_gold(
        passes_of(a, b),
        adjudication_of(("k1", "against", "context", "spec 6"), ("k2", "neutral", "text", "guide 4.1")),
        UNITS,
        Path("ann"),
    )
    assert gold[["label", "basis", "source", "rule"]].values.tolist() == [
        ["favor", "text", "agreed", ""],
        ["against", "context", "adjudicated", "spec 6"],
        ["neutral", "text", "adjudicated", "guide 4.1"],
    ]
    assert gold["annotators"].tolist() == ["A;B"] * 3


def test_a_disagreement_without_adjudication_is_refused():
    passes = passes_of([("favor", "text")], [("favor", "context")])
    with pytest.raises(
        GoldError,
        match=r"1 disagreement\(s\) between passes are not adjudicated.*favor/context, "
        r"favor/text",
    ):
        derive_gold(passes, adjudication_of(), UNITS, Path("ann"))


def test_an_adjudication_of_agreed_units_is_refused():
    passes = passes_of([("favor", "text")], [("favor", "text")])
    with pytest.raises(GoldError, match="is adjudicated, but the passes agree on it"):
        derive_gold(passes, adjudication_of(("k0", "against", "text", "spec 1")), UNITS, Path("ann"))
    with pytest.raises(GoldError, match="needs the rule"):
        derive_gold(
            passes_of([("favor", "text")], [("against", "text")]),
            adjudication_of(("k0", "against", "text", " ")),
            UNITS,
            Path("ann"),
        )


def test_a_pass_row_whose_sentence_changed_names_file_and_row():
    passes = passes_of([("favor", "text"), ("neutral", "text")])
    changed = UNITS.assign(sent_key=["k0", "k1-new", "k2"])
    with pytest.raises(
        GoldError,
        match=r"ann/passes/census-A.csv: row 3: \(d, sent 1, russia\): no sentence of "
        "the cleaned document has this text any more",
    ):
        derive_gold(passes, adjudication_of(), changed, Path("ann"))


def test_single_pass_labels_and_no_passes_at_all():
    gold = derive_gold(passes_of([("against", "text")]), adjudication_of(), UNITS, Path("ann"))
    assert gold["source"].tolist() == ["single"]
    empty = derive_gold(passes_of(), adjudication_of(), UNITS, Path("ann"))
    assert empty.empty and list(empty.columns) == list(paths.GOLD_DTYPES)


def test_coverage_designs():
    sampled = derive_gold(passes_of([("favor", "text")], sample_id="s1"), adjudication_of(), UNITS, Path("ann"))
    assert coverage(UNITS, sampled)["design"].tolist() == ["sample"]
    partial = derive_gold(passes_of([("favor", "text")]), adjudication_of(), UNITS, Path("ann"))
    assert coverage(UNITS, partial)["design"].tolist() == ["partial"]  # a census that no longer covers the cell
    full = derive_gold(passes_of([("favor", "text")] * 3), adjudication_of(), UNITS, Path("ann"))
    assert coverage(UNITS, full)["design"].tolist() == ["census"]
    assert coverage(UNITS, full.iloc[:0])["design"].tolist() == ["none"]


def test_readings_and_attach():
    gold = derive_gold(
        passes_of([("favor", "context"), ("against", "text"), ("neutral", "text")]),
        adjudication_of(),
        UNITS,
        Path("ann"),
    )
    assert apply_reading(gold["label"], gold["basis"], "text").tolist() == ["neutral", "against", "neutral"]
    assert attach_gold(UNITS, gold, reading="full")["label"].tolist() == ["favor", "against", "neutral"]
    assert attach_gold(UNITS.iloc[:2], gold, reading="text")["label"].tolist() == ["neutral", "against"]
    with pytest.raises(GoldError, match="unknown reading"):
        apply_reading(gold["label"], gold["basis"], "loose")


def test_guide_quotes_match_whole_examples_not_cue_phrases():
    guide = (
        '| 002 | "Putin, however, has been reluctant ... talks have failed many times.[2]" | against | – |\n'
        'Cues: "Russia’s aggression", "so-called".\n'
        "## 8. Clarifications from the seed adjudication\n"
        '| 001 | "Japan is heavily dependent on imported energy." | neutral | – |\n'
    )
    quotes = guide_quotes(guide)
    assert quoted_in_guide(
        "Putin, however, has been reluctant to hand over the islands to Japan and that is the "
        "prime reason why talks have failed many times.",
        quotes,
    )
    assert not quoted_in_guide(
        "Since 2014, Russia's aggression against Ukraine has continued without pause and the so-called peace "
        "talks stalled.",
        quotes,
    )
    assert not quoted_in_guide("Japan is heavily dependent on imported energy.", quotes)  # written after the passes
