"""Actor figures: salience of each actor by origin group, and actor co-occurrence heatmaps.

Actors are the gazetteer ids (params.yaml ``targets`` and ``nlp.actors``);
both figures show the actors of the compare stage's co-occurrence matrix
(the most mentioned ones, ``compare.cooccurrence.max_actors``), so the two
can be read side by side. Neither uses stance labels.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.patches import Rectangle

from pipeline import paths
from pipeline.figures.layout import drop_unused, figure_legend, panel_grid, wrap
from pipeline.figures.marks import (
    actor_names,
    design_handles,
    docs_per_group,
    group_rate_panel,
    interval_text,
    n_short,
    origin_handles,
    rate_legend_labels,
    small_groups,
    small_note,
)
from pipeline.figures.registry import Drawn, FigureContext, NothingToDraw
from pipeline.plugins import figures

SALIENCE_BY_GROUP = paths.table("compare", "actor_salience_by_group")
SALIENCE_BY_DOCUMENT = paths.table("compare", "actor_salience_by_document")
COOCCURRENCE_MATRIX = paths.table("compare", "actor_cooccurrence_matrix")
CELL_EDGE = "#d0d0d0"


def _matrix_actors(matrix: pd.DataFrame) -> list[str]:
    """The actors of the co-occurrence matrix, most mentioned first (the compare stage's order)."""
    actors = [c for c in matrix.columns if c not in ("author_origin", "actor")]
    if len(actors) < 2 or matrix.empty:
        raise NothingToDraw("fewer than two actors of the gazetteer are mentioned in the corpus")
    return actors


@figures.register(
    "actor_salience",
    order=70,
    title="Actor salience by author origin",
    sources=(SALIENCE_BY_GROUP, SALIENCE_BY_DOCUMENT, COOCCURRENCE_MATRIX),
)
def actor_salience(ctx: FigureContext) -> Drawn:
    """Per actor: each group's mentions per 1,000 words with its interval, over its documents' rates."""
    by_group, by_doc = ctx.read(SALIENCE_BY_GROUP), ctx.read(SALIENCE_BY_DOCUMENT)
    shown = _matrix_actors(ctx.read(COOCCURRENCE_MATRIX))
    all_actors = list(dict.fromkeys(by_group["actor"]))
    origins = sorted(by_group["author_origin"].unique())
    colours = ctx.palette.origins(origins)
    names = actor_names(ctx.params)
    width = ctx.width("single")
    fig, ax = plt.subplots(figsize=(width, 1.5 + (0.2 + 0.08 * len(origins)) * len(shown)))
    group_rate_panel(ax, by_group, by_doc, "actor", shown, origins, colours)
    ax.set_yticks(range(len(shown)), [names.get(a, a) for a in shown])
    ax.set_xlabel("Mentions per 1,000 words")
    small = small_groups(by_group)
    handles = origin_handles(origins, colours, rate_legend_labels(by_doc)) + design_handles(
        ctx.interval, small=bool(small), documents=any(n > 1 for n in docs_per_group(by_group).values())
    )
    figure_legend(fig, handles)
    left_out = [names.get(a, a) for a in all_actors if a not in shown]
    caption = (
        "How often each author-origin group names each actor: gazetteer mentions (all names of the actor, "
        "params.yaml targets and nlp.actors) per 1,000 words (legend: each group's documents and words). Marks: "
        f"mean over the group's documents with its {ctx.bootstrap_phrase()}; bars: the group's documents."
        + small_note(small, docs_per_group(by_group), "rate")
        + f" The {len(shown)} most mentioned actors, as in the co-occurrence figure"
        + (f"; not shown: {', '.join(left_out)} (actor_salience_by_group has them)." if left_out else ".")
        + " Does not use stance labels."
    )
    sub = by_group[by_group["actor"].isin(shown)]
    alt = (
        "Dot plot, one row per actor with one estimate per origin group, x axis mentions per 1,000 words. "
        + "; ".join(
            f"{names.get(r.actor, r.actor)}, {r.author_origin}: {r.per_1k_words:.1f} "
            f"{interval_text(r.per_1k_words_lo, r.per_1k_words_hi, digits=1)}"
            for r in sub.itertuples()
        )
        + "."
    )
    return Drawn(fig, caption, alt, "none")


def _outline_cells(ax: Axes, cells: np.ndarray) -> None:
    """A thin grey frame round each cell of the triangle only: pcolormesh would frame the masked
    upper triangle too, and a framed blank cell reads as "never together"."""
    ax.add_collection(
        PatchCollection(
            [Rectangle((j, i), 1, 1) for i, j in zip(*np.nonzero(cells))],
            facecolor="none",
            edgecolor=CELL_EDGE,
            linewidth=0.3,
        )
    )


@figures.register(
    "actor_cooccurrence",
    order=80,
    title="Actor co-occurrence by author origin",
    sources=(COOCCURRENCE_MATRIX, SALIENCE_BY_GROUP),
)
def actor_cooccurrence(ctx: FigureContext) -> Drawn:
    """One lower-triangle heatmap of Jaccard indices per group, on one colour scale."""
    matrix = ctx.read(COOCCURRENCE_MATRIX)
    n_docs_of = docs_per_group(ctx.read(SALIENCE_BY_GROUP))
    actors = _matrix_actors(matrix)
    names = actor_names(ctx.params)
    labels = [names.get(a, a) for a in actors]
    origins = sorted(matrix["author_origin"].unique())
    blocks = {
        o: matrix[matrix["author_origin"] == o].set_index("actor").loc[actors, actors].to_numpy(float) for o in origins
    }
    lower = np.tril(np.ones((len(actors), len(actors)), dtype=bool), k=-1)
    vmax = max(float(np.nanmax(np.where(lower, b, np.nan), initial=0.0)) for b in blocks.values()) or 1.0
    width = ctx.width("double")
    rows, cols = panel_grid(len(origins), width - 1.0, 1.9)
    side = min((width - 1.0) / cols, 6.5 / rows - 0.3)  # at most about 8 in tall
    fig, axes = plt.subplots(
        rows, cols, figsize=(width, 1.3 + rows * (side + 0.3)), sharex=True, sharey=True, squeeze=False
    )
    image = None
    alt_parts = []
    edges = np.arange(len(actors))  # cell edges of the strict lower triangle (its first row and last column are empty)
    for ax, origin in zip(axes.flat, origins):
        shown = np.where(lower, blocks[origin], np.nan)[1:, :-1]
        image = ax.pcolormesh(edges, edges, np.ma.masked_invalid(shown), cmap=ctx.palette.sequential, vmin=0, vmax=vmax)
        _outline_cells(ax, np.isfinite(shown))
        ax.set_xticks(edges[:-1] + 0.5, labels[:-1], rotation=90)
        ax.set_yticks(edges[:-1] + 0.5, labels[1:])
        ax.set_xlim(0, len(actors) - 1)
        ax.set_ylim(len(actors) - 1, 0)
        ax.tick_params(length=0)
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(wrap(f"{origin} ({n_short(n_docs_of.get(origin, 0))})", int(side * 11)))
        named = np.isfinite(shown) & (shown > 0)
        if named.any():
            i, j = np.unravel_index(np.nanargmax(shown), shown.shape)
            alt_parts.append(
                f"{origin}: strongest pair {labels[i + 1]}–{labels[j]} ({shown[i, j]:.2f}), "
                f"{int(named.sum())} of {int(lower.sum())} pairs named together"
            )
    used = drop_unused(axes, len(origins))
    bar = fig.colorbar(image, ax=used, location="bottom", shrink=0.5, aspect=30, pad=0.02)
    bar.set_label(
        wrap(
            "Jaccard index: windows naming both actors / windows naming either (dark = often together)", int(width * 10)
        )
    )
    bar.outline.set_visible(False)
    window = ctx.params.compare.cooccurrence.window
    window_words = "one sentence" if window == 0 else f"a sentence and {window} either side"
    caption = (
        f"How often two actors are named together, per author-origin group: the share of windows ({window_words}) "
        "naming either actor that name both (Jaccard index), averaged over the group's documents in which "
        "either occurs. One grey scale for all panels: the darker the cell, the more often the pair is named "
        "together; white: never. "
        f"The {len(actors)} most mentioned actors. A single-document group's panel shows one text. "
        "Does not use stance labels."
    )
    alt = (
        f"{len(origins)} lower-triangle heatmaps, one per origin group, of Jaccard co-occurrence between actors. "
        + "; ".join(alt_parts)
        + "."
    )
    return Drawn(fig, caption, alt, "none")
