"""stance: one label and class probabilities per (sentence, target) unit."""
from __future__ import annotations

import pandas as pd
from tqdm import tqdm

from pipeline import io
from pipeline.config import LABELS, Params
from pipeline.executor import ExecutorSettings, document_partitions, make_executor
from pipeline.stages.tag import MENTION_COLUMNS, MENTIONS, SENTENCES
from pipeline.stance import StanceClassifier, make_classifier
from pipeline.units import KEY, UNIT_COLUMNS, stance_units

STANCES = "outputs/data/stances.parquet"
STANCE_DTYPES = {"doc_id": "str", "sent_id": "int64", "target": "str", "sent_key": "str", "label": "str",
                 **{f"p_{label}": "float64" for label in LABELS}, "classifier": "str"}


def build_classifier(params: Params) -> tuple[str, StanceClassifier]:
    """The configured classifier, built once per run and shared by every partition."""
    name = str(params.get("stance.classifier"))
    return name, make_classifier(name, params).fit(pd.DataFrame(columns=UNIT_COLUMNS))


def label_units(units: pd.DataFrame, name: str, clf: StanceClassifier) -> pd.DataFrame:
    proba = clf.predict_proba(units)
    out = units[[*KEY, "sent_key"]].copy()
    out["label"] = [LABELS[i] for i in proba.argmax(axis=1)]
    for j, label in enumerate(LABELS):
        out[f"p_{label}"] = proba[:, j]
    out["classifier"] = name
    return out.astype(STANCE_DTYPES)


def label_partition(partition: dict[str, pd.DataFrame], classifier: tuple[str, StanceClassifier]) -> pd.DataFrame:
    """Stance rows for one partition of documents (the executor's unit of work).

    Rows come in document order, then sentence and target, so the output
    does not depend on how the corpus was cut into partitions.
    """
    sentences, mentions = partition["primary"], partition["mentions"]
    units = stance_units(sentences, mentions)
    doc_order = {doc_id: i for i, doc_id in enumerate(pd.unique(sentences["doc_id"]))}
    units = (
        units.assign(_doc_order=units["doc_id"].map(doc_order))
        .sort_values(["_doc_order", "sent_id", "target"], kind="stable")
        .drop(columns="_doc_order")
    )
    return label_units(units, *classifier)


def run(params: Params) -> None:
    settings = ExecutorSettings.from_params(params)
    for path in (SENTENCES, MENTIONS):
        if not (params.root / path).is_file():
            raise FileNotFoundError(f"{params.root / path}: not found; run the stage that writes it first")
    partitions = document_partitions(
        params.root / SENTENCES, settings.partition_docs,
        columns=["doc_id", "sent_id", "start_char", "sent_key", "text"],
        secondary={"mentions": (params.root / MENTIONS, MENTION_COLUMNS)},
    )
    with (
        io.ParquetRowGroupWriter(params.root / STANCES, io.parquet_schema(STANCE_DTYPES)) as out,
        make_executor(settings) as executor,
        tqdm(desc="stance", unit="unit") as bar,
    ):
        for labelled in executor.map(label_partition, partitions, build_classifier(params)):
            out.write(labelled)
            bar.update(len(labelled))
