"""Small text helpers shared by stages: decoding, word counts, sentence keys."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

_WORD = re.compile(r"\w+(?:[’'\-]\w+)*")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


class DocumentError(ValueError):
    """A raw document cannot be read as text."""


def read_document(path: Path) -> str:
    """Decode a raw document as UTF-8 (a BOM is dropped); refuse anything else clearly."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"{path}: not UTF-8 text (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); "
            "convert it to UTF-8 first"
        ) from exc


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def normalise_sentence(text: str) -> str:
    """Form of a sentence that survives whitespace, quote-style and case changes."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return " ".join(text.split()).casefold()


def sentence_key(text: str) -> str:
    """Stable short hash of a sentence's normalised text, the key gold labels use."""
    return hashlib.sha1(normalise_sentence(text).encode("utf-8")).hexdigest()[:16]
