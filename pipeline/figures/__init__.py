"""Publication figures: one module per figure family, registered with ``@figures.register`` (pipeline.plugins).

``style`` holds what every figure shares (style sheet, palettes, saving
without dates); ``marks`` the shared group-estimate marks; ``registry``
the context a draw function gets; ``rendering`` how the set is drawn and
saved (in worker processes). The figure modules (``shares``,
``annotation``, ``evaluation``, ``framing``, ``actors``) are found
automatically: a new figure is one decorated function in a module here or
in the project's plugins/ folder.
"""

from pipeline.figures.registry import (
    Drawn,
    FigureContext,
    NotDrawn,
    NothingToDraw,
    Rendered,
    draw,
    get_figure,
    registered_figures,
)
from pipeline.figures.rendering import render_all, submit, worker_pool
from pipeline.figures.style import MIN_FONT_PT, Palette, load_palette, palette_names, publication_style, save_figure

__all__ = [
    "MIN_FONT_PT",
    "Drawn",
    "FigureContext",
    "NotDrawn",
    "NothingToDraw",
    "Palette",
    "Rendered",
    "draw",
    "get_figure",
    "load_palette",
    "palette_names",
    "publication_style",
    "registered_figures",
    "render_all",
    "save_figure",
    "submit",
    "worker_pool",
]
