"""Marks every group figure shares: an estimate with its interval over per-document points.

One visual grammar across the figure set, so a reader learns it once:

- a **group estimate** (mean over the group's documents) is a filled circle
  with a solid line for its hierarchical bootstrap interval;
- a **single-document group** is a white diamond with a dashed line: its
  "group" figure is one document's, and its interval resamples only that
  document's sentences;
- each **document** of a group with several is a small open circle.

Colour is the author origin (the palette), and every origin keeps its
colour in every figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from pipeline.params import Params

ESTIMATE_MARKER = {"multi": "o", "single": "D"}
INK = "#333333"


def n_docs(n: int) -> str:
    return f"{n} document" if n == 1 else f"{n} documents"


def pct(share: float) -> str:
    return f"{100 * share:.0f}%"


def interval_text(lo: float, hi: float, scale: float = 1.0, digits: int = 0, unit: str = "") -> str:
    return f"[{scale * lo:.{digits}f}{unit}, {scale * hi:.{digits}f}{unit}]"


def spread(n: int, half_width: float) -> np.ndarray:
    """Evenly spaced offsets so a group's document points do not overlap."""
    return np.linspace(-half_width, half_width, n) if n > 1 else np.zeros(n)


def offsets(n: int, step: float) -> np.ndarray:
    """Centred positions of ``n`` dodged groups ``step`` apart."""
    return (np.arange(n) - (n - 1) / 2) * step


def draw_estimate(
    ax: Axes, pos: float, value: float, lo: float, hi: float, colour: str, single: bool, vertical: bool = True
) -> None:
    """A group estimate at ``pos`` on the categorical axis, with its interval."""
    if pd.isna(value):
        return
    line = {
        "color": colour,
        "lw": 1.3,
        "ls": (0, (2.2, 1.2)) if single else "-",
        "zorder": 3,
        "solid_capstyle": "butt",
        "dash_capstyle": "butt",
    }
    marker = {
        "marker": ESTIMATE_MARKER["single" if single else "multi"],
        "ms": 4.2 if single else 4.6,
        "mfc": "white" if single else colour,
        "mec": colour,
        "mew": 1.1,
        "ls": "",
        "zorder": 5,
    }
    if vertical:
        ax.plot([pos, pos], [lo, hi], **line)
        ax.plot([pos], [value], **marker)
    else:
        ax.plot([lo, hi], [pos, pos], **line)
        ax.plot([value], [pos], **marker)


def draw_documents(
    ax: Axes, pos: float, values: Iterable[float], colour: str, half_width: float, vertical: bool = True
) -> None:
    """A group's documents as small open circles, spread across ``half_width`` beside the estimate."""
    vals = np.sort(np.asarray([v for v in values if pd.notna(v)], dtype=float))
    if not len(vals):
        return
    where = pos + spread(len(vals), half_width)
    xy = (where, vals) if vertical else (vals, where)
    ax.scatter(*xy, s=9, facecolors="white", edgecolors=colour, linewidths=0.7, zorder=4, alpha=0.95)


def design_handles(
    origins: list[str],
    colours: Mapping[str, str],
    docs_per_group: Mapping[str, int],
    interval: str,
    documents: bool = True,
) -> list[Line2D]:
    """Legend entries: one per origin (with its document count), then what each mark means."""
    handles = [
        Line2D([], [], color=colours[o], lw=1.3, marker="s", ms=0, label=f"{o} ({n_docs(docs_per_group[o])})")
        for o in origins
    ]
    if any(docs_per_group[o] > 1 for o in origins):
        handles.append(
            Line2D([], [], color=INK, lw=1.3, marker="o", ms=4.6, mfc=INK, label=f"group mean, {interval} interval")
        )
    if any(docs_per_group[o] == 1 for o in origins):
        handles.append(
            Line2D(
                [],
                [],
                color=INK,
                lw=1.3,
                ls=(0, (2.2, 1.2)),
                marker="D",
                ms=4.2,
                mfc="white",
                label="single-document group",
            )
        )
    if documents and any(docs_per_group[o] > 1 for o in origins):
        handles.append(Line2D([], [], ls="", marker="o", ms=3.2, mfc="white", mec=INK, mew=0.7, label="one document"))
    return handles


def group_rate_panel(
    ax: Axes,
    by_group: pd.DataFrame,
    by_doc: pd.DataFrame,
    item: str,
    items: list[str],
    origins: list[str],
    colours: Mapping[str, str],
) -> None:
    """Rates per 1,000 words: one row per item (top down), origins dodged within it; group
    estimate with interval, documents of multi-document groups as points."""
    step = 0.8 / len(origins)
    dodge = offsets(len(origins), step)
    est = by_group.set_index(["author_origin", item])
    for row, name in enumerate(items):
        for k, origin in enumerate(origins):
            pos = row + dodge[k]
            if (origin, name) not in est.index:
                continue
            g = est.loc[(origin, name)]
            single = bool(g["single_document"])
            draw_estimate(
                ax,
                pos,
                g["per_1k_words"],
                g["per_1k_words_lo"],
                g["per_1k_words_hi"],
                colours[origin],
                single,
                vertical=False,
            )
            if not single:  # documents as beads on their group's interval line
                docs = by_doc[(by_doc["author_origin"] == origin) & (by_doc[item] == name)]["per_1k_words"]
                draw_documents(ax, pos, docs, colours[origin], 0.0, vertical=False)
    ax.set_yticks(range(len(items)), [display_name(i) for i in items])
    ax.set_ylim(len(items) - 0.5, -0.5)  # first item on top
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", visible=False)
    ax.grid(True, axis="x")
    for row in range(1, len(items)):
        ax.axhline(row - 0.5, color="#eeeeee", lw=0.5, zorder=0)
    right = ax.get_xlim()[1]
    ax.set_xlim(-0.015 * right, right)  # rates start at 0; the margin keeps a mark at 0 whole


def display_name(name: str) -> str:
    """A table key as words: ``territorial_dispute`` -> ``Territorial dispute``."""
    words = str(name).replace("_", " ")
    return words[:1].upper() + words[1:]


def actor_names(params: Params) -> dict[str, str]:
    """Readable actor names: a target's id capitalised, another actor's first gazetteer name."""
    names = {target: target.capitalize() for target in params.target_names}
    for actor_id, actor in params.nlp.actors.items():
        names.setdefault(actor_id, actor.names[0])
    return names


def docs_per_group(table: pd.DataFrame, column: str = "n_docs") -> dict[str, int]:
    """Documents per origin, as a group table states them."""
    return {str(o): int(n) for o, n in table.groupby("author_origin")[column].max().items()}
