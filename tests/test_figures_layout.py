"""Every figure at both journal widths: no text overlaps other text, leaves the figure or spills out of its panel.

Boxes come from matplotlib's Agg renderer (tests/figure_text.py): only text
the renderer actually draws counts, measured where it is drawn.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from figure_text import clipped, drawn_texts, outside_panel, overlaps
from stance_data import params_with

from pipeline.figures import FigureContext, NothingToDraw, draw, registered_figures
from pipeline.params import load_params

#: journal column widths in inches (89 mm and 183 mm): every figure is drawn at both
WIDTHS = (3.5, 7.2)
STEMS = [spec.stem for spec in registered_figures()]


@pytest.fixture(scope="module")
def contexts(built_project) -> dict[float, FigureContext]:
    params = load_params(built_project / "params.yaml")
    return {
        w: FigureContext.from_params(params_with(params, **{"report.width_in": {"single": w, "double": w}}))
        for w in WIDTHS
    }


@pytest.mark.slow
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("stem", STEMS)
def test_no_text_overlaps_or_is_clipped(contexts, stem, width):
    spec = next(s for s in registered_figures() if s.stem == stem)
    try:
        drawn = draw(spec, contexts[width])
    except NothingToDraw:
        pytest.skip(f"{stem}: nothing to draw in the seed corpus")
    try:
        assert drawn.fig.get_figwidth() == width
        placed = drawn_texts(drawn.fig)
        assert placed, f"{stem}: no text drawn"
        assert not overlaps(placed), f"{stem} at {width} in: overlapping text {overlaps(placed)}"
        assert not clipped(placed, drawn.fig), f"{stem} at {width} in: text outside the figure"
        assert not outside_panel(placed, drawn.fig), f"{stem} at {width} in: label spills out of its panel"
    finally:
        plt.close(drawn.fig)


def test_the_checks_catch_overlap_clipping_and_spill():
    """The detector itself: two labels on one spot, a title past the edge, a label past its panel."""
    fig, ax = plt.subplots(figsize=(3.5, 2.0))
    ax.text(0.5, 0.5, "first label", transform=ax.transAxes)
    ax.text(0.5, 0.5, "second label", transform=ax.transAxes)
    ax.text(0.9, 0.2, "runs past the panel edge", transform=ax.transAxes)
    fig.text(0.8, 0.95, "a title cut at the figure edge")
    placed = drawn_texts(fig)
    assert ("first label", "second label") in overlaps(placed)
    assert "a title cut at the figure edge" in clipped(placed, fig)
    assert "runs past the panel edge" in outside_panel(placed, fig)
    plt.close(fig)
