"""Scoring classifiers out of fold: cross-validated probabilities, scores, tables, and the selection rule.

Macro-F1 per target (mean over targets) chooses; calibration (ECE, Brier,
log loss) and the gold vs model-coded group shares describe. The metric
functions are in pipeline.evaluation.metrics.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.classifiers import make_classifier
from pipeline.classifiers.base import at_fixed_precision
from pipeline.classifiers.cv import out_of_fold_proba
from pipeline.evaluation.metrics import (
    brier,
    document_weighted_shares,
    expected_calibration_error,
    macro_f1,
    mean_log_loss,
    per_class,
    predicted_labels,
)
from pipeline.params import Params
from pipeline.paths import KEY, LABELS, PROBA

SHARE_TOLERANCE_PP = 5.0
"""A model-coded group share within this many percentage points of the gold share counts as close."""


def cross_validate(labelled: pd.DataFrame, names: list[str], params: Params) -> pd.DataFrame:
    """Out-of-fold probabilities of every classifier, one row per (classifier, unit), at the fixed
    precision they are stored with, so every score is computed from the stored numbers."""
    frames = []
    for name in names:
        proba = at_fixed_precision(
            out_of_fold_proba(make_classifier(name, params), labelled, labelled["label"], desc=f"cv {name}")
        )
        frame = labelled[[*KEY, "sent_key", "label"]].copy()
        frame.insert(0, "classifier", name)
        for j, label in enumerate(LABELS):
            frame[f"p_{label}"] = proba[:, j]
        frame["predicted"] = predicted_labels(proba)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def proba_of(frame: pd.DataFrame) -> np.ndarray:
    return frame[PROBA].to_numpy()


def score_classifier(frame: pd.DataFrame, targets: list[str], bins: int, basis: pd.Series) -> dict[str, Any]:
    """Metrics of one classifier's out-of-fold rows, with the recall of polar gold units per gold ``basis``
    (one per row, aligned with ``frame``)."""
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
        "recall_by_basis": recall_by_basis(frame, basis),
    }


BASES = ("text", "context")


def recall_by_basis(frame: pd.DataFrame, basis: pd.Series) -> dict[str, dict[str, float | int | None]]:
    """Per basis (STANCE-SPEC v2: ``text`` when the sentence's own words carry the stance, ``context`` when the
    author's argument around it does): the share of polar gold units of that basis labelled correctly, and how
    many there are. A classifier that reads sentences only can find ``context`` units only by chance."""
    polar = frame["label"].to_numpy() != "neutral"
    correct = frame["label"].to_numpy() == frame["predicted"].to_numpy()
    out: dict[str, dict[str, float | int | None]] = {}
    for b in BASES:
        mask = polar & (basis.to_numpy() == b)
        out[b] = {"recall": float(correct[mask].mean()) if mask.any() else None, "n_polar": int(mask.sum())}
    return out


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
        gold = document_weighted_shares(g, "label").rename(columns={"share": "gold_share"})
        model = document_weighted_shares(g, "predicted")[["author_origin", "target", "label", "share"]]
        both = gold.merge(model.rename(columns={"share": "model_share"}), on=["author_origin", "target", "label"])
        both.insert(0, "classifier", name)
        frames.append(both)
    table = pd.concat(frames, ignore_index=True)
    table["diff_pp"] = 100 * (table["model_share"] - table["gold_share"])
    return table[
        ["classifier", "author_origin", "target", "label", "n_docs", "n_units", "gold_share", "model_share", "diff_pp"]
    ]


def error_table(frame: pd.DataFrame, labelled: pd.DataFrame) -> pd.DataFrame:
    """The selected classifier's out-of-fold errors, most confident first, with the sentence."""
    errors = frame[frame["label"] != frame["predicted"]].merge(labelled[[*KEY, "text"]], on=KEY)
    errors = errors.assign(confidence=proba_of(errors).max(axis=1))
    errors = errors.sort_values(["target", "label", "predicted", "confidence"], ascending=[True, True, True, False])
    return errors[["doc_id", "sent_id", "target", "label", "predicted", "confidence", "text"]].rename(
        columns={"label": "gold"}
    )


def select(scores: dict[str, Any], names: list[str], tolerance: float = 0.0) -> str:
    """The first configured classifier whose mean macro-F1 over targets is within ``tolerance`` of the best.

    The list in evaluate.classifiers runs from simplest to most complex, so a
    difference smaller than the tolerance (noise with five held-out documents) goes to
    the simpler, more transparent model.
    """
    mean = {n: scores[n]["macro_f1"]["mean_over_targets"] for n in names}
    best = max(mean.values())
    return next(n for n in names if mean[n] >= best - tolerance - 1e-12)


def rounded(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, float):
        return round(value, 4)
    return value


def headline(
    scores: dict[str, Any], selected: str, targets: list[str], n_units: int, n_documents: int
) -> dict[str, Any]:
    """About a dozen numbers for outputs/metrics/evaluate.json (`dvc metrics show`): the selected
    classifier's out-of-fold scores and the best other classifier; every classifier's full scores
    stay in eval_scores.json and the eval_* tables."""
    chosen = scores[selected]
    others = sorted((n for n in scores if n != selected), key=lambda n: -scores[n]["macro_f1"]["mean_over_targets"])
    out: dict[str, Any] = {
        "selected": selected,
        "n_gold_units": n_units,
        "n_documents": n_documents,
        "macro_f1": chosen["macro_f1"]["mean_over_targets"],
        **{f"macro_f1_{t}": chosen["macro_f1"][t] for t in targets},
        "accuracy": chosen["accuracy"],
        "ece": chosen["ece"],
        "share_gap_mean_pp": chosen["shares"]["mean_abs_diff_pp"],
        "share_gap_max_pp": chosen["shares"]["max_abs_diff_pp"],
    }
    if others:
        out["runner_up"] = others[0]
        out["runner_up_macro_f1"] = scores[others[0]]["macro_f1"]["mean_over_targets"]
    return rounded(out)
