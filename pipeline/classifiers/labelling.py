"""Labelling the corpus with the chosen classifier: out-of-fold rows for gold documents, the model for the rest.

Gold units take the evaluate stage's out-of-fold probabilities for the
chosen classifier, so no gold unit is labelled by a model that saw its
document's labels. Every unit of a document whose gold is a sample (some
units labelled, not all) is labelled by the model fitted on the other
documents' gold, refitted here and applied to the whole document:
prediction-powered estimates need one predictor per document that never saw
the document's labels (cross-fitting, docs/ppi.md). Units of
documents without gold are labelled by the model the train stage fit on all
gold units, after checking its training hash. A corpus with no gold at all
can still be labelled by a classifier that learns nothing (the lexicon).
The ``prediction`` column says which applies to each row: ``out_of_fold``,
``cross_fitted``, ``fit_on_all_gold`` or ``rules_only``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline import io, paths
from pipeline.annotation.gold import attach_gold, read_gold
from pipeline.classifiers import make_classifier
from pipeline.classifiers.base import StanceClassifier, at_fixed_precision
from pipeline.classifiers.persist import load_model, training_hash
from pipeline.classifiers.training import read_units, resolve_classifier
from pipeline.nlp.units import stance_units
from pipeline.params import Params
from pipeline.paths import KEY, LABELS, PROBA, STANCE_DTYPES, UNIT_COLUMNS


class StanceInputError(ValueError):
    """The evaluate stage's out-of-fold predictions do not cover the gold units, or no classifier fits."""


@dataclass(frozen=True)
class Labeller:
    """Everything a partition needs, built once per run and shipped to every worker."""

    name: str
    model: StanceClassifier
    #: out-of-fold rows of the gold units (empty without gold)
    oof: pd.DataFrame
    #: how units outside the gold documents are labelled
    new_prediction: str
    #: doc_id -> the model fitted without that document's gold, for documents whose gold is a sample
    fold_models: dict[str, StanceClassifier] = field(default_factory=dict)


def out_of_fold_rows(units: pd.DataFrame, oof: pd.DataFrame, name: str) -> pd.DataFrame:
    """The gold units' rows from the evaluate stage's out-of-fold predictions of ``name``."""
    mine = oof[oof["classifier"] == name]
    if mine.empty:
        raise StanceInputError(
            f"{paths.OOF_STANCES}: no out-of-fold predictions for '{name}'; add it to evaluate.classifiers"
        )
    rows = units[[*KEY, "sent_key"]].merge(mine[[*KEY, "sent_key", *PROBA]], on=[*KEY, "sent_key"], how="left")
    missing = rows[rows[PROBA[0]].isna()]
    if not missing.empty:
        r = missing.iloc[0]
        raise StanceInputError(
            f"{paths.OOF_STANCES}: {len(missing)} gold unit(s) have no out-of-fold prediction, e.g. "
            f"({r['doc_id']}, sent {r['sent_id']}, {r['target']}); rerun the evaluate stage"
        )
    return rows.assign(prediction="out_of_fold")


def build_labeller(params: Params) -> Labeller:
    """The chosen classifier and, with gold labels, the trained model (hash-checked) and OOF rows."""
    name = resolve_classifier(params)
    gold = read_gold(params.root)
    if gold.empty:
        model = make_classifier(name, params)
        if model.needs_labels:
            raise StanceInputError(
                f"{paths.PASSES}: no gold labels, and stance.classifier '{name}' learns from them; "
                "annotate a sample (`python -m pipeline annotate export`) or use stance.classifier: lexicon"
            )
        return Labeller(
            name,
            model.fit(pd.DataFrame(columns=UNIT_COLUMNS)),
            pd.DataFrame(columns=[*KEY, "sent_key", *PROBA]),
            "rules_only",
        )
    units = read_units(params, sorted(gold["doc_id"].unique()))
    labelled = attach_gold(units, gold, reading=params.stance.basis)
    labelled = labelled.sort_values(KEY).reset_index(drop=True)
    model = load_model(
        name, training_hash(name, labelled, labelled["label"], params), params.root / paths.MODELS, params.root
    )
    oof = out_of_fold_rows(labelled, io.read_parquet(params.root / paths.OOF_STANCES), name)
    return Labeller(name, model, oof, "fit_on_all_gold", fold_models(name, params, units, labelled))


