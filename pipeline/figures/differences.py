"""The differences in net stance between origin groups: intervals beside what the design lets a test show.

Drawn from the compare stage's stance_group_differences table as it is.
Left, each difference with its bootstrap interval; right, the permutation p
on a 0-1 axis over the range of p values the pair's documents can give at
all (from the smallest attainable p to 1), with a line at 0.05. An interval
that excludes 0 beside p = 1.00 then reads as what it is: the texts differ,
but two single documents cannot show that their authors' origins do.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

from pipeline import paths
from pipeline.figures.layout import wrap
from pipeline.figures.marks import INK, SMALL_DASH, interval_text, is_small
from pipeline.figures.registry import Drawn, FigureContext, NothingToDraw
from pipeline.figures.sources import reported, sources_caption, with_sources
from pipeline.plugins import figures

DIFFERENCES = paths.table("compare", "stance_group_differences")
ALPHA = 0.05
ATTAINABLE = "#d9d9d9"


def _pair_label(r: pd.Series, chars: int) -> str:
    """``Indian (1) − Russian (1)``: the pair with each side's documents, wrapped to the tick column."""
    text = f"{r['group_a']} ({r['n_docs_a']}) − {r['group_b']} ({r['n_docs_b']})"
    if len(text) <= chars:
        return text
    return wrap(f"{r['group_a']} ({r['n_docs_a']})", chars) + "\n" + wrap(f"− {r['group_b']} ({r['n_docs_b']})", chars)


def _p_panel(ax: Axes, d: pd.DataFrame) -> None:
    """Per pair: the attainable p range as a grey bar, the observed p as a dot, a line at 0.05."""
    ax.axvline(ALPHA, color=INK, lw=0.6, ls=(0, (1, 1)), zorder=1)
    for y, r in d.iterrows():
        lo = float(r["min_attainable_p"])
        ax.plot([lo, 1.0], [y, y], color=ATTAINABLE, lw=5, solid_capstyle="butt", zorder=2)
        ax.plot([r["p_permutation"]], [y], marker="o", ms=3.6, color=INK, ls="", zorder=4)
    ax.set_xlim(0, 1.04)
    ax.set_xticks([ALPHA, 0.5, 1], [f"{ALPHA:g}", "0.5", "1"])
    ax.tick_params(axis="y", length=0, labelleft=False)
    ax.grid(axis="y", visible=False)
    ax.set_ylim(len(d) - 0.5, -0.5)


@figures.register(
    "stance_differences", order=25, title="Differences in net stance between origin groups", sources=(DIFFERENCES,)
)
def stance_differences(ctx: FigureContext) -> Drawn:
    """Forest plot of pairwise net-index differences beside the permutation p and the p the design allows."""
    diffs = ctx.read(DIFFERENCES)
    diffs = diffs[diffs["measure"] == "net_index"] if len(diffs) else diffs
    if diffs.empty:
        raise NothingToDraw("no target is mentioned by two origin groups, so there is no difference to show")
    diffs = with_sources(diffs, ctx)
    if "author_origin" not in diffs.columns:  # sources_caption names groups; a pair stands for both of its groups
        diffs = diffs.assign(author_origin=diffs["group_a"] + " − " + diffs["group_b"])
    shown = reported(diffs)
    targets = [t for t in ctx.params.target_names if t in set(shown["target"])]
    width = ctx.width("single")
    chars = max(14, int(width * 6.5))
    labels = {t: [_pair_label(r, chars) for _, r in shown[shown["target"] == t].iterrows()] for t in targets}
    lines = {t: sum(label.count("\n") + 1 for label in labels[t]) for t in targets}
    fig, axes = plt.subplots(
        len(targets),
        2,
        figsize=(width, 0.9 + sum(0.45 + 0.17 * lines[t] + 0.08 * len(labels[t]) for t in targets)),
        sharex="col",
        squeeze=False,
        gridspec_kw={"width_ratios": [2.2, 1], "height_ratios": [lines[t] + len(labels[t]) for t in targets]},
    )
    alt_parts = []
    for (ax, p_ax), target in zip(axes, targets):
        d = shown[shown["target"] == target].reset_index(drop=True)
        ax.axvline(0, color=INK, lw=0.6, zorder=1)
        for y, r in d.iterrows():
            ls = SMALL_DASH if is_small(min(int(r["n_docs_a"]), int(r["n_docs_b"]))) else "-"
            ax.plot([r["difference_lo"], r["difference_hi"]], [y, y], color=INK, lw=1.1, ls=ls, zorder=3)
            ax.plot([r["difference"]], [y], marker="o", ms=3.8, color=INK, zorder=4)
            alt_parts.append(
                f"{target.capitalize()}, {r['group_a']} − {r['group_b']}: {r['difference']:+.2f} "
                f"{interval_text(r['difference_lo'], r['difference_hi'], digits=2)}, "
                f"p = {r['p_permutation']:.2f}, smallest attainable p {r['min_attainable_p']:.2f}"
            )
        ax.set_yticks(range(len(d)), labels[target])
        ax.set_ylim(len(d) - 0.5, -0.5)
        ax.set_title(f"Toward {target.capitalize()}", loc="left")
        ax.grid(True, axis="x")
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
        _p_panel(p_ax, d)
        p_ax.set_title("p", loc="left")
    reach = 1.08 * float(max(shown["difference_lo"].abs().max(), shown["difference_hi"].abs().max()))
    axes[-1, 0].set_xlim(-reach, reach)  # symmetric: no side of zero looks favoured
    axes[-1, 0].set_xlabel("Difference in net index (a − b)")
    axes[-1, 1].set_xlabel("Permutation p")
    floor = float(shown["min_attainable_p"].min())
    caption = (
        "Left: difference between two origin groups' mean net stance index (documents per group in brackets), "
        f"with its {ctx.interval} bootstrap interval, the two groups resampled independently (dashed: a group of "
        "fewer than 3 documents on one side). Right: the two-sided permutation p, reassigning whole documents "
        "between the two groups (dot), over the range of p values the pair's documents can give at all (grey bar: "
        "from the smallest attainable p to 1); dotted line at 0.05. "
        f"The smallest attainable p of any pair is {floor:.2f}"
        + (", so no difference can reach p < 0.05 with these documents, whatever the data." if floor >= ALPHA else ".")
        + " The two answer different questions: the interval says how far the difference moves when the groups' "
        "documents and sentences are resampled (for a one-document group only that text's sentences), the test "
        "whether it exceeds what swapping documents between origins gives. With one document on each side there "
        "are two assignments and p is 1 whatever the data, so an interval that excludes 0 beside p = 1.00 means "
        "the two texts differ, not that authors of the two origins do." + sources_caption(diffs, ctx)
    )
    alt = (
        "Forest plot, one row of panels per target, one row per pair of origin groups: the difference in net "
        "stance index with its interval and a line at 0, and beside it the permutation p over its attainable "
        "range. " + "; ".join(alt_parts) + "."
    )
    return Drawn(fig, caption, alt, "label sources" if diffs["label_source"].nunique() > 1 else ctx.labels)
