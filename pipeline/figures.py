"""Figure style, palettes and deterministic saving shared by every figure.

Colours are from the Okabe-Ito palette (colour-blind safe); each origin
group and each stance label keeps its colour across all figures.
"""
from __future__ import annotations

from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from pipeline.io import atomic_path  # noqa: E402

STYLE = str(files("pipeline") / "styles" / "publication.mplstyle")

SINGLE_COLUMN_IN = 3.5
DOUBLE_COLUMN_IN = 7.2

STANCE_COLOURS = {"favor": "#0072B2", "against": "#D55E00", "neutral": "#999999"}
_ORIGIN_BASE = {"Ukrainian": "#E69F00", "Indian": "#56B4E9", "Russian": "#CC79A7"}
_ORIGIN_EXTRA = ["#009E73", "#F0E442", "#000000", "#0072B2", "#D55E00"]

# Metadata that would otherwise embed dates or versions and change bytes.
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


def origin_colours(origins: Iterable[str]) -> dict[str, str]:
    """Fixed colours for the seed groups; new groups take the next free colours in name order."""
    colours = dict(_ORIGIN_BASE)
    extra = iter(_ORIGIN_EXTRA)
    for origin in sorted(set(origins) - set(colours)):
        colours[origin] = next(extra, "#444444")
    return colours


def apply_style() -> None:
    """Use the publication style for every figure this process draws (and saves)."""
    plt.style.use(STYLE)


def save_figure(fig: Figure, stem: str | Path, formats: Iterable[str] = ("png", "svg", "pdf"),
                dpi: int = 300) -> list[Path]:
    """Write the figure in each format atomically, with no timestamps in the files."""
    stem = Path(stem)
    written = []
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}")
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi, metadata=_METADATA.get(fmt))
        written.append(path)
    plt.close(fig)
    return written
