"""Which conclusions depend on the classifier: each group's net index under gold and under every classifier.

The comparison the project reports is a group's net index toward a target (favor minus against, per unit,
averaged over the group's documents: each document counts once). Classifiers that score alike can still move
it: a switch from one to another moved the Russian author's net stance toward Russia from +0.18 to +0.04
(issue #14). So the evaluate stage puts, for every origin group x target of the gold documents, the net index
under the gold labels beside the net index under each evaluated classifier's out-of-fold labels (no document
labelled by a model that saw it), and says where the sign of a classifier's estimate differs from gold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.evaluation.metrics import document_weighted_shares

GOLD = "gold"


def net_index(labelled: pd.DataFrame, label_column: str) -> pd.DataFrame:
    """Per author_origin x target: document-weighted net index (share favor - share against), n_docs, n_units."""
    shares = document_weighted_shares(labelled, label_column)
    wide = shares.pivot_table(index=["author_origin", "target"], columns="label", values="share", fill_value=0.0)
    counts = shares.groupby(["author_origin", "target"])[["n_docs", "n_units"]].first()
    net = (wide.get("favor", 0.0) - wide.get("against", 0.0)).rename("net_index")
    return counts.join(net).reset_index()


def sensitivity_table(oof: pd.DataFrame, documents: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """One row per origin group x target: n_docs, n_units, the net index under ``gold`` and under each
    classifier in ``names`` (columns named after them), the classifiers whose sign differs from gold's
    (``sign_differs``: names, "" when none) and the largest absolute difference from gold."""
    origins = documents[["doc_id", "author_origin"]]
    first = oof[oof["classifier"] == names[0]].merge(origins, on="doc_id", validate="many_to_one")
    table = net_index(first, "label").rename(columns={"net_index": GOLD})
    for name in names:
        mine = oof[oof["classifier"] == name].merge(origins, on="doc_id", validate="many_to_one")
        model = net_index(mine, "predicted")[["author_origin", "target", "net_index"]].rename(
            columns={"net_index": name}
        )
        table = table.merge(model, on=["author_origin", "target"], validate="one_to_one")
    gold_sign = np.sign(table[GOLD].round(12))
    table["sign_differs"] = [
        ", ".join(n for n in names if np.sign(round(row[n], 12)) != sign)
        for (_, row), sign in zip(table.iterrows(), gold_sign)
    ]
    table["max_abs_diff"] = table[names].sub(table[GOLD], axis=0).abs().max(axis=1)
    return table.sort_values(["target", "author_origin"]).reset_index(drop=True)


def sensitivity_summary(table: pd.DataFrame, name: str) -> dict[str, float | int]:
    """One classifier's agreement with the gold net indices: cells, cells with another sign, largest gap."""
    diff = (table[name] - table[GOLD]).abs()
    flips = sum(name in [n.strip() for n in cell.split(",")] for cell in table["sign_differs"])
    return {"cells": int(len(table)), "sign_differs": int(flips), "max_abs_diff": float(diff.max())}


def sensitivity_caption(names: list[str], n_documents: int, reading: str, folds: str = "leave-one-document-out") -> str:
    return (
        "Sensitivity of the conclusions to the classifier: net index toward each target ((favor - against) / "
        "units of a document, averaged over the group's documents, each document once) per author-origin "
        f"group, under the gold labels ({reading}) and under the out-of-fold labels of every evaluated "
        f"classifier ({', '.join(names)}; {folds}, so no document is labelled by a model that "
        f"saw it), on the {n_documents} gold documents. sign_differs names the classifiers whose net index has "
        "another sign than gold's (0 counts as a sign of its own): a conclusion about the direction of that "
        "group's stance depends on the classifier there. max_abs_diff: the largest distance of a classifier's "
        "net index from gold's. Groups with one document describe that document."
    )
