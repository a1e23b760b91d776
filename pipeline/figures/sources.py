"""Label sources side by side: which estimates a stance table holds per group, and which one is reported.

The compare tables follow PLAN.md "Phase 2": one row per (origin, target,
``label_source``) for every source available (``gold``, ``ppi``,
``model``), a boolean ``reported`` marking the source ``stance.labels``
selects for that group, and ``n_docs_model`` on PPI rows (documents with
model labels only). A table without ``label_source`` (the compare stage
before that change) holds one source: the one params ``stance.labels``
names, reported for every group.
"""

from __future__ import annotations

import pandas as pd

from pipeline.figures.registry import FigureContext

#: Drawing order of the label sources, most to least direct.
SOURCES = ("gold", "ppi", "model")
SOURCE_WORDS = {"gold": "gold labels", "ppi": "PPI (gold + model)", "model": "model labels"}


def with_sources(table: pd.DataFrame, ctx: FigureContext) -> pd.DataFrame:
    """``table`` with ``label_source`` and ``reported`` (added for a one-source table)."""
    if "label_source" in table.columns:
        unknown = sorted(set(table["label_source"]) - set(SOURCES))
        if unknown:
            raise ValueError(f"label_source {unknown} is not one of {SOURCES}")
        reported = table["reported"].astype(bool) if "reported" in table.columns else True
        return table.assign(reported=reported)
    return table.assign(label_source=ctx.labels, reported=True)


def sources_in(table: pd.DataFrame) -> list[str]:
    """The label sources of a table (after :func:`with_sources`), in drawing order."""
    present = set(table["label_source"])
    return [s for s in SOURCES if s in present]


def reported(table: pd.DataFrame) -> pd.DataFrame:
    """The reported row of each (origin, target): what the report states, and what n refers to."""
    return table[table["reported"].astype(bool)]


def legend_texts(sources: list[str], ctx: FigureContext) -> dict[str, str]:
    """Legend text per source, naming the classifier for model labels."""
    classifier = ctx.provenance.classifier or "classifier unknown"
    words = {**SOURCE_WORDS, "model": f"model labels ({classifier})", "ppi": f"PPI (gold + {classifier})"}
    return {s: words[s] for s in sources}


def _groups_by_source(table: pd.DataFrame) -> dict[str, list[str]]:
    """Reported source -> the groups (with targets where it differs) that report it."""
    rows = reported(table)
    out: dict[str, list[str]] = {}
    for source in SOURCES:
        mine = rows[rows["label_source"] == source]
        if mine.empty:
            continue
        names = []
        for origin, g in mine.groupby("author_origin"):
            all_targets = set(rows.loc[rows["author_origin"] == origin, "target"])
            names.append(
                str(origin)
                if set(g["target"]) == all_targets
                else f"{origin} ({', '.join(t.capitalize() for t in g['target'])})"
            )
        out[source] = names
    return out


def sources_caption(table: pd.DataFrame, ctx: FigureContext) -> str:
    """Caption sentences naming the source of every estimate (and warning about model labels)."""
    sources = sources_in(table)
    by_source = _groups_by_source(table)
    text = ""
    if len(sources) == 1:
        text = f" Labels: {ctx.describe_labels(sources[0])}."
    else:
        shapes = {"gold": "squares", "ppi": "triangles", "model": "circles"}
        text = (
            " Label sources side by side for each group: "
            + "; ".join(f"{shapes[s]}, {ctx.describe_labels(s)}" for s in sources)
            + ". Filled marks the estimate the report states (params stance.labels = "
            f"{ctx.params.stance.labels}): "
            + "; ".join(f"{SOURCE_WORDS[s]} for {', '.join(g)}" for s, g in by_source.items())
            + "."
        )
    if "ppi" in by_source and "n_docs_model" in table.columns:
        ppi = reported(table)
        ppi = ppi[(ppi["label_source"] == "ppi") & (ppi["n_docs_model"].fillna(0) > 0)]
        if len(ppi):
            text += (
                " PPI estimates include documents with no gold label at all, on model labels alone: "
                + "; ".join(
                    f"{r.author_origin}, {r.target.capitalize()}: {int(r.n_docs_model)}" for r in ppi.itertuples()
                )
                + "."
            )
    if "model" in by_source:
        which = "" if len(by_source) == 1 else f" ({', '.join(by_source['model'])})"
        text += (
            f" Estimates on model labels{which} are not corrected by gold labels: their intervals ignore "
            "classification error."
        )
    return text
