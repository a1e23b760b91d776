"""Whether the label source moves the conclusion: net stance per source, and the ppi validation simulation.

``net_stance_sources`` puts the estimate of every available label source
(gold, prediction-powered, model) side by side per origin group, the reported
one drawn solid; ``ppi_validation`` shows coverage and width of the three
interval methods against the annotation budget (docs/ppi.md).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from pipeline import paths
from pipeline.figures.marks import INK, interval_text
from pipeline.figures.registry import Drawn, FigureContext, NothingToDraw
from pipeline.plugins import figures

SOURCES_TABLE = paths.table("compare", "stance_by_group_sources")
VALIDATION = paths.table("compare", "ppi_validation")
SOURCE_NAMES = {"gold": "Gold labels", "ppi": "Prediction-powered", "model": "Model labels"}
SOURCE_MARKERS = {"gold": "o", "ppi": "s", "model": "^"}
#: Okabe-Ito colours kept apart from the stance colours: black, reddish purple, sky blue
SOURCE_COLOURS = {"gold": "#000000", "ppi": "#CC79A7", "model": "#56B4E9"}
METHOD_NAMES = {"ppi": "Prediction-powered", "classical": "Gold sample only", "model": "Model labels only"}
METHOD_COLOURS = {"ppi": "#CC79A7", "classical": "#000000", "model": "#56B4E9"}


@figures.register(
    "net_stance_sources",
    order=22,
    title="Net stance by label source: gold, prediction-powered, model",
    sources=(SOURCES_TABLE,),
)
def net_stance_sources(ctx: FigureContext) -> Drawn:
    """Per target, one row per origin group, one marker per available label source; the reported one filled."""
    table = ctx.read(SOURCES_TABLE)
    table = table[table["net_index"].notna()]
    if table.empty:
        raise NothingToDraw("no origin group has a net stance estimate")
    targets = [t for t in ctx.params.target_names if t in set(table["target"])]
    origins = sorted(set(table["author_origin"]))
    sources = [s for s in SOURCE_NAMES if s in set(table["label_source"])]
    fig, axes = plt.subplots(
        1, len(targets), figsize=(ctx.width("double"), 0.9 + 0.45 * len(origins)), sharey=True, squeeze=False
    )
    step = 0.22
    alt = []
    for ax, target in zip(axes[0], targets):
        ax.axvline(0, color=INK, lw=0.6, zorder=1)
        for y, origin in enumerate(origins):
            rows = table[(table["target"] == target) & (table["author_origin"] == origin)]
            for k, source in enumerate(sources):
                r = rows[rows["label_source"] == source]
                if r.empty:
                    continue
                r = r.iloc[0]
                yy = y + (k - (len(sources) - 1) / 2) * step
                colour, reported = SOURCE_COLOURS[source], bool(r["reported"])
                ax.plot([r["net_index_lo"], r["net_index_hi"]], [yy, yy], color=colour, lw=1.2 if reported else 0.8)
                ax.plot(
                    [r["net_index"]],
                    [yy],
                    marker=SOURCE_MARKERS[source],
                    ms=4.2,
                    color=colour,
                    mfc=colour if reported else "white",
                    zorder=4,
                )
                alt.append(
                    f"{target.capitalize()}, {origin}, {SOURCE_NAMES[source].lower()}"
                    f"{' (reported)' if reported else ''}: {r['net_index']:+.2f} "
                    f"{interval_text(r['net_index_lo'], r['net_index_hi'], digits=2)}"
                )
        ax.set_title(f"Toward {target.capitalize()}", loc="left")
        ax.set_xlim(-1.05, 1.05)
        ax.set_xlabel("Net stance index (favor − against share)")
        ax.grid(True, axis="x")
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
    n_docs = table.groupby("author_origin")["n_docs_mentioning"].max()
    axes[0, 0].set_yticks(
        range(len(origins)), [f"{o} ({int(n_docs[o])} doc{'s' if int(n_docs[o]) != 1 else ''})" for o in origins]
    )
    axes[0, 0].set_ylim(len(origins) - 0.5, -0.5)
    handles = [
        plt.Line2D([], [], color=SOURCE_COLOURS[s], marker=SOURCE_MARKERS[s], ms=4.2, lw=1, label=SOURCE_NAMES[s])
        for s in sources
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False)
    caption = (
        "Mean net stance index of each origin group's documents toward each target, from every label source "
        "available to the group, with 95% intervals; filled marker = the source the tables report (params "
        "stance.labels), open = the others. Gold: complete gold labels (model-based annotators, "
        "docs/annotation-report.md). Prediction-powered: gold of a random sample plus cross-fitted classifier "
        "predictions, valid whatever the classifier's quality. Model: classifier labels for every unit; its "
        "interval ignores classification error. Unit: documents (each weighted equally), intervals from "
        "resampling documents, then sentences. Where the model's marker sits apart from gold's, model labels "
        "alone would change the finding."
    )
    return Drawn(
        fig, caption, "Dot plot, one panel per target, one row per origin group. " + "; ".join(alt) + ".", "mixed"
    )


@figures.register(
    "ppi_validation",
    order=96,
    title="Validity of the intervals: coverage and width against the annotation budget",
    sources=(VALIDATION,),
    optional=True,
)
def ppi_validation(ctx: FigureContext) -> Drawn:
    """Coverage (left) and median width (right) of each method's 95% group intervals per budget, by cell size."""
    table = ctx.read(VALIDATION)
    table = table[table["level"] == "group_target"]
    if table.empty:
        raise NothingToDraw("the validation table has no origin x target rows")
    fig, (left, right) = plt.subplots(1, 2, figsize=(ctx.width("double"), 2.6))
    alt = []
    for method, colour in METHOD_COLOURS.items():
        for size, ls in (("large", "-"), ("small", (0, (2.5, 1.5)))):
            d = table[(table["method"] == method) & (table["cell_size"] == size)].sort_values("budget")
            if d.empty:
                continue
            x = 100 * d["budget"].to_numpy()
            label = f"{METHOD_NAMES[method]}, {size} groups"
            left.plot(x, d["coverage"], color=colour, ls=ls, marker="o", ms=3, label=label)
            right.plot(x, d["median_width"], color=colour, ls=ls, marker="o", ms=3, label=label)
            alt.append(
                f"{label}: coverage {', '.join(f'{c:.2f}' for c in d['coverage'])}; median width "
                f"{', '.join(f'{w:.2f}' for w in d['median_width'])}"
            )
    left.axhline(0.95, color=INK, lw=0.6, ls=":")
    left.set_ylim(0, 1.02)
    left.set_ylabel("Coverage of the full-gold value")
    right.set_ylabel("Median interval width (share)")
    budgets = 100 * np.sort(table["budget"].unique())
    for ax in (left, right):
        ax.set_xlabel("Annotation budget (% of units drawn)")
        ax.set_xticks(budgets, [f"{b:g}" for b in budgets])
        ax.grid(True, axis="y")
    right.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=6.5)
    n = int(table[table["method"] == "ppi"]["n"].sum())
    caption = (
        "Simulation on this corpus with its full gold as the truth: samples drawn as `annotate export` draws them "
        "(at least the minimum per document x target cell, so the share of units actually labelled is higher than "
        "the budget on a small corpus), cross-fitted predictions. Left: share of 95% intervals for an origin "
        "group's shares and net index that contain the full-gold value (dotted: 0.95); right: their median width. "
        "Solid: groups of 40 units or more; dashed: smaller ones. Prediction-powered and gold-sample-only "
        f"intervals scored over {n:,} group statistics x samples; model-only intervals do not depend on the sample. "
        "Gold is from model-based annotators (docs/annotation-report.md)."
    )
    return Drawn(fig, caption, "Two line charts against budget. " + "; ".join(alt) + ".", "gold and model")