def fold_models(name: str, params: Params, units: pd.DataFrame, labelled: pd.DataFrame) -> dict[str, StanceClassifier]:
    """For each document with some but not all units gold-labelled: the classifier fitted on the other documents.

    Fitted on exactly the training rows of the evaluate stage's fold for that
    document, so the document's labelled and unlabelled units share one
    predictor that never saw its labels. Classifiers that learn nothing need none.
    """
    if not make_classifier(name, params).needs_labels:
        return {}
    n_units = units.groupby("doc_id").size()
    n_gold = labelled.groupby("doc_id").size().reindex(n_units.index, fill_value=0)
    sampled = sorted(n_units.index[(n_gold > 0) & (n_gold < n_units)])
    models = {}
    for doc_id in sampled:
        train = labelled[labelled["doc_id"] != doc_id].reset_index(drop=True)
        models[doc_id] = make_classifier(name, params).fit(train, train["label"])
    return models


def label_partition(partition: dict[str, pd.DataFrame], labeller: Labeller) -> pd.DataFrame:
    """Stance rows for one partition of documents (the executor's unit of work).

    Rows come in document order, then sentence and target, so the output
    does not depend on how the corpus was cut into partitions.
    """
    sentences = partition["primary"]
    units = stance_units(sentences, partition["mentions"], partition["documents"])
    doc_order = {doc_id: i for i, doc_id in enumerate(pd.unique(sentences["doc_id"]))}
    units = (
        units.assign(_doc_order=units["doc_id"].map(doc_order))
        .sort_values(["_doc_order", "sent_id", "target"], kind="stable")
        .drop(columns="_doc_order")
        .reset_index(drop=True)
    )
    cross_fitted = units["doc_id"].isin(list(labeller.fold_models)).to_numpy()
    oof_keys = set(labeller.oof[[*KEY, "sent_key"]].itertuples(index=False, name=None))
    in_gold = pd.Series([key in oof_keys for key in units[[*KEY, "sent_key"]].itertuples(index=False, name=None)])
    in_gold = in_gold.to_numpy() & ~cross_fitted
    rows = units[[*KEY, "sent_key"]].copy()
    rows[PROBA] = np.nan
    rows["prediction"] = labeller.new_prediction
    if in_gold.any():
        oof = units.loc[in_gold, [*KEY, "sent_key"]].merge(labeller.oof, on=[*KEY, "sent_key"], how="left")
        rows.loc[in_gold, PROBA] = oof[PROBA].to_numpy()
        rows.loc[in_gold, "prediction"] = "out_of_fold"
    rest = ~in_gold & ~cross_fitted
    if rest.any():
        rows.loc[rest, PROBA] = at_fixed_precision(labeller.model.predict_proba(units[rest].reset_index(drop=True)))
    # a sampled document: all its units, labelled or not, from its fold's model, on the whole document
    # (classifiers read context from the units passed in)
    for doc_id, idx in units[cross_fitted].groupby("doc_id", sort=False).groups.items():
        model = labeller.fold_models[str(doc_id)]
        rows.loc[idx, PROBA] = at_fixed_precision(model.predict_proba(units.loc[idx].reset_index(drop=True)))
        rows.loc[idx, "prediction"] = "cross_fitted"
    rows["label"] = [LABELS[i] for i in rows[PROBA].to_numpy(dtype=float).argmax(axis=1)] if len(rows) else []
    rows["classifier"] = labeller.name
    return rows[list(STANCE_DTYPES)].astype(STANCE_DTYPES)
