"""Whether the label source moves the conclusion: net stance per source, and the ppi validation simulation.

``net_stance_sources`` puts the estimate of every available label source
(gold, prediction-powered, model) side by side per origin group, the reported
one filled (the grammar of pipeline.figures.marks: colour = origin group, shape = label source);
``ppi_validation`` shows coverage and width of the three
interval methods against the annotation budget (docs/ppi.md).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from pipeline import paths
from pipeline.figures.layout import figure_legend, figure_xlabel
from pipeline.figures.marks import (
    INK,
    design_handles,
    docs_per_group,
    draw_estimate,
    interval_text,
    n_short,
    offsets,
    origin_handles,
    small_groups,
    small_note,
)
from pipeline.figures.registry import Drawn, FigureContext, NothingToDraw
from pipeline.figures.sources import SOURCE_WORDS, legend_texts, reported, sources_caption, sources_in, with_sources
from pipeline.plugins import figures

SOURCES_TABLE = paths.table("compare", "stance_by_group_sources")
VALIDATION = paths.table("compare", "ppi_validation")
#: room per label source within a group's row
SOURCE_STEP = 0.22
METHOD_NAMES = {"ppi": "Prediction-powered", "classical": "Gold sample only", "model": "Model labels only"}
#: methods told apart by marker and shade of ink: colours mean stance labels and origin groups only
METHOD_MARKS = {"ppi": ("o", "#000000"), "classical": ("s", "#6f6f6f"), "model": ("^", "#a0a0a0")}


@figures.register(
    "net_stance_sources",
    order=22,
    title="Net stance by label source: gold, prediction-powered, model",
    sources=(SOURCES_TABLE,),
)
def net_stance_sources(ctx: FigureContext) -> Drawn:
    """Per target, one row per origin group, one estimate per available label source; the reported one filled."""
    table = with_sources(ctx.read(SOURCES_TABLE), ctx)
    table = table[table["net_index"].notna()]
    if table.empty:
        raise NothingToDraw("no origin group has a net stance estimate")
    targets = [t for t in ctx.params.target_names if t in set(table["target"])]
    origins = sorted(set(table["author_origin"]))
    sources = sources_in(table)
    colours = ctx.palette.origins(origins)
    width = ctx.width("double")
    side_by_side = width >= 5
    fig, axes = plt.subplots(
        1 if side_by_side else len(targets),
        len(targets) if side_by_side else 1,
        figsize=(
            width,
            (1.3 if side_by_side else 1.0 + 0.9 * len(targets))
            + 0.45 * len(origins) * (1 if side_by_side else len(targets)),
        ),
        sharex=True,
        sharey=True,
        squeeze=False,
    )
    where = dict(zip(sources, offsets(len(sources), SOURCE_STEP)))
    alt = []
    for ax, target in zip(axes.flat, targets):
        ax.axvline(0, color=INK, lw=0.6, zorder=1)
        for y, origin in enumerate(origins):
            for r in table[(table["target"] == target) & (table["author_origin"] == origin)].itertuples():
                draw_estimate(
                    ax,
                    y + where[r.label_source],
                    r.net_index,
                    r.net_index_lo,
                    r.net_index_hi,
                    colours[origin],
                    int(r.n_docs_mentioning),
                    source=r.label_source,
                    reported=bool(r.reported),
                    vertical=False,
                )
                alt.append(
                    f"{target.capitalize()}, {origin}, {SOURCE_WORDS[r.label_source]}"
                    f"{' (reported)' if r.reported else ''}: {r.net_index:+.2f} "
                    f"{interval_text(r.net_index_lo, r.net_index_hi, digits=2)}"
                )
        ax.set_title(f"Toward {target.capitalize()}", loc="left")
        ax.set_xlim(-1.05, 1.05)
        ax.set_xticks([-1, -0.5, 0, 0.5, 1] if side_by_side else [-1, 0, 1])
        ax.grid(True, axis="x")
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
    shown = reported(table).groupby("author_origin")[["n_docs_mentioning", "n_units"]].max()
    first = axes.flat[0]
    first.set_yticks(
        range(len(origins)),
        [
            f"{o}\n{n_short(int(shown.loc[o, 'n_docs_mentioning']), int(shown.loc[o, 'n_units']))}"
            if o in shown.index
            else o
            for o in origins
        ],
    )
    first.set_ylim(len(origins) - 0.5, -0.5)
    figure_xlabel(fig, "Net stance index: (favor − against) / units, from −1 to +1")
    small = small_groups(reported(table), "n_docs_mentioning")
    handles = origin_handles(origins, colours, {}) + design_handles(
        ctx.interval, sources=legend_texts(sources, ctx), small=bool(small)
    )
    figure_legend(fig, handles)
    caption = (
        "Mean net stance index of each origin group's documents toward each target, from every label source "
        f"available to the group, with its {ctx.bootstrap_phrase()} (n: documents and units of the reported "
        "source). Prediction-powered: gold of a random sample plus cross-fitted classifier predictions, valid "
        "whatever the classifier's quality. Where the model's mark sits apart from gold's, model labels alone "
        "would change the finding."
        + small_note(small, docs_per_group(reported(table), "n_docs_mentioning"), "index")
        + sources_caption(table, ctx)
    )
    return Drawn(
        fig,
        caption,
        "Dot plot, one panel per target, one row per origin group. " + "; ".join(alt) + ".",
        "label sources" if len(sources) > 1 else ctx.labels,
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
    width = ctx.width("double")
    side_by_side = width >= 5
    fig, (left, right) = plt.subplots(
        1 if side_by_side else 2, 2 if side_by_side else 1, figsize=(width, 2.9 if side_by_side else 4.6), sharex=True
    )
    alt = []
    for method, (marker, colour) in METHOD_MARKS.items():
        for size, ls in (("large", "-"), ("small", (0, (2.5, 1.5)))):
            d = table[(table["method"] == method) & (table["cell_size"] == size)].sort_values("budget")
            if d.empty:
                continue
            x = 100 * d["budget"].to_numpy()
            label = f"{METHOD_NAMES[method]}, {size} groups"
            style = {
                "color": colour,
                "ls": ls,
                "marker": marker,
                "ms": 3,
                "mfc": colour if size == "large" else "white",
            }
            left.plot(x, d["coverage"], label=label, **style)
            right.plot(x, d["median_width"], label=label, **style)
            alt.append(
                f"{label}: coverage {', '.join(f'{c:.2f}' for c in d['coverage'])}; median width "
                f"{', '.join(f'{w:.2f}' for w in d['median_width'])}"
            )
    left.axhline(0.95, color=INK, lw=0.6, ls=":")
    left.set_ylim(0, 1.02)
    left.set_ylabel("Coverage of the\nfull-gold value")
    right.set_ylabel("Median interval\nwidth (share)")
    budgets = 100 * np.sort(table["budget"].unique())
    for ax in (left, right):
        ax.set_xticks(budgets, [f"{b:g}" for b in budgets])
        ax.grid(True, axis="y")
    if not side_by_side:
        left.tick_params(labelbottom=True)
    figure_xlabel(fig, "Annotation budget (% of units drawn)")
    figure_legend(fig, left.get_legend_handles_labels()[0])
    n = int(table[table["method"] == "ppi"]["n"].sum())
    caption = (
        "Simulation on this corpus with its full gold as the truth: samples drawn as `annotate export` draws them "
        "(at least the minimum per document x target cell, so the share of units actually labelled is higher than "
        "the budget on a small corpus), cross-fitted predictions. Left: share of 95% intervals for an origin "
        "group's shares and net index that contain the full-gold value (dotted: 0.95); right: their median width. "
        "Solid: groups of 40 units or more; dashed: smaller ones. Prediction-powered and gold-sample-only "
        f"intervals scored over {n:,} group statistics x samples; model-only intervals do not depend on the sample. "
        f"Gold: the {ctx.describe_labels('gold')}; model labels: the cross-fitted predictions of "
        f"{ctx.provenance.model}."
    )
    return Drawn(fig, caption, "Two line charts against budget. " + "; ".join(alt) + ".", "gold and model")
