"""Stance figures: shares and net index by origin group, every label source side by side.

Each function draws one registered figure from the files named in its
``sources`` and writes its caption and alt text from the same data, so the
words always match the picture. Group estimates, intervals and counts come
from the compare stage's tables as they are; nothing is recomputed here.
Where a table holds several label sources (figures.sources), each group
shows one estimate per source, the reported one filled.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

from pipeline import paths
from pipeline.figures.layout import figure_legend, figure_xlabel, wrap
from pipeline.figures.marks import (
    INK,
    design_handles,
    docs_per_group,
    draw_documents,
    draw_estimate,
    interval_text,
    n_docs,
    n_short,
    offsets,
    origin_handles,
    pct,
    small_groups,
    small_note,
)
from pipeline.figures.registry import Drawn, FigureContext, NothingToDraw
from pipeline.figures.sources import legend_texts, reported, sources_caption, sources_in, with_sources
from pipeline.paths import LABELS
from pipeline.plugins import figures

BY_DOCUMENT = paths.table("compare", "stance_by_document")
BY_GROUP = paths.table("compare", "stance_by_group")
#: room per label source within a group's row, and where a group's documents sit below its estimates
SOURCE_STEP = 0.2
DOCUMENT_ROW = 0.36


def _tables(ctx: FigureContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(documents of the reported source that enter their group, group rows of every source)."""
    per_group = with_sources(ctx.read(BY_GROUP), ctx)
    if per_group.empty or per_group["net_index"].isna().all():
        raise NothingToDraw("no origin group has a labelled unit toward any target")
    per_doc = reported(with_sources(ctx.read(BY_DOCUMENT), ctx))
    return per_doc[per_doc["included"].astype(bool)], per_group


def _group_label(origin: str, shown: pd.DataFrame, chars: int) -> str:
    """``Indian`` over ``1 doc, 43 units``: a group's name with the n of its reported estimate."""
    if origin not in shown.index:
        return wrap(origin, chars)
    row = shown.loc[origin]
    return f"{wrap(origin, chars)}\n{n_short(int(row['n_docs_mentioning']), int(row['n_units']))}"


def _estimates(
    ax: Axes,
    groups: pd.DataFrame,
    origin: str,
    y: float,
    measure: str,
    scale: float,
    colour: str,
    sources: Sequence[str],
    shift: float = 0.0,
) -> None:
    """One estimate per label source of ``origin`` around row ``y + shift`` (in SOURCES order, top down)."""
    where = dict(zip(sources, y + shift + offsets(len(sources), SOURCE_STEP)))
    for r in groups[groups["author_origin"] == origin].itertuples():
        row = r._asdict()
        draw_estimate(
            ax,
            where[r.label_source],
            scale * row[measure],
            scale * row[f"{measure}_lo"],
            scale * row[f"{measure}_hi"],
            colour,
            int(r.n_docs_mentioning),
            source=r.label_source,
            reported=bool(r.reported),
            vertical=False,
        )


def _caption_tail(per_group: pd.DataFrame, ctx: FigureContext, what: str) -> str:
    rows = reported(per_group)
    small = small_groups(rows, "n_docs_mentioning")
    return small_note(small, docs_per_group(rows, "n_docs_mentioning"), what) + sources_caption(per_group, ctx)


