"""Marks every group figure shares: an estimate with its interval, per label source, over its documents.

One visual grammar across the figure set, so a reader learns it once:

- **colour** is the author-origin group (the palette's origin colours; a
  stance label's colour never marks a group);
- a **group estimate** (mean over the group's documents) is a marker with
  a line for its interval; the marker's **shape** is the label source
  (square gold, triangle PPI, circle model), **filled** for the estimate
  the report states and **open** for another source drawn beside it;
- a **small group** (fewer than :data:`SMALL_GROUP_DOCS` documents) has a
  dashed interval: with one document it resamples only that document's
  sentences, with two it rests on two texts;
- each **document** of a group with several is a short bar at its value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from pipeline.params import Params

#: A group with fewer documents is flagged (dashed interval, named in the caption).
SMALL_GROUP_DOCS = 3
#: Marker of a group estimate per label source (PLAN.md Phase 2: gold, ppi, model).
SOURCE_MARKERS = {"gold": "s", "ppi": "^", "model": "o"}
SMALL_DASH = (0, (2.2, 1.2))
INK = "#333333"


def n_docs(n: int) -> str:
    return f"{n} document" if n == 1 else f"{n:,} documents"


def n_short(n_docs_: int, n_units: int | None = None, unit: str = "unit") -> str:
    """``1 doc, 52 units``: the n of a group or panel in few characters."""
    docs = f"{n_docs_:,} doc" + ("" if n_docs_ == 1 else "s")
    if n_units is None:
        return docs
    return f"{docs}, {n_units:,} {unit}" + ("" if n_units == 1 else "s")


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


def is_small(n: int) -> bool:
    return n < SMALL_GROUP_DOCS


def draw_estimate(
    ax: Axes,
    pos: float,
    value: float,
    lo: float,
    hi: float,
    colour: str,
    n_documents: int,
    *,
    source: str = "model",
    reported: bool = True,
    vertical: bool = True,
) -> None:
    """A group estimate at ``pos`` on the categorical axis, with its interval (see the module docstring)."""
    if pd.isna(value):
        return
    line = {
        "color": colour,
        "lw": 1.4 if reported else 0.8,
        "ls": SMALL_DASH if is_small(n_documents) else "-",
        "zorder": 3,
        "solid_capstyle": "butt",
        "dash_capstyle": "butt",
    }
    marker = {
        "marker": SOURCE_MARKERS.get(source, "o"),
        "ms": 4.6 if reported else 3.8,
        "mfc": colour if reported else "white",
        "mec": colour,
        "mew": 1.0,
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
    ax: Axes, pos: float, values: Iterable[float], colour: str, half_width: float = 0.0, vertical: bool = True
) -> None:
    """A group's documents as short bars across the value axis, spread across ``half_width``."""
    vals = np.sort(np.asarray([v for v in values if pd.notna(v)], dtype=float))
    if not len(vals):
        return
    where = pos + spread(len(vals), half_width)
    xy = (where, vals) if vertical else (vals, where)
    ax.plot(*xy, ls="", marker="_" if vertical else "|", ms=5, mew=0.9, color=colour, alpha=0.9, zorder=4)


def origin_handles(origins: list[str], colours: Mapping[str, str], labels: Mapping[str, str]) -> list[Line2D]:
    """One legend entry per origin group in its colour, e.g. ``Ukrainian (3 documents)``."""
    return [Line2D([], [], color=colours[o], lw=2.0, label=labels.get(o, o)) for o in origins]


def design_handles(
    interval: str,
    *,
    sources: Mapping[str, str] | None = None,
    small: bool = False,
    documents: bool = False,
) -> list[Line2D]:
    """Legend entries for what the marks mean: the estimate, each label source (name -> legend
    text, in drawing order) when there are several, small groups and documents."""
    sources = dict(sources or {"model": ""})
    first = next(iter(sources))
    handles = [
        Line2D(
            [],
            [],
            color=INK,
            lw=1.4,
            marker=SOURCE_MARKERS.get(first, "o"),
            ms=4.6,
            mfc=INK,
            label=f"group mean, {interval} interval",
        )
    ]
    if len(sources) > 1:
        handles = [
            Line2D([], [], ls="", marker=SOURCE_MARKERS.get(name, "o"), ms=4.6, mfc=INK, mec=INK, label=text)
            for name, text in sources.items()
        ]
        handles.append(Line2D([], [], color=INK, lw=1.4, marker="o", ms=4.6, mfc=INK, label="filled: reported"))
        handles.append(Line2D([], [], color=INK, lw=0.8, marker="o", ms=3.8, mfc="white", label="open: for comparison"))
    if small:
        handles.append(Line2D([], [], color=INK, lw=1.4, ls=SMALL_DASH, label=f"< {SMALL_GROUP_DOCS} documents"))
    if documents:
        handles.append(Line2D([], [], ls="", marker="|", ms=5, mew=0.9, color=INK, label="one document"))
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
    estimate with interval, documents of multi-document groups as bars on it."""
    step = 0.8 / len(origins)
    dodge = offsets(len(origins), step)
    est = by_group.set_index(["author_origin", item])
    for row, name in enumerate(items):
        for k, origin in enumerate(origins):
            pos = row + dodge[k]
            if (origin, name) not in est.index:
                continue
            g = est.loc[(origin, name)]
            n = int(g["n_docs"])
            draw_estimate(
                ax,
                pos,
                g["per_1k_words"],
                g["per_1k_words_lo"],
                g["per_1k_words_hi"],
                colours[origin],
                n,
                vertical=False,
            )
            if n > 1:
                docs = by_doc[(by_doc["author_origin"] == origin) & (by_doc[item] == name)]["per_1k_words"]
                draw_documents(ax, pos, docs, colours[origin], vertical=False)
    ax.set_yticks(range(len(items)), [display_name(i) for i in items])
    ax.set_ylim(len(items) - 0.5, -0.5)  # first item on top
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", visible=False)
    ax.grid(True, axis="x")
    for row in range(1, len(items)):
        ax.axhline(row - 0.5, color="#eeeeee", lw=0.5, zorder=0)
    right = ax.get_xlim()[1]
    ax.set_xlim(-0.015 * right, right)  # rates start at 0; the margin keeps a mark at 0 whole


def rate_legend_labels(by_doc: pd.DataFrame) -> dict[str, str]:
    """Legend text per origin for a rate figure: its documents and words (the rate's n)."""
    docs = by_doc.drop_duplicates("doc_id")
    out = {}
    for origin, g in docs.groupby("author_origin"):
        out[str(origin)] = f"{origin} ({n_short(len(g), int(g['n_words'].sum()), 'word')})"
    return out


def small_groups(table: pd.DataFrame, column: str = "n_docs") -> list[str]:
    """Origin groups with fewer than SMALL_GROUP_DOCS documents in some row of ``table``."""
    return sorted({str(o) for o, n in zip(table["author_origin"], table[column]) if 0 < int(n) < SMALL_GROUP_DOCS})


def small_note(groups: list[str], counts: Mapping[str, int], what: str) -> str:
    """Caption sentence naming the small groups and what their figures rest on."""
    if not groups:
        return ""
    named = ", ".join(f"{g} ({n_docs(counts[g])})" for g in groups)
    single = [g for g in groups if counts[g] == 1]
    text = (
        f" Dashed intervals: groups of fewer than {SMALL_GROUP_DOCS} documents ({named}); their {what} "
        "describes these texts, not authors of that origin in general."
    )
    if single:
        text += f" With one document ({', '.join(single)}) the interval resamples only that document's sentences."
    return text


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
