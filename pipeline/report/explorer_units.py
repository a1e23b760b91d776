"""The explorer's unit table, built from the compare stage's outputs and the labels behind them.

One row per unit that enters a figure (stance_evidence rows with
``included``): the sentence with its target mention offsets (the unit
table), the label the comparison used (stance_evidence), the model's label
and its probability (stances.parquet), the gold label where the unit has
one (the evaluate stage's out-of-fold table), and the label source.

The label source hook: when stance_evidence carries a ``label_source``
column (gold, ppi, model: the schema of the label-source tables), each
unit keeps its own; until then every unit gets ``stance.labels``.
"""

from __future__ import annotations

import pandas as pd

from pipeline.paths import KEY, PROBA
from pipeline.report.explorer_data import UNIT_COLUMNS


def explorer_units(
    evidence: pd.DataFrame,
    units: pd.DataFrame,
    stances: pd.DataFrame,
    gold: pd.DataFrame,
    default_source: str,
) -> pd.DataFrame:
    """``evidence``: compare's stance_evidence; ``units``: the unit table (pipeline.nlp.units.stance_units);
    ``stances``: the stance stage's labels and probabilities; ``gold``: KEY + gold_label (may be empty)."""
    shown = evidence[evidence["included"].astype(bool)] if "included" in evidence.columns else evidence
    keep = [*KEY, "author_origin", "label", *(["label_source"] if "label_source" in shown.columns else [])]
    rows = shown[keep].merge(units[[*KEY, "text", "mention_starts", "mention_ends"]], on=KEY, how="inner")
    model = stances[[*KEY, "label", *PROBA]].rename(columns={"label": "model_label"})
    model["p_model"] = model[PROBA].max(axis=1)  # the model's label is its most probable one
    rows = rows.merge(model[[*KEY, "model_label", "p_model"]], on=KEY, how="left")
    rows = rows.merge(gold[[*KEY, "gold_label"]], on=KEY, how="left")
    if "label_source" not in rows.columns:
        rows["label_source"] = default_source
    rows = rows.rename(columns={"text": "sentence"})
    rows["gold_label"] = rows["gold_label"].fillna("")
    rows["model_label"] = rows["model_label"].fillna("")
    rows["p_model"] = rows["p_model"].fillna(0.0)
    return rows[list(UNIT_COLUMNS)].sort_values(KEY).reset_index(drop=True)
