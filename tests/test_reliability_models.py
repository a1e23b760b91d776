"""Model files cannot run code when loaded (issue #17, item 1).

Anyone who can write models/stance (a shared drive, a poisoned DVC cache or
remote) can replace a model file *and* its sidecar, so the sha256 in the
sidecar proves nothing against tampering. These tests plant such payloads,
with a sidecar that matches them, and run the stance stage through the real
CLI: the payload must be refused with one line and never run.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
import yaml
from conftest import ROOT
from stance_data import make_units

from pipeline import paths
from pipeline.classifiers import make_classifier
from pipeline.classifiers.persist import (
    ModelFormatError,
    file_sha256,
    load_model,
    model_path,
    read_sidecar,
    save_model,
    training_hash,
)
from pipeline.cli import main


class Touch:
    """Unpickling this creates ``path``: a stand-in for any code an attacker wants run."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


class SetStateTouch:
    """A class whose ``__setstate__`` creates a file: what a skops file of an untrusted type could run."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __setstate__(self, state):
        Path(state["path"]).touch()


class Opaque:
    """A helper class no classifier declares."""


def pickle_payload(marker: Path) -> bytes:
    return pickle.dumps({"classifier": "lexicon", "training_hash": "x", "model": Touch(marker)})


def skops_payload(marker: Path) -> bytes:
    return sio.dumps({"classifier": "lexicon", "model": SetStateTouch(marker)})


def skops_function_payload(marker: Path) -> bytes:
    """A skops file that names os.system: a function node a permissive loader would hand back to call."""
    return sio.dumps({"classifier": "lexicon", "model": os.system})


PAYLOADS = {"pickle": pickle_payload, "skops_setstate": skops_payload, "skops_function": skops_function_payload}


def test_the_payloads_are_real(tmp_path):
    """Under pickle (what joblib.load runs) the payload creates its file; under a trusting skops load, too."""
    marker = tmp_path / "ran"
    pickle.loads(pickle_payload(marker))
    assert marker.exists()
    marker.unlink()
    sio.loads(skops_payload(marker), trusted=sio.get_untrusted_types(data=skops_payload(marker)))
    assert marker.exists()


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """The seed corpus through ingest, tag, gold, evaluate (lexicon only, for speed) and train, by the CLI."""
    root = tmp_path_factory.mktemp("models") / "project"
    shutil.copytree(ROOT / "corpus", root / "corpus")
    (root / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "annotation-guide.md", root / "docs")
    raw = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    raw["evaluate"]["classifiers"] = ["lexicon"]
    (root / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    for stage in ("ingest", "tag", "gold", "evaluate", "train"):
        assert main(["--params", str(root / "params.yaml"), stage]) == 0, stage
    return root


@pytest.fixture
def project(trained, tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(trained, root)
    return root


def run_stance(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    env.pop("PIPELINE_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "--params", str(root / "params.yaml"), "stance"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def plant(root: Path, payload: bytes) -> Path:
    """Replace the trained model's file with ``payload`` and rewrite its sidecar to match, as an attacker would."""
    path = model_path(root / paths.MODELS, "lexicon")
    sidecar = path.with_suffix(".json")
    record = json.loads(sidecar.read_text(encoding="utf-8"))
    path.write_bytes(payload)
    record["file_sha256"] = file_sha256(path)
    sidecar.write_text(json.dumps(record), encoding="utf-8")
    return path


@pytest.mark.slow
def test_the_trained_model_labels_the_corpus(project):
    proc = run_stance(project)
    assert proc.returncode == 0, proc.stderr
    assert model_path(project / paths.MODELS, "lexicon").is_file()
    assert not list((project / paths.MODELS).glob("*.joblib"))


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_a_planted_payload_with_a_matching_sidecar_never_runs(project, kind, tmp_path):
    marker = tmp_path / "payload-ran"
    path = plant(project, PAYLOADS[kind](marker))
    proc = run_stance(project)
    assert not marker.exists(), "the payload ran"
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: stance: {path}: "), proc.stderr
    assert "it is not loaded" in lines[0]
    assert not (project / paths.STANCES).exists()


@pytest.mark.slow
def test_a_sidecar_that_is_not_json_is_named(project):
    sidecar = model_path(project / paths.MODELS, "lexicon").with_suffix(".json")
    sidecar.write_text("not json", encoding="utf-8")
    proc = run_stance(project)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"error: stance: {sidecar}: not a JSON model record (Expecting value: line 1 column 1 (char 0)); "
        "refit the model with `dvc repro train`"
    )


def test_an_untrusted_helper_type_is_refused_at_save(params, tmp_path):
    """A classifier whose fitted state holds a type nobody declared cannot be saved (so never loaded)."""
    units = make_units(params)
    model = make_classifier("lexicon", params).fit(units)
    model.extra_ = Opaque()
    with pytest.raises(ModelFormatError, match="holds types the model loader does not trust .*Opaque"):
        save_model(model, "lexicon", "h", tmp_path, {})
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", ["lexicon", "lexicon_calibrated", "linear", "roles", "propagation"])
def test_each_classifier_round_trips_to_the_same_bytes(params, name, tmp_path):
    units = make_units(params)
    model = make_classifier(name, params).fit(units, units["label"])
    digest = training_hash(name, units, units["label"], params)
    first, second = (save_model(model, name, digest, tmp_path / d, {}) for d in ("a", "b"))
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(io.BytesIO(first.read_bytes())) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    loaded = load_model(name, digest, tmp_path / "a", tmp_path)
    assert np.allclose(loaded.predict_proba(units), model.predict_proba(units))
    assert read_sidecar(first.with_suffix(".json"))["file_sha256"] == file_sha256(first)
