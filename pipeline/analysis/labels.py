"""The stance units compare estimates from: model labels and predictions, gold labels, and each cell's gold design.

``stance.labels`` chooses which source is reported (pipeline.analysis.label_sources);
every source needs the same unit table. ``stance.basis`` chooses the reading of
gold labels (full, or text: context-basis labels as neutral).
"""

from __future__ import annotations

import pandas as pd

from pipeline import io
from pipeline.annotation.gold import attach_gold, coverage, read_gold
from pipeline.nlp.units import mention_units
from pipeline.params import Params
from pipeline.paths import KEY, LABELS, PROBA, STANCES

COMPARED_UNIT_COLUMNS = [*KEY, "sent_key", "aliases"]
"""What compare reads of a unit besides its labels: the key and the target words. Not the sentence
(the evidence table joins it last: a merge copies every string of an Arrow-backed text column) nor
the mention offsets and other targets (lists per unit that no estimate reads)."""


class CompareInputError(ValueError):
    """Labels or tables compare reads disagree with each other or with params.yaml."""


def source_units(
    params: Params, sentences: pd.DataFrame, mentions: pd.DataFrame
) -> tuple[pd.DataFrame, str, pd.DataFrame]:
    """The stance units with ``label`` (the model's), ``p_*`` and ``gold``; the classifier; the gold designs.

    The units come with ``COMPARED_UNIT_COLUMNS`` only, without their context
    (pipeline.nlp.units.mention_units): no estimate reads the rest, and on a
    large corpus it would be most of compare's memory.

    ``gold`` holds the gold label (under ``stance.basis``) where the unit has
    one and its cell's design is a census or a random sample, and is missing
    elsewhere: gold of a non-random part of a cell cannot stand for the rest.
    Designs: pipeline.annotation.gold.coverage, one row per document x target.
    """
    units = mention_units(sentences, mentions)[COMPARED_UNIT_COLUMNS]
    stances = io.read_parquet(params.root / STANCES)
    labelled = units.merge(stances[[*KEY, "label", *PROBA, "classifier"]], on=KEY, how="outer", indicator=True)
    if not (labelled["_merge"] == "both").all():
        stale = labelled[labelled["_merge"] != "both"].iloc[0]
        raise CompareInputError(
            f"{STANCES}: stance rows and mention units disagree, e.g. ({stale['doc_id']}, sent "
            f"{stale['sent_id']}, {stale['target']}); rerun the stance stage (`dvc repro stance`)"
        )
    bad = labelled[~labelled["label"].isin(LABELS)]
    if not bad.empty:
        raise CompareInputError(f"{STANCES}: unknown label {bad['label'].iloc[0]!r}; rerun the stance stage")
    classifier = ", ".join(sorted(set(stances["classifier"])))
    gold = read_gold(params.root)
    cells = coverage(units, gold)
    with_gold = attach_gold(units, gold, reading=params.stance.basis)[[*KEY, "label"]]
    labelled = labelled.drop(columns=["_merge", "classifier"]).merge(
        with_gold.rename(columns={"label": "gold"}), on=KEY, how="left"
    )
    usable = labelled[["doc_id", "target"]].merge(cells, on=["doc_id", "target"], how="left")["design"]
    labelled.loc[~usable.isin(["census", "sample"]).to_numpy(), "gold"] = None
    return labelled.sort_values(KEY).reset_index(drop=True), classifier, cells
