"""Property tests (hypothesis) for the text path: reading, cleaning, sentence splitting, mentions.

Each property is one the rest of the pipeline relies on: cleaning removes
only what its audit declares, offsets always slice the clean text, and a
mention is found whatever its case and the punctuation around it.
"""

from __future__ import annotations

import os
import re
import string
import unicodedata
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.ingestion.cleaning import clean, load_rules
from pipeline.ingestion.decoding import DocumentError, read_document
from pipeline.ingestion.normalise import normalise_text
from pipeline.nlp.mentions import MentionFinder
from pipeline.nlp.spacy_pipeline import build_nlp
from pipeline.nlp.tagger import tag_documents

ROOT = Path(__file__).resolve().parents[1]
RULES = load_rules(ROOT / "corpus" / "cleaning_rules.yaml")
RULE_BY_NAME = {r.name: r for r in RULES}

# 80 examples each keeps the suite fast; PROPERTY_EXAMPLES=2000 for a thorough local run.
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Characters of ordinary scraped text: no line breaks inside a line, no control characters
# (read_document removes or refuses those), no combining marks or characters NFC would change
# (cleaning normalises to NFC, so such characters would differ only in representation).
LINE_CHARS = st.characters(
    blacklist_categories=("Cc", "Cs", "Co", "Cn", "Mn", "Mc", "Me", "Zl", "Zp"),
    blacklist_characters="\n\r\x85\u2028\u2029",
).filter(lambda c: unicodedata.normalize("NFC", c) == c)

WORDS = [
    "Japan",
    "Russia",
    "Ukraine",
    "Kyiv",
    "Moscow",
    "aid",
    "sanctions",
    "the",
    "of",
    "and",
    "said",
    "Dr.",
    "U.S.",
    "3.5",
    "e.g.",
    "Putin",
    "Crimea’s",
    "war",
    "(2014)",
    "“support”",
    "—",
    "Kremlin",
]
BOILERPLATE = [
    "Print",
    "Share",
    "Read more",
    "12",
    "  7 ",
    "Notes",
    "References",
    "Contents",
    "Table 1. GDP",
    "Pic Courtesy: Reuters",
    "Главная",
    "26 May, 2018",
    "The article was originally published at X.",
    "The views expressed are those of the author.",
    "Maria Shagina is a fellow.",
]
PROSE_LINE = st.lists(st.sampled_from(WORDS), min_size=1, max_size=25).map(" ".join)


@st.composite
def decorated_prose(draw) -> str:
    line = draw(PROSE_LINE)
    if draw(st.booleans()):
        line = draw(st.sampled_from(["• ", "· ", "3. ", "  12. "])) + line
    if draw(st.booleans()):
        words = line.split(" ")
        at = draw(st.integers(0, len(words)))
        words.insert(at, f"[{draw(st.integers(1, 999))}]")
        line = " ".join(words)
    return line


LINE = st.one_of(decorated_prose(), st.sampled_from(BOILERPLATE), st.text(LINE_CHARS, max_size=60), st.just(""))


@st.composite
def raw_documents(draw) -> str:
    lines = draw(st.lists(LINE, max_size=30))
    if lines and draw(st.booleans()):  # repeated lines and teasers happen in scraped pages
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(lines)))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines)


_BLANK = re.compile(r"[\s\u200b]+")


def visible(text: str) -> str:
    """Text modulo normalisation (pipeline.ingestion.normalise) with every space-like character removed."""
    return _BLANK.sub("", normalise_text(text)[0])


def is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


@PROPERTY_SETTINGS
@given(raw=raw_documents(), author=st.sampled_from(["", "Maria Shagina", "Anonymous Author; Second Author"]))
def test_cleaning_removes_only_what_the_audit_declares(raw, author):
    result = clean(raw, RULES, author=author)
    removed = [entry["text"] for entry in result.removed]
    # kept text is the input minus the audited removals (modulo whitespace), in the input's order
    assert Counter(visible(raw)) == Counter(visible(result.text)) + Counter(visible("".join(removed)))
    assert is_subsequence(visible(result.text), visible(raw))
    # every removal is attributed to a declared rule, at a real line, and a drop_line rule matched it
    raw_lines = raw.replace("\r\n", "\n").split("\n")
    for entry in result.removed:
        rule = RULE_BY_NAME[entry["rule"]]
        assert 1 <= entry["line"] <= len(raw_lines)
        if rule.kind == "drop_line":
            assert rule.pattern.search(entry["text"])
        if rule.kind == "strip":
            assert entry["text"]
    # the clean text is paragraphs of normalised lines separated by one blank line
    if result.text:
        paragraphs = result.text.split("\n\n")
        assert all(p and p == p.strip() and "\n" not in p for p in paragraphs)
        assert result.kept_lines == len(paragraphs)


@pytest.fixture(scope="module")
def tagger(params):
    """tag_documents with one spaCy pipeline built once for all examples."""
    nlp = build_nlp(params)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            "pipeline.nlp.spacy_pipeline.build_nlp", lambda _params: nlp
        )  # the Tagger imports it when it first tags
        yield lambda docs: tag_documents(docs, params)


