"""Stance figures: shares by origin group, target salience, stance along the document.

Each function draws one registered figure from the files named in its
``sources`` and writes its caption and alt text from the same data, so the
words always match the picture.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from pipeline.config import LABELS
from pipeline.figures.registry import Drawn, FigureContext, figure

BY_DOCUMENT = "outputs/tables/stance_by_document.csv"
BY_GROUP = "outputs/tables/stance_by_group.csv"
SENTENCES = "outputs/data/sentences.parquet"
STANCES = "outputs/data/stances.parquet"


def _pct(share: float) -> str:
    return f"{100 * share:.0f}%"


def _origin_order(per_doc: pd.DataFrame) -> list[str]:
    return sorted(per_doc["author_origin"].unique())


def _single_document_groups(per_doc: pd.DataFrame) -> list[str]:
    n_docs = per_doc.groupby("author_origin")["doc_id"].nunique()
    return sorted(n_docs[n_docs == 1].index)


def _n_docs(n: int) -> str:
    return f"{n} document" if n == 1 else f"{n} documents"


def _spread(n: int, half_width: float) -> np.ndarray:
    """Evenly spaced horizontal offsets so a group's document points do not overlap."""
    return np.linspace(-half_width, half_width, n) if n > 1 else np.zeros(n)


@figure(order=10, stem="stance_by_group", title="Stance toward each target by author origin",
        sources=(BY_GROUP, BY_DOCUMENT))
def stance_by_group(ctx: FigureContext) -> Drawn:
    """Dodged dot plot: group means (bars) over per-document shares (circles), one panel per target."""
    per_doc, per_group = ctx.read(BY_DOCUMENT), ctx.read(BY_GROUP)
    targets = ctx.params.targets
    origins = _origin_order(per_doc)
    colours = ctx.palette.origins(origins)
    n_docs = per_doc.groupby("author_origin")["doc_id"].nunique()
    fig, axes = plt.subplots(1, len(targets), figsize=(ctx.width("double"), 2.7), sharey=True, squeeze=False)
    step = 0.8 / len(origins)
    alt_parts = []
    for ax, target in zip(axes[0], targets):
        groups = per_group[per_group["target"] == target].set_index("author_origin")
        docs = per_doc[(per_doc["target"] == target) & (per_doc["n_units"] > 0)]
        for k, origin in enumerate(origins):
            offset = (k - (len(origins) - 1) / 2) * step
            mine = docs[docs["author_origin"] == origin]
            for i, label in enumerate(LABELS):
                x = i + offset
                if origin in groups.index and pd.notna(groups.loc[origin, f"share_{label}"]):
                    mean = 100 * groups.loc[origin, f"share_{label}"]
                    ax.hlines(mean, x - step * 0.42, x + step * 0.42, colors=colours[origin], lw=2.2, zorder=3)
                values = 100 * mine[f"share_{label}"].sort_values().to_numpy()
                ax.scatter(x + _spread(len(values), step * 0.25), values, s=13, facecolors="white",
                           edgecolors=colours[origin], linewidths=0.9, zorder=4)
            if origin in groups.index and pd.notna(groups.loc[origin, "share_against"]):
                g = groups.loc[origin]
                alt_parts.append(
                    f"{target.capitalize()}, {origin} ({_n_docs(int(g['n_docs_mentioning']))}): "
                    + ", ".join(f"{label} {_pct(g[f'share_{label}'])}" for label in LABELS)
                )
        ax.set_title(f"Toward {target.capitalize()}")
        ax.set_xticks(range(len(LABELS)), [label.capitalize() for label in LABELS])
        ax.set_xlim(-0.55, len(LABELS) - 0.45)
        ax.set_ylim(-3, 103)
    fig.supxlabel("Stance label", fontsize=8)
    axes[0][0].set_ylabel("Share of a document's\nsentence–target units (%)")
    handles = [Line2D([], [], color=colours[o], lw=2.2, label=f"{o} ({_n_docs(n_docs[o])})")
               for o in origins]
    handles += [Line2D([], [], color="#333333", lw=2.2, label="group mean"),
                Line2D([], [], ls="", marker="o", mfc="white", mec="#333333", label="one document")]
    fig.legend(handles=handles, loc="outside upper center", ncol=len(handles))
    single = _single_document_groups(per_doc)
    caption = (
        "Share of sentence–target units labelled against, favor or neutral toward each target, by author "
        "origin. Bars: group mean with each document weighted equally; circles: individual documents "
        f"(documents that never mention the target are left out). Labels: {ctx.describe_labels()}."
    )
    if single:
        caption += f" {', '.join(single)}: one document each, so that group's bar describes a single text."
    alt = (
        "Dot plot in one panel per target; within each panel, three clusters for the stance labels "
        "against, favor and neutral, with one bar per author-origin group and circles for its documents. "
        + "; ".join(alt_parts) + "."
    )
    return Drawn(fig, caption, alt, ctx.labels)


