"""The compare stage's headline numbers (outputs/metrics/compare.json), with the design they rest on."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.analysis.shares import STANCE_MEASURES


def rounded(value: float) -> float | None:
    return None if pd.isna(value) else round(float(value), 4)


def headline_metrics(
    by_source: pd.DataFrame,
    per_group: pd.DataFrame,
    differences: pd.DataFrame,
    frames_by_group: pd.DataFrame,
    doc_counts: dict[str, int],
    n_units: int,
) -> dict[str, Any]:
    """The numbers people quote, with the design and label source they rest on (documents per group, attainable p).

    ``by_source``: every source's group rows with ``reported`` (pipeline.analysis.label_sources).
    """
    stance: dict[str, Any] = {}
    for r in per_group.to_dict("records"):
        entry = {
            "label_source": r["label_source"],
            "n_docs": int(r["n_docs_mentioning"]),
            "n_units": int(r["n_units"]),
            "net_index_lo": rounded(r.get("net_index_lo")),
            "net_index_hi": rounded(r.get("net_index_hi")),
        }
        entry.update({m: rounded(r.get(m)) for m in STANCE_MEASURES})
        stance.setdefault(r["author_origin"], {})[r["target"]] = entry
    diffs: dict[str, Any] = {}
    for r in differences[differences["measure"] == "net_index"].to_dict("records"):
        diffs.setdefault(r["target"], {})[f"{r['group_a']} - {r['group_b']}"] = {
            "net_index_difference": rounded(r["difference"]),
            "lo": rounded(r["difference_lo"]),
            "hi": rounded(r["difference_hi"]),
            "p_permutation": rounded(r["p_permutation"]),
            "min_attainable_p": rounded(r["min_attainable_p"]),
        }
    frames: dict[str, Any] = {}
    for r in frames_by_group.to_dict("records"):
        frames.setdefault(r["author_origin"], {})[r["category"]] = rounded(r["per_1k_words"])
    singles = sorted(g for g, n in doc_counts.items() if n == 1)
    reported = by_source[by_source["reported"]]["label_source"]
    return {
        "label_sources_reported": {s: int((reported == s).sum()) for s in sorted(set(reported))},
        "model_labels_unvalidated": bool((reported == "model").any()),
        "unit_of_replication": "document",
        "single_document_groups": ", ".join(singles) or "none",
        "n_documents": int(sum(doc_counts.values())),
        "documents_per_group": doc_counts,
        "n_units": n_units,
        "stance": stance,
        "net_index_differences": diffs,
        "frames_per_1k_words": frames,
    }
