"""report: the figure set drawn from the compare stage's tables."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pipeline.config import LABELS, Params
from pipeline.figures import DOUBLE_COLUMN_IN, STANCE_COLOURS, apply_style, origin_colours, save_figure
from pipeline.stages.compare import TABLES

FIGURES = "outputs/figures"


def plot_stance_by_group(per_doc: pd.DataFrame, per_group: pd.DataFrame, targets: list[str]):
    """Stacked document-weighted shares per group, one panel per target, documents as dots."""
    origins = sorted(per_group["author_origin"].unique())
    fig, axes = plt.subplots(1, len(targets), figsize=(DOUBLE_COLUMN_IN, 2.6), sharey=True, squeeze=False)
    for ax, target in zip(axes[0], targets):
        g = per_group[per_group["target"] == target].set_index("author_origin").reindex(origins)
        x = np.arange(len(origins))
        bottom = np.zeros(len(origins))
        for label in LABELS:
            share = g[f"share_{label}"].fillna(0).to_numpy()
            ax.bar(x, share, bottom=bottom, width=0.6, color=STANCE_COLOURS[label], label=label)
            bottom += share
        d = per_doc[(per_doc["target"] == target) & (per_doc["n_units"] > 0)]
        for i, origin in enumerate(origins):
            docs = d[d["author_origin"] == origin]
            offsets = np.linspace(-0.15, 0.15, len(docs)) if len(docs) > 1 else [0.0]
            ax.scatter(i + 0.42 + np.asarray(offsets) * 0.3, docs["share_against"], s=10, color="black",
                       marker="o", zorder=3, label="document: share against" if i == 0 else None)
        ax.set_xticks(x, [f"{o}\n(n={int(g.loc[o, 'n_docs'])} docs)" for o in origins])
        ax.set_title(f"Stance toward {target.capitalize()}")
        ax.set_ylim(0, 1)
    axes[0][0].set_ylabel("Share of sentence mentions (document-weighted)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=4, bbox_to_anchor=(0.5, 1.08))
    return fig


def plot_salience(per_doc: pd.DataFrame, targets: list[str]):
    """Target mentions per 1,000 words, one dot per document, by group."""
    colours = origin_colours(per_doc["author_origin"])
    origins = sorted(per_doc["author_origin"].unique())
    fig, ax = plt.subplots(figsize=(DOUBLE_COLUMN_IN / 2, 2.4))
    width = 0.8 / len(origins)
    for k, origin in enumerate(origins):
        d = per_doc[per_doc["author_origin"] == origin]
        for t, target in enumerate(targets):
            vals = d[d["target"] == target]["mentions_per_1k_words"]
            ax.scatter(np.full(len(vals), t + (k - (len(origins) - 1) / 2) * width), vals,
                       color=colours[origin], s=14, label=origin if t == 0 else None, zorder=3)
    ax.set_xticks(range(len(targets)), [t.capitalize() for t in targets])
    ax.set_ylabel("Mentions per 1,000 words")
    ax.set_xlabel("Target (one dot per document)")
    ax.legend(title="Author origin")
    return fig


def run(params: Params) -> None:
    apply_style()
    tables = params.root / TABLES
    per_doc = pd.read_csv(tables / "stance_by_document.csv")
    per_group = pd.read_csv(tables / "stance_by_group.csv")
    out = params.root / FIGURES
    formats, dpi = list(params.get("report.formats")), int(params.get("report.dpi"))
    save_figure(plot_stance_by_group(per_doc, per_group, params.targets), out / "stance_by_group", formats, dpi)
    save_figure(plot_salience(per_doc, params.targets), out / "salience", formats, dpi)
