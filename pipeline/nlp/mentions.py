"""Target mentions: whole-word, case-insensitive alias matches (STANCE-SPEC.md).

A plain regex implements the spec's definition exactly ("contains one of
the target's aliases, case-insensitive, whole words") independent of how a
tokenizer splits "Kyiv-Mohyla" or "Russia’s", and gives exact offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.targets import Alias


@dataclass(frozen=True)
class Mention:
    target: str
    alias: str
    kind: str
    start: int
    end: int
    text: str


class MentionFinder:
    """Finds every target alias in a text; longer aliases win ("Russian Federation" over "Russian")."""

    def __init__(self, aliases: list[Alias]):
        self._by_text = {a.text.casefold(): a for a in aliases}
        ordered = sorted(self._by_text, key=len, reverse=True)
        alternation = "|".join(r"\s+".join(re.escape(part) for part in text.split()) for text in ordered)
        # \w boundaries: "Prussian" is not "Russian"; "Kyiv-Mohyla" contains "Kyiv".
        self._regex = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)

    def find(self, text: str) -> list[Mention]:
        out = []
        for m in self._regex.finditer(text):
            alias = self._by_text[" ".join(m.group(0).split()).casefold()]
            out.append(Mention(alias.target, alias.text, alias.kind, m.start(), m.end(), m.group(0)))
        return out
