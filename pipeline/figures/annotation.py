"""Figures of the gold labels: gold against model shares, gold label counts and annotator agreement.

Both are ``optional``: they read the gold stage's tables, which hold rows
only for a corpus with annotation passes (the seed corpus). Elsewhere the
report says they were not drawn and why.

Per-unit evaluation of the classifier (confusion matrices, calibration,
out-of-fold scores) is not drawn here: it needs held-out predictions, which
only an evaluation stage that refits the classifier without each document
can produce.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from pipeline import paths
from pipeline.figures.layout import figure_legend, figure_xlabel
from pipeline.figures.marks import INK, interval_text
from pipeline.figures.registry import Drawn, FigureContext, NothingToDraw
from pipeline.paths import LABELS
from pipeline.plugins import figures

GOLD_COUNTS = paths.table("gold", "gold_counts")
AGREEMENT = paths.table("gold", "agreement")
AGREEMENT_METRICS = paths.GOLD_METRICS
STANCES = paths.STANCES
TARGET_MARKERS = ("o", "^", "s", "v", "P", "X")


def _document_rows(gold: pd.DataFrame) -> pd.DataFrame:
    """gold_counts without its per-target total rows (doc_id 'all')."""
    return gold[gold["doc_id"] != "all"].reset_index(drop=True)


def pooled_by_origin(gold: pd.DataFrame) -> pd.DataFrame:
    """gold_counts' document rows summed per origin group and target; ``doc_id`` names the group and how many
    of its documents have gold (for a figure that would otherwise need a row per document)."""
    sums = gold.groupby(["author_origin", "target"], as_index=False)[[*LABELS, "n_gold", "n_units"]].sum()
    with_gold = gold[gold["n_gold"] > 0].groupby(["author_origin", "target"])["doc_id"].nunique()
    n_docs = [int(with_gold.get((o, t), 0)) for o, t in zip(sums["author_origin"], sums["target"])]
    names = [f"{o}: {n:,} doc{'' if n == 1 else 's'} with gold" for o, n in zip(sums["author_origin"], n_docs)]
    return sums.assign(doc_id=names)


def _shares(counts: pd.DataFrame) -> pd.DataFrame:
    total = counts[list(LABELS)].sum(axis=1)
    return counts[list(LABELS)].div(total.where(total > 0), axis=0)


@figures.register(
    "gold_vs_model",
    order=30,
    title="Gold and model stance shares per document",
    sources=(GOLD_COUNTS, STANCES),
    optional=True,
)
def gold_vs_model(ctx: FigureContext) -> Drawn:
    """Scatter per label: each document × target's gold share (x) against its model share (y)."""
    gold = _document_rows(ctx.read(GOLD_COUNTS))
    if "n_gold" in gold.columns:  # the gold stage lists every document × target, with or without gold labels
        gold = gold[gold["n_gold"] > 0]
    if gold.empty:
        raise NothingToDraw("no document × target has gold labels")
    gold = gold.set_index(["doc_id", "target"])
    model_counts = (
        ctx.read(STANCES)
        .groupby(["doc_id", "target"])["label"]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=list(LABELS), fill_value=0)
    )
    pairs = gold.index.intersection(model_counts.index)
    gold_share, model_share = 100 * _shares(gold.loc[pairs]), 100 * _shares(model_counts.loc[pairs])
    origin = gold.loc[pairs, "author_origin"]
    origins = sorted(origin.unique())
    colours = ctx.palette.origins(origins)
    targets = [t for t in ctx.params.target_names if t in set(pairs.get_level_values("target"))]
    marker = dict(zip(targets, TARGET_MARKERS))
    width = ctx.width("double")
    side = (width - 0.7) / len(LABELS)  # square panels side by side
    fig, axes = plt.subplots(1, len(LABELS), figsize=(width, side + 1.45), sharex=True, sharey=True, squeeze=False)
    alt_parts, gaps = [], {}
    for ax, label in zip(axes[0], LABELS):
        ax.plot([0, 100], [0, 100], color="#999999", lw=0.7, ls=(0, (3, 2)), zorder=1)
        for doc_id, target in pairs:
            ax.scatter(
                gold_share.loc[(doc_id, target), label],
                model_share.loc[(doc_id, target), label],
                s=18,
                marker=marker[target],
                facecolors=colours[origin[(doc_id, target)]],
                edgecolors="white",
                linewidths=0.4,
                zorder=3,
            )
        gaps[label] = float((model_share[label] - gold_share[label]).abs().mean())
        bias = float((model_share[label] - gold_share[label]).mean())
        ax.set_title(label.capitalize())
        ax.set_xlim(-4, 104)
        ax.set_ylim(-4, 104)
        ax.set_aspect("equal")
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.set_yticks([0, 25, 50, 75, 100])
        ax.grid(True, axis="both")
        ax.text(
            0.03,
            0.97,
            f"|gap| {gaps[label]:.0f} pts\nn = {len(pairs)}",
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=6.5,
            color=INK,
        )
        alt_parts.append(
            f"{label}: mean absolute gap {gaps[label]:.1f} percentage points, model minus gold {bias:+.1f} on average"
        )
    axes[0][0].set_ylabel("Model share (%)")
    figure_xlabel(fig, "Gold share of the document's units toward the target (%)")
    handles = [Line2D([], [], ls="", marker="o", ms=4.5, mfc=colours[o], mec="white", label=o) for o in origins]
    handles += [
        Line2D([], [], ls="", marker=marker[t], ms=4.5, mfc="#777777", mec="white", label=f"toward {t.capitalize()}")
        for t in targets
    ]
    handles.append(Line2D([], [], color="#999999", lw=0.7, ls=(0, (3, 2)), label="model = gold"))
    figure_legend(fig, handles)
    worst = max(gaps, key=lambda pair: gaps[pair])
    p = ctx.provenance
    n_units = int(gold.loc[pairs, "n_gold" if "n_gold" in gold.columns else "n_units"].sum())
    caption = (
        f"Each point is one document's share of units toward one target ({len(pairs)} document × target pairs, "
        f"{n_units} sentence–target units) with a stance label: x from the {p.gold}, labelled by {p.annotators}; "
        f"y from the model labels of {p.model} as the stance stage wrote them for the whole corpus. On the dashed "
        f"line the two agree; in each panel, the mean absolute gap |model − gold| in percentage points and n pairs. The largest mean absolute gap over the pairs is for {worst} ({gaps[worst]:.0f} "
        "percentage points). These are shares, not a per-unit evaluation, and a classifier fitted on these gold "
        "labels is compared in-sample here (held-out scores: the evaluation figures)."
    )
    alt = (
        "Three scatter plots, one per stance label, gold share on the x axis and model share on the y axis, "
        "0 to 100%, with a dashed diagonal. " + "; ".join(alt_parts) + "."
    )
    return Drawn(fig, caption, alt, "gold and model")


