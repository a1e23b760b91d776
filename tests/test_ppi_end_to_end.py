"""A new user's corpus without gold: annotate a 20% sample, import it, run the stages, get valid intervals.

The seed corpus stands in for the user's documents; its committed gold (two
model-based census passes + adjudication) is held back and fills the exported
task file, standing in for the annotator. The group intervals compare reports
(prediction-powered) must contain the full-gold values, but for at most the
misses 95% intervals make (ppi_validation measures their rate). Seeded: it cannot flake.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline import paths
from pipeline.annotation.gold import apply_reading, derive_gold
from pipeline.annotation.passes import read_adjudication, read_passes
from pipeline.cli import main
from pipeline.nlp.units import stance_units
from pipeline.paths import LABELS

ROOT = Path(__file__).resolve().parents[1]
ANNOTATIONS = ROOT / paths.ANNOTATIONS
BUDGET = 0.20

pytestmark = pytest.mark.slow


def cli(root: Path, *argv: str) -> None:
    assert main(["--params", str(root / "params.yaml"), *argv]) == 0, argv


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """The seed corpus with no annotation passes, tagged; and the held-back full gold of its units."""
    root = tmp_path_factory.mktemp("byo")
    shutil.copy(ROOT / "params.yaml", root / "params.yaml")
    shutil.copytree(ROOT / "corpus", root / "corpus", ignore=shutil.ignore_patterns("passes", "adjudication.csv", "v1"))
    (root / "docs").mkdir()
    shutil.copy(ROOT / paths.GUIDE, root / paths.GUIDE)
    raw = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
    raw["compare"]["bootstrap"]["n_resamples"] = 1000
    (root / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    for stage in ("ingest", "tag", "gold"):
        cli(root, stage)
    units = stance_units(*(pd.read_parquet(root / p) for p in (paths.SENTENCES, paths.MENTIONS, paths.DOCUMENTS)))
    held_back = derive_gold(read_passes(ANNOTATIONS), read_adjudication(ANNOTATIONS), units, ANNOTATIONS)
    return root, held_back.merge(units[["doc_id", "sent_key", "target"]], on=["doc_id", "sent_key", "target"])


def full_gold_values(root: Path, gold: pd.DataFrame) -> pd.DataFrame:
    """Per origin x target: the document-weighted shares and net index under the full held-back gold."""
    documents = pd.read_parquet(root / paths.DOCUMENTS)[["doc_id", "author_origin"]]
    g = gold.assign(label=apply_reading(gold["label"], gold["basis"], "full")).merge(documents, on="doc_id")
    shares = pd.crosstab([g["author_origin"], g["doc_id"], g["target"]], g["label"], normalize="index")
    shares = shares.reindex(columns=list(LABELS), fill_value=0)
    shares["net"] = shares["favor"] - shares["against"]
    return shares.groupby(level=["author_origin", "target"]).mean()


def test_a_20_percent_sample_gives_intervals_that_hold(project):
    root, held_back = project
    n = round(BUDGET * len(held_back))
    cli(root, "annotate", "export", "--n", str(n), "--seed", "11", "--out", str(root / "tasks.csv"))
    tasks = pd.read_csv(root / "tasks.csv", dtype=str, keep_default_na=False)
    units = stance_units(*(pd.read_parquet(root / p) for p in (paths.SENTENCES, paths.MENTIONS, paths.DOCUMENTS)))
    answers = units[["doc_id", "sent_id", "target", "sent_key"]].merge(held_back, on=["doc_id", "sent_key", "target"])
    answers = answers.assign(sent_id=answers["sent_id_x"].astype(str)).set_index(["doc_id", "sent_id", "target"])
    keys = list(zip(tasks["doc_id"], tasks["sent_id"], tasks["target"]))
    tasks["label"] = [answers.loc[k, "label"] for k in keys]
    tasks["basis"] = [answers.loc[k, "basis"] for k in keys]
    tasks.to_csv(root / "tasks.csv", index=False)
    cli(root, "annotate", "import", str(root / "tasks.csv"), "--annotator", "heldback", "--model-based")
    for stage in ("gold", "evaluate", "train", "stance", "compare"):
        cli(root, stage)

    stances = pd.read_parquet(root / paths.STANCES)
    assert set(stances["prediction"]) == {"cross_fitted"}  # every document has a sample: one fold model each
    reported = pd.read_csv(root / paths.table("compare", "stance_by_group")).set_index(["author_origin", "target"])
    # cells smaller than annotate.min_per_cell are labelled in full: groups made only of such cells are gold
    assert "ppi" in set(reported["label_source"]) and set(reported["label_source"]) <= {"ppi", "gold"}
    truth = full_gold_values(root, held_back)
    covered = {
        (*key, measure): row[f"{measure}_lo"] - 1e-9 <= truth.loc[key, statistic] <= row[f"{measure}_hi"] + 1e-9
        for key, row in reported.iterrows()
        for statistic, measure in [*((lab, f"share_{lab}") for lab in LABELS), ("net", "net_index")]
    }
    # 95% intervals: some may miss (ppi_validation measures the rate over 500 samples); on this seeded
    # sample at most 2 of the 24 may (Indian x russia share_neutral misses, by 0.011), no net index
    missed = [k for k, ok in covered.items() if not ok]
    assert len(covered) == 24 and len(missed) <= 2, missed
    assert all(ok for (_, _, measure), ok in covered.items() if measure == "net_index")
    caption = (root / paths.tables("compare") / "stance_by_group.md").read_text(encoding="utf-8")
    assert "prediction-powered estimates (gold of a random sample" in caption
