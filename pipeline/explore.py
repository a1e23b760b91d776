"""Helpers for exploring the pipeline's outputs in a notebook.

Load everything a run wrote, browse the labelled sentences, and trace a
number in a figure (one group × target × label share) back to the
documents and sentences it was computed from.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import io
from pipeline.config import LABELS, Params, load_params
from pipeline.stages import compare
from pipeline.stages.ingest import DOCUMENTS
from pipeline.stages.tag import MENTIONS, SENTENCES

TABLES = "outputs/tables"


def find_root(start: str | Path | None = None) -> Path:
    """The project folder (holding params.yaml and dvc.yaml) at or above ``start`` (default: cwd)."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "params.yaml").is_file() and (folder / "dvc.yaml").is_file():
            return folder
    raise FileNotFoundError(f"{here}: no params.yaml and dvc.yaml here or above; open the notebook in the project")


@dataclass(frozen=True)
class Outputs:
    """One run's outputs, as DataFrames."""

    params: Params
    documents: pd.DataFrame
    sentences: pd.DataFrame
    mentions: pd.DataFrame
    labelled: pd.DataFrame  # the stance rows the compare tables were computed from
    by_document: pd.DataFrame
    by_group: pd.DataFrame


def load_outputs(root: str | Path) -> Outputs:
    """Read the outputs of ``dvc repro`` under ``root`` (FileNotFoundError names what is missing)."""
    params = load_params(Path(root) / "params.yaml")
    tables = params.root / TABLES
    for name in ("stance_by_document.csv", "stance_by_group.csv"):
        if not (tables / name).is_file():
            raise FileNotFoundError(f"{tables / name}: not found; run `dvc repro` first")
    return Outputs(
        params=params,
        documents=io.read_parquet(params.root / DOCUMENTS).drop(columns="text"),
        sentences=io.read_parquet(params.root / SENTENCES),
        mentions=io.read_parquet(params.root / MENTIONS),
        labelled=compare.labelled_units(params),
        by_document=pd.read_csv(tables / "stance_by_document.csv"),
        by_group=pd.read_csv(tables / "stance_by_group.csv"),
    )


def units_with_text(outputs: Outputs) -> pd.DataFrame:
    """Every labelled (sentence, target) unit with its sentence text, position and author origin."""
    sent = outputs.sentences[["doc_id", "sent_id", "position", "text"]]
    units = outputs.labelled.merge(sent, on=["doc_id", "sent_id"], how="left", validate="many_to_one")
    units = units.merge(outputs.documents[["doc_id", "author_origin"]], on="doc_id", how="left")
    first = ["author_origin", "doc_id", "sent_id", "target", "label"]
    return units[first + [c for c in units.columns if c not in first]]


def browse(units: pd.DataFrame, *, author_origin: str | None = None, doc_id: str | None = None,
           target: str | None = None, label: str | None = None, contains: str | None = None) -> pd.DataFrame:
    """Units matching every given filter; ``contains`` is a case-insensitive substring of the sentence."""
    keep = pd.Series(True, index=units.index)
    for column, value in (("author_origin", author_origin), ("doc_id", doc_id), ("target", target),
                          ("label", label)):
        if value is not None:
            keep &= units[column] == value
    if contains:
        keep &= units["text"].str.contains(contains, case=False, regex=False)
    return units[keep]


@dataclass(frozen=True)
class Trace:
    """A figure's group share recomputed from its sentences, beside the table's value."""

    group_share: float  # mean of the documents' shares, recomputed here
    table_share: float  # the value in stance_by_group.csv (what the figure draws)
    documents: pd.DataFrame  # per document: units, units with the label, share, table share
    units: pd.DataFrame  # the sentences with the label, with text


def trace_share(outputs: Outputs, author_origin: str, target: str, label: str) -> Trace:
    """Follow one bar of the stance-share figure back to its documents and sentences."""
    if label not in LABELS:
        raise ValueError(f"label '{label}' is not one of {list(LABELS)}")
    units = browse(units_with_text(outputs), author_origin=author_origin, target=target)
    per_doc = units.groupby("doc_id").agg(n_units=("label", "size"),
                                          n_label=("label", lambda s: int((s == label).sum())))
    per_doc["share"] = per_doc["n_label"] / per_doc["n_units"]
    table = outputs.by_document.set_index(["doc_id", "target"])[f"share_{label}"]
    per_doc["table_share"] = [table[(doc_id, target)] for doc_id in per_doc.index]
    row = outputs.by_group[(outputs.by_group["author_origin"] == author_origin)
                           & (outputs.by_group["target"] == target)]
    if row.empty:
        raise ValueError(f"no group '{author_origin}' × target '{target}' in stance_by_group.csv")
    return Trace(
        group_share=float(per_doc["share"].mean()),
        table_share=float(row[f"share_{label}"].iloc[0]),
        documents=per_doc.reset_index(),
        units=units[units["label"] == label].reset_index(drop=True),
    )
