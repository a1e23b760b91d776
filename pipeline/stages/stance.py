"""stance: one label and class probabilities per (sentence, target) unit.

Units of gold documents take the evaluate stage's out-of-fold probabilities
for the chosen classifier, so no gold document is labelled by a model that
saw it; units of other documents are labelled by the model the train stage
fit on all gold units, after checking its training hash. A corpus with no
gold file at all can still be labelled by a classifier that learns nothing
(the lexicon). The ``prediction`` column says which applies to each row:
``out_of_fold``, ``fit_on_all_gold`` or ``rules_only``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from tqdm import tqdm

from pipeline import io
from pipeline.config import LABELS, Params
from pipeline.gold import GOLD
from pipeline.stance import make_classifier
from pipeline.stance.base import StanceClassifier
from pipeline.stance.persist import load_model, training_hash
from pipeline.stance.training import OOF, all_units, gold_units, resolve_classifier
from pipeline.units import KEY

STANCES = "outputs/data/stances.parquet"
PROBA = [f"p_{label}" for label in LABELS]
COLUMNS = [*KEY, "sent_key", "label", *PROBA, "classifier", "prediction"]


class StanceInputError(ValueError):
    """The evaluate stage's out-of-fold predictions do not cover the gold units."""


def predict_in_batches(model: StanceClassifier, units: pd.DataFrame, batch_size: int) -> np.ndarray:
    proba = np.zeros((len(units), len(LABELS)))
    starts = range(0, len(units), batch_size)
    for start in tqdm(starts, desc="stance", unit="batch", disable=len(starts) < 2):
        proba[start:start + batch_size] = model.predict_proba(units.iloc[start:start + batch_size])
    return proba


def out_of_fold_rows(units: pd.DataFrame, oof: pd.DataFrame, name: str) -> pd.DataFrame:
    """The gold units' rows from the evaluate stage's out-of-fold predictions of ``name``."""
    mine = oof[oof["classifier"] == name]
    if mine.empty:
        raise StanceInputError(
            f"{OOF}: no out-of-fold predictions for '{name}'; add it to stance.evaluate.classifiers"
        )
    rows = units[[*KEY, "sent_key"]].merge(mine[[*KEY, "sent_key", *PROBA]], on=[*KEY, "sent_key"], how="left")
    missing = rows[rows[PROBA[0]].isna()]
    if not missing.empty:
        r = missing.iloc[0]
        raise StanceInputError(
            f"{OOF}: {len(missing)} gold unit(s) have no out-of-fold prediction, e.g. "
            f"({r['doc_id']}, sent {r['sent_id']}, {r['target']}); rerun the evaluate stage"
        )
    return rows


def label_without_gold(units: pd.DataFrame, name: str, params: Params) -> pd.DataFrame:
    """A corpus with no gold labels at all: only a classifier that learns nothing can label it."""
    model = make_classifier(name, params)
    if model.needs_labels:
        raise StanceInputError(
            f"{GOLD}: not found, and stance.classifier '{name}' learns from gold labels; "
            "add gold labels (corpus/annotations/README.md) or use stance.classifier: lexicon"
        )
    rows = units[[*KEY, "sent_key"]].copy()
    rows[PROBA] = predict_in_batches(model.fit(units), units, int(params.get("stance.batch_size")))
    return finish(rows.assign(prediction="rules_only"), name)


def finish(rows: pd.DataFrame, name: str) -> pd.DataFrame:
    """Labels from probabilities, the classifier's name, fixed column order and row order."""
    rows["label"] = [LABELS[i] for i in rows[PROBA].to_numpy(dtype=float).argmax(axis=1)] if len(rows) else []
    rows["classifier"] = name
    return rows[COLUMNS].sort_values(KEY).reset_index(drop=True)


def label_units(units: pd.DataFrame, params: Params) -> pd.DataFrame:
    name = resolve_classifier(params)
    if not (params.root / GOLD).is_file():
        return label_without_gold(units, name, params)
    labelled = gold_units(units, params)
    model = load_model(name, training_hash(name, labelled, labelled["label"], params),
                       params.path("stance.models_dir"), params.root)
    in_gold = units["doc_id"].isin(set(labelled["doc_id"]))
    parts = []
    if in_gold.any():
        gold_rows = out_of_fold_rows(units[in_gold], io.read_parquet(params.root / OOF), name)
        parts.append(gold_rows.assign(prediction="out_of_fold"))
    new = units[~in_gold].reset_index(drop=True)
    if len(new):
        proba = predict_in_batches(model, new, int(params.get("stance.batch_size")))
        rows = new[[*KEY, "sent_key"]].copy()
        rows[PROBA] = proba
        parts.append(rows.assign(prediction="fit_on_all_gold"))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*KEY, "sent_key", *PROBA])
    return finish(out, name)


def run(params: Params) -> None:
    io.write_parquet(label_units(all_units(params), params), params.root / STANCES)
