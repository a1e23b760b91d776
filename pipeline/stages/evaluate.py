"""evaluate: document-grouped cross-validation of every configured classifier.

Each classifier in ``evaluate.classifiers`` is scored on the gold units with
one document held out per fold (whole documents in ``cross_validation.k_folds``
folds above ``cross_validation.loo_max_documents`` gold documents:
pipeline.classifiers.cv), so no unit is predicted by a model that saw its
document (pipeline.evaluation.scoring). Outputs: the out-of-fold
probabilities (which the stance stage reuses for gold documents), macro-F1
per target and overall, per-class precision / recall / F1, confusion
matrices, calibration (ECE, Brier, reliability), and per origin group x
target the gold label shares beside the model-coded (out-of-fold) shares.
The first classifier within ``evaluate.selection_tolerance`` of the best
mean macro-F1 is ``selected``; with ``stance.classifier: auto`` the train
and stance stages use it. Where the gold carries a ``basis`` (STANCE-SPEC
v2), each classifier's recall of polar gold units is reported per basis.
The sensitivity table puts each origin group's net index toward each
target under gold beside the same under every classifier
(pipeline.evaluation.sensitivity), so a reader sees which conclusions
depend on the classifier. outputs/metrics/evaluate.json holds the headline
(the selected classifier's scores, the runner-up); every classifier's full
scores are in outputs/tables/evaluate/eval_scores.json and the eval_* tables.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline import io, paths
from pipeline.classifiers import check_settings, make_classifier
from pipeline.classifiers.cv import fold_phrase, folds_from
from pipeline.classifiers.training import gold_units
from pipeline.evaluation.scoring import (
    BASES,
    SHARE_TOLERANCE_PP,
    cross_validate,
    error_table,
    headline,
    per_class_table,
    rounded,
    score_classifier,
    select,
    share_table,
)
from pipeline.evaluation.sensitivity import sensitivity_caption, sensitivity_summary, sensitivity_table
from pipeline.params import Params
from pipeline.tables import write_table

STAGE = "evaluate"
READING_NOTES = {
    "full": "full reading: every gold label as annotated, context-basis ones included",
    "text": "text reading: context-basis gold labels count as neutral",
}
"""``stance.basis``: how the gold labels are read (STANCE-SPEC v2 basis); classifiers train and score on it."""


def run(params: Params) -> None:
    check_settings(params, params.evaluate.classifiers, "evaluate.classifiers")
    names, targets = params.evaluate.classifiers, params.target_names
    documents = io.read_parquet(params.root / paths.DOCUMENTS, columns=["doc_id", "author_origin"])
    labelled = gold_units(params)
    for name in names:  # errors a factory finds (an unset model) before minutes of cross-validation
        make_classifier(name, params)

    with folds_from(params.cross_validation):
        oof = cross_validate(labelled, names, params)
    folds = fold_phrase(labelled["doc_id"].nunique(), params.cross_validation)
    basis = labelled["basis"]
    scores = {
        name: score_classifier(oof[oof["classifier"] == name], targets, params.evaluate.calibration_bins, basis)
        for name in names
    }
    classes = per_class_table(oof)
    shares = share_table(oof, documents)
    sensitivity = sensitivity_table(oof, documents, names)
    for name in names:
        scores[name]["sensitivity"] = sensitivity_summary(sensitivity, name)
        s = shares[shares["classifier"] == name]
        scores[name]["per_class"] = {
            t: {
                r.label: {"precision": r.precision, "recall": r.recall, "f1": r.f1, "support": int(r.support)}
                for r in classes[(classes["classifier"] == name) & (classes["target"] == t)].itertuples()
            }
            for t in [*targets, "overall"]
        }
        scores[name]["shares"] = {
            "max_abs_diff_pp": float(s["diff_pp"].abs().max()),
            "mean_abs_diff_pp": float(s["diff_pp"].abs().mean()),
            "share_within_tolerance": float((s["diff_pp"].abs() <= SHARE_TOLERANCE_PP).mean()),
        }
    tolerance = params.evaluate.selection_tolerance
    selected = select(scores, names, tolerance)
    metrics: dict[str, Any] = {
        "selected": selected,
        "criterion": (
            f"out-of-fold macro-F1, mean over targets ({folds}): the first classifier "
            f"in evaluate.classifiers within {tolerance} of the best"
        ),
        "n_units": int(len(labelled)),
        "n_documents": int(labelled["doc_id"].nunique()),
        "reading": params.stance.basis,
        "gold_basis": {b: int((basis == b).sum()) for b in BASES},
        "share_tolerance_pp": SHARE_TOLERANCE_PP,
        "classifiers": scores,
    }
    summary = pd.DataFrame(
        [
            {
                "classifier": n,
                "macro_f1_mean": s["macro_f1"]["mean_over_targets"],
                **{f"macro_f1_{t}": s["macro_f1"][t] for t in targets},
                "macro_f1_overall": s["macro_f1"]["overall"],
                "accuracy": s["accuracy"],
                "ece": s["ece"],
                "brier": s["brier"],
                "log_loss": s["log_loss"],
                "max_share_diff_pp": s["shares"]["max_abs_diff_pp"],
                **{f"recall_{b}_basis": r["recall"] for b, r in s["recall_by_basis"].items()},
                "net_index_sign_differs": s["sensitivity"]["sign_differs"],
                "selected": n == selected,
            }
            for n, s in scores.items()
        ]
    )
    how = f"{folds}, {metrics['n_units']} gold units, {metrics['n_documents']} documents"
    per_basis = (
        " recall_text_basis / recall_context_basis: share of polar gold units whose stance the sentence's "
        "own words carry / the author's argument around it carries (STANCE-SPEC v2 basis) labelled correctly."
    )

    with io.StageOutputs(params.root) as out:
        tables = out.folder(paths.tables(STAGE))
        write_table(
            summary,
            tables / "eval_classifiers",
            f"Out-of-fold scores of every stance classifier ({how}); the selected default has the "
            "first within evaluate.selection_tolerance of the highest mean macro-F1 over targets, in list order "
            "(simplest first). ECE: top-label calibration error; Brier: multiclass. net_index_sign_differs: "
            f"origin x target cells where the net index has another sign than under gold (sensitivity).{per_basis}",
        )
        write_table(
            classes,
            tables / "eval_per_class",
            f"Out-of-fold precision, recall and F1 per classifier, target and gold label ({how}).",
        )
        write_table(
            shares,
            tables / "eval_shares",
            "Document-weighted label shares per origin group and target: gold labels beside "
            f"model-coded (out-of-fold) and their difference in percentage points ({how}).",
        )
        write_table(
            sensitivity,
            tables / "sensitivity",
            sensitivity_caption(names, metrics["n_documents"], READING_NOTES[params.stance.basis], folds),
        )
        write_table(
            error_table(oof[oof["classifier"] == selected], labelled),
            tables / "eval_errors",
            f"Out-of-fold errors of the selected classifier ({selected}), most confident first ({how}).",
        )
        confusion = out.folder(paths.CONFUSION_PLOTS)
        for (name, target), g in oof.groupby(["classifier", "target"], sort=False):
            g[["doc_id", "sent_id", "label", "predicted"]].rename(columns={"label": "actual"}).to_csv(
                confusion / f"{name}_{target}.csv", index=False, lineterminator="\n"
            )
        io.write_parquet(oof, out.file(paths.OOF_STANCES))
        io.write_json(tables / paths.EVALUATION_SCORES.name, rounded(metrics))
        io.write_json(
            out.file(paths.EVALUATION),
            headline(scores, selected, targets, metrics["n_units"], metrics["n_documents"]),
        )
