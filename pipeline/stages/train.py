"""train: fit the chosen stance classifier on every gold unit and save it with its training hash.

The saved model labels documents outside the gold set; gold documents keep
their out-of-fold labels from the evaluate stage. The file carries a hash
of the training units, labels and params (pipeline.stance.persist), and
the stance stage refuses a model whose hash does not match.
"""
from __future__ import annotations

from pipeline.config import Params
from pipeline.stance import make_classifier
from pipeline.stance.persist import save_model, training_hash
from pipeline.stance.training import all_units, gold_units, resolve_classifier


def run(params: Params) -> None:
    name = resolve_classifier(params)
    labelled = gold_units(all_units(params), params)
    model = make_classifier(name, params).fit(labelled, labelled["label"])
    info = {
        "n_units": int(len(labelled)),
        "documents": sorted(labelled["doc_id"].unique().tolist()),
        "label_counts": {f"{t}/{label}": int(n)
                         for (t, label), n in labelled.groupby(["target", "label"]).size().items()},
    }
    if hasattr(model, "weights"):
        info["ensemble_weights"] = {k: round(v, 4) for k, v in model.weights.items()}
    save_model(model, name, training_hash(name, labelled, labelled["label"], params),
               params.path("stance.models_dir"), info)