@figures.register(
    "gold_agreement",
    order=95,
    title="Gold labels and agreement between the annotation passes",
    sources=(GOLD_COUNTS, AGREEMENT, AGREEMENT_METRICS),
    optional=True,
)
def gold_agreement(ctx: FigureContext) -> Drawn:
    """Left: gold label counts per document × target; right: Krippendorff's alpha with its interval."""
    gold = _document_rows(ctx.read(GOLD_COUNTS)).sort_values(["author_origin", "doc_id", "target"])
    agreement = ctx.read(AGREEMENT)
    agreement = agreement[(agreement["field"] == "label") & agreement["alpha"].notna()].reset_index(drop=True)
    if gold.empty or agreement.empty:
        raise NothingToDraw("no gold labels, or no unit labelled by two or more annotators")
    who = str(ctx.read_json(AGREEMENT_METRICS).get("annotators", "annotators of unknown kind"))
    pooled = gold["doc_id"].nunique() > ctx.params.report.max_document_rows
    if pooled:
        gold = pooled_by_origin(gold)
    width = ctx.width("double")
    if width >= 5:  # side by side
        fig, (left, right) = plt.subplots(
            1, 2, figsize=(width, 1.0 + 0.17 * max(len(gold), len(agreement))), gridspec_kw={"width_ratios": [1.25, 1]}
        )
    else:  # one above the other
        fig, (left, right) = plt.subplots(
            2,
            1,
            figsize=(width, 1.6 + 0.17 * (len(gold) + len(agreement))),
            gridspec_kw={"height_ratios": [len(gold) + 1, len(agreement) + 1]},
        )
    stance = ctx.palette.stance
    y = np.arange(len(gold))
    start = np.zeros(len(gold))
    for label in LABELS:
        values = gold[label].to_numpy(float)
        left.barh(
            y,
            values,
            left=start,
            color=stance[label],
            height=0.72,
            label=label.capitalize(),
            edgecolor="white",
            linewidth=0.3,
        )
        start += values
    left.set_yticks(y, [f"{d} · {t.capitalize()}" for d, t in zip(gold["doc_id"], gold["target"])])
    left.set_ylim(len(gold) - 0.5, -0.5)
    left.set_xlabel("Gold-labelled units")
    left.tick_params(axis="y", length=0)
    left.grid(axis="y", visible=False)
    left.grid(True, axis="x")
    left.set_title("Gold labels", loc="left")
    figure_legend(fig, left.get_legend_handles_labels()[0])  # above the panels: a bar may reach any corner

    ya = np.arange(len(agreement))
    for yy, r in zip(ya, agreement.itertuples()):
        right.plot([r.alpha_low, r.alpha_high], [yy, yy], color=INK, lw=1.1, zorder=3)
        right.plot([r.alpha], [yy], marker="o", ms=3.8, color=INK, zorder=4)
        right.annotate(
            f"n = {r.n_units}",
            xy=(1, yy),
            xycoords=("axes fraction", "data"),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=6.5,
            color=INK,
        )
    names = [
        ("All units" if r.scope == "all" else f"Toward {r.scope.capitalize()}")
        + (", not in guide" if r.subset == "non_guide" else "")
        for r in agreement.itertuples()
    ]
    right.set_yticks(ya, names)
    right.set_ylim(len(agreement) - 0.5, -0.5)
    right.set_xlim(min(0.0, float(agreement["alpha_low"].min()) - 0.05), 1.02)
    p = ctx.provenance
    model_based = set(p.annotator_kinds) == {"model"}
    right.set_xlabel("Krippendorff's alpha between\n" + ("model-based passes" if model_based else "passes"))
    right.tick_params(axis="y", length=0)
    right.grid(axis="y", visible=False)
    right.grid(True, axis="x")
    right.set_title("Agreement", loc="left")
    overall = agreement[(agreement["scope"] == "all") & (agreement["subset"] == "all")].iloc[0]
    totals = {label: int(gold[label].sum()) for label in LABELS}
    caption = (
        f"Left: the {p.gold}, {int(gold['n_gold'].sum())} gold-labelled units per "
        + ("origin group (more than report.max_document_rows documents) " if pooled else "document ")
        + "and target "
        f"({', '.join(f'{n} {label}' for label, n in totals.items())}). Right: Krippendorff's alpha between the "
        f"independent blind annotation passes on the {int(overall['n_units']):,} units labelled more than once, "
        "overall, per target and on the units the guide does not quote, with the gold stage's bootstrap "
        "interval (units resampled within document × target strata); overall "
        f"{overall['alpha']:.2f} {interval_text(overall['alpha_low'], overall['alpha_high'], digits=2)}. "
        f"Annotators: {who}. "
        + (
            "This is agreement between instances of one model following one guide, not inter-rater reliability "
            "of human coders, which it overstates"
            if model_based
            else "Agreement between passes that follow one guide shows the labels are consistent, not that other "
            "coders would agree"
        )
        + "; see docs/annotation-report.md."
    )
    alt = (
        "Left, stacked horizontal bars of gold label counts per document and target: "
        + "; ".join(
            f"{r.doc_id} {r.target}: {r.against} against, {r.favor} favor, {r.neutral} neutral"
            for r in gold.itertuples()
        )
        + ". Right, Krippendorff's alpha with interval: "
        + "; ".join(f"{n}: {r.alpha:.2f}" for n, r in zip(names, agreement.itertuples()))
        + "."
    )
    return Drawn(fig, caption, alt, "gold")
