"""The differences in net stance between origin groups, with their intervals and permutation p.

Drawn from the compare stage's stance_group_differences table as it is; the
caption states the smallest p the design allows.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from pipeline import paths
from pipeline.figures.marks import (
    INK,
    interval_text,
)
from pipeline.figures.registry import Drawn, FigureContext, NothingToDraw
from pipeline.plugins import figures

DIFFERENCES = paths.table("compare", "stance_group_differences")


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
