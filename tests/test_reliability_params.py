"""Params that would silently change the statistics are refused with one line (issue #17, item 2).

Each case is written into params.yaml as a user would type it and run
through the real CLI and under ``dvc repro``: the message names the dotted
key, repeats the value as YAML writes it, and says what the key accepts.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from project_copy import copy_project, env_for

# (line as params.yaml has it, the same line broken, the one-line message)
CASES = {
    "bool for n_resamples": (
        "    n_resamples: 4000 ",
        "    n_resamples: true ",
        "params.yaml: compare.bootstrap.n_resamples: true is not allowed (an integer >= 1)",
    ),
    "2.9 permutations": (
        "    n_permutations: 10000 ",
        "    n_permutations: 2.9 ",
        "params.yaml: compare.permutation.n_permutations: 2.9 is not allowed (an integer >= 1)",
    ),
    "4000.7 permutations": (
        "    n_permutations: 10000 ",
        "    n_permutations: 4000.7 ",
        "params.yaml: compare.permutation.n_permutations: 4000.7 is not allowed (an integer >= 1)",
    ),
    "many resamples": (
        "    n_resamples: 4000 ",
        "    n_resamples: many ",
        "params.yaml: compare.bootstrap.n_resamples: 'many' is not allowed (an integer >= 1)",
    ),
    "nan resamples": (
        "    n_resamples: 4000 ",
        "    n_resamples: .nan ",
        "params.yaml: compare.bootstrap.n_resamples: .nan is not allowed (an integer >= 1)",
    ),
}


def break_params(root: Path, case: str) -> None:
    good, bad, _ = CASES[case]
    path = root / "params.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(good) == 1, f"params.yaml no longer has {good!r} once"
    path.write_text(text.replace(good, bad), encoding="utf-8")


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "params.yaml").write_text((ROOT / "params.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return root


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_cli_names_key_value_and_what_is_allowed(project, case):
    break_params(project, case)
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "--params", str(project / "params.yaml"), "compare"],
        cwd=project,
        env=env_for(ROOT),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"error: compare: {CASES[case][2]}"]


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("params") / "project")


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_dvc_repro_stops_with_the_same_line(clone, case):
    original = (clone / "params.yaml").read_text(encoding="utf-8")
    break_params(clone, case)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "dvc", "repro"],
            cwd=clone,
            env=env_for(clone),
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        (clone / "params.yaml").write_text(original, encoding="utf-8")
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    ours = [line for line in output.splitlines() if line.startswith("error: ")]
    assert ours == [f"error: ingest: {CASES[case][2]}"], output
    assert not re.search(r"Traceback|ValidationError|pydantic", output), output
    assert not (clone / "outputs" / "data").exists()
