"""What a figure draws with and returns; what the drawn set records.

A figure is a function ``draw(ctx) -> Drawn`` registered with
``@figures.register(stem, order=..., title=..., sources=(...))`` (``from
pipeline.plugins import figures``), giving its file stem, title, the files
it is drawn from and its place in the figure set (``order``). The report
stage draws every registered figure (pipeline.figures.rendering), numbers
them 1, 2, ... in that order, saves each as PNG, SVG and PDF, and lists
them in outputs/figures/README.md and the report.

Order slots (gaps leave room): 10 stance shares, 20 net stance index,
25 group differences, 30 gold vs model shares, 40 confusion
matrices, 45 calibration, 50 framing vocabulary, 55 top terms, 60 frame
rates, 70 actor salience, 80 co-occurrence, 90 stance along document
position, 95 gold labels and annotator agreement.
Adding a figure: write the function in a module under pipeline/figures/
(found automatically) or in the project's plugins/ folder, and decorate it;
nothing else to edit.

A figure drawn from files only some projects have (the gold labels and
agreement tables of an annotated corpus) is registered ``optional``: when
one of its sources is missing it is not drawn, and the index and the report
say which file it lacked. Every other figure needs all of its sources.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from pipeline import io, paths
from pipeline.figures.provenance import Provenance, read_provenance
from pipeline.figures.style import Palette, load_palette, publication_style
from pipeline.params import Params
from pipeline.plugins import FigureSpec, figures

#: Which stance labels a figure shows: gold (the annotation passes, corpus/annotations),
#: prediction-powered (ppi), model output, gold and model side by side, a mix of sources
#: across groups (each named in the caption), several sources side by side per group
#: (figures.sources), or none (e.g. mention counts).
LABEL_KINDS = ("gold", "ppi", "model", "gold and model", "mixed", "label sources", "none")


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


@dataclass
class FigureContext:
    """What a draw function may use: params, the palette, column widths, cached inputs."""

    params: Params
    palette: Palette
    #: files the figure being drawn may read (its spec's ``sources``); None: any
    sources: tuple[str, ...] | None = None
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    _provenance: Provenance | None = field(default=None, repr=False)

    @classmethod
    def from_params(cls, params: Params, palette: str | None = None) -> FigureContext:
        return cls(params=params, palette=load_palette(palette or params.report.palette))

    def width(self, kind: str) -> float:
        """Figure width in inches for a journal ``single`` or ``double`` column."""
        return float(getattr(self.params.report.width_in, kind))

    def read(self, relative: str | Path) -> pd.DataFrame:
        """A CSV table or Parquet file under the project root, read once per context.

        A figure may only read what its spec lists in ``sources``, so the index's
        "drawn from" is always the truth.
        """
        relative = str(relative)
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

    def read_json(self, relative: str | Path) -> dict:
        """A JSON file (a stage's metrics) under the project root; listed in ``sources`` like a table."""
        relative = str(relative)
        if self.sources is not None and relative not in self.sources:
            raise ValueError(f"a figure reads {relative} but does not list it in its sources {self.sources}")
        path = self.params.root / relative
        if not path.is_file():
            raise FileNotFoundError(f"{path}: not found; run the stage that writes it first")
        return dict(json.loads(path.read_text(encoding="utf-8")))

    @property
    def labels(self) -> str:
        """The label source compare reported (stance_by_group's label_source): one source, or mixed."""
        path = self.params.root / paths.tables("compare") / "stance_by_group.csv"
        if not path.is_file():
            raise FileNotFoundError(f"{path}: not found; run the compare stage first")
        sources = set(pd.read_csv(path, usecols=["label_source"])["label_source"])
        return sources.pop() if len(sources) == 1 else "mixed"

    @property
    def provenance(self) -> Provenance:
        """Gold version, annotators and classifier as the project's files record them (read once)."""
        if self._provenance is None:
            self._provenance = read_provenance(self.params)
        return self._provenance

    @property
    def interval(self) -> str:
        """The compare stage's interval level in words ("95%") for legends and captions."""
        return f"{100 * self.params.compare.bootstrap.level:g}%"

    def bootstrap_phrase(self) -> str:
        """How the group intervals were made, for captions."""
        n = self.params.compare.bootstrap.n_resamples
        return (
            f"{self.interval} hierarchical bootstrap interval ({n:,} resamples: documents within the group, "
            "then sentences within each document)"
        )

    def describe_labels(self, labels: str | None = None) -> str:
        """Readable source of the labels: gold (version, who annotated), model (which classifier), PPI, or both."""
        labels = labels or self.labels
        p = self.provenance
        gold = f"{p.gold}, from {p.annotators}"
        if labels == "gold":
            return gold
        if labels == "mixed":
            return "the label source stance_by_group names per group (gold, prediction-powered or model labels)"
        if labels == "model":
            return f"model labels ({p.classifier or 'name unknown'} classifier)"
        if labels == "ppi":
            return f"prediction-powered estimates (PPI: model labels of {p.model} corrected by {gold})"
        return f"{gold}, and model labels of {p.model}"


def registered_figures() -> list[FigureSpec]:
    """Every registered figure (built-in modules, then loaded project plugins), in figure-set order."""
    return figures.specs()


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


class NothingToDraw(Exception):
    """Raised by a draw function whose sources hold nothing to show (no term reaches the minimum
    count, no actor is mentioned); the figure is listed as not drawn, with this message as the reason."""


@dataclass(frozen=True)
class NotDrawn:
    """A figure left out of this run, and why (missing optional sources, or nothing to show)."""

    spec: FigureSpec
    reason: str


def missing_sources(spec: FigureSpec, root: Path) -> tuple[str, ...]:
    return tuple(source for source in spec.sources if not (root / source).is_file())