@figures.register(
    "stance_by_group", order=10, title="Stance toward each target by author origin", sources=(BY_GROUP, BY_DOCUMENT)
)
def stance_by_group(ctx: FigureContext) -> Drawn:
    """Forest grid: a row of panels per target, a column per stance label; each group's share (%)
    per label source with its interval, over its documents' shares."""
    per_doc, per_group = _tables(ctx)
    targets = [t for t in ctx.params.target_names if t in set(per_group["target"])]
    origins = sorted(per_group["author_origin"].unique())
    sources = sources_in(per_group)
    colours = ctx.palette.origins(origins)
    width = ctx.width("double")
    row_height = 0.26 + 0.1 * len(sources)
    fig, axes = plt.subplots(
        len(targets),
        len(LABELS),
        figsize=(width, 0.95 + len(targets) * (0.35 + row_height * len(origins))),
        sharex=True,
        sharey="row",
        squeeze=False,
    )
    alt_parts = []
    for i, target in enumerate(targets):
        groups = per_group[per_group["target"] == target]
        shown = reported(groups).set_index("author_origin")
        for j, label in enumerate(LABELS):
            ax = axes[i][j]
            for y, origin in enumerate(origins):
                _estimates(ax, groups, origin, y, f"share_{label}", 100, colours[origin], sources, shift=-0.08)
                docs = per_doc[(per_doc["target"] == target) & (per_doc["author_origin"] == origin)]
                if len(docs) > 1:  # a rug just under the group's estimates
                    draw_documents(ax, y + DOCUMENT_ROW, 100 * docs[f"share_{label}"], colours[origin], vertical=False)
            ax.set_xlim(-4, 104)
            ax.set_xticks([0, 50, 100] if width < 5 else [0, 25, 50, 75, 100])
            ax.grid(True, axis="x")
            ax.grid(axis="y", visible=False)
            ax.tick_params(axis="y", length=0)
            if i == 0:
                ax.set_title(label.capitalize(), color=ctx.palette.stance[label])
        axes[i][0].set_yticks(range(len(origins)), [_group_label(o, shown, 18) for o in origins])
        axes[i][0].set_ylim(len(origins) - 0.5, -0.5)
        axes[i][0].set_ylabel(f"Toward {target.capitalize()}", fontweight="bold")
        for origin, g in shown.iterrows():
            if pd.notna(g["share_against"]):
                alt_parts.append(
                    f"{target.capitalize()}, {origin} ({n_docs(int(g['n_docs_mentioning']))}, {int(g['n_units']):,} units): "
                    + ", ".join(
                        f"{label} {pct(g[f'share_{label}'])} "
                        f"{interval_text(g[f'share_{label}_lo'], g[f'share_{label}_hi'], 100, unit='%')}"
                        for label in LABELS
                    )
                )
    figure_xlabel(fig, "Share of the group's sentence–target units with the label (%)")
    handles = origin_handles(origins, colours, {}) + design_handles(
        ctx.interval,
        sources=legend_texts(sources, ctx),
        small=bool(small_groups(per_group, "n_docs_mentioning")),
        documents=bool(len(per_doc)),
    )
    figure_legend(fig, handles)
    caption = (
        "Share of sentence–target units labelled against, favor or neutral toward each target, by author origin "
        "(rows: n documents mentioning the target and n units). Marks: the group's mean share, each document "
        f"weighted equally, with its {ctx.bootstrap_phrase()}; bars: the group's documents (a document that never "
        "mentions the target is left out)." + _caption_tail(per_group, ctx, "share")
    )
    alt = (
        "Grid of dot plots, one row of panels per target and one panel per stance label; in each, one row per "
        "author-origin group with its estimate and interval. " + "; ".join(alt_parts) + "."
    )
    return Drawn(fig, caption, alt, "label sources" if len(sources) > 1 else ctx.labels)


ALL_DOCUMENTS = "*"  # the row of a group's documents pooled into one strip (above report.max_document_rows)


def _net_rows(per_doc: pd.DataFrame, origins: list[str], max_rows: int) -> list[tuple[str, str | None]]:
    """Rows of the net-stance forest: a group, then its documents (or one strip of them above ``max_rows``)."""
    pooled = per_doc["doc_id"].nunique() > max_rows
    rows: list[tuple[str, str | None]] = []
    for origin in origins:
        docs = sorted(per_doc.loc[per_doc["author_origin"] == origin, "doc_id"].unique())
        rows.append((origin, None))
        if len(docs) > 1:
            rows += [(origin, ALL_DOCUMENTS)] if pooled else [(origin, doc_id) for doc_id in docs]
    return rows


def _net_row_label(per_doc: pd.DataFrame, origin: str, doc_id: str | None) -> str:
    """A document's id, or ``k documents``; a group's name with its one document's id, or ``mean of k``."""
    docs = sorted(per_doc.loc[per_doc["author_origin"] == origin, "doc_id"].unique())
    if doc_id == ALL_DOCUMENTS:
        return f"{len(docs):,} documents"
    if doc_id is not None:
        return doc_id
    return wrap(f"{origin} ({docs[0]})" if len(docs) == 1 else f"{origin}: mean of {len(docs):,}", 28)


def _n_note(ax: Axes, y: float, text: str) -> None:
    """n of a row, right of the panel."""
    ax.annotate(
        text,
        xy=(1, y),
        xycoords=("axes fraction", "data"),
        xytext=(3, 0),
        textcoords="offset points",
        va="center",
        ha="left",
        fontsize=6.5,
        color=INK,
    )


