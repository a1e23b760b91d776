"""Framing figures: distinctive vocabulary (log-odds z) and frame-lexicon rates by origin group.

Drawn from the compare stage's framing_terms and frame_rates tables; none
of them uses stance labels.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from adjustText import adjust_text
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator

from pipeline import paths
from pipeline.figures.marks import design_handles, display_name, docs_per_group, group_rate_panel, interval_text
from pipeline.figures.registry import Drawn, FigureContext, NothingToDraw
from pipeline.plugins import figures

TERMS = paths.table("compare", "framing_terms")
RATES_BY_GROUP = paths.table("compare", "frame_rates_by_group")
RATES_BY_DOCUMENT = paths.table("compare", "frame_rates_by_document")
#: terms labelled per origin in the z-vs-frequency scatter (all are listed in the next figure)
LABELLED_PER_ORIGIN = 5


def _vocabulary_method(ctx: FigureContext) -> str:
    prior = ctx.params.compare.log_odds.prior_scale
    return (
        f"Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008; the whole "
        f"corpus's term frequencies as {prior:,g} pseudo-tokens), each origin against the other origins, in "
        "the sentences that mention the target; stop words and the targets' own aliases excluded. z ranks "
        "terms; over thousands of terms it is no significance test."
    )


def _terms(ctx: FigureContext) -> pd.DataFrame:
    terms = ctx.read(TERMS)
    if terms.empty:
        raise NothingToDraw(
            f"framing_terms has no term: no group uses any term at least "
            f"{ctx.params.compare.log_odds.min_count} times in the sentences about a target"
        )
    return terms


def _plain(value: float, _: int) -> str:
    return f"{value:g}"


#: decimals of the log axis's positions (1e-9 decades: far below a pixel)
LOG_DECIMALS = 9


def _log10_fixed(values: np.ndarray) -> np.ndarray:
    """log10 rounded to LOG_DECIMALS, the forward transform of the frequency axis.

    numpy's log10 can differ in the last bit between CPUs (AVX-512 machines use
    their own SIMD code), and the PNG's antialiased pixels showed such a change
    (the SVG did not): matplotlib's log scale made framing_vocabulary.png
    machine-dependent. Rounded, the positions are the same numbers everywhere.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.round(np.log10(values), LOG_DECIMALS)


def _exp10(values: np.ndarray) -> np.ndarray:
    return np.power(10.0, values)


