"""The palettes' rules (pipeline/styles/palettes.yaml): one meaning per colour, readable with colour-vision deficiency.

Colours are compared in CIE LCh and with CIEDE2000 (coloraide), and simulated
for deuteranopia and protanopia (coloraide's Brettel/Viénot filters).
"""

from __future__ import annotations

import itertools

import pytest
from coloraide import Color

from pipeline.figures import load_palette, palette_names
from pipeline.params import ConfigError
from pipeline.paths import LABELS

#: degrees of CIE LCh hue between a label colour and an origin colour (the palettes.yaml rule)
MIN_HUE_APART = 35.0
#: CIE LCh chroma of an origin colour: clearly a colour, never read as the grey of "neutral"
MIN_ORIGIN_CHROMA = 30.0
#: CIEDE2000 between any two colours of one set, under each vision (about 10 reads as clearly different)
MIN_DELTA_E = 12.0
VISIONS = (None, "deutan", "protan")


def _hue_gap(a: str, b: str) -> float:
    gap = abs(Color(a).convert("lch")["hue"] - Color(b).convert("lch")["hue"]) % 360
    return min(gap, 360 - gap)


def _origin_colours(name: str) -> dict[str, str]:
    palette = load_palette(name)
    return {**palette.origin, **{f"extra {k}": c for k, c in enumerate(palette.extra)}}


@pytest.mark.parametrize("name", palette_names())
def test_no_origin_colour_is_in_the_hue_family_of_a_stance_colour(name):
    palette = load_palette(name)
    for label, origin in itertools.product(("against", "favor"), _origin_colours(name)):
        gap = _hue_gap(palette.stance[label], _origin_colours(name)[origin])
        assert gap >= MIN_HUE_APART, f"{name}: {origin} is {gap:.0f} degrees from {label}"


@pytest.mark.parametrize("name", palette_names())
def test_origin_colours_are_chromatic_and_neutral_is_grey(name):
    palette = load_palette(name)
    assert Color(palette.stance["neutral"]).convert("lch")["chroma"] < 5
    for origin, colour in _origin_colours(name).items():
        assert Color(colour).convert("lch")["chroma"] >= MIN_ORIGIN_CHROMA, f"{name}: {origin}"


@pytest.mark.parametrize("name", palette_names())
@pytest.mark.parametrize("vision", VISIONS)
def test_colours_of_a_set_stay_distinct_under_colour_vision_deficiency(name, vision):
    palette = load_palette(name)
    for set_name, colours in (("stance", palette.stance), ("origin", _origin_colours(name))):
        seen = {k: Color(c).filter(vision) if vision else Color(c) for k, c in colours.items()}
        for (a, ca), (b, cb) in itertools.combinations(seen.items(), 2):
            distance = ca.delta_e(cb, method="2000")
            assert distance >= MIN_DELTA_E, f"{name} {set_name} ({vision or 'normal'}): {a} vs {b} ΔE {distance:.1f}"


@pytest.mark.parametrize("name", palette_names())
def test_every_label_has_a_colour_and_a_group_beyond_the_palette_is_refused(name):
    palette = load_palette(name)
    assert set(palette.stance) == set(LABELS)
    too_many = [*palette.origin, *(f"new group {k}" for k in range(len(palette.extra) + 1))]
    with pytest.raises(ConfigError, match="spare origin colour"):
        palette.origins(too_many)