@figures.register(
    "net_stance", order=20, title="Net stance index by document and author origin", sources=(BY_GROUP, BY_DOCUMENT)
)
def net_stance(ctx: FigureContext) -> Drawn:
    """Forest plot: each group's net index per label source with its interval, then its documents."""
    per_doc, per_group = _tables(ctx)
    targets = [t for t in ctx.params.target_names if t in set(per_group["target"])]
    origins = sorted(per_group["author_origin"].unique())
    sources = sources_in(per_group)
    colours = ctx.palette.origins(origins)
    rows = _net_rows(per_doc, origins, ctx.params.report.max_document_rows)
    width = ctx.width("double")
    side_by_side = width >= 5
    band = 0.2 + 0.05 * (len(sources) - 1)
    fig, axes = plt.subplots(
        1 if side_by_side else len(targets),
        len(targets) if side_by_side else 1,
        figsize=(
            width,
            (1.2 if side_by_side else 0.8 + 0.9 * len(targets))
            + band * len(rows) * (1 if side_by_side else len(targets)),
        ),
        sharex=True,
        sharey=side_by_side,
        squeeze=False,
    )
    flat = list(axes.flat)
    alt_parts = []
    for ax, target in zip(flat, targets):
        groups = per_group[per_group["target"] == target]
        shown = reported(groups).set_index("author_origin")
        docs = per_doc[per_doc["target"] == target].set_index("doc_id")
        ax.axvline(0, color=INK, lw=0.6, zorder=1)
        for y, (origin, doc_id) in enumerate(rows):
            if doc_id is None and origin in shown.index and pd.notna(shown.loc[origin, "net_index"]):
                g = shown.loc[origin]
                _estimates(ax, groups, origin, y, "net_index", 1, colours[origin], sources)
                _n_note(ax, y, n_short(int(g["n_docs_mentioning"]), int(g["n_units"])))
                alt_parts.append(
                    f"{target.capitalize()}, {origin}: {g['net_index']:+.2f} "
                    f"{interval_text(g['net_index_lo'], g['net_index_hi'], digits=2)}"
                )
            elif doc_id == ALL_DOCUMENTS:  # each document a faint tick: darker where many documents lie
                mine = docs.loc[docs["author_origin"] == origin, "net_index"].dropna()
                ax.plot(mine, [y] * len(mine), ls="", marker="|", ms=6, mew=0.6, alpha=0.25, color=colours[origin])
                _n_note(ax, y, f"{len(mine):,} docs")
            elif doc_id is not None and doc_id in docs.index:
                d = docs.loc[doc_id]
                ax.plot([d["net_index_lo"], d["net_index_hi"]], [y, y], color=colours[origin], lw=0.7, zorder=3)
                ax.plot([d["net_index"]], [y], ls="", marker="|", ms=5, mew=0.9, color=colours[origin], zorder=4)
                _n_note(ax, y, f"{int(d['n_units']):,} units")
        ax.set_title(f"Toward {target.capitalize()}")
        ax.set_xlim(-1.05, 1.05)
        ax.set_xticks([-1, -0.5, 0, 0.5, 1] if side_by_side else [-1, 0, 1])
        ax.grid(True, axis="x")
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
        if ax is flat[0] or not side_by_side:
            ax.set_yticks(range(len(rows)), [_net_row_label(per_doc, origin, doc_id) for origin, doc_id in rows])
            for tick, (_, doc_id) in zip(ax.get_yticklabels(), rows):
                tick.set_fontweight("bold" if doc_id is None else "normal")
            ax.set_ylim(len(rows) - 0.5, -0.5)
    figure_xlabel(fig, "Net stance index: (favor − against) / units, from −1 (all against) to +1 (all favor)")
    handles = origin_handles(origins, colours, {}) + design_handles(
        ctx.interval,
        sources=legend_texts(sources, ctx),
        small=bool(small_groups(per_group, "n_docs_mentioning")),
        documents=True,
    )
    figure_legend(fig, handles)
    caption = (
        "Net stance index, the share of a document's units labelled favor minus the share labelled against, per "
        f"origin group (bold rows: mean over the group's documents with its {ctx.bootstrap_phrase()}) and per "
        + (
            "document (below each group, one faint tick per document, darker where documents crowd: more than "
            "report.max_document_rows documents are pooled by group; the reported label source). "
            if any(doc_id == ALL_DOCUMENTS for _, doc_id in rows)
            else "document (bars: the document's index with the interval from resampling its sentences; the "
            "reported label source). "
        )
        + "Right of each row: its n (documents, sentence–target units)."
        + _caption_tail(per_group, ctx, "index")
    )
    alt = (
        "Forest plot with one panel per target; rows are origin groups and, for groups with several, their "
        "documents; the x axis runs from −1 to +1 with a line at 0. " + "; ".join(alt_parts) + "."
    )
    return Drawn(fig, caption, alt, "label sources" if len(sources) > 1 else ctx.labels)