@figures.register(
    "framing_vocabulary", order=50, title="Distinctive vocabulary: log-odds z against frequency", sources=(TERMS,)
)
def framing_vocabulary(ctx: FigureContext) -> Drawn:
    """Per target: each origin's top terms, z (y) against the term's frequency in the group (x, log)."""
    terms = _terms(ctx)
    targets = [t for t in ctx.params.target_names if t in set(terms["target"])]
    origins = sorted(terms["author_origin"].unique())
    colours = ctx.palette.origins(origins)
    fig, axes = plt.subplots(1, len(targets), figsize=(ctx.width("double"), 3.3), sharey=True, squeeze=False)
    alt_parts, placed = [], []
    for ax, target in zip(axes[0], targets):
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
            for r in mine.head(LABELLED_PER_ORIGIN).itertuples():
                labels.append(
                    ax.text(r.per_1k_tokens_group, r.z, r.term, fontsize=6.5, color=colours[origin], zorder=4)
                )
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
        ax.set_title(f"Sentences mentioning {target.capitalize()}")
        ax.margins(x=0.12, y=0.12)
        placed.append((ax, labels, t["per_1k_tokens_group"].to_numpy(), t["z"].to_numpy()))
    axes[0][0].set_ylabel("Log-odds z (used more by the group)")
    fig.supxlabel("Frequency in the group's sentences (per 1,000 tokens, log scale)", fontsize=8)
    handles = [Line2D([], [], ls="", marker="o", ms=4, color=colours[o], label=o) for o in origins]
    fig.legend(handles=handles, loc="outside upper center", ncol=len(origins))
    fig.canvas.draw()  # adjustText needs the final layout
    for ax, labels, x, y in placed:
        # a fixed iteration count (no time limit) keeps the placement, and so the bytes, reproducible
        adjust_text(
            labels,
            x=x,
            y=y,
            ax=ax,
            iter_lim=150,
            time_lim=None,
            expand=(1.1, 1.25),
            arrowprops={"arrowstyle": "-", "color": "#999999", "lw": 0.4},
        )
    top_n = int(terms.groupby(["target", "author_origin"]).size().max())
    caption = (
        f"Terms each author-origin group uses more than the others: its {top_n} highest-z terms per target "
        f"(the top {LABELLED_PER_ORIGIN} labelled; all are listed in the top-terms figure and in framing_terms). "
        "A term high and to the right is both distinctive and frequent; one high and to the left rests on few "
        f"uses. {_vocabulary_method(ctx)} Counts are pooled over a group's sentences, so a long document weighs "
        "more. Does not use stance labels."
    )
    alt = (
        "Two scatter plots, one per target, of log-odds z against frequency per 1,000 tokens on a log axis, "
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
    top_n = int(terms.groupby(["target", "author_origin"]).size().max())
    fig, axes = plt.subplots(
        len(targets),
        len(origins),
        figsize=(ctx.width("double"), 0.75 + (0.33 + 0.125 * top_n) * len(targets)),
        sharex=True,
        squeeze=False,
    )
    alt_parts = []
    for i, target in enumerate(targets):
        for j, origin in enumerate(origins):
            ax = axes[i, j]
            mine = terms[(terms["target"] == target) & (terms["author_origin"] == origin)].sort_values("rank")
            y = np.arange(len(mine))
            ax.hlines(y, 0, mine["z"], color=colours[origin], lw=0.9)
            ax.plot(mine["z"], y, ls="", marker="o", ms=3.2, color=colours[origin])
            several = int(mine["n_docs_group"].max()) > 1 if len(mine) else False
            names = [f"{r.term} ({r.docs_using}/{r.n_docs_group})" if several else r.term for r in mine.itertuples()]
            ax.set_yticks(y, names)
            ax.set_ylim(top_n - 0.5, -0.5)
            ax.tick_params(axis="y", length=0, labelsize=6.5)
            ax.grid(axis="y", visible=False)
            ax.grid(True, axis="x")
            ax.set_title(f"{origin} · {target.capitalize()}", fontsize=7)
            if len(mine):
                alt_parts.append(
                    f"{origin} on {target.capitalize()}: " + ", ".join(f"{r.term} {r.z:.2f}" for r in mine.itertuples())
                )
    axes[0, 0].set_xlim(0, 1.06 * float(terms["z"].max()))  # shared by every panel
    fig.supxlabel("Log-odds z against the other origin groups", fontsize=8)
    multi = [o for o in origins if int(terms.loc[terms["author_origin"] == o, "n_docs_group"].max()) > 1]
    docs_note = (
        f" For {' and '.join(multi)}, the brackets give in how many of the group's documents the term "
        "occurs: a term from one document is one author's word."
        if multi
        else ""
    )
    caption = (
        f"The {top_n} terms with the highest z per author-origin group in sentences mentioning each target, "
        f"ranked; every term occurs at least {ctx.params.compare.log_odds.min_count} times in the "
        f"group's sentences.{docs_note} {_vocabulary_method(ctx)} Does not use stance labels."
    )
    alt = (
        "Grid of lollipop charts, one row per target and one column per author origin, each listing terms "
        "with their z. " + "; ".join(alt_parts) + "."
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
    fig, ax = plt.subplots(figsize=(ctx.width("single"), 1.3 + 0.36 * len(categories)))
    group_rate_panel(ax, by_group, by_doc, "category", categories, origins, colours)
    ax.set_xlabel("Frame-lexicon matches per 1,000 words")
    fig.legend(
        handles=design_handles(origins, colours, docs_per_group(by_group), ctx.interval),
        loc="outside upper center",
        ncol=2,
    )
    single = sorted(set(by_group.loc[by_group["single_document"].astype(bool), "author_origin"]))
    caption = (
        "How often each author-origin group uses the terms of each frame category (params.yaml "
        "frames.categories), per 1,000 words. Filled circles: mean over the group's documents with its "
        f"{ctx.bootstrap_phrase()}; open circles: the group's documents."
        + (
            f" Diamonds with dashed intervals: {' and '.join(single)}, one document each (its sentences resampled)."
            if single
            else ""
        )
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
