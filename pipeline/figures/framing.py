"""Framing figures: distinctive vocabulary (log-odds z) and frame-lexicon rates by origin group.

Drawn from the compare stage's framing_terms and frame_rates tables; none
of them uses stance labels. The terms are those of the framing_terms table
as it is: stop words, names and the z floor are applied once, in
pipeline.analysis.vocabulary, so the table and both figures list the same
terms.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from adjustText import adjust_text
from matplotlib.ticker import FuncFormatter, LogLocator

from pipeline import paths
from pipeline.analysis.vocabulary import MIN_Z, selection_note
from pipeline.figures.layout import drop_unused, figure_legend, figure_xlabel, panel_grid, wrap
from pipeline.figures.marks import (
    INK,
    design_handles,
    display_name,
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

TERMS = paths.table("compare", "framing_terms")
RATES_BY_GROUP = paths.table("compare", "frame_rates_by_group")
RATES_BY_DOCUMENT = paths.table("compare", "frame_rates_by_document")
#: terms labelled per origin in the z-vs-frequency scatter (all are listed in the next figure)
LABELLED_PER_ORIGIN = 5
#: decimals of the log axis's positions (1e-9 decades: far below a pixel)
LOG_DECIMALS = 9


def _vocabulary_method(ctx: FigureContext) -> str:
    log_odds = ctx.params.compare.log_odds
    return (
        f"Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008; the whole corpus's "
        f"term frequencies as {log_odds.prior_scale:,g} pseudo-tokens), each origin against the other origins, in "
        "the sentences that mention the target. "
        + selection_note(log_odds.english_stop_words, log_odds.min_count)
        + " The table framing_terms lists the same terms."
    )


def _terms(ctx: FigureContext) -> pd.DataFrame:
    terms = ctx.read(TERMS)
    if terms.empty:
        raise NothingToDraw(
            f"framing_terms has no term: no group uses any term at least "
            f"{ctx.params.compare.log_odds.min_count} times with z of at least {MIN_Z} in the sentences about a target"
        )
    return terms


def _plain(value: float, _: int) -> str:
    return f"{value:g}"


def _log10_fixed(values: np.ndarray) -> np.ndarray:
    """log10 rounded to LOG_DECIMALS, the forward transform of the frequency axis.

    numpy's log10 can differ in the last bit between CPUs (AVX-512 machines use
    their own SIMD code), which changed antialiased PNG pixels; rounded, the
    positions are the same numbers everywhere.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.round(np.log10(values), LOG_DECIMALS)


def _exp10(values: np.ndarray) -> np.ndarray:
    return np.power(10.0, values)


