"""Text keys shared by stages and annotation: word counts and sentence keys.

``sentence_key`` identifies a sentence across re-segmentation and cleaning
changes that do not alter the sentence itself; gold labels are keyed by it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WORD = re.compile(r"\w+(?:[’'\-]\w+)*")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def normalise_sentence(text: str) -> str:
    """Form of a sentence that survives whitespace, quote-style and case changes."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return " ".join(text.split()).casefold()


def sentence_key(text: str) -> str:
    """Stable short hash of a sentence's normalised text, the key gold labels use."""
    return hashlib.sha1(normalise_sentence(text).encode("utf-8")).hexdigest()[:16]
