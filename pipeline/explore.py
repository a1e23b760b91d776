"""Helpers for exploring the pipeline's outputs in a notebook.

Load everything a run wrote, browse the labelled sentences, and trace a
number in a figure (one group × target × label share) back to the
documents and sentences it was computed from. The sentences come from
``outputs/tables/compare/stance_evidence.csv``, the compare stage's evidence table:
one row per labelled (sentence, target) unit with the label the tables
were computed from (model or gold, params ``stance.labels``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import io, paths
from pipeline.params import Params, load_params
from pipeline.paths import DOCUMENTS, LABELS, SENTENCES, STANCES

COMPARE = "compare"
EVIDENCE = paths.table(COMPARE, "stance_evidence")


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
    documents: pd.DataFrame  # manifest columns and word counts, without the text
    sentences: pd.DataFrame
    evidence: pd.DataFrame  # stance_evidence: every labelled unit, its label and sentence
    stances: pd.DataFrame  # the classifier's labels and probabilities (stances.parquet)
    by_document: pd.DataFrame
    by_group: pd.DataFrame

    def table(self, name: str, stage: str = COMPARE) -> pd.DataFrame:
        """Any table of a stage by name (``"frame_rates_by_group"``; ``stage="gold"`` for its tables)."""
        path = self.params.root / paths.table(stage, name)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: not found; run `dvc repro` first")
        return pd.read_csv(path)


def load_outputs(root: str | Path) -> Outputs:
    """Read the outputs of ``dvc repro`` under ``root`` (FileNotFoundError names what is missing)."""
    params = load_params(Path(root) / paths.PARAMS)
    by_document = params.root / paths.table(COMPARE, "stance_by_document")
    by_group = params.root / paths.table(COMPARE, "stance_by_group")
    for path in (
        by_document,
        by_group,
        params.root / EVIDENCE,
        params.root / DOCUMENTS,
        params.root / SENTENCES,
        params.root / STANCES,
    ):
        if not path.is_file():
            raise FileNotFoundError(f"{path}: not found; run `dvc repro` first")
    return Outputs(
        params=params,
        documents=io.read_parquet(params.root / DOCUMENTS).drop(columns="text"),
        sentences=io.read_parquet(params.root / SENTENCES),
        evidence=pd.read_csv(params.root / EVIDENCE, keep_default_na=False),
        stances=io.read_parquet(params.root / STANCES),
        by_document=pd.read_csv(by_document),
        by_group=pd.read_csv(by_group),
    )


def units_with_text(outputs: Outputs) -> pd.DataFrame:
    """Every labelled unit: origin, document, sentence, target, label, position, sentence text,
    and the classifier's label and probabilities beside it (``model_label``, ``p_*``)."""
    units = outputs.evidence.merge(
        outputs.sentences[["doc_id", "sent_id", "position"]],
        on=["doc_id", "sent_id"],
        how="left",
        validate="many_to_one",
    )
    model = outputs.stances[["doc_id", "sent_id", "target", "label", *[f"p_{label}" for label in LABELS]]]
    units = units.merge(
        model.rename(columns={"label": "model_label"}),
        on=["doc_id", "sent_id", "target"],
        how="left",
        validate="one_to_one",
    )
    first = ["author_origin", "doc_id", "sent_id", "target", "label", "included", "position"]
    return units[first + [c for c in units.columns if c not in first]]


def browse(
    units: pd.DataFrame,
    *,
    author_origin: str | None = None,
    doc_id: str | None = None,
    target: str | None = None,
    label: str | None = None,
    contains: str | None = None,
) -> pd.DataFrame:
    """Units matching every given filter; ``contains`` is a case-insensitive substring of the sentence."""
    keep = pd.Series(True, index=units.index)
    for column, value in (("author_origin", author_origin), ("doc_id", doc_id), ("target", target), ("label", label)):
        if value is not None:
            keep &= units[column] == value
    if contains:
        keep &= units["sentence"].str.contains(contains, case=False, regex=False)
    return units[keep]


@dataclass(frozen=True)
class Trace:
    """A figure's group share recomputed from its sentences, beside the tables' values."""

    group_share: float  # mean of the documents' shares, recomputed from stance_evidence
    table_share: float  # the value in stance_by_group.csv (what the figure draws)
    table_interval: tuple[float, float]  # its hierarchical bootstrap interval, as drawn
    documents: pd.DataFrame  # per document: units, units with the label, share, table share
    units: pd.DataFrame  # the sentences with the label


def trace_share(outputs: Outputs, author_origin: str, target: str, label: str) -> Trace:
    """Follow one group estimate of the stance-share figure back to its documents and sentences.

    Only units of documents that entered the group estimate (``included``)
    count, as in the compare stage.
    """
    if label not in LABELS:
        raise ValueError(f"label '{label}' is not one of {list(LABELS)}")
    row = outputs.by_group[
        (outputs.by_group["author_origin"] == author_origin) & (outputs.by_group["target"] == target)
    ]
    if row.empty or pd.isna(row[f"share_{label}"].iloc[0]):
        raise ValueError(f"no group '{author_origin}' × target '{target}' estimate in stance_by_group.csv")
    units = browse(units_with_text(outputs), author_origin=author_origin, target=target)
    units = units[units["included"].astype(bool)]
    per_doc = units.groupby("doc_id").agg(
        n_units=("label", "size"), n_label=("label", lambda s: int((s == label).sum()))
    )
    per_doc["share"] = per_doc["n_label"] / per_doc["n_units"]
    table = outputs.by_document.set_index(["doc_id", "target"])[f"share_{label}"]
    per_doc["table_share"] = [table[(doc_id, target)] for doc_id in per_doc.index]
    return Trace(
        group_share=float(per_doc["share"].mean()),
        table_share=float(row[f"share_{label}"].iloc[0]),
        table_interval=(float(row[f"share_{label}_lo"].iloc[0]), float(row[f"share_{label}_hi"].iloc[0])),
        documents=per_doc.reset_index(),
        units=units[units["label"] == label].reset_index(drop=True),
    )
