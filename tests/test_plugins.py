"""A classifier and a figure of the project's own, in its plugins/ folder (outside the package),
run through the real CLI: one module, one decorator each, and nothing else to edit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT, make_project

pytestmark = pytest.mark.slow

DOCS = {
    "ua-one": ("Ukrainian", "Russia's invasion of Ukraine shocked Japan.\n\nJapan sent aid to Kyiv.\n"),
    "in-one": ("Indian", "Japan imposed sanctions on Russia.\n\nUkraine asked New Delhi for support.\n"),
}

PLUGIN = '''
import matplotlib.pyplot as plt
import numpy as np

from pipeline import paths
from pipeline.classifiers.base import ClassifierContext, StanceClassifier
from pipeline.figures import Drawn, FigureContext
from pipeline.paths import LABELS
from pipeline.plugins import classifiers, figures


class Constant(StanceClassifier):
    """Gives every unit the same probabilities (a plugin needs nothing from the package's classifiers)."""

    needs_labels = False

    def __init__(self, label: str = "neutral", confidence: float = 0.9):
        self.label = label
        self.confidence = confidence

    def fit(self, units, labels=None):
        self.classes_ = np.asarray(LABELS)
        return self

    def predict_proba(self, units):
        rest = (1 - self.confidence) / (len(LABELS) - 1)
        row = [self.confidence if label == self.label else rest for label in LABELS]
        return np.tile(row, (len(units), 1))


@classifiers.register("constant")
def constant(*, label: str = "neutral", confidence: float, context: ClassifierContext) -> Constant:
    assert context.targets == ("russia", "ukraine")
    return Constant(label=label, confidence=confidence)


BY_DOCUMENT = paths.table("compare", "stance_by_document")


@figures.register("units_per_document", order=99, title="Stance units per document", sources=(BY_DOCUMENT,))
def units_per_document(ctx: FigureContext) -> Drawn:
    table = ctx.read(BY_DOCUMENT)
    fig, ax = plt.subplots(figsize=(ctx.width("single"), 2.0))
    ax.bar(range(len(table)), table["n_units"], color=ctx.palette.stance["neutral"])
    return Drawn(fig, f"Units in {len(table)} document-target rows.", "Bar chart of units per document.", "none")
'''


def cli(project: Path, stage: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg", "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", stage], cwd=project, env=env, capture_output=True, text=True, timeout=600
    )


def set_params(project: Path, **sections) -> None:
    path = project / "params.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for dotted, value in sections.items():
        node = raw
        *parents, last = dotted.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("plugins")
    make_project(root, DOCS, **{"compare.bootstrap.n_resamples": 50})
    (root / "plugins").mkdir()
    (root / "plugins" / "mine.py").write_text(PLUGIN, encoding="utf-8")
    set_params(root, **{"stance.classifier": "constant", "classifiers.constant": {"confidence": 0.8}})
    return root


def test_a_plugin_classifier_labels_the_corpus_and_a_plugin_figure_is_drawn(project):
    for stage in ("ingest", "tag", "gold", "stance", "compare", "report"):
        result = cli(project, stage)
        assert result.returncode == 0, f"{stage}: {result.stderr}"
    stances = pd.read_parquet(project / "outputs" / "data" / "stances.parquet")
    assert set(stances["classifier"]) == {"constant"} and set(stances["label"]) == {"neutral"}
    assert stances["p_neutral"].round(6).eq(0.8).all()
    figures = project / "outputs" / "figures"
    assert {f"units_per_document.{ext}" for ext in ("png", "svg", "pdf")} <= {p.name for p in figures.iterdir()}
    index = (figures / "README.md").read_text(encoding="utf-8")
    assert "Stance units per document" in index and "outputs/tables/compare/stance_by_document.csv" in index
    assert "Stance units per document" in (project / "outputs" / "report.md").read_text(encoding="utf-8")


def test_a_plugin_classifier_section_is_checked_against_its_signature(project):
    set_params(project, **{"classifiers.constant": {"confidence": 0.8, "colour": "red"}})
    result = cli(project, "stance")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: stance: params.yaml: classifiers.constant.colour: unknown key (known: confidence, label)"
    )
    set_params(project, **{"classifiers.constant": {"confidence": True}})
    result = cli(project, "stance")
    assert result.stderr.strip() == (
        "error: stance: params.yaml: classifiers.constant.confidence: true is not allowed (a finite number)"
    )
    set_params(project, **{"classifiers.constant": {}})
    result = cli(project, "stance")
    assert result.stderr.strip() == (
        "error: stance: params.yaml: classifiers.constant.confidence: missing (a finite number)"
    )


def test_without_the_plugin_the_name_is_unknown(tmp_path):
    make_project(tmp_path, DOCS, **{"stance.classifier": "constant"})
    for stage in ("ingest", "tag"):
        assert cli(tmp_path, stage).returncode == 0
    result = cli(tmp_path, "stance")
    assert result.returncode == 2
    assert "params.yaml: stance.classifier: 'constant' is not allowed (a registered classifier: " in result.stderr
