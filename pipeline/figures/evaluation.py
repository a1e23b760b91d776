"""Evaluation figures: gold vs model-coded shares, confusion matrices, calibration.

All three read what the evaluate stage wrote: the out-of-fold predictions
(whole documents held out) and its tables, so the figures show exactly the
scores the model card reports.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pipeline import paths
from pipeline.evaluation.metrics import reliability
from pipeline.figures.registry import Drawn, FigureContext
from pipeline.paths import LABELS
from pipeline.plugins import figures

OOF = paths.OOF_STANCES
CLASSIFIERS = paths.table("evaluate", "eval_classifiers")
SHARES = paths.table("evaluate", "eval_shares")


def _selected(classifiers: pd.DataFrame) -> str:
    return str(classifiers.loc[classifiers["selected"].astype(bool), "classifier"].iloc[0])


def _proba(frame: pd.DataFrame) -> np.ndarray:
    return frame[[f"p_{label}" for label in LABELS]].to_numpy()


def _docs(n: int) -> str:
    return f"{n} doc" if n == 1 else f"{n} docs"


@figures.register(
    "eval_shares",
    order=32,
    title="Gold and model-coded stance shares by author origin",
    sources=(SHARES, CLASSIFIERS),
    optional=True,
)
def eval_shares(ctx: FigureContext) -> Drawn:
    """Paired dots per origin × label: gold share (filled) and out-of-fold model share (open)."""
    name = _selected(ctx.read(CLASSIFIERS))
    shares = ctx.read(SHARES)
    g = shares[shares["classifier"] == name]
    targets = ctx.params.target_names
    origins = sorted(g["author_origin"].unique())
    colours = ctx.palette.stance
    fig, axes = plt.subplots(1, len(targets), figsize=(ctx.width("double"), 2.7), sharey=True, squeeze=False)
    offsets = dict(zip(LABELS, (-0.22, 0.0, 0.22)))
    for ax, target in zip(axes[0], targets):
        t = g[g["target"] == target].set_index(["author_origin", "label"])
        for label in LABELS:
            for i, origin in enumerate(origins):
                if (origin, label) not in t.index:
                    continue
                row = t.loc[(origin, label)]
                x = i + offsets[label]
                ax.plot(
                    [x - 0.05, x + 0.05], [row["human_share"], row["model_share"]], color=colours[label], linewidth=0.8
                )
                ax.scatter(
                    [x - 0.05],
                    [row["human_share"]],
                    color=colours[label],
                    s=16,
                    zorder=3,
                    label=f"{label}, gold" if i == 0 else None,
                )
                ax.scatter(
                    [x + 0.05],
                    [row["model_share"]],
                    facecolor="white",
                    edgecolor=colours[label],
                    s=16,
                    zorder=3,
                    label=f"{label}, model-coded" if i == 0 else None,
                )
        n_docs = t.groupby(level="author_origin")["n_docs"].first()
        ax.set_xticks(range(len(origins)), [f"{o}\n({_docs(int(n_docs.get(o, 0)))})" for o in origins])
        ax.set_title(f"Stance toward {target.capitalize()}")
        ax.set_ylim(0, 1)
    axes[0][0].set_ylabel("Share of units (mean over documents)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper center", ncol=3)
    worst = g.loc[g["diff_pp"].abs().idxmax()]
    within = float((g["diff_pp"].abs() <= 5).mean())
    caption = (
        f"Document-weighted share of each stance label per origin group: gold labels (filled) "
        f"beside the out-of-fold labels of the selected classifier, {name} (open), whose documents were "
        f"held out while it was fitted. {within:.0%} of the cells differ by at most 5 percentage points; "
        f"the largest gap is {worst['diff_pp']:+.1f} points ({worst['author_origin']}, {worst['target']}, "
        f"{worst['label']})."
    )
    alt = (
        f"Paired dots comparing gold and {name}-coded stance shares for each origin group, one panel "
        f"per target; the largest gap is {abs(worst['diff_pp']):.0f} percentage points."
    )
    return Drawn(fig, caption, alt, "gold and model")


@figures.register(
    "eval_confusion", order=40, title="Confusion matrices of the stance classifiers", sources=(OOF,), optional=True
)
def eval_confusion(ctx: FigureContext) -> Drawn:
    """Counts per (gold, predicted), shaded by the share of the gold row (recall)."""
    oof = ctx.read(OOF)
    names = list(dict.fromkeys(oof["classifier"]))
    targets = ctx.params.target_names
    fig, axes = plt.subplots(
        len(names), len(targets), squeeze=False, figsize=(ctx.width("single"), 1.6 * len(names) + 0.4)
    )
    for i, name in enumerate(names):
        for j, target in enumerate(targets):
            ax = axes[i][j]
            g = oof[(oof["classifier"] == name) & (oof["target"] == target)]
            counts = (
                pd.crosstab(g["label"], g["predicted"])
                .reindex(index=list(LABELS), columns=list(LABELS), fill_value=0)
                .to_numpy()
            )
            rows = counts.sum(axis=1, keepdims=True)
            share = np.divide(counts, rows, out=np.zeros(counts.shape, dtype=float), where=rows > 0)
            ax.imshow(share, cmap="Greys", vmin=0, vmax=1)
            for r in range(len(LABELS)):
                for c in range(len(LABELS)):
                    ax.text(
                        c,
                        r,
                        str(counts[r, c]),
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if share[r, c] > 0.55 else "black",
                    )
            ax.set_xticks(range(len(LABELS)), list(LABELS) if i == len(names) - 1 else [])
            ax.set_yticks(range(len(LABELS)), list(LABELS) if j == 0 else [])
            ax.set_title(f"{name}: {target.capitalize()}")
            ax.grid(False)
            if i == len(names) - 1:
                ax.set_xlabel("Model label (out-of-fold)")
            if j == 0:
                ax.set_ylabel("Gold label")
    n_units = oof.groupby("classifier").size().iloc[0]
    caption = (
        f"Confusion matrices of every evaluated classifier per target, leave-one-document-out over "
        f"{n_units} gold units: numbers are unit counts, shading is the share of the gold row "
        f"(recall)."
    )
    alt = f"Grid of confusion matrices, one row per classifier ({', '.join(names)}) and one column per target."
    return Drawn(fig, caption, alt, "gold and model")


@figures.register(
    "eval_reliability",
    order=45,
    title="Calibration of the stance classifiers",
    sources=(OOF, CLASSIFIERS),
    optional=True,
)
def eval_reliability(ctx: FigureContext) -> Drawn:
    """Reliability diagram: accuracy against confidence of the predicted label, per classifier."""
    oof, classifiers = ctx.read(OOF), ctx.read(CLASSIFIERS).set_index("classifier")
    bins = ctx.params.evaluate.calibration_bins
    names = list(dict.fromkeys(oof["classifier"]))
    fig, ax = plt.subplots(figsize=(ctx.width("single"), 2.8))
    ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", linewidth=0.8, label="perfect calibration")
    markers = ["o", "s", "^", "D", "v", "P"]
    for k, name in enumerate(names):
        g = oof[oof["classifier"] == name]
        table = reliability(g["label"], _proba(g), bins)
        table = table[table["n"] > 0]
        ax.plot(
            table["confidence"],
            table["accuracy"],
            marker=markers[k % len(markers)],
            markersize=3,
            linewidth=1,
            label=f"{name} (ECE {classifiers.loc[name, 'ece']:.2f})",
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Confidence of the predicted label")
    ax.set_ylabel("Accuracy (out-of-fold)")
    ax.legend(loc="upper left")
    caption = (
        f"Reliability of each classifier's out-of-fold probabilities ({bins} confidence bins; empty bins "
        "omitted): points below the diagonal are over-confident. ECE is the unit-weighted mean gap."
    )
    alt = f"Reliability diagram with one line per classifier ({', '.join(names)}) against the diagonal."
    return Drawn(fig, caption, alt, "gold and model")
