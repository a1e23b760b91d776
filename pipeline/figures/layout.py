"""Layout helpers that keep a figure's text apart at any journal width (tests/test_figures_layout.py)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend

#: characters of 8 pt text per inch of width (DejaVu Sans, mixed case), for wrapping figure-wide labels
CHARS_PER_IN = 15


def wrap(text: str, chars: int) -> str:
    """``text`` broken into lines of at most ``chars`` characters (words kept whole)."""
    return "\n".join(textwrap.wrap(str(text), chars, break_long_words=False)) or str(text)


def figure_legend(fig: Figure, handles: Sequence[Artist], **kwargs: Any) -> Legend:
    """A legend above the panels with as many columns as fit in the figure's width (measured)."""
    renderer = fig.canvas.get_renderer()
    for ncol in range(len(handles), 0, -1):
        legend = fig.legend(handles=handles, loc="outside upper center", ncol=ncol, **kwargs)
        if ncol == 1 or legend.get_window_extent(renderer).width <= 0.97 * fig.bbox.width:
            return legend
        legend.remove()
    raise ValueError("a legend needs at least one entry")


def line_chars(width_in: float) -> int:
    """How many characters of a figure-wide 8 pt label fit across ``width_in``."""
    return int(CHARS_PER_IN * width_in)


def panel_grid(n: int, width_in: float, min_panel_in: float) -> tuple[int, int]:
    """(rows, columns) for ``n`` panels, as many per row as are at least ``min_panel_in`` wide."""
    columns = max(1, min(n, int(width_in // min_panel_in)))
    return -(-n // columns), columns


def figure_xlabel(fig: Figure, text: str) -> None:
    """The x label shared by every panel, wrapped to the figure's width."""
    fig.supxlabel(wrap(text, line_chars(fig.get_figwidth())), fontsize=8)


def drop_unused(axes: np.ndarray, n_used: int) -> list[Axes]:
    """Remove the panels of a grid beyond the first ``n_used`` (a hidden panel would still carry
    ticks for readers of the SVG), label the x ticks of the panel above each removed one (a shared
    x axis labels only the bottom row), and return the panels in use."""
    rows, cols = axes.shape
    for k in range(n_used, rows * cols):
        r, c = divmod(k, cols)
        axes[r, c].remove()
        if r > 0:
            axes[r - 1, c].tick_params(axis="x", labelbottom=True)
    return list(axes.flat)[:n_used]
