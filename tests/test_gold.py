"""The gold set: complete for the cleaned seed corpus, built correctly from the passes, validated."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline import paths
from pipeline.annotation.gold import (
    GOLD,
    PASS_COLUMNS,
    GoldError,
    annotation_template,
    attach_gold,
    build_gold,
    check_gold_current,
    load_gold,
    write_gold,
)
from pipeline.annotation.reliability import _comparable, quoted_in_guide
from pipeline.ingestion.manifest import load_manifest
from pipeline.nlp.tagger import tag_documents
from pipeline.nlp.units import stance_units
from pipeline.params import load_params
from pipeline.stages import ingest

ROOT = Path(__file__).resolve().parents[1]
ANNOTATIONS = ROOT / "corpus" / "annotations"


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
    return params, stance_units(sentences, mentions, documents)


@pytest.fixture(scope="module")
def seed_units(seed_project):
    return seed_project[1]


@pytest.fixture(scope="module")
def seed_doc_ids(params):
    return load_manifest(params.root / paths.MANIFEST, params.corpus.origins)["doc_id"].tolist()


@pytest.mark.slow
def test_every_mention_pair_of_the_seed_corpus_has_a_gold_label(seed_units, seed_doc_ids):
    gold = load_gold(ROOT / GOLD)
    joined = attach_gold(seed_units, gold, documents=seed_doc_ids)  # raises on any gap either way
    assert set(seed_units["doc_id"]) == set(seed_doc_ids)
    assert len(joined) == len(seed_units) == len(gold)
    assert joined["label"].notna().all()


@pytest.mark.slow
def test_coverage_check_fails_when_a_pair_has_no_label(seed_units, seed_doc_ids):
    gold = load_gold(ROOT / GOLD)
    with pytest.raises(GoldError, match=r"1 mention pair\(s\) have no gold label"):
        attach_gold(seed_units, gold.iloc[1:], documents=seed_doc_ids)
    # a whole document without gold rows is a gap too, not a document to skip
    missing_doc = gold[gold["doc_id"] != seed_doc_ids[0]]
    with pytest.raises(GoldError, match="have no gold label"):
        attach_gold(seed_units, missing_doc, documents=seed_doc_ids)


@pytest.mark.slow
def test_coverage_check_fails_when_a_gold_row_matches_no_sentence(seed_units, seed_doc_ids):
    gold = load_gold(ROOT / GOLD)
    orphan = gold.iloc[[0]].assign(sent_key="0000000000000000")
    with pytest.raises(GoldError, match=r"1 gold row\(s\) match no sentence"):
        attach_gold(seed_units, pd.concat([gold, orphan]), documents=seed_doc_ids)


@pytest.mark.slow
def test_coverage_check_fails_when_cleaning_changes_a_sentence(seed_units, seed_doc_ids):
    gold = load_gold(ROOT / GOLD)
    changed = seed_units.copy()
    first = changed.index[0]
    changed.loc[first, "sent_key"] = "ffffffffffffffff"  # the sentence text changed, so its key did
    with pytest.raises(GoldError, match="have no gold label"):
        attach_gold(changed, gold, documents=seed_doc_ids)


@pytest.mark.slow
def test_annotation_template_lists_every_unit_of_a_document(seed_units):
    template = annotation_template(seed_units, ["ua-shagina-2018"])
    gold = load_gold(ROOT / GOLD)
    key = ["doc_id", "sent_key", "target"]
    assert list(template.columns) == PASS_COLUMNS
    assert set(map(tuple, template[key].to_numpy())) == set(
        map(tuple, gold.loc[gold["doc_id"] == "ua-shagina-2018", key].to_numpy())
    )
    assert (template["label"] == "").all()
    with pytest.raises(GoldError, match=r"no mention pairs for doc_id\(s\) \['nope'\]"):
        annotation_template(seed_units, ["nope"])


def test_committed_gold_file_is_current_with_the_passes(params, seed_doc_ids):
    gold = check_gold_current(ANNOTATIONS, seed_doc_ids, params.targets)
    assert set(gold["label"]) <= {"against", "favor", "neutral"}
    adjudicated = gold[gold["source"] == "adjudicated"]
    assert len(adjudicated) == len(pd.read_csv(ANNOTATIONS / "adjudication.csv"))
    assert adjudicated["note"].str.match(r"R\d+").all()  # every adjudication names its guide rule


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


def test_guide_examples_carry_their_gold_labels():
    """Every worked example of the guide that quotes a corpus sentence gives that sentence's gold labels,
    so guide and gold cannot drift apart when either is revised."""
    gold = load_gold(ROOT / GOLD)
    sentences = gold.drop_duplicates(["doc_id", "sent_key"])
    examples = _guide_examples((ROOT / "docs" / "annotation-guide.md").read_text(encoding="utf-8"))
    checked = 0
    for quoted, russia, ukraine in examples:
        quotes = [
            [_comparable(f).strip(" ,;:.!?()[]\"'") for f in re.split(r"\.\.\.|…", q) if f.strip()]
            for q in re.findall(r'"([^"]+)"', quoted.replace("\\|", "|"))
        ]
        if not quotes:
            continue
        longest = max(quotes, key=lambda fragments: sum(map(len, fragments)))
        hits = sentences[[quoted_in_guide(s, [longest]) for s in sentences["sentence"]]]
        assert len(hits) == 1, f"guide example matches {len(hits)} corpus sentences: {quoted[:80]}"
        hit = hits.iloc[0]
        labels = gold[(gold["doc_id"] == hit["doc_id"]) & (gold["sent_key"] == hit["sent_key"])]
        labels = labels.set_index("target")["label"].to_dict()
        assert {"russia": labels.get("russia", "–"), "ukraine": labels.get("ukraine", "–")} == {
            "russia": russia,
            "ukraine": ukraine,
        }, quoted[:80]
        checked += 1
    assert checked >= 100


# -- building gold from passes ---------------------------------------------------------------

PASS_HEADER = "doc_id,sent_id,sent_key,target,sentence,label,note"
ADJ_HEADER = "doc_id,sent_key,target,sent_id,label_pass1,label_pass2,label,rule"


def write_annotations(
    folder: Path,
    *,
    pass1_a: list[str],
    pass1_b: list[str] | None = None,
    pass2: list[str] | None = None,
    adjudication: list[str] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pass1_A.csv").write_text("\n".join([PASS_HEADER, *pass1_a]) + "\n", encoding="utf-8")
    if pass1_b is not None:
        (folder / "pass1_B.csv").write_text("\n".join([PASS_HEADER, *pass1_b]) + "\n", encoding="utf-8")
    if pass2 is not None:
        (folder / "pass2_C.csv").write_text("\n".join([PASS_HEADER, *pass2]) + "\n", encoding="utf-8")
    (folder / "adjudication.csv").write_text("\n".join([ADJ_HEADER, *(adjudication or [])]) + "\n", encoding="utf-8")
    return folder


A_ROWS = [
    "d1,0,k0,russia,Russia invaded.,against,",
    "d1,0,k0,ukraine,Russia invaded.,favor,",
    "d1,1,k1,russia,Russia traded.,neutral,",
]
B_ROWS = ["d2,0,k2,ukraine,Kyiv met.,neutral,"]


def test_build_gold_applies_adjudication_and_records_the_second_pass(tmp_path):
    folder = write_annotations(
        tmp_path / "ann",
        pass1_a=A_ROWS,
        pass1_b=B_ROWS,
        pass2=["d1,1,k1,russia,Russia traded.,favor,", "d2,0,k2,ukraine,Kyiv met.,neutral,"],
        adjudication=["d1,k1,russia,1,neutral,favor,favor,R9: a made-up rule"],
    )
    gold = build_gold(folder, doc_ids=["d1", "d2"], targets=["russia", "ukraine"]).set_index(
        ["doc_id", "target", "sent_id"]
    )
    assert gold.loc[("d1", "russia", 1), ["label", "source", "note", "pass2_label", "annotator"]].tolist() == [
        "favor",
        "adjudicated",
        "R9: a made-up rule",
        "favor",
        "A",
    ]
    assert gold.loc[("d1", "russia", 0), ["label", "source", "pass2_label"]].tolist() == ["against", "pass1", ""]
    assert gold.loc[("d2", "ukraine", 0), ["label", "annotator", "pass2_label"]].tolist() == ["neutral", "B", "neutral"]
    assert len(gold) == 4


def test_write_then_check_current_and_detect_a_stale_file(tmp_path):
    folder = write_annotations(tmp_path / "ann", pass1_a=A_ROWS)
    write_gold(folder)
    check_gold_current(folder)
    (folder / "pass1_A.csv").write_text(
        "\n".join([PASS_HEADER, *A_ROWS[:2], "d1,1,k1,russia,Russia traded.,favor,"]) + "\n", encoding="utf-8"
    )
    with pytest.raises(GoldError, match="out of date.*python -m pipeline.annotation build"):
        check_gold_current(folder)


@pytest.mark.parametrize(
    "rows, kwargs, message",
    [
        (["d1,0,k0,russia,Russia.,pro-russia,"], {}, r"pass1_A.csv: row 2: unknown label 'pro-russia'"),
        (
            [A_ROWS[0], "dX,3,k9,russia,Russia.,neutral,"],
            {"doc_ids": ["d1"]},
            r"pass1_A.csv: row 3: unknown doc_id 'dX'",
        ),
        (["d1,0,k0,china,China.,neutral,"], {"targets": ["russia", "ukraine"]}, r"row 2: unknown target 'china'"),
        ([A_ROWS[0], A_ROWS[0]], {}, r"row 2: \(d1, sent 0, russia\) is labelled twice in one pass"),
    ],
)
def test_bad_pass_rows_are_named(tmp_path, rows, kwargs, message):
    folder = write_annotations(tmp_path / "ann", pass1_a=rows)
    with pytest.raises(GoldError, match=message):
        build_gold(folder, **kwargs)


def test_a_unit_in_two_first_pass_files_is_refused(tmp_path):
    folder = write_annotations(tmp_path / "ann", pass1_a=A_ROWS, pass1_b=[A_ROWS[2]])
    with pytest.raises(GoldError, match=r"is in two pass1_\*.csv files \(annotators \['A', 'B'\]\)"):
        build_gold(folder)


@pytest.mark.parametrize(
    "adjudication, message",
    [
        (["d1,k1,russia,1,neutral,favor,favor,"], "row 2: an adjudicated label needs the rule"),
        (["d1,k1,russia,1,neutral,favor,maybe,R1"], "row 2: unknown label 'maybe'"),
        (["d1,kX,russia,1,neutral,favor,favor,R1"], r"row 2: \(d1, kX, russia\) matches no first-pass row"),
        (["d1,k1,russia,1,against,favor,favor,R1"], "label_pass1 'against' but the first pass now says 'neutral'"),
    ],
)
def test_bad_adjudication_rows_are_named(tmp_path, adjudication, message):
    folder = write_annotations(tmp_path / "ann", pass1_a=A_ROWS, adjudication=adjudication)
    with pytest.raises(GoldError, match=message):
        build_gold(folder)


def test_second_pass_row_without_first_pass_is_refused(tmp_path):
    folder = write_annotations(tmp_path / "ann", pass1_a=A_ROWS, pass2=["d1,5,k5,russia,Moscow.,neutral,"])
    with pytest.raises(GoldError, match=r"second-pass row \(d1, sent 5, russia\) matches no first-pass row"):
        build_gold(folder)


def test_unknown_label_in_the_gold_file_is_named(tmp_path):
    folder = write_annotations(tmp_path / "ann", pass1_a=A_ROWS)
    write_gold(folder)
    text = (folder / "stance_gold.csv").read_text(encoding="utf-8").replace("against", "hostile")
    (folder / "stance_gold.csv").write_text(text, encoding="utf-8")
    with pytest.raises(GoldError, match=r"stance_gold.csv: row 2: unknown label 'hostile'"):
        load_gold(folder / "stance_gold.csv")
