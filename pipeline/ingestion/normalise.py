"""Unicode normalisation of a document before the cleaning rules, with a count of every change.

Text pasted from the web carries invisible characters that hide words: a
zero-width space in ``Rus\\u200bsia`` or a soft hyphen in ``Mos\\u00adcow``
splits a target's name, so the mention is never found. Before any rule
runs, each document is brought to one form:

1. **Format characters removed** (Unicode category Cf): zero-width space,
   joiner and non-joiner (U+200B-U+200D), word joiner (U+2060), soft hyphen
   (U+00AD), a byte-order mark inside the text (U+FEFF), bidirectional
   controls and the rest. None is visible, and none separates words.
2. **Other spaces to a plain space** (category Zs: no-break, thin,
   ideographic, ... spaces), and line/paragraph separators (U+2028,
   U+2029) to a line break, so the line-based rules see the lines a reader
   sees.
3. **NFKC**, not NFC. NFC only composes canonically equivalent sequences
   (a decomposed "é"); NFKC also folds *compatibility* characters, which web
   and PDF text is full of: full-width letters (``Ｒｕｓｓｉａ``), ligatures
   (``ﬁghting``), the ellipsis character, compatibility spaces. Without it
   those words match no alias and no lexicon cue. The cost is that
   superscripts, subscripts and vulgar fractions become plain digits
   (``km²`` → ``km2``, ``½`` → ``1⁄2``), which carry no stance. Sentence keys
   (pipeline.text) use NFKC too, so gold keys are unaffected.

Each step is counted per character (``U+200B ZERO WIDTH SPACE: 2``) in the
document's cleaning audit (``<doc_id>.cleaning.json``, ``normalisation``).
Offsets downstream index the normalised, cleaned text.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Any, Final

FORM: Final = "NFKC"
_LINE_SEPARATORS = frozenset({"\u2028", "\u2029"})


def _label(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}"


def _kind(char: str) -> str | None:
    """Which normalisation step changes ``char`` (None: it stays as it is)."""
    if char in _LINE_SEPARATORS:
        return "line_separators"
    category = unicodedata.category(char)
    if category == "Cf":
        return "format_characters_removed"
    if category == "Zs" and char != " ":
        return "spaces_replaced"
    if unicodedata.normalize(FORM, char) != char:
        return "compatibility_characters_folded"
    return None


def normalise_text(text: str) -> tuple[str, dict[str, Any]]:
    """``text`` in the form the pipeline works on, and what changed (see the module docstring)."""
    counts: dict[str, Counter[str]] = {
        "format_characters_removed": Counter(),
        "spaces_replaced": Counter(),
        "line_separators": Counter(),
        "compatibility_characters_folded": Counter(),
    }
    out = []
    for char in text:
        kind = _kind(char)
        if kind is None:
            out.append(char)
            continue
        counts[kind][_label(char)] += 1
        if kind == "line_separators":
            out.append("\n")
        elif kind == "spaces_replaced":
            out.append(" ")
        elif kind == "compatibility_characters_folded":
            out.append(char)  # folded below, with its neighbours (NFKC composes across characters)
    normalised = unicodedata.normalize(FORM, "".join(out))
    audit: dict[str, Any] = {"form": FORM}
    audit.update({kind: dict(sorted(counter.items())) for kind, counter in counts.items()})
    return normalised, audit
