"""Which stance labels the comparison runs on: the model's (stances.parquet) or the gold labels.

``stance.labels`` in params.yaml chooses; gold labels must cover every
document with stance units, or the comparison would silently drop one.
"""

from __future__ import annotations

import pandas as pd

from pipeline import io
from pipeline.annotation.gold import attach_gold, load_gold
from pipeline.nlp.units import stance_units
from pipeline.params import Params
from pipeline.paths import GOLD, KEY, LABELS, STANCES


class CompareInputError(ValueError):
    """Labels or tables compare reads disagree with each other or with params.yaml."""


def labelled_units(
    params: Params, sentences: pd.DataFrame, mentions: pd.DataFrame, documents: pd.DataFrame
) -> tuple[pd.DataFrame, str]:
    """The stance units with the labels ``stance.labels`` selects, and a caption phrase naming them.

    ``model``: outputs/data/stances.parquet (any corpus). ``gold``: the
    gold labels in corpus/annotations/stance_gold.csv, which must
    cover every unit of every document (the seed corpus).
    """
    units = stance_units(sentences, mentions, documents)
    mode = params.stance.labels
    if mode == "gold":
        gold = load_gold(params.root / GOLD)
        require_gold_for_every_document(units, gold)
        labelled = attach_gold(units, gold, where=GOLD, documents=list(documents["doc_id"]))
        source = f"gold labels from the annotation passes ({GOLD})"
    else:
        stances = io.read_parquet(params.root / STANCES)
        labelled = units.merge(stances[[*KEY, "label", "classifier"]], on=KEY, how="outer", indicator=True)
        if not (labelled["_merge"] == "both").all():
            stale = labelled[labelled["_merge"] != "both"].iloc[0]
            raise CompareInputError(
                f"{STANCES}: stance rows and mention units disagree, e.g. ({stale['doc_id']}, sent "
                f"{stale['sent_id']}, {stale['target']}); rerun the stance stage (`dvc repro stance`)"
            )
        source = f"model labels (classifier: {', '.join(sorted(set(stances['classifier'])))})"
        labelled = labelled.drop(columns=["_merge", "classifier"])
    bad = labelled[~labelled["label"].isin(LABELS)]
    if not bad.empty:
        raise CompareInputError(f"stance labels ({mode}): unknown label {bad['label'].iloc[0]!r}")
    return labelled.sort_values(KEY).reset_index(drop=True), source


def require_gold_for_every_document(units: pd.DataFrame, gold: pd.DataFrame) -> None:
    """Refuse gold mode when a document with stance units has no gold label at all.

    A document added to the manifest after the annotation round has units
    but no gold rows; comparing groups on the gold documents only would
    silently drop it, so the stage stops and names every such document.
    (Documents without target mentions have no units and need no labels.)
    """
    unlabelled = sorted(set(units["doc_id"]) - set(gold["doc_id"]))
    if unlabelled:
        n_units = int(units["doc_id"].isin(unlabelled).sum())
        raise CompareInputError(
            f"{GOLD}: stance.labels is 'gold', but {len(unlabelled)} document(s) have no gold labels: "
            f"{', '.join(unlabelled)} ({n_units} (sentence, target) unit(s) to label); label them "
            f"(`python -m pipeline.annotation template {' '.join(unlabelled)} --out "
            "corpus/annotations/pass1_<annotator>.csv`, see corpus/annotations/README.md), remove them from the "
            "manifest, or set stance.labels: model in params.yaml"
        )
