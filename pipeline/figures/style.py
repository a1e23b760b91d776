"""Figure style, palettes, journal sizes and deterministic saving.

Every figure is drawn inside :func:`publication_style` with colours from one
:class:`Palette` (pipeline/styles/palettes.yaml), so an origin group or a
stance label keeps its colour across the figure set, and saved with
:func:`save_figure`, which strips the dates and versions that would make two
renders of the same data differ byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import yaml  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from pipeline.io import atomic_path  # noqa: E402
from pipeline.params import ConfigError  # noqa: E402
from pipeline.paths import LABELS

STYLES = files("pipeline") / "styles"
STYLE = str(STYLES / "publication.mplstyle")
PALETTES = str(STYLES / "palettes.yaml")

#: Smallest font size (points) any text in a figure may have at print size.
MIN_FONT_PT = 6.0

# Metadata keys that would otherwise embed dates or library versions and change bytes.
_METADATA: dict[str, dict[str, None]] = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


@dataclass(frozen=True)
class Palette:
    """The two colour sets of the figure set, one meaning each: ``stance`` (a colour per stance
    label) and origin groups (``origin`` for the seed corpus's groups, ``extra`` for groups added
    later); ``sequential`` is the colour map of magnitudes (heatmaps).

    The report uses the same object (``Palette.stance``, ``Palette.origins(groups)``), so a colour
    means one thing in every figure, legend and table.
    """

    name: str
    stance: dict[str, str]
    origin: dict[str, str]
    extra: tuple[str, ...] = field(default=())
    source: str = ""
    sequential: str = "Greys"

    def origins(self, names: Iterable[str]) -> dict[str, str]:
        """Colour per origin: the fixed ones, then extra colours in name order.

        A group beyond the palette's colours is a ConfigError: a repeated or made-up colour
        would give one colour two meanings.
        """
        colours = dict(self.origin)
        new = sorted(set(names) - set(colours))
        if len(new) > len(self.extra):
            raise ConfigError(
                f"{PALETTES}: palette '{self.name}' has {len(self.extra)} spare origin colour(s) (extra) "
                f"but the data have {len(new)} origin group(s) it has no colour for: {new}; add colours"
            )
        colours.update(zip(new, self.extra))
        return colours


@cache
def _palette_file() -> dict:
    with open(PALETTES, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def palette_names() -> list[str]:
    return sorted(_palette_file())


def load_palette(name: str) -> Palette:
    """The named palette from pipeline/styles/palettes.yaml; ConfigError lists the known ones."""
    spec = _palette_file().get(name)
    if spec is None:
        raise ConfigError(f"params.yaml: report.palette '{name}' is unknown; known: {palette_names()}")
    missing = [label for label in LABELS if label not in spec["stance"]]
    if missing:
        raise ConfigError(f"{PALETTES}: palette '{name}' has no stance colour for {missing}")
    return Palette(
        name=name,
        stance=dict(spec["stance"]),
        origin=dict(spec["origin"]),
        extra=tuple(spec.get("extra", ())),
        source=str(spec.get("source", "")),
        sequential=str(spec.get("sequential", "Greys")),
    )


@contextmanager
def publication_style() -> Iterator[None]:
    """Draw with the publication style without changing the caller's matplotlib settings."""
    with plt.style.context(STYLE):
        yield


def _metadata(fmt: str, title: str | None, description: str | None) -> dict[str, str | None] | None:
    """Format metadata without dates or versions; title and description help screen readers."""
    meta: dict[str, str | None] = dict(_METADATA.get(fmt, {}))
    keys = {"png": ("Title", "Description"), "svg": ("Title", "Description"), "pdf": ("Title", "Subject")}
    if fmt in keys:
        for key, value in zip(keys[fmt], (title, description)):
            if value:
                meta[key] = value
    return meta or None


def save_figure(
    fig: Figure,
    stem: str | Path,
    formats: Iterable[str] = ("png", "svg", "pdf"),
    dpi: int = 300,
    title: str | None = None,
    description: str | None = None,
) -> list[Path]:
    """Write the figure in each format atomically, with no dates or versions in the files.

    The style is applied while saving too, because savefig reads the svg
    hash salt and font types from rcParams at save time. The layout is
    computed once and then frozen, so every format shows the same layout
    (and the constrained-layout solver does not run again for each file).
    That layout pass measures text but paints no pixels
    (``draw_without_rendering``): every file is drawn anew when it is saved.
    """
    stem = Path(stem)
    written = []
    with publication_style():
        fig.draw_without_rendering()
        fig.set_layout_engine("none")
        for fmt in formats:
            path = stem.with_suffix(f".{fmt}")
            with atomic_path(path) as tmp:
                fig.savefig(tmp, format=fmt, dpi=dpi, metadata=_metadata(fmt, title, description))
            written.append(path)
    plt.close(fig)
    return written
