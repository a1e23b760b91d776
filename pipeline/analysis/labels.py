"""Which stance labels the comparison runs on: the model's (stances.parquet) or the gold labels.

``stance.labels`` in params.yaml chooses; gold labels must cover every unit
of every document with stance units, or the comparison would silently drop
one. ``stance.basis`` chooses the reading of gold labels (full, or text:
context-basis labels as neutral).
"""

from __future__ import annotations

import pandas as pd

from pipeline import io
from pipeline.annotation.gold import attach_gold, coverage, read_gold
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
    gold labels (outputs/data/gold.parquet, derived from the passes), which
    must cover every unit of every document (the seed corpus).
    """
    units = stance_units(sentences, mentions, documents)
    mode = params.stance.labels
    if mode == "gold":
        gold = read_gold(params.root)
        require_gold_for_every_document(units, gold)
        labelled = attach_gold(units, gold, reading=params.stance.basis).drop(columns=["basis", "gold_source"])
        reading = (
            "full reading" if params.stance.basis == "full" else "sentence-local reading (context-basis as neutral)"
        )
        source = f"gold labels ({reading}) derived from the annotation passes"
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
    """Refuse gold mode when some unit of a document with stance units has no gold label.

    A document added after the annotation round (or labelled by a sample
    only) has units without gold; comparing groups on the labelled ones
    would silently drop or distort it, so the stage stops and names every
    such document. (Documents without target mentions need no labels.)
    """
    cells = coverage(units, gold)
    incomplete = cells[cells["n_gold"] < cells["n_units"]]
    if not incomplete.empty:
        docs = sorted(incomplete["doc_id"].unique())
        n_units = int((incomplete["n_units"] - incomplete["n_gold"]).sum())
        raise CompareInputError(
            f"{GOLD}: stance.labels is 'gold', but {len(docs)} document(s) lack gold labels: {', '.join(docs)} "
            f"({n_units} (sentence, target) unit(s) unlabelled); label them (`python -m pipeline annotate export`, "
            "corpus/annotations/README.md), remove them from the manifest, or set stance.labels: model"
        )
