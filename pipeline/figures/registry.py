"""The figure registry: one decorated function per figure.

A figure module defines ``draw(ctx) -> Drawn`` and registers it with
:func:`figure`, giving its file stem, title, the files it is drawn from and
its place in the figure set (``order``). The report stage draws every
registered figure in that order, numbers them 1, 2, ..., saves each as PNG,
SVG and PDF, and lists them in outputs/figures/README.md and the report.

Order slots (gaps leave room): 10 stance shares, 20 net stance index,
30 human- vs model-coded shares, 40 confusion matrices, 45 calibration,
50 framing vocabulary, 55 top terms, 60 frame rates, 70 salience,
75 actor salience, 80 co-occurrence, 90 stance along document position.
Adding a figure: write the function in a module under pipeline/figures/,
decorate it, and list the module in ``FIGURE_MODULES``.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from pipeline import io
from pipeline.config import Params
from pipeline.diagnostics import warn
from pipeline.figures.style import DEFAULT_WIDTHS_IN, Palette, load_palette, publication_style, save_figure

#: Modules whose decorators fill the registry, imported on first use.
FIGURE_MODULES = ("pipeline.figures.stance", "pipeline.figures.evaluation")

#: Which stance labels a figure shows: human-coded gold, model output, both side by
#: side, or none (e.g. mention counts).
LABEL_KINDS = ("gold", "model", "gold and model", "none")


@dataclass(frozen=True)
class Drawn:
    """A drawn figure with the words that go with it, written from the data it shows."""

    fig: Figure
    caption: str
    alt: str
    labels: str  # one of LABEL_KINDS

    def __post_init__(self) -> None:
        if self.labels not in LABEL_KINDS:
            raise ValueError(f"figure labels '{self.labels}' must be one of {LABEL_KINDS}")


@dataclass(frozen=True)
class FigureSpec:
    order: int
    stem: str
    title: str
    sources: tuple[str, ...]
    draw: Callable[[FigureContext], Drawn]


@dataclass
class FigureContext:
    """What a draw function may use: params, the palette, column widths, cached inputs."""

    params: Params
    palette: Palette
    #: files the figure being drawn may read (its spec's ``sources``); None: any
    sources: tuple[str, ...] | None = None
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @classmethod
    def from_params(cls, params: Params, palette: str | None = None) -> FigureContext:
        return cls(params=params, palette=load_palette(palette or str(params.get("report.palette"))))

    def width(self, kind: str) -> float:
        """Figure width in inches for a journal ``single`` or ``double`` column."""
        widths = {**DEFAULT_WIDTHS_IN, **dict(self.params.get("report.width_in", {}))}
        return float(widths[kind])

    def read(self, relative: str) -> pd.DataFrame:
        """A CSV table or Parquet file under the project root, read once per context.

        A figure may only read what its spec lists in ``sources``, so the index's
        "drawn from" is always the truth.
        """
        if self.sources is not None and relative not in self.sources:
            raise ValueError(f"a figure reads {relative} but does not list it in its sources {self.sources}")
        if relative not in self._cache:
            path = self.params.root / relative
            if path.suffix == ".parquet":
                self._cache[relative] = io.read_parquet(path)
            elif path.is_file():
                self._cache[relative] = pd.read_csv(path)
            else:
                raise FileNotFoundError(f"{path}: not found; run the stage that writes it first")
        return self._cache[relative]

    @property
    def labels(self) -> str:
        """Whose labels the compare tables were computed from (params stance.labels)."""
        return "gold" if self.params.get("stance.labels", "model") == "gold" else "model"

    def describe_labels(self, labels: str | None = None) -> str:
        """Readable source of the labels, naming the classifier for model labels."""
        labels = labels or self.labels
        if labels == "gold":
            return "human-coded gold labels"
        classifier = self.params.get("stance.classifier", "?")
        if labels == "model":
            return f"model labels ({classifier} classifier)"
        return f"human-coded gold labels and model labels ({classifier} classifier)"


_REGISTRY: dict[str, FigureSpec] = {}


def figure(*, order: int, stem: str, title: str, sources: tuple[str, ...]) -> Callable:
    """Register ``draw`` as a figure of the set; stems and order slots must be unique."""

    def register(draw: Callable[[FigureContext], Drawn]) -> Callable[[FigureContext], Drawn]:
        for other in _REGISTRY.values():
            if other.stem != stem and other.order == order:
                raise ValueError(f"figure '{stem}': order {order} is taken by '{other.stem}'")
        _REGISTRY[stem] = FigureSpec(order=order, stem=stem, title=title, sources=tuple(sources), draw=draw)
        return draw

    return register


def registered_figures() -> list[FigureSpec]:
    """Every registered figure, in figure-set order."""
    for module in FIGURE_MODULES:
        importlib.import_module(module)
    return sorted(_REGISTRY.values(), key=lambda spec: spec.order)


def get_figure(stem: str) -> FigureSpec:
    specs = {spec.stem: spec for spec in registered_figures()}
    if stem not in specs:
        raise KeyError(f"no figure '{stem}'; registered: {sorted(specs)}")
    return specs[stem]


def draw(spec: FigureSpec, ctx: FigureContext) -> Drawn:
    """Draw one figure in the publication style (notebooks use this to re-draw)."""
    with publication_style():
        return spec.draw(replace(ctx, sources=spec.sources))


@dataclass(frozen=True)
class Rendered:
    """A saved figure: its number in the set, its spec, its words and its files."""

    number: int
    spec: FigureSpec
    caption: str
    alt: str
    labels: str
    files: tuple[Path, ...]
    size_in: tuple[float, float]


def render_all(ctx: FigureContext, out_dir: Path, formats: list[str], dpi: int) -> list[Rendered]:
    """Draw and save every registered figure, numbered in order."""
    rendered = []
    drawable = []
    for spec in registered_figures():
        missing = [s for s in spec.sources if not (ctx.params.root / s).is_file()]
        if missing:  # e.g. evaluation figures for a corpus without gold labels
            warn(f"figure '{spec.stem}' not drawn: {', '.join(missing)} not found")
        else:
            drawable.append(spec)
    for number, spec in enumerate(drawable, start=1):
        drawn = draw(spec, ctx)
        width, height = (float(v) for v in drawn.fig.get_size_inches())
        files = save_figure(drawn.fig, out_dir / spec.stem, formats, dpi, title=spec.title, description=drawn.alt)
        rendered.append(Rendered(number, spec, drawn.caption, drawn.alt, drawn.labels, tuple(files),
                                 (width, height)))
    return rendered
