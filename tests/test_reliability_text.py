"""Invisible characters do not hide mentions (issue #17, item 3).

Text pasted from the web carries zero-width characters, soft hyphens,
byte-order marks and odd spaces inside names. Ingest normalises them away
(pipeline.ingestion.normalise), counts each in the document's cleaning
audit, and the tag stage then finds every mention, at offsets into the
clean text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from conftest import make_project
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import paths
from pipeline.cli import main
from pipeline.ingestion.cleaning import clean, load_rules
from pipeline.ingestion.normalise import normalise_text
from pipeline.nlp.mentions import MentionFinder
from pipeline.targets import Alias

ROOT = Path(__file__).resolve().parents[1]
RULES = load_rules(ROOT / "corpus" / "cleaning_rules.yaml")

HIDDEN = (
    "Japan condemned Rus\u200bsia for the attack.\n\n"
    "Mos\u00adcow denied it again.\n\n"
    "Pu\u200dtin spoke on television.\n\n"
    "Ukr\u2060aine asked for help, and \ufeffKyiv thanked Tokyo.\n\n"
    "Ｒｕｓｓｉａ and Ukraine\u00a0met in Zelen\u200cskyy's office.\n"
)
FOUND = ["Russia", "Moscow", "Putin", "Ukraine", "Kyiv", "Russia", "Ukraine", "Zelenskyy"]


def test_mentions_are_found_across_invisible_characters(tmp_path):
    make_project(tmp_path, {"ua-hidden": ("Ukrainian", HIDDEN), "in-plain": ("Indian", "Russia and Ukraine.\n")})
    for stage in ("ingest", "tag"):
        assert main(["--params", str(tmp_path / "params.yaml"), stage]) == 0, stage
    mentions = pd.read_parquet(tmp_path / paths.MENTIONS)
    mine = mentions[mentions["doc_id"] == "ua-hidden"].sort_values(["sent_id", "start_char"])
    assert mine["alias"].tolist() == FOUND
    text = (tmp_path / paths.CLEAN / "ua-hidden.txt").read_text(encoding="utf-8")
    assert all(text[row.start_char : row.end_char] == row.text for row in mine.itertuples())  # document offsets
    audit = json.loads((tmp_path / paths.CLEAN / "ua-hidden.cleaning.json").read_text(encoding="utf-8"))
    normalisation = audit["normalisation"]
    assert normalisation["form"] == "NFKC"
    assert normalisation["format_characters_removed"] == {
        "U+00AD SOFT HYPHEN": 1,
        "U+200B ZERO WIDTH SPACE": 1,
        "U+200C ZERO WIDTH NON-JOINER": 1,
        "U+200D ZERO WIDTH JOINER": 1,
        "U+2060 WORD JOINER": 1,
        "U+FEFF ZERO WIDTH NO-BREAK SPACE": 1,
    }
    assert normalisation["spaces_replaced"] == {"U+00A0 NO-BREAK SPACE": 1}
    assert sum(normalisation["compatibility_characters_folded"].values()) == 6  # Ｒｕｓｓｉａ


ALIASES = [
    Alias("russia", "Russia", "state"),
    Alias("russia", "Moscow", "capital"),
    Alias("ukraine", "Kyiv", "capital"),
]
FINDER = MentionFinder(ALIASES)
INVISIBLE = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u202a", "\u2066"])
WORD = st.sampled_from(["Russia", "Moscow", "Kyiv", "the", "talks", "in", "said", "Japan", "aid", "and", "of"])


@st.composite
def hidden_text(draw) -> tuple[str, str]:
    """(a text of words, the same text with invisible characters and odd spaces inside words and between them)."""
    words = draw(st.lists(WORD, min_size=1, max_size=25))
    plain, noisy = [], []
    for word in words:
        noisy_word = word
        for _ in range(draw(st.integers(0, 2))):
            at = draw(st.integers(0, len(noisy_word)))
            noisy_word = noisy_word[:at] + draw(INVISIBLE) + noisy_word[at:]
        plain.append(word)
        noisy.append(noisy_word)
    separators = [draw(st.sampled_from([" ", "\u00a0", "\u2009", "\u3000", " \u200b"])) for _ in words[1:]]
    joined = noisy[0] + "".join(sep + w for sep, w in zip(separators, noisy[1:]))
    return " ".join(plain) + ".", joined + "."


@settings(max_examples=300, deadline=None)
@given(pair=hidden_text())
def test_normalised_text_finds_the_same_mentions_at_offsets_into_the_clean_text(pair):
    plain, noisy = pair
    result = clean(noisy, RULES)
    assert result.text == clean(plain, RULES).text
    found = FINDER.find(result.text)
    assert [m.alias for m in found] == [m.alias for m in FINDER.find(plain)]
    assert all(result.text[m.start : m.end].casefold() == m.alias.casefold() for m in found)


@given(text=st.text(max_size=200))
def test_normalisation_is_idempotent_and_leaves_no_invisible_character(text):
    once, _ = normalise_text(text)
    assert normalise_text(once)[0] == once
    assert not any(ch in once for ch in "\u200b\u200c\u200d\u2060\u00ad\ufeff\u00a0\u2028\u2029")
