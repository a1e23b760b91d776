"""Stance figures: shares and net index by origin group (differences: figures.differences; along the text: figures.position).

Each function draws one registered figure from the files named in its
``sources`` and writes its caption and alt text from the same data, so the
words always match the picture. Group estimates, intervals and the
single-document flag come from the compare stage's tables as they are;
nothing is recomputed here.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D

from pipeline import paths
from pipeline.figures.marks import (
    INK,
    design_handles,
    docs_per_group,
    draw_documents,
    draw_estimate,
    interval_text,
    n_docs,
    offsets,
    pct,
)
from pipeline.figures.registry import Drawn, FigureContext, NothingToDraw
from pipeline.paths import LABELS
from pipeline.plugins import figures

BY_DOCUMENT = paths.table("compare", "stance_by_document")
BY_GROUP = paths.table("compare", "stance_by_group")


def _single_groups(per_group: pd.DataFrame) -> list[str]:
    """Origins whose estimate rests on one document for at least one target."""
    return sorted(set(per_group.loc[per_group["single_document"].astype(bool), "author_origin"]))


def _single_note(single: list[str], what: str) -> str:
    if not single:
        return ""
    groups = " and ".join(single)
    return (
        f" Diamonds with dashed intervals: {groups}, one document each, so the {what} is that document's "
        "and its interval resamples only that document's sentences; it describes one text, not authors "
        "of that origin."
    )


def _included(per_doc: pd.DataFrame) -> pd.DataFrame:
    return per_doc[per_doc["included"].astype(bool)]


def _require_estimates(per_group: pd.DataFrame) -> None:
    if per_group.empty or per_group["net_index"].isna().all():
        raise NothingToDraw("no origin group has a labelled unit toward any target")


@figures.register(
    "stance_by_group", order=10, title="Stance toward each target by author origin", sources=(BY_GROUP, BY_DOCUMENT)
)
def stance_by_group(ctx: FigureContext) -> Drawn:
    """Dodged estimates: group mean share with its interval over per-document shares, one panel per target."""
    per_doc, per_group = _included(ctx.read(BY_DOCUMENT)), ctx.read(BY_GROUP)
    _require_estimates(per_group)
    targets = ctx.params.target_names
    origins = sorted(per_group["author_origin"].unique())
    colours = ctx.palette.origins(origins)
    fig, axes = plt.subplots(1, len(targets), figsize=(ctx.width("double"), 2.9), sharey=True, squeeze=False)
    step = 0.8 / len(origins)
    dodge = offsets(len(origins), step)
    alt_parts = []
    for ax, target in zip(axes[0], targets):
        groups = per_group[per_group["target"] == target].set_index("author_origin")
        docs = per_doc[per_doc["target"] == target]
        for k, origin in enumerate(origins):
            if origin not in groups.index or pd.isna(groups.loc[origin, "share_against"]):
                continue
            g = groups.loc[origin]
            one_document = bool(g["single_document"])
            for i, label in enumerate(LABELS):
                x = i + dodge[k]
                draw_estimate(
                    ax,
                    x,
                    100 * g[f"share_{label}"],
                    100 * g[f"share_{label}_lo"],
                    100 * g[f"share_{label}_hi"],
                    colours[origin],
                    one_document,
                )
                if not one_document:
                    draw_documents(
                        ax,
                        x + step * 0.28,
                        100 * docs.loc[docs["author_origin"] == origin, f"share_{label}"],
                        colours[origin],
                        step * 0.12,
                    )
            alt_parts.append(
                f"{target.capitalize()}, {origin} ({n_docs(int(g['n_docs_mentioning']))}): "
                + ", ".join(
                    f"{label} {pct(g[f'share_{label}'])} "
                    f"{interval_text(g[f'share_{label}_lo'], g[f'share_{label}_hi'], 100, unit='%')}"
                    for label in LABELS
                )
            )
        ax.set_title(f"Toward {target.capitalize()}")
        ax.set_xticks(range(len(LABELS)), [label.capitalize() for label in LABELS])
        ax.set_xlim(-0.55, len(LABELS) - 0.45)
        ax.set_ylim(-3, 103)
        ax.tick_params(axis="x", length=0)
        for i in range(1, len(LABELS)):
            ax.axvline(i - 0.5, color="#eeeeee", lw=0.5, zorder=0)
    axes[0][0].set_ylabel("Share of sentence–target units (%)")
    fig.supxlabel("Stance label", fontsize=8)
    fig.legend(
        handles=design_handles(origins, colours, docs_per_group(per_group), ctx.interval),
        loc="outside upper center",
        ncol=3,
    )
    single = _single_groups(per_group)
    caption = (
        "Share of sentence–target units labelled against, favor or neutral toward each target, by author "
        "origin. Filled circles: the group's mean share, each document weighted equally, with its "
        f"{ctx.bootstrap_phrase()}. Open circles: the group's documents (a document that never mentions the "
        f"target is left out)." + _single_note(single, "share") + f" Labels: {ctx.describe_labels()}."
    )
    alt = (
        "Dot plot with one panel per target; within each panel, three clusters for the stance labels "
        "against, favor and neutral, with one estimate and interval per author-origin group and circles "
        "for its documents. " + "; ".join(alt_parts) + "."
    )
    return Drawn(fig, caption, alt, ctx.labels)


@figures.register(
    "net_stance", order=20, title="Net stance index by document and author origin", sources=(BY_GROUP, BY_DOCUMENT)
)
def net_stance(ctx: FigureContext) -> Drawn:
    """Forest plot: each group's net index with its interval, then its documents with theirs."""
    per_doc, per_group = _included(ctx.read(BY_DOCUMENT)), ctx.read(BY_GROUP)
    _require_estimates(per_group)
    targets = ctx.params.target_names
    origins = sorted(per_group["author_origin"].unique())
    colours = ctx.palette.origins(origins)
    # rows: a group, then its documents (a single-document group is one row naming its document)
    docs_of = {o: sorted(per_doc.loc[per_doc["author_origin"] == o, "doc_id"].unique()) for o in origins}
    rows: list[tuple[str, str | None]] = []
    for origin in origins:
        rows.append((origin, None))
        if len(docs_of[origin]) > 1:
            rows += [(origin, doc_id) for doc_id in docs_of[origin]]
    fig, axes = plt.subplots(
        1, len(targets), figsize=(ctx.width("double"), 0.95 + 0.2 * len(rows)), sharey=True, sharex=True, squeeze=False
    )
    alt_parts = []
    for ax, target in zip(axes[0], targets):
        groups = per_group[per_group["target"] == target].set_index("author_origin")
        docs = per_doc[per_doc["target"] == target].set_index("doc_id")
        ax.axvline(0, color=INK, lw=0.6, zorder=1)
        for y, (origin, doc_id) in enumerate(rows):
            if doc_id is None and origin in groups.index and pd.notna(groups.loc[origin, "net_index"]):
                g = groups.loc[origin]
                draw_estimate(
                    ax,
                    y,
                    g["net_index"],
                    g["net_index_lo"],
                    g["net_index_hi"],
                    colours[origin],
                    bool(g["single_document"]),
                    vertical=False,
                )
                alt_parts.append(
                    f"{target.capitalize()}, {origin}: {g['net_index']:+.2f} "
                    f"{interval_text(g['net_index_lo'], g['net_index_hi'], digits=2)}"
                )
            elif doc_id is not None and doc_id in docs.index:
                d = docs.loc[doc_id]
                ax.plot([d["net_index_lo"], d["net_index_hi"]], [y, y], color=colours[origin], lw=0.8, zorder=3)
                ax.scatter(
                    [d["net_index"]],
                    [y],
                    s=12,
                    facecolors="white",
                    edgecolors=colours[origin],
                    linewidths=0.8,
                    zorder=4,
                )
        ax.set_title(f"Toward {target.capitalize()}")
        ax.set_xlim(-1.05, 1.05)
        ax.set_xticks([-1, -0.5, 0, 0.5, 1])
        ax.grid(True, axis="x")
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
    labels = [
        f"{o} ({docs_of[o][0]})"
        if d is None and len(docs_of[o]) == 1
        else (f"{o}: mean of {len(docs_of[o])}" if d is None else d)
        for o, d in rows
    ]
    axes[0][0].set_yticks(range(len(rows)), labels)
    for tick, (_, doc_id) in zip(axes[0][0].get_yticklabels(), rows):
        tick.set_fontweight("bold" if doc_id is None else "normal")
    axes[0][0].set_ylim(len(rows) - 0.5, -0.5)
    fig.supxlabel("Net stance index: (favor − against) / units, from −1 (all against) to +1 (all favor)", fontsize=8)
    handles = design_handles(
        origins, colours, docs_per_group(per_group, "n_docs_mentioning"), ctx.interval, documents=False
    )
    handles.append(
        Line2D(
            [],
            [],
            color=INK,
            lw=0.8,
            marker="o",
            ms=3.4,
            mfc="white",
            mew=0.8,
            label=f"one document, {ctx.interval} interval (its sentences)",
        )
    )
    fig.legend(handles=handles, loc="outside upper center", ncol=4)
    single = _single_groups(per_group)
    caption = (
        "Net stance index, the share of a document's units labelled favor minus the share labelled against, "
        "per origin group (bold rows: mean over the group's documents with its "
        f"{ctx.bootstrap_phrase()}) and per document (open circles: interval from resampling the "
        f"document's sentences)." + _single_note(single, "index") + f" Labels: {ctx.describe_labels()}."
    )
    alt = (
        "Forest plot with one panel per target; rows are origin groups and, for groups with several, their "
        "documents; the x axis runs from −1 to +1 with a line at 0. " + "; ".join(alt_parts) + "."
    )
    return Drawn(fig, caption, alt, ctx.labels)