SENTENCE = st.lists(
    st.sampled_from(WORDS + ["Mr.", "No.", "...", "!", "?", "'s", "a.m."]), min_size=1, max_size=20
).map(lambda ws: " ".join(ws) + ".")
PARAGRAPH = st.one_of(
    st.lists(SENTENCE, min_size=1, max_size=6).map(" ".join),
    st.text(LINE_CHARS, min_size=1, max_size=80).map(str.strip).filter(bool),
)
CLEAN_TEXT = st.lists(PARAGRAPH, min_size=1, max_size=6).map("\n\n".join)


@PROPERTY_SETTINGS
@given(text=CLEAN_TEXT)
def test_sentence_and_mention_offsets_map_back_to_the_clean_text(tagger, text):
    sentences, entities, mentions = tagger(pd.DataFrame({"doc_id": ["d"], "text": [text]}))
    assert sentences["sent_id"].tolist() == list(range(len(sentences)))
    covered = [0] * len(text)
    previous_end = 0
    for s in sentences.itertuples():
        assert text[s.start_char : s.end_char] == s.text
        assert s.text and s.text == s.text.strip() and "\n" not in s.text  # never across paragraphs
        assert s.start_char >= previous_end
        previous_end = s.end_char
        assert 0 <= s.position < 1
        for i in range(s.start_char, s.end_char):
            covered[i] += 1
    # every visible character belongs to exactly one sentence
    assert all(covered[i] == 1 for i, c in enumerate(text) if not c.isspace())
    spans = {s.sent_id: (s.start_char, s.end_char) for s in sentences.itertuples()}
    for m in mentions.itertuples():
        assert text[m.start_char : m.end_char] == m.text
        assert spans[m.sent_id][0] <= m.start_char < m.end_char <= spans[m.sent_id][1]
    for e in entities.itertuples():
        assert text[e.start_char : e.end_char] == e.text


@pytest.fixture(scope="module")
def finder(params):
    return MentionFinder(params.aliases())


NON_WORD = st.text(st.sampled_from(string.punctuation.replace("_", "") + " \t“”‘’«»—–…¿¡"), max_size=4)
CASES = st.sampled_from([str.lower, str.upper, str.title, str.swapcase, lambda s: s])


@PROPERTY_SETTINGS
@given(data=st.data(), prefix=NON_WORD, suffix=NON_WORD, case=CASES)
def test_mention_found_whatever_case_and_surrounding_punctuation(params, finder, data, prefix, suffix, case):
    alias = data.draw(st.sampled_from(params.aliases()))
    spacing = data.draw(st.sampled_from([" ", "  ", "\n", "\u00a0"]))
    variant = case(alias.text).replace(" ", spacing)
    text = prefix + variant + suffix
    found = finder.find(text)
    assert [(m.target, m.alias, m.kind, m.start, m.end) for m in found] == [
        (alias.target, alias.text, alias.kind, len(prefix), len(prefix) + len(variant))
    ]
    assert text[found[0].start : found[0].end] == found[0].text


ASCII_TEXT = st.lists(
    st.one_of(
        st.sampled_from(WORDS[:18] + ["Russians", "Prussian", "Ukrainecrisis", "Soviet Union", "Kyiv-Mohyla"]),
        st.text(st.sampled_from(string.ascii_letters + string.punctuation + " "), max_size=8),
    ),
    max_size=20,
).map(" ".join)


@PROPERTY_SETTINGS
@given(text=ASCII_TEXT, prefix=st.sampled_from(["", "(", "“", "— ", '"']), case=CASES)
def test_mentions_are_invariant_to_case_and_shift_with_a_prefix(finder, text, prefix, case):
    def spans(t: str, shift: int = 0) -> list[tuple[str, str, int, int]]:
        return [(m.target, m.alias, m.start - shift, m.end - shift) for m in finder.find(t)]

    base = spans(text)
    assert spans(case(text)) == base
    assert spans(prefix + text, shift=len(prefix)) == base
    for m in finder.find(text):
        assert text[m.start : m.end] == m.text
        assert " ".join(m.text.split()).casefold() == m.alias.casefold()


@pytest.mark.filterwarnings("ignore::pipeline.diagnostics.InputWarning")
@PROPERTY_SETTINGS
@given(text=st.text(LINE_CHARS | st.sampled_from("\n\t"), min_size=1, max_size=300))
def test_utf8_text_reads_back_unchanged(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("utf8") / "doc.txt"
    path.write_bytes(text.encode("utf-8"))
    try:
        assert read_document(path) == text
    except DocumentError as exc:  # only for input that is honestly not a document
        assert not text.strip() or "HTML" in str(exc)


@pytest.mark.filterwarnings("ignore::pipeline.diagnostics.InputWarning")
@PROPERTY_SETTINGS
@given(data=st.one_of(st.binary(max_size=400), st.lists(st.integers(1, 255), max_size=400).map(bytes)))
def test_any_bytes_give_text_or_a_document_error(tmp_path_factory, data):
    """Whatever a scraper saved, reading it never crashes with anything but a clear DocumentError."""
    path = tmp_path_factory.mktemp("bytes") / "doc.txt"
    path.write_bytes(data)
    try:
        text = read_document(path)
    except DocumentError as exc:
        assert str(exc).startswith(str(path))
    else:
        assert text.strip()
        assert not any(unicodedata.category(c) == "Cc" and c not in "\t\n\r\x0b\x0c" for c in text)
