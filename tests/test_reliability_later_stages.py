"""Input gaps that reach the later stages: a document added after the annotation round, and a group
that never mentions a target, through agreement and compare as a user runs them (the CLI, in-process)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT, make_project
from project_copy import tree_hashes

from pipeline import paths
from pipeline.analysis.captions import coverage_note
from pipeline.cli import main
from pipeline.nlp.coverage import CoverageGaps

pytestmark = pytest.mark.slow

# Added to the seed corpus after its annotation round: one document with target mentions, one without.
ADDED = {
    "ua-added": ("Ukrainian", "Kyiv thanked Tokyo for its support.\n\nRussia's strikes on Kharkiv continued.\n"),
    "in-added-econ": ("Indian", "Japan and India discussed trade and railways in New Delhi.\n"),
}


def run(root: Path, stage: str, capsys) -> tuple[int, str]:
    rc = main(["--params", str(root / "params.yaml"), stage])
    return rc, capsys.readouterr().err


def set_param(root: Path, dotted: str, value) -> None:
    path = root / "params.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    node = raw
    *parents, last = dotted.split(".")
    for part in parents:
        node = node[part]
    node[last] = value
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def seed_plus_added(tmp_path_factory) -> Path:
    """The seed corpus and its annotations, plus ADDED (no gold labels), ingested and tagged."""
    root = tmp_path_factory.mktemp("seed_plus_added")
    shutil.copytree(ROOT / "corpus", root / "corpus")
    (root / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "annotation-guide.md", root / "docs")
    shutil.copy(ROOT / "params.yaml", root / "params.yaml")
    set_param(root, "compare.bootstrap.n_resamples", 100)
    with (root / "corpus" / "manifest.csv").open("a", encoding="utf-8") as fh:
        for doc_id, (origin, text) in ADDED.items():
            (root / "corpus" / "raw" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
            fh.write(f"{doc_id},raw/{doc_id}.txt,,,,,{origin},test,,,\n")
    for stage in ("ingest", "tag", "gold"):
        assert main(["--params", str(root / "params.yaml"), stage]) == 0, stage
    return root


@pytest.fixture
def project(seed_plus_added, tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(seed_plus_added, root)
    return root


def test_gold_covers_the_annotated_documents_only(project):
    gold = pd.read_parquet(project / paths.GOLD)
    counts = pd.read_csv(project / paths.table("gold", "gold_counts"))
    designs = counts[counts["doc_id"] != "all"].groupby("doc_id")["design"].agg(set)
    assert designs["ua-added"] == {"none"} and all(d == {"census"} for d in designs.drop("ua-added"))
    assert "in-added-econ" not in set(counts["doc_id"])  # no target mention: no unit
    metrics = json.loads((project / paths.GOLD_METRICS).read_text(encoding="utf-8"))
    assert metrics["n_gold_units"] == len(gold) and not set(ADDED) & set(gold["doc_id"])


def test_compare_on_model_labels_includes_the_added_document(project, capsys):
    # gold documents get out-of-fold labels from evaluate, the added one the model train fits;
    # the lexicon alone keeps this fast (the real default is chosen by evaluate)
    set_param(project, "stance.classifier", "lexicon")
    set_param(project, "evaluate.classifiers", ["lexicon"])
    for stage in ("evaluate", "train", "stance", "compare"):
        rc, err = run(project, stage, capsys)
        assert rc == 0, err
    per_doc = pd.read_csv(project / "outputs" / "tables" / "compare" / "stance_by_document.csv")
    added = per_doc[per_doc["doc_id"].isin(ADDED)].set_index(["doc_id", "target"])["n_units"]
    assert added[("ua-added", "ukraine")] > 0 and added[("ua-added", "russia")] > 0
    assert added[("in-added-econ", "russia")] == 0 and added[("in-added-econ", "ukraine")] == 0


def test_compare_on_gold_labels_refuses_naming_the_unlabelled_document(project, capsys):
    # compare reads the stance stage's output in every label mode; the lexicon keeps this fast
    set_param(project, "stance.classifier", "lexicon")
    set_param(project, "evaluate.classifiers", ["lexicon"])
    for stage in ("evaluate", "train", "stance"):
        rc, err = run(project, stage, capsys)
        assert rc == 0, err
    set_param(project, "stance.labels", "gold")
    before = tree_hashes(project / "outputs")
    rc, err = run(project, "compare", capsys)
    assert rc == 2
    assert (
        "error: compare: stance.labels is 'gold', but Ukrainian x russia has no gold estimate: document(s) "
        "ua-added lack complete gold labels"
    ) in err
    assert "python -m pipeline annotate export" in err
    assert "set stance.labels: auto" in err
    assert "in-added-econ" not in err  # no target mention: no unit, nothing to label
    assert tree_hashes(project / "outputs") == before  # nothing written


def test_group_without_a_target_gets_a_no_data_note(tmp_path, capsys):
    docs = {
        "ua-one": ("Ukrainian", "Russia's invasion of Ukraine shocked Japan.\n\nJapan sent aid to Kyiv.\n"),
        "ua-two": ("Ukrainian", "Ukraine asked for help.\n\nRussian forces attacked Ukraine.\n"),
        "in-one": ("Indian", "Japan imposed sanctions on Russia.\n\nTrade with Moscow fell.\n"),
        "ru-one": ("Russian", "Moscow met Tokyo.\n\nKyiv was not discussed.\n"),
    }
    make_project(tmp_path, docs, **{"compare.bootstrap.n_resamples": 100})
    for stage in ("ingest", "tag", "gold", "stance", "compare"):
        rc, err = run(tmp_path, stage, capsys)
        assert rc == 0, err
    tables = tmp_path / "outputs" / "tables" / "compare"
    note = (
        "No data, not zero: origin group Indian (1 document(s)) never mentions ukraine. Its shares and net "
        "index toward that target are empty"
    )
    for name in ("stance_by_document", "stance_by_group", "stance_group_differences"):
        assert note in (tables / f"{name}.md").read_text(encoding="utf-8"), name
    for name in ("actor_salience_by_group", "frame_rates_by_group"):  # a count of zero is a real zero there
        assert "No data" not in (tables / f"{name}.md").read_text(encoding="utf-8"), name
    by_group = pd.read_csv(tables / "stance_by_group.csv").set_index(["author_origin", "target"])
    assert by_group.loc[("Indian", "ukraine"), "n_docs_mentioning"] == 0
    assert by_group.loc[("Indian", "ukraine"), ["share_favor", "net_index"]].isna().all()
    assert by_group.loc[("Indian", "russia"), ["share_favor", "net_index"]].notna().all()
    differences = pd.read_csv(tables / "stance_group_differences.csv")
    ukraine = differences[differences["target"] == "ukraine"]
    assert not ukraine.empty and "Indian" not in set(ukraine["group_a"]) | set(ukraine["group_b"])
    russia = differences[differences["target"] == "russia"]
    assert "Indian" in set(russia["group_a"]) | set(russia["group_b"])


def test_corpus_without_any_target_mention_is_refused_by_compare(tmp_path, capsys):
    docs = {
        "ua-one": ("Ukrainian", "Japan sent aid.\n\nTokyo and Beijing talked.\n"),
        "in-one": ("Indian", "India and Japan signed a deal on railways.\n"),
    }
    make_project(tmp_path, docs)
    for stage in ("ingest", "tag", "gold", "stance"):
        assert run(tmp_path, stage, capsys)[0] == 0
    rc, err = run(tmp_path, "compare", capsys)
    assert rc == 2 and "Traceback" not in err
    assert (
        "error: compare: no document mentions any of the targets ['russia', 'ukraine'], so there is no stance "
        "to compare"
    ) in err
    assert not (tmp_path / paths.tables("compare")).exists()


def test_single_origin_corpus_gets_an_empty_differences_table(tmp_path, capsys):
    docs = {
        "ua-one": ("Ukrainian", "Russia's invasion of Ukraine shocked Japan.\n\nJapan sent aid to Kyiv.\n"),
        "ua-two": ("Ukrainian", "Ukraine asked for help.\n\nRussian forces attacked Ukraine.\n"),
    }
    make_project(tmp_path, docs, **{"compare.bootstrap.n_resamples": 100})
    for stage in ("ingest", "tag", "gold", "stance", "compare"):
        rc, err = run(tmp_path, stage, capsys)
        assert rc == 0, err
    differences = pd.read_csv(tmp_path / "outputs" / "tables" / "compare" / "stance_group_differences.csv")
    assert differences.empty and {"target", "measure", "group_a", "group_b", "difference"} <= set(differences)
    metrics = json.loads((tmp_path / "outputs" / "metrics" / "compare.json").read_text(encoding="utf-8"))
    assert metrics["min_attainable_p"] is None  # no pair of groups to test
    assert {group for by_group in metrics["net_index"].values() for group in by_group} == {"Ukrainian"}


def test_no_note_without_gaps():
    assert coverage_note(CoverageGaps(documents_without_mentions=["d"], groups_without_target=[])) == ""
    two = coverage_note(CoverageGaps([], [("Indian", "ukraine", 2), ("Russian", "russia", 1)]))
    assert "Indian (2 document(s)) never mentions ukraine; origin group Russian (1 document(s))" in two
