"""bin/stage, dvc.yaml's command: it finds the project's Python however DVC was called, or says in one line
what to do (issue #11: `make repro`, `.venv/bin/dvc repro` and `dvc repro` in an activated venv)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, make_project

DOCS = {"ua-one": ("Ukrainian", "Japan condemned Russia's invasion of Ukraine.\n")}
NO_ENV = (
    "error: no Python environment with this project installed; run 'make setup' (creates .venv) or set STANCE_PYTHON"
)


@pytest.fixture
def project(tmp_path) -> Path:
    make_project(tmp_path, DOCS)
    shutil.copytree(ROOT / "bin", tmp_path / "bin")
    return tmp_path


def fake_python(folder: Path) -> Path:
    """A `python3` first on PATH that cannot import the package (like a bare system Python)."""
    folder.mkdir()
    script = folder / "python3"
    script.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    script.chmod(0o755)
    return folder


def launch(project: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", "bin/stage", *args], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )


def bare_env(project: Path) -> dict[str, str]:
    """No venv activated, no STANCE_PYTHON, and a PATH whose python3 cannot import the package."""
    env = {k: v for k, v in os.environ.items() if k not in ("STANCE_PYTHON", "VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = f"{fake_python(project / 'fakebin')}{os.pathsep}/usr/bin{os.pathsep}/bin"
    return env


def test_without_a_python_environment_it_says_what_to_do_in_one_line(project):
    result = launch(project, "ingest", env=bare_env(project))
    assert result.returncode == 2
    assert result.stderr.strip() == NO_ENV and result.stdout == ""
    assert not (project / "outputs").exists()


def test_stance_python_runs_the_stage(project):
    env = bare_env(project) | {"STANCE_PYTHON": sys.executable, "PYTHONPATH": str(ROOT)}
    result = launch(project, "ingest", env=env)
    assert result.returncode == 0, result.stderr
    assert (project / "outputs" / "data" / "documents.parquet").is_file()


def test_the_project_venv_is_found_without_activation(project):
    venv_python = project / ".venv" / "bin" / "python"  # stands in for the venv `make setup` creates
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    venv_python.chmod(0o755)
    env = bare_env(project) | {"PYTHONPATH": str(ROOT)}
    result = launch(project, "ingest", env=env)
    assert result.returncode == 0, result.stderr
    assert (project / "outputs" / "data" / "documents.parquet").is_file()


def test_a_refused_input_is_still_one_line_through_the_launcher(project):
    env = bare_env(project) | {"STANCE_PYTHON": sys.executable, "PYTHONPATH": str(ROOT)}
    (project / "corpus" / "manifest.csv").write_text("doc_id\n", encoding="utf-8")
    result = launch(project, "ingest", env=env)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: ingest: ") and len(result.stderr.strip().splitlines()) == 1
