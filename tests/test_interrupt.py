"""A stage killed with SIGKILL mid-write leaves earlier outputs intact and DVC saying "changed".

The kill comes at the worst moment: the tag stage has written its last
output (mentions.parquet) to the temporary file and is about to rename it.
The hook ``PIPELINE_HOLD_BEFORE_RENAME`` (pipeline/io.py) stops the writer
exactly there, so the test needs no timing. Afterwards the previous
mentions.parquet must be byte-identical and readable, no output path may
hold a partial file, ``dvc status`` must report the stage as changed, and a
plain ``dvc repro`` must recover to a clean status.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys

import pandas as pd
import pytest
import yaml
from conftest import make_project
from project_copy import ROOT, configure_dvc, dvc, env_for, tree_hashes

from pipeline.io import HOLD_ENV

pytestmark = pytest.mark.slow

DOCS = {
    "ua-one": ("Ukrainian", "Japan condemned Russia's invasion of Ukraine.\n\nMuscovy and Kyiv disagree.\n"),
    "in-one": ("Indian", "India and Russia have long ties.\n\nUkraine asked New Delhi for support.\n"),
}


def dvc_project(tmp_path, stage: str):
    """A small DVC project (this project's code and dvc.yaml) with ``stage`` and its upstream run and locked."""
    make_project(tmp_path, DOCS)
    for folder in ("pipeline", "bin", "plugins"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "dvc.yaml", tmp_path / "dvc.yaml")
    configure_dvc(tmp_path)
    dvc(tmp_path, "repro", stage)
    return tmp_path


def kill_at_hold(project, stage_name: str, env: dict[str, str]) -> None:
    """Run a stage until its writer reports the hold, then SIGKILL it there."""
    stage = subprocess.Popen(
        [sys.executable, "-m", "pipeline", stage_name],
        cwd=project,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        for line in stage.stderr:  # tqdm's progress lines come first
            if line.startswith("holding "):
                break
        else:
            pytest.fail(f"{stage_name} ended without reaching the hold (exit {stage.wait()})")
        stage.send_signal(signal.SIGKILL)
        assert stage.wait(timeout=60) == -signal.SIGKILL
    finally:
        if stage.poll() is None:
            stage.kill()
        stage.stderr.close()


@pytest.fixture
def tagged(tmp_path):
    return dvc_project(tmp_path, "tag")


def test_sigkill_before_rename_keeps_previous_output_and_dvc_reports_changed(tagged):
    data = tagged / "outputs" / "data"
    before = tree_hashes(data)
    old_mentions = pd.read_parquet(data / "mentions.parquet")
    assert "Muscovy" not in set(old_mentions["text"])

    # A params change the tag stage must act on: a new alias that occurs in the corpus.
    params = yaml.safe_load((tagged / "params.yaml").read_text(encoding="utf-8"))
    params["targets"]["russia"]["historical"].append("Muscovy")
    (tagged / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")

    env = env_for(tagged) | {HOLD_ENV: "mentions.parquet"}
    kill_at_hold(tagged, "tag", env)

    after = tree_hashes(data)
    # the output being written when the stage died is exactly the previous one, and readable
    assert after["mentions.parquet"] == before["mentions.parquet"]
    pd.testing.assert_frame_equal(pd.read_parquet(data / "mentions.parquet"), old_mentions)
    # what was fully written before the kill was renamed into place whole (entities gained Muscovy)
    assert "Muscovy" in set(pd.read_parquet(data / "entities.parquet")["text"])
    pd.read_parquet(data / "sentences.parquet")
    # the unfinished file is only a hidden temporary, never at an output path
    leftovers = [name for name in after if name not in before]
    assert leftovers and all(name.startswith(".mentions.parquet.") and name.endswith(".tmp") for name in leftovers)

    status = json.loads(dvc(tagged, "status", "--with-deps", "--json", "tag").stdout)
    assert set(status) == {"tag"}, status  # tag changed; ingest upstream untouched

    dvc(tagged, "repro", "tag")
    assert json.loads(dvc(tagged, "status", "--with-deps", "--json", "tag").stdout) == {}
    assert "Muscovy" in set(pd.read_parquet(data / "mentions.parquet")["text"])
    assert not [p for p in data.iterdir() if p.name.endswith(".tmp")]  # the leftover was cleaned up


@pytest.fixture
def ingested(tmp_path):
    return dvc_project(tmp_path, "ingest")


def test_sigkill_before_folder_swap_keeps_previous_clean_texts(ingested):
    """ingest replaces outputs/data/clean as a whole folder; killed just before the swap, the old one is intact."""
    data = ingested / "outputs" / "data"
    before = tree_hashes(data)
    assert "clean/ua-one.txt" in before
    (ingested / "corpus" / "raw" / "ua-one.txt").write_text("Moscow and Kyiv met again.\n", encoding="utf-8")

    env = env_for(ingested) | {HOLD_ENV: "clean"}
    kill_at_hold(ingested, "ingest", env)

    after = tree_hashes(data)
    # every output, folder and file, is exactly the previous one
    # the killed run's own temporaries (the staged folder, documents.parquet being streamed)
    # are all that differ; the next run clears them
    assert {
        k: v
        for k, v in after.items()
        if not k.startswith(".clean.staging/") and not k.startswith(".documents.parquet.")
    } == before
    # the complete new folder waited beside it, hidden
    staged = {k for k in after if k.startswith(".clean.staging/")}
    assert staged == {f".clean.staging/{doc}.{ext}" for doc in DOCS for ext in ("txt", "cleaning.json")}

    status = json.loads(dvc(ingested, "status", "--json", "ingest").stdout)
    assert set(status) == {"ingest"}, status

    dvc(ingested, "repro", "ingest")
    assert json.loads(dvc(ingested, "status", "--json", "ingest").stdout) == {}
    assert (data / "clean" / "ua-one.txt").read_text(encoding="utf-8") == "Moscow and Kyiv met again.\n"
    assert not [p for p in data.iterdir() if p.name.startswith((".clean.", ".documents.parquet."))]  # leftovers cleared
