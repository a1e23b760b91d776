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
from matplotlib.colors import ListedColormap

from pipeline import paths
from pipeline.figures.marks import (
    actor_names,
    design_handles,
    docs_per_group,
    group_rate_panel,
    interval_text,
    n_docs,
)
from pipeline.figures.registry import Drawn, FigureContext, NothingToDraw
from pipeline.plugins import figures

SALIENCE_BY_GROUP = paths.table("compare", "actor_salience_by_group")
SALIENCE_BY_DOCUMENT = paths.table("compare", "actor_salience_by_document")
COOCCURRENCE_MATRIX = paths.table("compare", "actor_cooccurrence_matrix")
NEVER = "#e8e8e8"  # a pair never named together


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
    fig, ax = plt.subplots(figsize=(ctx.width("single"), 1.3 + 0.34 * len(shown)))
    group_rate_panel(ax, by_group, by_doc, "actor", shown, origins, colours)
    ax.set_yticks(range(len(shown)), [names.get(a, a) for a in shown])
    ax.set_xlabel("Mentions per 1,000 words")
    fig.legend(
        handles=design_handles(origins, colours, docs_per_group(by_group), ctx.interval),
        loc="outside upper center",
        ncol=2,
    )
    left_out = [names.get(a, a) for a in all_actors if a not in shown]
    single = sorted(set(by_group.loc[by_group["single_document"].astype(bool), "author_origin"]))
    caption = (
        "How often each author-origin group names each actor: gazetteer mentions (all names of the actor, "
        "params.yaml targets and nlp.actors) per 1,000 words. Filled circles: mean over the group's documents "
        f"with its {ctx.bootstrap_phrase()}; open circles: the group's documents."
        + (
            f" Diamonds with dashed intervals: {' and '.join(single)}, one document each (its sentences resampled)."
            if single
            else ""
        )
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
    side = ctx.width("double") / len(origins)
    fig, axes = plt.subplots(
        1, len(origins), figsize=(ctx.width("double"), min(9.0, 1.2 + side * 0.8)), sharey=True, squeeze=False
    )
    cmap = plt.get_cmap("cividis").with_extremes(bad=(0, 0, 0, 0))  # masked cells show what lies below
    never = ListedColormap([NEVER]).with_extremes(bad=(0, 0, 0, 0))
    image = None
    alt_parts = []
    for ax, origin in zip(axes[0], origins):
        shown = np.where(lower & (blocks[origin] > 0), blocks[origin], np.nan)  # never together: blank
        # the strict lower triangle: its first row and last column are empty, so they are not drawn
        ax.imshow(
            np.ma.masked_invalid(np.where(lower, 0.0, np.nan)[1:, :-1]),
            cmap=never,
            aspect="equal",
            interpolation="nearest",
        )
        image = ax.imshow(
            np.ma.masked_invalid(shown[1:, :-1]), cmap=cmap, vmin=0, vmax=vmax, aspect="equal", interpolation="nearest"
        )
        ax.set_xticks(range(len(actors) - 1), labels[:-1], rotation=90)
        ax.set_yticks(range(len(actors) - 1), labels[1:])
        ax.tick_params(length=0)
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(f"{origin} ({n_docs(n_docs_of.get(origin, 0))})")
        if np.isfinite(shown).any():
            i, j = np.unravel_index(np.nanargmax(shown), shown.shape)
            alt_parts.append(
                f"{origin}: strongest pair {labels[i]}–{labels[j]} ({shown[i, j]:.2f}), "
                f"{int(np.isfinite(shown).sum())} of {int(lower.sum())} pairs named together"
            )
    bar = fig.colorbar(image, ax=axes[0].tolist(), shrink=0.8, aspect=25, pad=0.02)
    bar.set_label("Jaccard index (windows with both / with either)")
    bar.outline.set_visible(False)
    window = ctx.params.compare.cooccurrence.window
    window_words = "one sentence" if window == 0 else f"a sentence and {window} either side"
    caption = (
        f"How often two actors are named together, per author-origin group: the share of windows ({window_words}) "
        "naming either actor that name both (Jaccard index), averaged over the group's documents in which "
        "either occurs. One colour scale for all panels (cividis, readable in greyscale); light grey: never named "
        "together. "
        f"The {len(actors)} most mentioned actors. A single-document group's panel shows one text. "
        "Does not use stance labels."
    )
    alt = (
        f"{len(origins)} lower-triangle heatmaps, one per origin group, of Jaccard co-occurrence between actors. "
        + "; ".join(alt_parts)
        + "."
    )
    return Drawn(fig, caption, alt, "none")
