"""Stance along each document: every labelled unit at its position in the text.

Drawn from the compare stage's evidence table and the sentences' positions.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D

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
