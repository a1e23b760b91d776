"""The compare stage's headline numbers (outputs/metrics/compare.json), with the design they rest on.

About a dozen values, flat enough for `dvc metrics show` and `dvc exp show`:
the label source, the corpus size, the net stance index per target and
origin group, and what the permutation design can show. Shares, intervals,
differences and frames stay in the tables (outputs/tables/compare/).
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def rounded(value: float) -> float | None:
    return None if pd.isna(value) else round(float(value), 4)


def reported_rows(per_group: pd.DataFrame) -> pd.DataFrame:
    """The rows the report states: those marked ``reported`` when the table holds one row per label source."""
    if "reported" in per_group.columns:
        return per_group[per_group["reported"].astype(bool)]
    return per_group


def headline_metrics(
    label_source: str,
    per_group: pd.DataFrame,
    differences: pd.DataFrame,
    doc_counts: dict[str, int],
    n_units: int,
) -> dict[str, Any]:
    """The numbers people quote, with the design they rest on (single-document groups, smallest attainable p).

    ``net_index`` nests target, then origin group (``net_index.russia.Indian`` in
    `dvc metrics show`). ``label_source`` is each reported row's source where
    the table has a ``label_source`` column (gold, ppi, model), else
    ``stance.labels``.
    """
    rows = reported_rows(per_group)
    if "label_source" in rows.columns and not rows.empty:
        label_source = ", ".join(sorted(set(rows["label_source"].astype(str))))
    net: dict[str, dict[str, float | None]] = {}
    for r in rows.sort_values(["target", "author_origin"]).to_dict("records"):
        net.setdefault(str(r["target"]), {})[str(r["author_origin"])] = rounded(r["net_index"])
    singles = sorted(g for g, n in doc_counts.items() if n == 1)
    floor = differences["min_attainable_p"].min() if not differences.empty else float("nan")
    return {
        "label_source": label_source,
        "model_labels_unvalidated": bool((rows.get("label_source", pd.Series(dtype=str)) == "model").any()),
        "n_documents": int(sum(doc_counts.values())),
        "n_units": n_units,
        "single_document_groups": ", ".join(singles) or "none",
        "net_index": net,
        "min_attainable_p": rounded(floor),
    }
