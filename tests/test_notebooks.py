"""The exploration notebooks run top to bottom against a pipeline run, and are stored clean."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_both_notebooks_exist():
    assert [p.name for p in NOTEBOOKS] == ["01-explore-stance.ipynb", "02-try-a-classifier.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_against_the_pipeline_outputs(path, built_project, monkeypatch):
    """Every cell runs without error (the notebooks assert their own traces)."""
    monkeypatch.setenv("STANCE_PROJECT", str(built_project))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the kernel imports this checkout's pipeline, not an installed one
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert len(shown) >= sum(c.cell_type == "code" for c in nb.cells) - 1  # cells display results


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_says_which_labels_and_who_annotated(path):
    """Gold labels are never passed off as human-coded: the notebooks say the seed's annotators are model-based."""
    nb = nbformat.read(path, as_version=4)
    words = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "human-coded" not in words
    assert "model-based" in words and "LLM sessions, not human coders" in words
    assert "gold_phrase(" in "\n".join(c.source for c in nb.cells if c.cell_type == "code")  # the record, printed
