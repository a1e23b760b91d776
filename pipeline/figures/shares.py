"""Stance figures: shares and net index by origin group, group differences, stance along the text.

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
DIFFERENCES = paths.table("compare", "stance_group_differences")
EVIDENCE = paths.table("compare", "stance_evidence")
SENTENCES = paths.SENTENCES


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


@figures.register(
    "stance_differences", order=25, title="Differences in net stance between origin groups", sources=(DIFFERENCES,)
)
def stance_differences(ctx: FigureContext) -> Drawn:
    """Forest plot of pairwise net-index differences with the permutation p and the smallest p the design allows."""
    diffs = ctx.read(DIFFERENCES)
    diffs = diffs[diffs["measure"] == "net_index"] if len(diffs) else diffs
    if diffs.empty:
        raise NothingToDraw("no target is mentioned by two origin groups, so there is no difference to show")
    targets = [t for t in ctx.params.target_names if t in set(diffs["target"])]
    n_rows = max(int((diffs["target"] == t).sum()) for t in targets)
    fig, axes = plt.subplots(
        len(targets),
        1,
        figsize=(ctx.width("single"), 0.8 + (0.28 * n_rows + 0.35) * len(targets)),
        sharex=True,
        squeeze=False,
    )
    alt_parts = []
    for ax, target in zip(axes[:, 0], targets):
        d = diffs[diffs["target"] == target].reset_index(drop=True)
        ax.axvline(0, color=INK, lw=0.6, zorder=1)
        for y, r in d.iterrows():
            ls = (0, (2.2, 1.2)) if bool(r["single_document_group"]) else "-"
            ax.plot([r["difference_lo"], r["difference_hi"]], [y, y], color=INK, lw=1.1, ls=ls, zorder=3)
            ax.plot([r["difference"]], [y], marker="o", ms=3.8, color=INK, zorder=4)
            ax.annotate(
                f"p = {r['p_permutation']:.2f} (≥ {r['min_attainable_p']:.2f})",
                xy=(1, y),
                xycoords=("axes fraction", "data"),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontsize=6.5,
                color=INK,
            )
            alt_parts.append(
                f"{target.capitalize()}, {r['group_a']} − {r['group_b']}: {r['difference']:+.2f} "
                f"{interval_text(r['difference_lo'], r['difference_hi'], digits=2)}, "
                f"p = {r['p_permutation']:.2f}, smallest attainable p {r['min_attainable_p']:.2f}"
            )
        ax.set_yticks(range(len(d)), [f"{a} − {b}" for a, b in zip(d["group_a"], d["group_b"])])
        ax.set_ylim(len(d) - 0.5, -0.5)
        ax.set_title(f"Toward {target.capitalize()}", loc="left")
        ax.grid(True, axis="x")
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
    reach = 1.08 * float(max(diffs["difference_lo"].abs().max(), diffs["difference_hi"].abs().max()))
    axes[-1, 0].set_xlim(-reach, reach)  # symmetric: no side of zero looks favoured
    axes[-1, 0].set_xlabel("Difference in net stance index (group a − group b)")
    axes[0, 0].annotate(
        "p (smallest possible)",
        xy=(1, 1),
        xycoords="axes fraction",
        xytext=(3, 2),
        textcoords="offset points",
        ha="left",
        va="bottom",
        fontsize=6.5,
        color=INK,
    )
    reachable = diffs["min_attainable_p"].min()
    caption = (
        "Difference between two origin groups' mean net stance index, with its "
        f"{ctx.interval} bootstrap interval (the two groups resampled independently; dashed: a single-document "
        "group on one side). Right: the two-sided permutation p, reassigning whole documents between the two "
        "groups, and in brackets the smallest p that pair's documents allow. "
        f"The smallest attainable p of any pair is {reachable:.2f}, so with these documents no difference can be "
        "significant at the 5% level, whatever the data; read the intervals as descriptions of these texts. "
        f"Labels: {ctx.describe_labels()}."
    )
    alt = (
        "Forest plot, one panel per target, one row per pair of origin groups, the x axis the difference "
        "in net stance index with a line at 0. " + "; ".join(alt_parts) + "."
    )
    return Drawn(fig, caption, alt, ctx.labels)


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
    axes[-1, 0].set_xlabel("Position of the sentence in its document (% of text before it)")
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
