"""The report's headline findings: per target, each group's estimate and each difference between groups.

Read from the compare tables (stance_by_group, stance_group_differences),
never recomputed. Every finding carries its interval, its n (units and
documents) and the source of the labels it rests on. When the tables hold
one row per label source (a ``label_source`` column, with ``reported``
marking the source ``stance.labels`` selects), the findings state the
reported rows and name each row's source.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.analysis.headline import reported_rows

MINUS = "\u2212"


def signed(value: float, digits: int = 2) -> str:
    """A signed number with a typographic minus: +0.27, −0.39."""
    return f"{value:+.{digits}f}".replace("-", MINUS)


def interval(lo: float, hi: float, digits: int = 2) -> str:
    if pd.isna(lo) or pd.isna(hi):
        return "no interval"
    return f"[{lo:.{digits}f}, {hi:.{digits}f}]".replace("-", MINUS)


def percent(value: float) -> str:
    return "" if pd.isna(value) else f"{100 * value:.0f}%"


def _group_row(r: dict[str, Any], default_source: str) -> dict[str, Any]:
    return {
        "group": r["author_origin"],
        "n_docs": int(r["n_docs_mentioning"]),
        "n_units": int(r["n_units"]),
        "net": "" if pd.isna(r["net_index"]) else signed(r["net_index"]),
        "interval": interval(r["net_index_lo"], r["net_index_hi"]),
        "against": percent(r["share_against"]),
        "favor": percent(r["share_favor"]),
        "neutral": percent(r["share_neutral"]),
        "label_source": str(r.get("label_source", default_source)),
        "single_document": bool(r["single_document"]),
        "few_documents": int(r["n_docs_mentioning"]) < 3,
    }


def _difference(r: dict[str, Any]) -> dict[str, Any]:
    excludes_zero = bool(r["difference_lo"] > 0 or r["difference_hi"] < 0)
    return {
        "pair": f"{r['group_a']} {MINUS} {r['group_b']}",
        "docs": f"{int(r['n_docs_a']):,} vs {int(r['n_docs_b']):,} documents",
        "difference": signed(r["difference"]),
        "interval": interval(r["difference_lo"], r["difference_hi"]),
        "p": f"{r['p_permutation']:.2f}",
        "min_p": f"{r['min_attainable_p']:.2f}",
        "excludes_zero": excludes_zero,
        "testable": bool(r["min_attainable_p"] < 0.05),
    }


def findings(per_group: pd.DataFrame, differences: pd.DataFrame | None, default_source: str) -> list[dict[str, Any]]:
    """Per target: the groups' net index with interval, n and label source, and the net-index differences."""
    rows = reported_rows(per_group)
    rows = rows[rows["n_units"] > 0]
    diffs = pd.DataFrame() if differences is None else reported_rows(differences)
    if not diffs.empty:
        diffs = diffs[diffs["measure"] == "net_index"]
    out = []
    for target, group in rows.groupby("target", sort=True):
        target_diffs = diffs[diffs["target"] == target] if not diffs.empty else diffs
        out.append(
            {
                "target": str(target),
                "rows": [_group_row(r, default_source) for r in group.sort_values("author_origin").to_dict("records")],
                "differences": [_difference(r) for r in target_diffs.to_dict("records")],
            }
        )
    return out


def reading_note(differences: pd.DataFrame | None, level: str) -> str:
    """Why an interval that excludes 0 can sit beside p = 1.00: the two answer different questions."""
    if differences is None or differences.empty:
        return ""
    return (
        f"The {level} interval of a difference resamples documents and their sentences within each group: it says "
        "how precisely these texts differ. The permutation p reassigns whole documents between the groups: it asks "
        "whether a difference this large would arise by chance among documents, and with one document per group no "
        "p below 1.00 is attainable (the smallest attainable p is given with each). An interval that excludes 0 "
        "beside a large p therefore describes these texts, not a difference that generalises to each origin."
    )
