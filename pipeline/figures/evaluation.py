"""Evaluation figures: gold vs model-coded shares, confusion matrices, calibration.

All three read what the evaluate stage wrote: the out-of-fold predictions
(whole documents held out) and its tables, so the figures show exactly the
scores the model card reports. Classifiers are told apart by position
(a row or panel each), never by colour: colours mean stance labels and
origin groups only.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from pipeline import paths
from pipeline.evaluation.metrics import reliability
from pipeline.figures.layout import drop_unused, figure_legend, figure_xlabel, panel_grid, wrap
from pipeline.figures.marks import INK, n_short
from pipeline.figures.registry import Drawn, FigureContext
from pipeline.paths import LABELS
from pipeline.plugins import figures

OOF = paths.OOF_STANCES
CLASSIFIERS = paths.table("evaluate", "eval_classifiers")
SHARES = paths.table("evaluate", "eval_shares")
KEY = ["doc_id", "sent_id", "target"]


def _selected(classifiers: pd.DataFrame) -> str:
    return str(classifiers.loc[classifiers["selected"].astype(bool), "classifier"].iloc[0])


def _proba(frame: pd.DataFrame) -> np.ndarray:
    return frame[[f"p_{label}" for label in LABELS]].to_numpy()


def _gold_phrase(ctx: FigureContext) -> str:
    p = ctx.provenance
    return f"{p.gold}, from {p.annotators}"


def same_labels(oof: pd.DataFrame) -> list[list[str]]:
    """Classifiers grouped by identical out-of-fold labels on every unit, in evaluation order."""
    names = list(dict.fromkeys(oof["classifier"]))
    predicted = {n: oof[oof["classifier"] == n].sort_values(KEY)["predicted"].to_numpy() for n in names}
    groups: list[list[str]] = []
    for name in names:
        twin = next((g for g in groups if np.array_equal(predicted[g[0]], predicted[name])), None)
        if twin is None:
            groups.append([name])
        else:
            twin.append(name)
    return groups


@figures.register(
    "eval_shares",
    order=32,
    title="Gold and model-coded stance shares by author origin",
    sources=(SHARES, CLASSIFIERS),
    optional=True,
)
def eval_shares(ctx: FigureContext) -> Drawn:
    """Paired dots per origin × label: gold share (filled) and out-of-fold model share (open), in %."""
    name = _selected(ctx.read(CLASSIFIERS))
    shares = ctx.read(SHARES)
    g = shares[shares["classifier"] == name]
    targets = ctx.params.target_names
    origins = sorted(g["author_origin"].unique())
    colours = ctx.palette.stance
    width = ctx.width("double")
    rows, cols = panel_grid(len(targets), width, 2.6)
    fig, axes = plt.subplots(rows, cols, figsize=(width, 0.9 + 2.0 * rows), sharey=True, squeeze=False)
    offsets = dict(zip(LABELS, (-0.24, 0.0, 0.24)))
    for ax, target in zip(axes.flat, targets):
        t = g[g["target"] == target].set_index(["author_origin", "label"])
        for label in LABELS:
            for i, origin in enumerate(origins):
                if (origin, label) not in t.index:
                    continue
                row = t.loc[(origin, label)]
                x = i + offsets[label]
                gold, model = 100 * row["gold_share"], 100 * row["model_share"]
                ax.plot([x - 0.05, x + 0.05], [gold, model], color=colours[label], linewidth=0.8)
                ax.scatter(
                    [x - 0.05], [gold], color=colours[label], s=14, zorder=3, label=f"{label}, gold" if i == 0 else None
                )
                ax.scatter(
                    [x + 0.05],
                    [model],
                    facecolor="white",
                    edgecolor=colours[label],
                    s=14,
                    zorder=3,
                    label=f"{label}, model" if i == 0 else None,
                )
        n = t.groupby(level="author_origin")[["n_docs", "n_units"]].first()
        ax.set_xticks(
            range(len(origins)),
            [
                wrap(o, 12) + "\n" + n_short(int(n.loc[o, "n_docs"]), int(n.loc[o, "n_units"])).replace(", ", "\n")
                if o in n.index
                else o
                for o in origins
            ],
        )
        ax.set_title(f"Toward {target.capitalize()}")
        ax.set_ylim(-3, 103)
        ax.tick_params(axis="x", length=0)
    drop_unused(axes, len(targets))
    for ax in axes[:, 0]:
        ax.set_ylabel("Share of units (%)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure_legend(fig, handles)
    worst = g.loc[g["diff_pp"].abs().idxmax()]
    within = float((g["diff_pp"].abs() <= 5).mean())
    caption = (
        "Document-weighted share of each stance label per origin group, mean over documents (ticks: n documents "
        f"and sentence–target units): {_gold_phrase(ctx)} (filled) beside the out-of-fold labels of the "
        f"selected classifier, {name} (open), whose documents were held out while it was fitted. {within:.0%} of "
        f"the cells differ by at most 5 percentage points; the largest gap is {worst['diff_pp']:+.1f} points "
        f"({worst['author_origin']}, {worst['target']}, {worst['label']})."
    )
    alt = (
        f"Paired dots comparing gold and {name}-coded stance shares (%) for each origin group, one panel "
        f"per target; the largest gap is {abs(worst['diff_pp']):.0f} percentage points."
    )
    return Drawn(fig, caption, alt, "gold and model")


def _confusion(ax: Axes, g: pd.DataFrame, cmap: str) -> None:
    counts = (
        pd.crosstab(g["label"], g["predicted"]).reindex(index=list(LABELS), columns=list(LABELS), fill_value=0)
    ).to_numpy()
    rows = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, rows, out=np.zeros(counts.shape, dtype=float), where=rows > 0)
    ax.imshow(share, cmap=cmap, vmin=0, vmax=1)
    for r in range(len(LABELS)):
        for c in range(len(LABELS)):
            ax.text(
                c,
                r,
                str(counts[r, c]),
                ha="center",
                va="center",
                fontsize=6.5,
                color="white" if share[r, c] > 0.55 else "black",
            )
    ax.grid(False)
    ax.tick_params(length=0)


@figures.register(
    "eval_confusion", order=40, title="Confusion matrices of the stance classifiers", sources=(OOF,), optional=True
)
def eval_confusion(ctx: FigureContext) -> Drawn:
    """Counts per (gold, predicted), shaded by the share of the gold row (recall); one row per distinct
    set of labels (classifiers whose labels agree on every unit share a row)."""
    oof = ctx.read(OOF)
    groups = same_labels(oof)
    targets = ctx.params.target_names
    width = ctx.width("single")
    side = min(1.5, (width - 0.9) / len(targets))
    fig, axes = plt.subplots(
        len(groups), len(targets), squeeze=False, figsize=(width, 0.75 + (side + 0.12) * len(groups))
    )
    for i, group in enumerate(groups):
        for j, target in enumerate(targets):
            ax = axes[i][j]
            g = oof[(oof["classifier"] == group[0]) & (oof["target"] == target)]
            _confusion(ax, g, ctx.palette.sequential)
            ax.set_xticks(range(len(LABELS)), list(LABELS) if i == len(groups) - 1 else [])
            ax.set_yticks(range(len(LABELS)), list(LABELS) if j == 0 else [])
            if i == len(groups) - 1:
                plt.setp(ax.get_xticklabels(), rotation=90 if side < 1.1 else 0)
            if i == 0:
                ax.set_title(f"{target.capitalize()} (n = {len(g)})")
        axes[i][0].set_ylabel(wrap(" = ".join(group), 16), fontweight="bold")
    fig.supylabel("Gold label, per classifier", fontsize=8)
    figure_xlabel(fig, "Model label (out-of-fold)")
    n_units = oof.groupby("classifier").size().iloc[0]
    twins = [g for g in groups if len(g) > 1]
    caption = (
        "Confusion matrices of the out-of-fold model labels of every evaluated classifier per target (each document "
        f"held out while the classifier was fitted) over the {n_units} units with gold labels ({_gold_phrase(ctx)}): "
        "numbers are unit counts, shading is the share of the gold row (recall)."
        + "".join(
            f" {' and '.join(g)} give the same label to every unit (their probabilities differ), so they share a row."
            for g in twins
        )
    )
    alt = (
        "Grid of confusion matrices, one row per classifier ("
        + "; ".join(" = ".join(g) for g in groups)
        + ") and one column per target."
    )
    return Drawn(fig, caption, alt, "gold and model")


@figures.register(
    "eval_reliability",
    order=45,
    title="Calibration of the stance classifiers",
    sources=(OOF, CLASSIFIERS),
    optional=True,
)
def eval_reliability(ctx: FigureContext) -> Drawn:
    """Reliability diagram per classifier: accuracy against confidence, units per bin beneath."""
    oof, classifiers = ctx.read(OOF), ctx.read(CLASSIFIERS).set_index("classifier")
    bins = ctx.params.evaluate.calibration_bins
    names = list(dict.fromkeys(oof["classifier"]))
    width = ctx.width("single")
    rows, cols = panel_grid(len(names), width, 1.15)
    fig = plt.figure(figsize=(width, 0.7 + 1.75 * rows))
    grid = fig.add_gridspec(2 * rows, cols, height_ratios=[3, 1] * rows)
    tables = {n: reliability(g["label"], _proba(g), bins) for n, g in oof.groupby("classifier", sort=False)}
    most = int(max(t["n"].max() for t in tables.values()))
    alt_parts = []
    first = None
    for k, name in enumerate(names):
        r, c = divmod(k, cols)
        ax = fig.add_subplot(grid[2 * r, c], sharex=first, sharey=first)
        counts_ax = fig.add_subplot(grid[2 * r + 1, c], sharex=ax)
        first = first or ax
        table = tables[name]
        filled = table[table["n"] > 0]
        ax.plot([0, 100], [0, 100], color="#999999", ls="--", lw=0.7)
        ax.plot(100 * filled["confidence"], 100 * filled["accuracy"], color=INK, marker="o", ms=2.8, lw=1)
        ax.set_title(f"{name}\nECE {classifiers.loc[name, 'ece']:.2f}", fontsize=7)
        counts_ax.bar(
            100 * table["bin_low"],
            table["n"],
            width=100 / bins,
            align="edge",
            color="#bbbbbb",
            edgecolor="white",
            linewidth=0.3,
        )
        ax.set_xlim(30, 100)
        ax.set_ylim(0, 100)
        ax.set_xticks([40, 70, 100])
        ax.set_yticks([0, 50, 100])
        ax.tick_params(labelbottom=False, labelleft=c == 0)
        counts_ax.tick_params(labelleft=c == 0)
        counts_ax.set_ylim(0, most)
        counts_ax.set_yticks([0, most])
        counts_ax.grid(False)
        if c == 0:
            ax.set_ylabel("Accuracy (%)")
            counts_ax.set_ylabel("Units", rotation=0, ha="right", va="center")
        alt_parts.append(f"{name}: ECE {classifiers.loc[name, 'ece']:.2f}, {int(table['n'].sum()):,} units")
    figure_xlabel(fig, "Confidence of the predicted label (%; bars: units per confidence bin)")
    caption = (
        "Reliability of each classifier's out-of-fold model labels (the predicted label and its probability, each "
        f"document held out while fitting) against the gold labels ({_gold_phrase(ctx)}): "
        f"accuracy of the units in each of {bins} equal-width confidence bins (empty bins omitted) against their "
        "mean confidence; points below the dashed diagonal are over-confident. Bars: units per bin, so a point "
        "resting on few units is visible as such. ECE is the unit-weighted mean gap. Confidence of a 3-label "
        "prediction is at least 33%."
    )
    alt = "Reliability diagrams, one per classifier, with unit counts per confidence bin: " + "; ".join(alt_parts) + "."
    return Drawn(fig, caption, alt, "gold and model")
