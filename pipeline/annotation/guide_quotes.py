"""Which units the annotation guide quotes as worked examples.

Worked examples inflate agreement: an annotator who meets a sentence the
guide already labels only has to copy the label. So agreement is also given
for the units whose sentence the guide does not quote. Only the part of the
guide the seed passes saw counts (up to ``LATER_SECTION``: clarifications
written after adjudicating those passes).
"""

from __future__ import annotations

import re

from pipeline.text import normalise_sentence

LATER_SECTION = "## 8. Clarifications from the seed adjudication"

_QUOTED = re.compile(r'"([^"\n]+)"')
_ELLIPSIS = re.compile(r"\.\.\.|…")
_EDGE = " \t,;:.!?()[]\"'"
_FOOTNOTE = re.compile(r"\[\d+\]")


def _comparable(text: str) -> str:
    """Normalised text without footnote markers ("[7]"), which cleaning may or may not have kept."""
    return normalise_sentence(_FOOTNOTE.sub("", text))


def guide_quotes(guide: str) -> list[list[str]]:
    """Quoted example sentences of the guide as annotators saw it, each as its normalised fragments.

    A quote shortened with "..." gives several fragments.
    """
    seen = guide.split(LATER_SECTION, 1)[0]
    quotes = []
    for match in _QUOTED.finditer(seen):
        quote = match.group(1).replace("\\|", "|")  # a pipe escaped inside a Markdown table
        fragments = [_comparable(f).strip(_EDGE) for f in _ELLIPSIS.split(quote)]
        fragments = [f for f in fragments if f]
        if fragments:
            quotes.append(fragments)
    return quotes


def quoted_in_guide(sentence: str, quotes: list[list[str]], min_cover: float = 0.5, min_chars: int = 60) -> bool:
    """Whether a guide quote reproduces this sentence: all its fragments occur in the sentence, and
    together they cover at least ``min_cover`` of it or ``min_chars`` characters (so a quoted cue
    phrase such as "Russia’s aggression" does not mark every sentence that uses it)."""
    text = _comparable(sentence)
    for fragments in quotes:
        if all(f in text for f in fragments):
            covered = sum(len(f) for f in fragments)
            if covered >= min_cover * len(text) or covered >= min_chars:
                return True
    return False
