"""Tables that describe the gold labels: counts per document, adjudications, and the passes' confusion."""

from __future__ import annotations

from itertools import combinations

import pandas as pd

from pipeline.annotation.gold import coverage
from pipeline.paths import LABELS

UNIT_KEY = ["doc_id", "sent_key", "target"]


def gold_counts(units: pd.DataFrame, gold: pd.DataFrame, origins: pd.Series) -> pd.DataFrame:
    """Per document x target: units, gold labels by label, context-basis and adjudicated counts, the design.

    Rows ``all`` give the totals per target.
    """
    cells = coverage(units, gold).set_index(["doc_id", "target"])
    by_label = gold.groupby(["doc_id", "target"])["label"].value_counts().unstack(fill_value=0)
    by_label = by_label.reindex(columns=list(LABELS), fill_value=0)
    grouped = gold.groupby(["doc_id", "target"])
    extra = pd.DataFrame(
        {
            "n_context_basis": grouped["basis"].agg(lambda s: int((s == "context").sum())),
            "n_adjudicated": grouped["source"].agg(lambda s: int((s == "adjudicated").sum())),
        }
    )
    table = cells.join(by_label).join(extra)
    counts = [*LABELS, "n_context_basis", "n_adjudicated"]
    # cells without gold join as missing (typed str when no gold exists at all): counted as zero
    table[counts] = table[counts].apply(pd.to_numeric).fillna(0).astype(int)
    table = table.reset_index()
    table.insert(0, "author_origin", table["doc_id"].map(origins))
    totals = table.groupby("target", as_index=False)[["n_units", "n_gold", *counts]].sum()
    totals.insert(0, "author_origin", "all")
    totals.insert(1, "doc_id", "all")
    totals["design"] = ""
    out = pd.concat([table.sort_values(["author_origin", "doc_id", "target"]), totals], ignore_index=True)
    return out[["author_origin", "doc_id", "target", "design", "n_units", "n_gold", *counts]]


def adjudication_table(passes: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Every adjudicated unit: each annotator's label/basis, the decision and the rule applied."""
    decided = gold[gold["source"] == "adjudicated"]
    votes = passes.assign(vote=passes["annotator"] + ": " + passes["label"] + "/" + passes["basis"])
    votes = votes.groupby(UNIT_KEY)["vote"].agg(lambda s: "; ".join(sorted(s))).rename("votes")
    table = decided.merge(votes.reset_index(), on=UNIT_KEY, how="left")
    table["decision"] = table["label"] + "/" + table["basis"]
    cols = ["doc_id", "sent_id", "target", "votes", "decision", "rule"]
    return table[cols].sort_values(["doc_id", "sent_id", "target"]).reset_index(drop=True)


def confusion_table(passes: pd.DataFrame) -> pd.DataFrame:
    """For each pair of annotators: one's label (rows) against the other's (columns), overall and per target."""
    wide = passes.pivot(index=UNIT_KEY, columns="annotator", values="label").reset_index()
    rows = []
    for a, b in combinations(sorted(passes["annotator"].unique()), 2):
        both = wide.dropna(subset=[a, b])
        for target, scoped in [("all", both), *both.groupby("target", sort=True)]:
            matrix = pd.crosstab(scoped[a], scoped[b]).reindex(index=list(LABELS), columns=list(LABELS), fill_value=0)
            for label in LABELS:
                rows.append(
                    {
                        "annotator_a": a,
                        "annotator_b": b,
                        "target": target,
                        "label_a": label,
                        **{f"b_{other}": int(matrix.loc[label, other]) for other in LABELS},
                    }
                )
    return pd.DataFrame(rows)
