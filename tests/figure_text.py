"""Text a figure actually draws, and where it overlaps other text or leaves the figure.

The drawing is asked, not the artist tree: :func:`drawn_texts` records
every Text whose ``draw`` runs while the figure is drawn and which has
something to show (tick labels outside the view are never drawn; empty
strings and invisible artists show nothing), multi-line texts included, and
each one's box is ``Text.get_window_extent`` with the figure's renderer
(``fig.canvas.get_renderer()``).
"""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

#: pixels (at the figure's 100 dpi) two boxes may share, or a box may stick out, before it counts:
#: glyph boxes include line spacing and descent, so touching boxes are not overlapping ink
TOLERANCE_PX = 1.0


@dataclass(frozen=True)
class Placed:
    text: str
    box: Bbox
    artist: Text


@contextmanager
def _recording(into: list[Text]):
    original = Text.draw

    def draw(self, renderer):
        if self.get_visible() and self.get_text().strip() and self not in into:
            into.append(self)
        return original(self, renderer)

    Text.draw = draw
    try:
        yield
    finally:
        Text.draw = original


def drawn_texts(fig: Figure) -> list[Placed]:
    """Every text the figure draws, with its box in display pixels."""
    texts: list[Text] = []
    with _recording(texts):
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [Placed(t.get_text(), t.get_window_extent(renderer), t) for t in texts]


def _shrunk(box: Bbox) -> Bbox:
    return Bbox.from_extents(box.x0 + TOLERANCE_PX, box.y0 + TOLERANCE_PX, box.x1 - TOLERANCE_PX, box.y1 - TOLERANCE_PX)


def overlaps(placed: list[Placed]) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose boxes overlap by more than the tolerance."""
    return [(a.text, b.text) for a, b in itertools.combinations(placed, 2) if _shrunk(a.box).overlaps(_shrunk(b.box))]


def clipped(placed: list[Placed], fig: Figure) -> list[str]:
    """Drawn texts that stick out of the figure by more than the tolerance."""
    frame = fig.bbox
    return [
        p.text
        for p in placed
        if p.box.x0 < frame.x0 - TOLERANCE_PX
        or p.box.y0 < frame.y0 - TOLERANCE_PX
        or p.box.x1 > frame.x1 + TOLERANCE_PX
        or p.box.y1 > frame.y1 + TOLERANCE_PX
    ]


def outside_panel(placed: list[Placed], fig: Figure) -> list[str]:
    """Labels written into a panel (``ax.text``: not titles, ticks or annotations placed beside it)
    that stick out of the panel, over its frame or into the next one."""
    out = []
    for ax in fig.axes:
        mine = {id(t) for t in ax.texts if type(t) is Text}
        frame = ax.bbox
        for p in placed:
            if id(p.artist) in mine and (
                p.box.x0 < frame.x0 - TOLERANCE_PX
                or p.box.y0 < frame.y0 - TOLERANCE_PX
                or p.box.x1 > frame.x1 + TOLERANCE_PX
                or p.box.y1 > frame.y1 + TOLERANCE_PX
            ):
                out.append(p.text)
    return out
