"""Shared fixtures: the project's params, and a small corpus in a temp project."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from pipeline.params import Params, load_params

ROOT = Path(__file__).resolve().parents[1]

# Markup planted in corpus text and metadata to prove the reports print it as text.
# Ingest strips the tags of known HTML elements from document text (pipeline.ingestion.html),
# so the text carries markup of elements it leaves alone (video, input): rendered
# unescaped, either would run its handler or at least become an element of the page.
ATTACK = '<video src=x onerror="window.pwned = 1">'
ATTACK_INPUT = '<input autofocus onfocus="window.pwned = 2">'
# Text that is already an entity must reach the reader as typed, not decoded into a tag.
ENTITY_TEXT = "Kremlin &lt;b&gt; spin"
# Manifest fields are not HTML-stripped: here a <script> survives to the report.
ATTACK_TITLE = "<script>window.pwned = 3</script> title"
ATTACK_AUTHOR = '<img src=x onerror="window.pwned = 4">'


# Stages that learn from gold labels; a made-up corpus (no annotation passes) skips them.
ANNOTATION_STAGES = {"evaluate", "train"}


def stage_order() -> list[str]:
    """The CLI's stages in an order DVC could run them: report last, because it reads every
    table and metrics file the other stages write (dvc.yaml lists those folders as its deps)."""
    from pipeline.cli import STAGES

    return sorted(STAGES, key=lambda stage: stage == "report")


@pytest.fixture(scope="session")
def params() -> Params:
    return load_params(ROOT / "params.yaml")


def make_project(tmp: Path, docs: dict[str, tuple[str, str]], **overrides) -> Params:
    """A throwaway project: params.yaml, cleaning rules and a manifest of ``docs``
    (doc_id -> (author_origin, text)), with params overridden by dotted keys."""
    raw = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    # a made-up corpus has no gold labels: the classifier that needs none
    raw["stance"]["classifier"] = "lexicon"
    for dotted, value in overrides.items():
        node = raw
        *parents, last = dotted.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    (tmp / "corpus" / "raw").mkdir(parents=True)
    shutil.copy(ROOT / "corpus" / "cleaning_rules.yaml", tmp / "corpus" / "cleaning_rules.yaml")
    rows = ["doc_id,path,title,author,affiliation,outlet,author_origin,origin_basis,published,period,notes"]
    for doc_id, (origin, text) in docs.items():
        (tmp / "corpus" / "raw" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        rows.append(f"{doc_id},raw/{doc_id}.txt,,,,,{origin},test,,,")
    (tmp / "corpus" / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return load_params(tmp / "params.yaml")


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> Path:
    """The seed corpus run through every stage in a temp copy of the project.

    Tests of the report, the notebooks and the browser rendering read the
    outputs written there, so they never depend on (or touch) the repo's own.
    """
    from pipeline.cli import main

    tmp = tmp_path_factory.mktemp("built")
    shutil.copytree(ROOT / "corpus", tmp / "corpus")
    (tmp / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "annotation-guide.md", tmp / "docs")
    for name in ("params.yaml", "dvc.yaml"):
        shutil.copy(ROOT / name, tmp / name)
    for stage in stage_order():
        assert main(["--params", str(tmp / "params.yaml"), stage]) == 0, stage
    return tmp


@pytest.fixture(scope="session")
def hostile_project(tmp_path_factory) -> Path:
    """A tiny project whose corpus text and metadata carry markup, plus evaluation metrics."""
    from pipeline.cli import main

    tmp = tmp_path_factory.mktemp("hostile")
    docs = {
        "ua-x": ("Ukrainian", f"Russia's invasion of Ukraine {ATTACK} was condemned. Japan sent aid to Kyiv.\n"),
        "in-x": (
            "Indian",
            f"Japan imposed sanctions on Russia {ATTACK_INPUT} | and Ukraine [x](javascript:y). "
            f'The {ENTITY_TEXT} about Russia & "Ukraine" < 1 > 0 was condemned.\n',
        ),
    }
    params = make_project(tmp, docs)
    manifest = tmp / "corpus/manifest.csv"
    rows = manifest.read_text(encoding="utf-8").splitlines()
    header, first = rows[0], rows[1].split(",")
    first[2] = f'"{ATTACK_TITLE}"'
    first[3] = '"' + ATTACK_AUTHOR.replace('"', '""') + '"'
    manifest.write_text("\n".join([header, ",".join(first), *rows[2:]]) + "\n", encoding="utf-8")
    metrics = tmp / "outputs/metrics/evaluate.json"
    metrics.parent.mkdir(parents=True)
    metrics.write_text(json.dumps({"lexicon": {"macro_f1": 0.5, "<b>odd key</b>": 1}}), encoding="utf-8")
    for stage in stage_order():
        if stage not in ANNOTATION_STAGES:
            assert main(["--params", str(params.root / "params.yaml"), stage]) == 0, stage
    return tmp


def write_census_pass(
    params: Params, labels: list[str], units, annotator: str = "T", basis: list[str] | str = "text"
) -> Path:
    """A pass file in which ``annotator`` (a person) labelled every unit of ``units`` (``basis``: one for all, or
    one per unit), then the gold stage run, as a project does it: gold labels only ever come from pass files
    (corpus/annotations/README.md)."""
    import pandas as pd

    from pipeline import paths
    from pipeline.stages import gold

    rows = pd.DataFrame(
        {
            "doc_id": units["doc_id"].to_numpy(),
            "sent_key": units["sent_key"].to_numpy(),
            "target": units["target"].to_numpy(),
            "sent_id": units["sent_id"].to_numpy(),
            "sentence": units["text"].to_numpy(),
            "label": labels,
            "basis": basis,
            "note": "",
            "annotator": annotator,
            "annotator_kind": "human",
            "guide_version": "2.1",
            "sample_id": "census",
            "date": "2026-11-29",
        }
    )
    path = params.root / paths.PASSES / f"census-{annotator}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows.to_csv(path, index=False)
    gold.run(params)
    return path
