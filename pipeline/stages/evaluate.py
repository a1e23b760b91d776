"""evaluate: leave-one-document-out cross-validation of every configured classifier.

Each classifier in ``stance.evaluate.classifiers`` is scored on the gold
units with one document held out per fold, so no unit is predicted by a
model that saw its document. Outputs: the out-of-fold probabilities (which
the stance stage reuses for gold documents), macro-F1 per target and
overall, per-class precision / recall / F1, confusion matrices, calibration
(ECE, Brier, reliability), and per origin group x target the gold
label shares beside the model-coded (out-of-fold) shares. The classifier
with the highest mean macro-F1 over targets is ``selected``; with
``stance.classifier: auto`` the train and stance stages use it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import io
from pipeline.config import LABELS, Params
from pipeline.stages.ingest import DOCUMENTS
from pipeline.stance import make_classifier
from pipeline.stance.cv import out_of_fold_proba
from pipeline.stance.metrics import (
    brier,
    document_weighted_shares,
    expected_calibration_error,
    macro_f1,
    mean_log_loss,
    per_class,
    predicted_labels,
)
from pipeline.stance.training import EVALUATION, OOF, all_units, evaluated_classifiers, gold_units
from pipeline.units import KEY

TABLES = "outputs/tables"
CONFUSION_PLOTS = "outputs/plots/confusion"
SHARE_TOLERANCE_PP = 5.0


def cross_validate(labelled: pd.DataFrame, names: list[str], params: Params) -> pd.DataFrame:
    """Out-of-fold probabilities of every classifier, one row per (classifier, unit)."""
    frames = []
    for name in names:
        proba = out_of_fold_proba(make_classifier(name, params), labelled, labelled["label"], desc=f"cv {name}")
        frame = labelled[[*KEY, "sent_key", "label"]].copy()
        frame.insert(0, "classifier", name)
        for j, label in enumerate(LABELS):
            frame[f"p_{label}"] = proba[:, j]
        frame["predicted"] = predicted_labels(proba)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def proba_of(frame: pd.DataFrame) -> np.ndarray:
    return frame[[f"p_{label}" for label in LABELS]].to_numpy()


def score_classifier(frame: pd.DataFrame, targets: list[str], bins: int) -> dict:
    """Metrics of one classifier's out-of-fold rows."""
    by_target = {t: macro_f1(g["label"], g["predicted"]) for t, g in frame.groupby("target") if t in targets}
    return {
        "macro_f1": {
            "mean_over_targets": float(np.mean(list(by_target.values()))),
            **by_target,
            "overall": macro_f1(frame["label"], frame["predicted"]),
        },
        "accuracy": float((frame["label"] == frame["predicted"]).mean()),
        "ece": expected_calibration_error(frame["label"], proba_of(frame), bins),
        "brier": brier(frame["label"], proba_of(frame)),
        "log_loss": mean_log_loss(frame["label"], proba_of(frame)),
    }


