"""train: fit the chosen stance classifier on every gold unit and save it with its training hash.

The saved model labels documents outside the gold set; gold documents keep
their out-of-fold labels from the evaluate stage. The file carries a hash
of the training units, labels and params (pipeline.classifiers.persist), and
the stance stage refuses a model whose hash does not match. models/stance
holds only the current model: the folder is replaced whole.
"""

from __future__ import annotations

from typing import Any

from pipeline import io, paths
from pipeline.classifiers import make_classifier
from pipeline.classifiers.cv import folds_from
from pipeline.classifiers.persist import save_model, training_hash
from pipeline.classifiers.training import gold_units, resolve_classifier
from pipeline.params import Params


def run(params: Params) -> None:
    name = resolve_classifier(params)
    labelled = gold_units(params)
    with folds_from(params.cross_validation):  # choices inside the fit split as evaluate's folds do
        model = make_classifier(name, params).fit(labelled, labelled["label"])
    info: dict[str, Any] = {
        "n_units": int(len(labelled)),
        "documents": sorted(labelled["doc_id"].unique().tolist()),
        "label_counts": {
            f"{t}/{label}": int(n) for (t, label), n in labelled.groupby(["target", "label"]).size().items()
        },
    }
    if hasattr(model, "weights"):
        info["ensemble_weights"] = {k: round(v, 4) for k, v in model.weights.items()}
    if hasattr(model, "chosen_"):  # a choice made by leave-one-document-out over the gold documents
        info["chosen"] = {
            "candidate": model.chosen_,
            "inner_scores": {k: round(v, 4) for k, v in model.scores_.items()},
        }
    with io.StageOutputs(params.root) as out:
        save_model(
            model, name, training_hash(name, labelled, labelled["label"], params), out.folder(paths.MODELS), info
        )
