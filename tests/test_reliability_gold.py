"""Gold that cannot drift: a gold table edited by hand, or left stale by a pass file changed since the gold
stage ran, is refused by every stage that reads it, through the real CLI, naming the first inconsistent row.

The project is the seed corpus (its annotation passes and adjudication) run
through ingest, tag, gold, evaluate (lexicon only, for speed), train and
stance once; each case edits a copy and runs a stage.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml
from project_copy import tree_hashes

from pipeline import paths
from pipeline.annotation.gold import drift
from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def derived(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gold") / "project"
    shutil.copytree(ROOT / "corpus", root / "corpus")
    (root / "docs").mkdir()
    shutil.copy(ROOT / paths.GUIDE, root / paths.GUIDE)
    raw = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    raw["evaluate"]["classifiers"] = ["lexicon"]
    (root / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    for stage in ("ingest", "tag", "gold", "evaluate", "train", "stance"):
        assert main(["--params", str(root / "params.yaml"), stage]) == 0, stage
    return root


@pytest.fixture
def project(derived, tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(derived, root)
    return root


def edit_gold(root: Path, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    path = root / paths.GOLD
    edit(pd.read_parquet(path)).to_parquet(path)


def flip_label(gold: pd.DataFrame) -> pd.DataFrame:
    """Row 3 relabelled, as someone "correcting" gold in a notebook would."""
    gold = gold.copy()
    gold.loc[2, "label"] = "favor" if gold.loc[2, "label"] != "favor" else "against"
    return gold


def drop_pass_row(root: Path) -> None:
    """A pass file changed after the gold stage ran (its first row removed): gold.parquet is now stale."""
    first_pass = sorted((root / paths.ANNOTATIONS / "passes").glob("*.csv"))[0]
    rows = pd.read_csv(first_pass, dtype=str, keep_default_na=False)
    rows.iloc[1:].to_csv(first_pass, index=False)


CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "label edited": (
        lambda r: edit_gold(r, flip_label),
        r"row 3 \([\w-]+, sent \d+, \w+\): label '\w+', but the passes and adjudication give '\w+'",
    ),
    "row removed": (
        lambda r: edit_gold(r, lambda g: g.drop(index=0)),
        r"1 unit\(s\) the passes label have no row, e\.g\. \(",
    ),
    "row added": (
        lambda r: edit_gold(r, lambda g: pd.concat([g, g.iloc[[0]].assign(target="china")], ignore_index=True)),
        r"row \d+ \([\w-]+, sent \d+, china\): no pass labels this unit",
    ),
    "pass changed since": (
        drop_pass_row,
        r"row \d+ \(ua-polishchuk-2024, sent 0, ukraine\): source 'agreed', but the passes and adjudication give "
        r"'single'",
    ),
}


@pytest.mark.parametrize("stage", ["evaluate", "train", "stance", "compare"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_gold_table_that_drifted_is_refused(project, capsys, case, stage):
    break_gold, message = CASES[case]
    break_gold(project)
    before = tree_hashes(project / "outputs")
    rc = main(["--params", str(project / "params.yaml"), stage])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert re.search(
        rf"error: {stage}: outputs/data/gold\.parquet: {message}.*; gold is derived from .*passes and "
        r"adjudication\.csv, never edited: rerun the gold stage \(`dvc repro gold`\)",
        err,
    ), err
    assert len(err.strip().splitlines()) == 1, err
    assert tree_hashes(project / "outputs") == before


def test_the_gold_the_stage_wrote_is_accepted(project, capsys):
    assert main(["--params", str(project / "params.yaml"), "compare"]) == 0, capsys.readouterr().err


def test_drift_names_the_first_inconsistent_row():
    key = ["doc_id", "sent_key", "target"]
    expected = pd.DataFrame(
        {"doc_id": ["d", "d"], "sent_key": ["a", "b"], "target": ["t", "t"], "label": ["favor", "neutral"]}
    ).assign(basis="text", source="agreed", rule="")
    gold = expected.assign(sent_id=[0, 1])
    assert drift(gold, expected.set_index(key)) is None
    assert drift(gold.assign(basis=["text", "context"]), expected.set_index(key)) == (
        "row 2 (d, sent 1, t): basis 'context', but the passes and adjudication give 'text'"
    )