def _group_n(terms: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(target, origin) -> ``1 doc, 52 sentences``: the n behind a group's terms."""
    first = terms.groupby(["target", "author_origin"])[["n_docs_group", "n_sentences_group"]].first()
    return {key: n_short(int(r.n_docs_group), int(r.n_sentences_group), "sentence") for key, r in first.iterrows()}


@figures.register(
    "framing_vocabulary", order=50, title="Distinctive vocabulary: log-odds z against frequency", sources=(TERMS,)
)
def framing_vocabulary(ctx: FigureContext) -> Drawn:
    """Per target: each origin's listed terms, z (y) against the term's frequency in the group (x, log)."""
    terms = _terms(ctx)
    targets = [t for t in ctx.params.target_names if t in set(terms["target"])]
    origins = sorted(terms["author_origin"].unique())
    colours = ctx.palette.origins(origins)
    group_n = _group_n(terms)
    width = ctx.width("double")
    rows, cols = panel_grid(len(targets), width, 3.0)
    fig, axes = plt.subplots(rows, cols, figsize=(width, 0.9 + 2.6 * rows), sharey=True, squeeze=False)
    alt_parts, placed = [], []
    for ax, target in zip(axes.flat, targets):
        t = terms[terms["target"] == target]
        labels = []
        for origin in origins:
            mine = t[t["author_origin"] == origin].sort_values("rank")
            ax.scatter(
                mine["per_1k_tokens_group"],
                mine["z"],
                s=14,
                color=colours[origin],
                zorder=3,
                edgecolors="white",
                linewidths=0.3,
            )
            # terms at the same point (same counts) share one label, which adjustText could not pull apart
            top = mine.head(LABELLED_PER_ORIGIN)
            for (x, z), same in top.groupby(["per_1k_tokens_group", "z"], sort=False):
                labels.append(ax.text(x, z, ", ".join(same["term"]), fontsize=6.5, color=colours[origin], zorder=4))
            if len(mine):
                alt_parts.append(
                    f"{target.capitalize()}, {origin}: "
                    + ", ".join(
                        f"{r.term} (z {r.z:.2f}, {r.per_1k_tokens_group:.1f} per 1,000)"
                        for r in mine.head(LABELLED_PER_ORIGIN).itertuples()
                    )
                )
        ax.set_xscale("function", functions=(_log10_fixed, _exp10))  # a log scale, at fixed precision
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_minor_locator(LogLocator(base=10, subs="auto"))
        ax.xaxis.set_major_formatter(FuncFormatter(_plain))
        ax.xaxis.set_minor_formatter(FuncFormatter(lambda *_: ""))
        ax.grid(True, axis="both")
        ax.axhline(MIN_Z, color=INK, lw=0.6, ls=(0, (1, 1)), zorder=1)
        ax.set_title(f"Sentences mentioning {target.capitalize()}")
        ax.set_xlabel(
            wrap(
                "; ".join(f"{o}: {group_n[(target, o)]}" for o in origins if (target, o) in group_n),
                int(width / cols * 15),
            ),
            fontsize=6.5,
        )
        ax.margins(x=0.12, y=0.12)
        placed.append((ax, labels, t["per_1k_tokens_group"].to_numpy(), t["z"].to_numpy()))
    drop_unused(axes, len(targets))
    for ax in axes[:, 0]:
        ax.set_ylabel("Log-odds z (used more by the group)")
    figure_xlabel(fig, "Frequency in the group's sentences (per 1,000 term tokens, log scale)")
    handles = origin_handles(
        origins, colours, {o: f"{o} ({n_short(n)})" for o, n in docs_per_group(terms, "n_docs_group").items()}
    )
    figure_legend(fig, handles)
    fig.canvas.draw()  # adjustText needs the final layout
    for ax, labels, x, y in placed:
        # a fixed iteration count (no time limit) keeps the placement, and so the bytes, reproducible
        adjust_text(
            labels,
            x=x,
            y=y,
            ax=ax,
            iter_lim=500,
            time_lim=None,
            expand=(1.1, 1.25),
            arrowprops={"arrowstyle": "-", "color": "#999999", "lw": 0.4},
        )
    caption = (
        f"Terms each author-origin group uses more than the others, per target: every term the table lists (at most "
        f"{ctx.params.compare.log_odds.top_n} per group; the top {LABELLED_PER_ORIGIN} labelled, all named in the "
        f"top-terms figure); dotted line: the floor z = {MIN_Z}. Under each panel: the n behind each group's terms "
        "(documents, sentences mentioning the target). A term high and to the right is both distinctive and "
        f"frequent; one high and to the left rests on few uses. {_vocabulary_method(ctx)} Counts are pooled over a "
        "group's sentences, so a long document weighs more. Does not use stance labels."
    )
    alt = (
        "Scatter plots, one per target, of log-odds z against frequency per 1,000 term tokens on a log axis, "
        "points coloured by author origin. " + "; ".join(alt_parts) + "."
    )
    return Drawn(fig, caption, alt, "none")


@figures.register(
    "framing_top_terms", order=55, title="Top distinctive terms per origin group and target", sources=(TERMS,)
)
def framing_top_terms(ctx: FigureContext) -> Drawn:
    """Lollipops of z per term, one panel per target × origin, with how many of the group's documents use it."""
    terms = _terms(ctx)
    targets = [t for t in ctx.params.target_names if t in set(terms["target"])]
    origins = sorted(terms["author_origin"].unique())
    colours = ctx.palette.origins(origins)
    group_n = _group_n(terms)
    top_n = int(terms.groupby(["target", "author_origin"]).size().max())
    width = ctx.width("double")
    panels = [(t, o) for t in targets for o in origins]
    rows, cols = panel_grid(len(panels), width, 1.75)
    fig, axes = plt.subplots(
        rows, cols, figsize=(width, 0.75 + (0.55 + 0.125 * top_n) * rows), sharex=True, squeeze=False
    )
    alt_parts = []
    for ax, (target, origin) in zip(axes.flat, panels):
        mine = terms[(terms["target"] == target) & (terms["author_origin"] == origin)].sort_values("rank")
        y = np.arange(len(mine))
        ax.hlines(y, 0, mine["z"], color=colours[origin], lw=0.9)
        ax.plot(mine["z"], y, ls="", marker="o", ms=3.2, color=colours[origin])
        several = int(mine["n_docs_group"].max()) > 1 if len(mine) else False
        ax.set_yticks(
            y, [f"{r.term} ({r.docs_using}/{r.n_docs_group})" if several else r.term for r in mine.itertuples()]
        )
        ax.set_ylim(top_n - 0.5, -0.5)
        ax.tick_params(axis="y", length=0, labelsize=6.5)
        ax.grid(axis="y", visible=False)
        ax.grid(True, axis="x")
        ax.axvline(MIN_Z, color=INK, lw=0.6, ls=(0, (1, 1)), zorder=1)
        ax.set_title(wrap(f"{origin} · {target.capitalize()}", int(width / cols * 13)), fontsize=7)
        ax.set_xlabel(group_n.get((target, origin), ""), fontsize=6.5)
        if len(mine):
            alt_parts.append(
                f"{origin} on {target.capitalize()}: " + ", ".join(f"{r.term} {r.z:.2f}" for r in mine.itertuples())
            )
        else:
            ax.text(
                0.5,
                0.5,
                f"no term reaches\nz = {MIN_Z}",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=6.5,
                color=INK,
            )
    drop_unused(axes, len(panels))
    axes[0, 0].set_xlim(0, 1.08 * float(terms["z"].max()))  # shared by every panel
    figure_xlabel(fig, f"Log-odds z against the other origin groups (dotted: the floor {MIN_Z})")
    multi = [o for o in origins if int(terms.loc[terms["author_origin"] == o, "n_docs_group"].max()) > 1]
    docs_note = (
        f" For {' and '.join(multi)}, the brackets give in how many of the group's documents the term "
        "occurs: a term from one document is one author's word."
        if multi
        else ""
    )
    caption = (
        f"The terms each author-origin group uses most distinctively in sentences mentioning each target (at most "
        f"{ctx.params.compare.log_odds.top_n}), ranked by z; under each panel its n (documents, sentences)."
        f"{docs_note} {_vocabulary_method(ctx)} Does not use stance labels."
    )
    alt = (
        "Grid of lollipop charts, one per target and author origin, each listing terms with their z. "
        + "; ".join(alt_parts)
        + "."
    )
    return Drawn(fig, caption, alt, "none")


@figures.register(
    "frame_rates", order=60, title="Frame-lexicon rates by author origin", sources=(RATES_BY_GROUP, RATES_BY_DOCUMENT)
)
def frame_rates(ctx: FigureContext) -> Drawn:
    """Per frame category: each group's rate per 1,000 words with its interval, over its documents' rates."""
    by_group, by_doc = ctx.read(RATES_BY_GROUP), ctx.read(RATES_BY_DOCUMENT)
    categories = list(dict.fromkeys(by_group["category"]))
    origins = sorted(by_group["author_origin"].unique())
    colours = ctx.palette.origins(origins)
    width = ctx.width("single")
    fig, ax = plt.subplots(figsize=(width, 1.5 + (0.2 + 0.08 * len(origins)) * len(categories)))
    group_rate_panel(ax, by_group, by_doc, "category", categories, origins, colours)
    ax.set_xlabel("Frame-lexicon matches per 1,000 words")
    small = small_groups(by_group)
    handles = origin_handles(origins, colours, rate_legend_labels(by_doc)) + design_handles(
        ctx.interval, small=bool(small), documents=any(n > 1 for n in docs_per_group(by_group).values())
    )
    figure_legend(fig, handles)
    caption = (
        "How often each author-origin group uses the terms of each frame category (params.yaml "
        "frames.categories), per 1,000 words (legend: each group's documents and words). Marks: mean over the "
        f"group's documents with its {ctx.bootstrap_phrase()}; bars: the group's documents."
        + small_note(small, docs_per_group(by_group), "rate")
        + " Every match and its sentence is in frame_matches. Does not use stance labels."
    )
    alt = (
        "Dot plot, one row per frame category with one estimate per origin group, x axis matches per 1,000 "
        "words. "
        + "; ".join(
            f"{display_name(r.category)}, {r.author_origin}: {r.per_1k_words:.1f} "
            f"{interval_text(r.per_1k_words_lo, r.per_1k_words_hi, digits=1)}"
            for r in by_group.itertuples()
        )
        + "."
    )
    return Drawn(fig, caption, alt, "none")
