"""Stance along each document: every labelled unit at its position in the text.

Drawn from the compare stage's evidence table and the sentences' positions.
Up to ``report.max_document_rows`` documents, one strip per document; above,
one panel per origin group and target with the label shares of its units in
each tenth of the documents' text, so the figure's size depends on the
groups, never on the number of documents.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from pipeline import paths
from pipeline.figures.layout import line_chars, wrap
from pipeline.figures.registry import Drawn, FigureContext
from pipeline.paths import LABELS
from pipeline.plugins import figures

BY_DOCUMENT = paths.table("compare", "stance_by_document")
EVIDENCE = paths.table("compare", "stance_evidence")
SENTENCES = paths.SENTENCES


@figures.register(
    "stance_position", order=90, title="Stance along each document", sources=(SENTENCES, EVIDENCE, BY_DOCUMENT)
)
def stance_position(ctx: FigureContext) -> Drawn:
    """One strip per document and target: every unit as a tick at its position, coloured by label."""
    sentences, evidence = ctx.read(SENTENCES), ctx.read(EVIDENCE)
    per_doc = ctx.read(BY_DOCUMENT)
    targets = ctx.params.target_names
    origin_of = per_doc.drop_duplicates("doc_id").set_index("doc_id")["author_origin"]
    words_of = per_doc.drop_duplicates("doc_id").set_index("doc_id")["n_words"]
    units = evidence[["doc_id", "sent_id", "target", "label"]].merge(
        sentences[["doc_id", "sent_id", "position"]], on=["doc_id", "sent_id"], how="left", validate="many_to_one"
    )
    doc_ids = sorted(origin_of.index, key=lambda d: (origin_of[d], d))
    if len(doc_ids) > ctx.params.report.max_document_rows:
        return _position_by_group(ctx, units.assign(author_origin=units["doc_id"].map(origin_of)), origin_of)
    height = min(0.75 + 0.5 * len(doc_ids), 9.0)
    fig, axes = plt.subplots(len(doc_ids), 1, figsize=(ctx.width("double"), height), sharex=True, squeeze=False)
    stance_colour = ctx.palette.stance
    # neutral first and short, so the evaluative ticks stay visible on top of it
    draw_order = ("neutral", "favor", "against")
    half_height = {"neutral": 0.22, "favor": 0.38, "against": 0.38}
    alt_parts = []
    for ax, doc_id in zip(axes[:, 0], doc_ids):
        mine = units[units["doc_id"] == doc_id]
        for row, target in enumerate(targets):
            t = mine[mine["target"] == target]
            for label in draw_order:
                pos = 100 * t.loc[t["label"] == label, "position"].to_numpy()
                ax.vlines(
                    pos,
                    row - half_height[label],
                    row + half_height[label],
                    colors=stance_colour[label],
                    lw=0.8 if label == "neutral" else 1.0,
                )
            counts = t["label"].value_counts()
            alt_parts.append(
                f"{doc_id} toward {target}: " + ", ".join(f"{int(counts.get(label, 0))} {label}" for label in LABELS)
            )
        ax.set_yticks(range(len(targets)), [t.capitalize() for t in targets])
        ax.set_ylim(len(targets) - 0.5, -0.5)  # first target on top
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.grid(axis="y", visible=False)
        ax.grid(True, axis="x")
        ax.set_title(
            f"{doc_id}  ·  {origin_of[doc_id]}  ·  {int(words_of[doc_id]):,} words",
            loc="left",
            fontweight="normal",
            fontsize=7,
        )
    axes[-1, 0].set_xlim(0, 100)
    axes[-1, 0].set_xlabel(
        wrap("Position of the sentence in its document (% of text before it)", line_chars(ctx.width("double")))
    )
    handles = [Line2D([], [], color=stance_colour[label], lw=1.5, label=label.capitalize()) for label in LABELS]
    fig.legend(handles=handles, loc="outside upper center", ncol=len(LABELS), title=None)
    caption = (
        "Where in each document the stance toward each target is expressed. Each tick is one sentence "
        "that mentions the target, placed at the sentence's start as a share of the document's text and "
        "coloured by its label; neutral ticks are shorter. Documents are ordered by author origin; the "
        f"sentences are in stance_evidence. Labels: {ctx.describe_labels()}."
    )
    alt = (
        "Strip plot with one row per document and target; ticks along a 0–100% axis of document "
        "position. " + "; ".join(alt_parts) + "."
    )
    return Drawn(fig, caption, alt, ctx.labels)


POSITION_BINS = 10


def position_shares(units: pd.DataFrame, bins: int = POSITION_BINS) -> pd.DataFrame:
    """Label shares of the units in each of ``bins`` equal slices of document position, per origin and target
    (columns: author_origin, target, bin, n, and one share column per label)."""
    binned = units.assign(bin=np.minimum((units["position"].to_numpy(float) * bins).astype(int), bins - 1))
    counts = binned.groupby(["author_origin", "target", "bin", "label"]).size().unstack("label", fill_value=0)
    counts = counts.reindex(columns=list(LABELS), fill_value=0)
    n = counts.sum(axis=1)
    return counts.div(n, axis=0).assign(n=n).reset_index()


def _position_by_group(ctx: FigureContext, units: pd.DataFrame, origin_of: pd.Series) -> Drawn:
    """Many documents: per origin group (rows) and target (columns), stacked label shares along the text.

    Each row names its documents and each panel its units, so a share is never read without its n.
    """
    targets = ctx.params.target_names
    origins = sorted(units["author_origin"].dropna().unique())
    documents_of = origin_of.value_counts()
    shares = position_shares(units)
    fig, axes = plt.subplots(
        len(origins),
        len(targets),
        figsize=(ctx.width("double"), 1.1 + 0.9 * len(origins)),
        sharex=True,
        sharey=True,
        squeeze=False,
    )
    stance_colour = ctx.palette.stance
    order = ("against", "neutral", "favor")
    centres = (np.arange(POSITION_BINS) + 0.5) * 100 / POSITION_BINS
    alt_parts = []
    for (i, origin), (j, target) in ((a, b) for a in enumerate(origins) for b in enumerate(targets)):
        ax = axes[i, j]
        cell = shares[(shares["author_origin"] == origin) & (shares["target"] == target)].set_index("bin")
        cell = cell[[*LABELS, "n"]].reindex(range(POSITION_BINS), fill_value=0)  # a bin without units stays empty
        bottom = np.zeros(POSITION_BINS)
        for label in order:
            ax.bar(centres, cell[label], width=100 / POSITION_BINS, bottom=bottom, color=stance_colour[label], lw=0)
            bottom += cell[label].to_numpy(float)
        ax.set_xlim(0, 100)
        ax.set_ylim(0, 1)
        ax.set_yticks([0, 1], ["0", "1"])
        ax.grid(False)
        n_units = int(cell["n"].sum())
        if i == 0:
            ax.set_title(f"Toward {target.capitalize()}")
        ax.set_title(f"n = {n_units:,} units", loc="right", fontsize=6, fontweight="normal")
        if j == 0:
            k = int(documents_of.get(origin, 0))
            label = f"{wrap(origin, 14)}\n({k:,} doc{'s' if k != 1 else ''})"
            ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=7)
        polar = cell["n"] * (cell["against"] + cell["favor"])
        alt_parts.append(f"{origin} toward {target}: {n_units} units, {int(polar.sum())} against or favor")
    fig.supxlabel(
        wrap("Position of the sentence in its document (% of text before it)", line_chars(ctx.width("double"))),
        fontsize=8,
    )
    handles = [Patch(color=stance_colour[label], label=label.capitalize()) for label in order]
    fig.legend(handles=handles, loc="outside upper center", ncol=len(order), title=None)
    caption = (
        f"Where in the documents the stance toward each target is expressed, over {len(origin_of):,} documents "
        f"(more than report.max_document_rows = {ctx.params.report.max_document_rows}, so documents are pooled "
        "by author origin; each row gives its documents, each panel its units n): the share of the units "
        "(sentences mentioning the target) labelled against, neutral "
        f"and favor in each tenth of the documents' text, by the sentence's start. Labels: {ctx.describe_labels()}."
    )
    alt = (
        "Grid of stacked bar charts, one row per author-origin group and one column per target; ten bars along "
        "a 0–100% axis of document position give the label shares. " + "; ".join(alt_parts) + "."
    )
    return Drawn(fig, caption, alt, ctx.labels)