@figure(order=70, stem="salience", title="Target salience per document",
        sources=(BY_DOCUMENT,))
def salience(ctx: FigureContext) -> Drawn:
    """Cleveland dot plot: mentions per 1,000 words, one row per document, one panel per target."""
    per_doc = ctx.read(BY_DOCUMENT).sort_values(["author_origin", "doc_id"])
    targets = ctx.params.targets
    origins = _origin_order(per_doc)
    colours = ctx.palette.origins(origins)
    doc_ids = list(dict.fromkeys(per_doc["doc_id"]))
    height = 0.9 + 0.22 * len(doc_ids)
    fig, axes = plt.subplots(1, len(targets), figsize=(ctx.width("single"), height), sharey=True,
                             sharex=True, squeeze=False)
    rows = {doc_id: len(doc_ids) - 1 - i for i, doc_id in enumerate(doc_ids)}  # first document on top
    for ax, target in zip(axes[0], targets):
        d = per_doc[per_doc["target"] == target]
        ax.scatter(d["mentions_per_1k_words"], d["doc_id"].map(rows), s=18,
                   c=d["author_origin"].map(colours), zorder=3, linewidths=0)
        ax.set_title(target.capitalize())
        ax.grid(True, axis="both")  # row guides carry each document across both panels
        ax.set_xlim(left=0)
    axes[0][0].set_yticks(list(rows.values()), list(rows.keys()))
    axes[0][0].set_ylim(-0.6, len(doc_ids) - 0.4)
    fig.supxlabel("Target mentions per 1,000 words", fontsize=8)
    handles = [Line2D([], [], ls="", marker="o", color=colours[o], label=o) for o in origins]
    fig.legend(handles=handles, loc="outside upper center", ncol=len(origins))
    top = per_doc.sort_values("mentions_per_1k_words", ascending=False).iloc[0]
    caption = (
        "How often each document names each target: mentions of any alias (state, capital, leaders, "
        "demonyms, territories, historical names) per 1,000 words of cleaned text, one point per document, "
        "coloured by author origin. Salience counts every mention, with or without a stance label."
    )
    alt = (
        "Dot plot with one row per document and one panel per target; the x axis is mentions per "
        "1,000 words. "
        + "; ".join(
            f"{r.doc_id} ({r.author_origin}): {target} {r.mentions_per_1k_words:.1f}"
            for target in targets
            for r in per_doc[per_doc["target"] == target].itertuples()
        )
        + f". Highest: {top.doc_id} on {top.target.capitalize()}."
    )
    return Drawn(fig, caption, alt, "none")


@figure(order=90, stem="stance_position", title="Stance along each document",
        sources=(SENTENCES, STANCES, BY_DOCUMENT))
def stance_position(ctx: FigureContext) -> Drawn:
    """One strip per document and target: every unit as a tick at its position, coloured by label."""
    sentences, stances = ctx.read(SENTENCES), ctx.read(STANCES)
    per_doc = ctx.read(BY_DOCUMENT)
    targets = ctx.params.targets
    origin_of = per_doc.drop_duplicates("doc_id").set_index("doc_id")["author_origin"]
    words_of = per_doc.drop_duplicates("doc_id").set_index("doc_id")["n_words"]
    units = stances.merge(sentences[["doc_id", "sent_id", "position"]], on=["doc_id", "sent_id"],
                          how="left", validate="many_to_one")
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
                ax.vlines(pos, row - half_height[label], row + half_height[label],
                          colors=stance_colour[label], lw=0.8 if label == "neutral" else 1.0)
            counts = t["label"].value_counts()
            alt_parts.append(f"{doc_id} toward {target}: "
                             + ", ".join(f"{int(counts.get(label, 0))} {label}" for label in LABELS))
        ax.set_yticks(range(len(targets)), [t.capitalize() for t in targets])
        ax.set_ylim(len(targets) - 0.5, -0.5)  # first target on top
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.grid(axis="y", visible=False)
        ax.grid(True, axis="x")
        ax.set_title(f"{doc_id}  ·  {origin_of[doc_id]}  ·  {int(words_of[doc_id]):,} words",
                     loc="left", fontweight="normal", fontsize=7)
    axes[-1, 0].set_xlim(0, 100)
    axes[-1, 0].set_xlabel("Position of the sentence in its document (% of text before it)")
    handles = [Line2D([], [], color=stance_colour[label], lw=1.5, label=label.capitalize()) for label in LABELS]
    fig.legend(handles=handles, loc="outside upper center", ncol=len(LABELS), title=None)
    caption = (
        "Where in each document the stance toward each target is expressed. Each tick is one sentence "
        "that mentions the target, placed at the sentence's start as a share of the document's text and "
        f"coloured by its label ({ctx.describe_labels('model')}); neutral ticks are shorter. Documents are "
        "ordered by author origin."
    )
    alt = ("Strip plot with one row per document and target; ticks along a 0–100% axis of document "
           "position. " + "; ".join(alt_parts) + ".")
    return Drawn(fig, caption, alt, "model")
