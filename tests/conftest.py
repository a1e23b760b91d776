"""Shared fixtures: the project's params, and a small corpus in a temp project."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from pipeline.config import Params, load_params

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def params() -> Params:
    return load_params(ROOT / "params.yaml")


def make_project(tmp: Path, docs: dict[str, tuple[str, str]], **overrides) -> Params:
    """A throwaway project: params.yaml, cleaning rules and a manifest of ``docs``
    (doc_id -> (author_origin, text)), with params overridden by dotted keys."""
    raw = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
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
