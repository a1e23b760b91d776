"""No lost results under `dvc repro` (issue #11): every out is `persist: true` and each stage replaces its
outputs together (io.StageOutputs), so a refused input leaves every earlier output byte-identical, while a
changed input and `dvc repro -f` still give fresh outputs, and a folder out keeps no stale file."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from project_copy import copy_project, dvc, env_for, tree_hashes

from pipeline import io, paths
from pipeline.cli import main

pytestmark = pytest.mark.slow


def set_params(root, **dotted) -> None:
    path = root / "params.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in dotted.items():
        node = raw
        *parents, last = key.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")


def results(root) -> dict[str, str]:
    """sha256 of every output: row data, tables, metrics, figures, report, and the fitted model."""
    return {
        **{f"outputs/{k}": v for k, v in tree_hashes(root / "outputs").items()},
        **{f"models/{k}": v for k, v in tree_hashes(root / "models").items()},
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The seed corpus as a fresh clone has it, with the quick settings (the lexicon only, fewer resamples)."""
    root = copy_project(tmp_path_factory.mktemp("persist") / "project")
    set_params(
        root,
        **{
            "evaluate.classifiers": ["lexicon"],
            "compare.bootstrap.n_resamples": 200,
            "gold.bootstrap.n_resamples": 200,
        },
    )
    dvc(root, "repro")
    return root


def test_a_refused_input_leaves_every_earlier_output_byte_identical(project):
    before = results(project)
    assert {
        "outputs/report.html",
        "outputs/metrics/compare.json",
        "outputs/tables/compare/stance_by_group.csv",
        "outputs/figures/stance_by_group.svg",
        "outputs/data/stances.parquet",
    } <= before.keys()
    manifest = project / paths.MANIFEST
    original = manifest.read_bytes()
    header, first, *rest = original.decode("utf-8").splitlines()
    cells = first.split(",")
    cells[header.split(",").index("author_origin")] = ""
    manifest.write_text("\n".join([header, ",".join(cells), *rest]) + "\n", encoding="utf-8")
    try:
        refused = subprocess.run(
            [sys.executable, "-m", "dvc", "repro"],
            cwd=project,
            env=env_for(project),
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert refused.returncode != 0
        assert "error: ingest: " in refused.stderr + refused.stdout
        assert "column 'author_origin': is empty" in refused.stderr + refused.stdout
        assert results(project) == before
    finally:
        manifest.write_bytes(original)
    assert json.loads(dvc(project, "status", "--json").stdout) == {}


def test_a_changed_input_gives_fresh_outputs_and_no_stale_file(project):
    tables = project / paths.tables("compare")
    (tables / "left_over_from_an_old_run.csv").write_text("x\n", encoding="utf-8")
    before = results(project)
    set_params(project, **{"compare.bootstrap.n_resamples": 300})
    dvc(project, "repro")
    after = results(project)
    assert not (tables / "left_over_from_an_old_run.csv").exists()
    assert after["outputs/tables/compare/stance_by_group.csv"] != before["outputs/tables/compare/stance_by_group.csv"]
    assert "(300 resamples)" in (tables / "stance_by_group.md").read_text(encoding="utf-8")
    assert after["outputs/data/stances.parquet"] == before["outputs/data/stances.parquet"]  # upstream untouched
    assert json.loads(dvc(project, "status", "--json").stdout) == {}


def test_forced_repro_runs_the_stage_again_and_gives_the_same_bytes(project):
    before = results(project)
    forced = dvc(project, "repro", "-f", "compare")
    assert "Running stage 'compare'" in forced.stdout
    assert results(project) == before
    assert json.loads(dvc(project, "status", "--json").stdout) == {}


def test_a_write_failure_in_the_middle_of_a_stage_leaves_all_its_outputs_as_they_were(project, monkeypatch, capsys):
    before = results(project)
    set_params(project, **{"compare.bootstrap.n_resamples": 250})  # would change every compare table
    real_write_json = io.write_json

    def failing(path, data):  # compare writes its metrics after its twelve tables
        if "compare.json" in str(path):
            raise OSError(28, "No space left on device")
        real_write_json(path, data)

    monkeypatch.setattr(io, "write_json", failing)
    try:
        assert main(["--params", str(project / "params.yaml"), "compare"]) == 2
        assert "error: compare: [Errno 28] No space left on device" in capsys.readouterr().err
        assert results(project) == before
        assert not [p for p in (project / "outputs").rglob(".*")]  # no staged file or folder left behind
    finally:
        set_params(project, **{"compare.bootstrap.n_resamples": 300})
