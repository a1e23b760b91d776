"""Two full runs from a clean state give byte-identical outputs.

Two copies of the project (as a fresh clone would have it: no outputs/, no
dvc.lock, no DVC cache, no models/) each run ``dvc repro`` in its own
process, at the same time and so with different hash seeds and timings.
Every file under outputs/ (row data, tables, metrics, the figures in every
format, the HTML and Markdown report) and the resulting dvc.lock must be
identical.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from project_copy import copy_project, env_for, tree_hashes

pytestmark = pytest.mark.slow


def test_two_clean_runs_are_byte_identical(tmp_path):
    copies = [copy_project(tmp_path / name) for name in ("run_a", "run_b")]
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "dvc", "repro"],
            cwd=root,
            env=env_for(root),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for root in copies
    ]
    for root, run in zip(copies, runs):
        output, _ = run.communicate(timeout=900)
        assert run.returncode == 0, f"dvc repro failed in {root}:\n{output}"

    hashes_a, hashes_b = (tree_hashes(root / "outputs") for root in copies)
    kinds = {name.rsplit(".", 1)[-1] for name in hashes_a}
    assert {"parquet", "csv", "md", "tex", "json", "png", "svg", "pdf", "txt"} <= kinds
    assert {"report.html", "report.md", "figures/README.md"} <= hashes_a.keys()
    figures = {tuple(name.removeprefix("figures/").rsplit(".", 1)) for name in hashes_a if name.startswith("figures/")}
    stems = {stem for stem, ext in figures if ext == "png"}
    assert stems and {(stem, ext) for stem in stems for ext in ("png", "svg", "pdf")} <= figures
    differing = sorted(name for name in hashes_a.keys() | hashes_b.keys() if hashes_a.get(name) != hashes_b.get(name))
    assert not differing, f"outputs differ between two clean runs: {differing}"
    lock_a, lock_b = ((root / "dvc.lock").read_text() for root in copies)
    assert lock_a == lock_b