def per_class_table(oof: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (name, target), g in oof.groupby(["classifier", "target"], sort=False):
        rows.append(per_class(g["label"], g["predicted"]).assign(classifier=name, target=target))
    for name, g in oof.groupby("classifier", sort=False):
        rows.append(per_class(g["label"], g["predicted"]).assign(classifier=name, target="overall"))
    table = pd.concat(rows, ignore_index=True)
    return table[["classifier", "target", "label", "precision", "recall", "f1", "support"]]


def share_table(oof: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Per classifier x origin x target x label: gold vs model-coded document-weighted share."""
    origins = documents[["doc_id", "author_origin"]]
    frames = []
    for name, g in oof.groupby("classifier", sort=False):
        g = g.merge(origins, on="doc_id", validate="many_to_one")
        human = document_weighted_shares(g, "label").rename(columns={"share": "human_share"})
        model = document_weighted_shares(g, "predicted")[["author_origin", "target", "label", "share"]]
        both = human.merge(model.rename(columns={"share": "model_share"}), on=["author_origin", "target", "label"])
        both.insert(0, "classifier", name)
        frames.append(both)
    table = pd.concat(frames, ignore_index=True)
    table["diff_pp"] = 100 * (table["model_share"] - table["human_share"])
    return table[["classifier", "author_origin", "target", "label", "n_docs", "n_units",
                  "human_share", "model_share", "diff_pp"]]


def error_table(frame: pd.DataFrame, labelled: pd.DataFrame) -> pd.DataFrame:
    """The selected classifier's out-of-fold errors, most confident first, with the sentence."""
    errors = frame[frame["label"] != frame["predicted"]].merge(labelled[[*KEY, "text"]], on=KEY)
    errors = errors.assign(confidence=proba_of(errors).max(axis=1))
    errors = errors.sort_values(["target", "label", "predicted", "confidence"], ascending=[True, True, True, False])
    return errors[["doc_id", "sent_id", "target", "label", "predicted", "confidence", "text"]].rename(
        columns={"label": "gold"})


def select(scores: dict, names: list[str], tolerance: float = 0.0) -> str:
    """The first configured classifier whose mean macro-F1 over targets is within ``tolerance`` of the best.

    The list in stance.evaluate.classifiers runs from simplest to most complex, so a
    difference smaller than the tolerance (noise with five held-out documents) goes to
    the simpler, more transparent model.
    """
    mean = {n: scores[n]["macro_f1"]["mean_over_targets"] for n in names}
    best = max(mean.values())
    return next(n for n in names if mean[n] >= best - tolerance - 1e-12)


def _rounded(value):
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, float):
        return round(value, 4)
    return value


def run(params: Params) -> None:
    names = evaluated_classifiers(params)
    targets = params.targets
    bins = int(params.get("stance.evaluate.calibration_bins"))
    documents = io.read_parquet(params.root / DOCUMENTS)
    labelled = gold_units(all_units(params), params)
    for name in names:  # configuration errors before minutes of cross-validation
        make_classifier(name, params)

    oof = cross_validate(labelled, names, params)
    scores = {name: score_classifier(oof[oof["classifier"] == name], targets, bins) for name in names}
    classes = per_class_table(oof)
    shares = share_table(oof, documents)
    for name in names:
        s = shares[shares["classifier"] == name]
        scores[name]["per_class"] = {
            t: {r.label: {"precision": r.precision, "recall": r.recall, "f1": r.f1, "support": int(r.support)}
                for r in classes[(classes["classifier"] == name) & (classes["target"] == t)].itertuples()}
            for t in [*targets, "overall"]
        }
        scores[name]["shares"] = {
            "max_abs_diff_pp": float(s["diff_pp"].abs().max()),
            "mean_abs_diff_pp": float(s["diff_pp"].abs().mean()),
            "share_within_tolerance": float((s["diff_pp"].abs() <= SHARE_TOLERANCE_PP).mean()),
        }
    tolerance = float(params.get("stance.evaluate.selection_tolerance"))
    selected = select(scores, names, tolerance)

    metrics = {
        "selected": selected,
        "criterion": ("out-of-fold macro-F1, mean over targets (leave-one-document-out): the first classifier "
                      f"in stance.evaluate.classifiers within {tolerance} of the best"),
        "n_units": int(len(labelled)),
        "n_documents": int(labelled["doc_id"].nunique()),
        "share_tolerance_pp": SHARE_TOLERANCE_PP,
        "classifiers": scores,
    }

    summary = pd.DataFrame([
        {"classifier": n, "macro_f1_mean": s["macro_f1"]["mean_over_targets"],
         **{f"macro_f1_{t}": s["macro_f1"][t] for t in targets}, "macro_f1_overall": s["macro_f1"]["overall"],
         "accuracy": s["accuracy"], "ece": s["ece"], "brier": s["brier"], "log_loss": s["log_loss"],
         "max_share_diff_pp": s["shares"]["max_abs_diff_pp"], "selected": n == selected}
        for n, s in scores.items()
    ])
    tables = params.root / TABLES
    how = f"leave-one-document-out, {metrics['n_units']} gold units, {metrics['n_documents']} documents"
    io.write_table(summary, tables / "eval_classifiers",
                   f"Out-of-fold scores of every stance classifier ({how}); the selected default has the "
                   "highest mean macro-F1 over targets. ECE: 10-bin top-label calibration error; Brier: multiclass.")
    io.write_table(classes, tables / "eval_per_class",
                   f"Out-of-fold precision, recall and F1 per classifier, target and gold label ({how}).")
    io.write_table(shares, tables / "eval_shares",
                   "Document-weighted label shares per origin group and target: gold labels beside "
                   f"model-coded (out-of-fold) and their difference in percentage points ({how}).")
    io.write_table(error_table(oof[oof["classifier"] == selected], labelled), tables / "eval_errors",
                   f"Out-of-fold errors of the selected classifier ({selected}), most confident first ({how}).")
    for (name, target), g in oof.groupby(["classifier", "target"], sort=False):
        with io.atomic_path(params.root / CONFUSION_PLOTS / f"{name}_{target}.csv") as tmp:
            g[["doc_id", "sent_id", "label", "predicted"]].rename(columns={"label": "actual"}).to_csv(
                tmp, index=False, lineterminator="\n")

    io.write_parquet(oof, params.root / OOF)
    io.write_json(params.root / EVALUATION, _rounded(metrics))
