"""Publication figures: style, colour-blind-safe palettes, deterministic files, registry.

``pipeline.figures.style`` holds what every figure shares (style sheet,
palettes, journal widths, saving without dates); ``pipeline.figures.registry``
lists the figures of the set; the figures themselves live in one module per
concern (``pipeline.figures.stance``, ``annotation``, ``framing``, ``actors``); shared
marks (group estimates with intervals over per-document points) are in
``pipeline.figures.marks``.
"""
from pipeline.figures.registry import (
    Drawn,
    FigureContext,
    FigureSpec,
    NotDrawn,
    NothingToDraw,
    Rendered,
    draw,
    figure,
    get_figure,
    registered_figures,
    render_all,
)
from pipeline.figures.style import (
    DEFAULT_WIDTHS_IN,
    MIN_FONT_PT,
    Palette,
    load_palette,
    palette_names,
    publication_style,
    save_figure,
)

__all__ = [
    "DEFAULT_WIDTHS_IN", "MIN_FONT_PT", "Drawn", "FigureContext", "FigureSpec", "NotDrawn", "NothingToDraw", "Palette", "Rendered",
    "draw", "figure", "get_figure", "load_palette", "palette_names", "publication_style",
    "registered_figures", "render_all", "save_figure",
]
