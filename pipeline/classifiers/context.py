"""Document context of a unit (spec v2 rule 6): the article's own evaluations of the target around a sentence.

Rule 6 lets a factual sentence take the stance of the author's argument ("the measures the author calls
necessary, the aid the author praises"). A sentence-level model cannot see that, so this module summarises, for
each unit and without any gold label, what the *other* sentences of the same document say about the same target:

- ``para_net``: the summed votes (favor - against) of the other units of the same document and target in the
  same paragraph (the unit table's ``paragraph``: the document's blank-line blocks; without that column, or where
  it is -1, the two sentences either side);
- ``near_net``: the same over the sentences just before and after;
- ``doc_net``: their mean over the whole document (the article's thesis toward the target), and ``doc_polar``,
  the share of the other units with any vote;
- ``other_doc_net``: the thesis toward the other target (an article against Russia is usually for Ukraine).

Context is read from the units passed in, so predict on whole documents (the stance stage and leave-one-document-
out both do).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CONTEXT_COLUMNS = ("para_net", "near_net", "doc_net", "doc_polar", "other_doc_net")
NEIGHBOUR_WINDOW = 2  # sentences either side that stand in for a paragraph when paragraphs are unknown


def context_features(units: pd.DataFrame, net: np.ndarray, polar: np.ndarray) -> pd.DataFrame:
    """``CONTEXT_COLUMNS`` per unit from every unit's own net vote and polarity (0/1), leaving the unit out
    (one unit per document, sentence and target, so "the others" is the group total minus the unit)."""
    frame = pd.DataFrame(
        {
            "doc_id": units["doc_id"].to_numpy(),
            "target": units["target"].to_numpy(),
            "sent_id": units["sent_id"].to_numpy(),
            "net": np.asarray(net, float),
            "polar": np.asarray(polar, float),
            "paragraph": units["paragraph"].to_numpy() if "paragraph" in units else np.full(len(units), -1),
        }
    )
    by_doc = frame.groupby(["doc_id", "target"])
    rest = (by_doc["net"].transform("count") - 1).to_numpy()
    doc_net = np.divide(
        by_doc["net"].transform("sum").to_numpy() - frame["net"].to_numpy(),
        rest,
        out=np.zeros(len(frame)),
        where=rest > 0,
    )
    doc_polar = np.divide(
        by_doc["polar"].transform("sum").to_numpy() - frame["polar"].to_numpy(),
        rest,
        out=np.zeros(len(frame)),
        where=rest > 0,
    )
    para_net = _window_sum(frame, "paragraph") - frame["net"].to_numpy()
    near_net = _neighbour_sum(frame)
    means = by_doc["net"].mean()
    doc_sum, doc_count = means.groupby(level="doc_id").sum(), means.groupby(level="doc_id").count()
    own_mean = means.reindex(pd.MultiIndex.from_frame(frame[["doc_id", "target"]])).to_numpy()
    others = doc_count.reindex(frame["doc_id"]).to_numpy() - 1
    other_doc_net = np.divide(
        doc_sum.reindex(frame["doc_id"]).to_numpy() - own_mean, others, out=np.zeros(len(frame)), where=others > 0
    )
    return pd.DataFrame(
        np.column_stack([para_net, near_net, doc_net, doc_polar, other_doc_net]),
        columns=list(CONTEXT_COLUMNS),
        index=units.index,
    )


def _window_sum(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Sum of ``net`` over units of the same document, target and paragraph (or, for units without a paragraph,
    within ``NEIGHBOUR_WINDOW`` sentences)."""
    total = frame.groupby(["doc_id", "target", column])["net"].transform("sum").to_numpy().copy()
    missing = frame[column].to_numpy() < 0
    if missing.any():
        for pos in np.flatnonzero(missing):
            same = (
                (frame["doc_id"] == frame.at[pos, "doc_id"])
                & (frame["target"] == frame.at[pos, "target"])
                & ((frame["sent_id"] - frame.at[pos, "sent_id"]).abs() <= NEIGHBOUR_WINDOW)
            )
            total[pos] = frame.loc[same, "net"].sum()
    return total


def _neighbour_sum(frame: pd.DataFrame) -> np.ndarray:
    """Sum of ``net`` of the same document and target's units in the sentences just before and after."""
    lookup = frame.set_index(["doc_id", "target", "sent_id"])["net"]
    out = np.zeros(len(frame))
    for shift in (-1, 1):
        keys = pd.MultiIndex.from_arrays([frame["doc_id"], frame["target"], frame["sent_id"] + shift])
        out += lookup.reindex(keys).fillna(0.0).to_numpy()
    return out
