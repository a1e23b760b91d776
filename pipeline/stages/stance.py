"""stance: one label and class probabilities per (sentence, target) unit."""
from __future__ import annotations

import pandas as pd

from pipeline import io
from pipeline.config import LABELS, Params
from pipeline.stance import make_classifier
from pipeline.stages.tag import MENTIONS, SENTENCES
from pipeline.units import KEY, stance_units

STANCES = "outputs/data/stances.parquet"


def label_units(units: pd.DataFrame, params: Params) -> pd.DataFrame:
    name = str(params.get("stance.classifier"))
    clf = make_classifier(name, params).fit(units)
    proba = clf.predict_proba(units)
    out = units[[*KEY, "sent_key"]].copy()
    out["label"] = [LABELS[i] for i in proba.argmax(axis=1)]
    for j, label in enumerate(LABELS):
        out[f"p_{label}"] = proba[:, j]
    out["classifier"] = name
    return out


def run(params: Params) -> None:
    sentences = io.read_parquet(params.root / SENTENCES)
    mentions = io.read_parquet(params.root / MENTIONS)
    io.write_parquet(label_units(stance_units(sentences, mentions), params), params.root / STANCES)
