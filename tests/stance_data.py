"""A small labelled stance fixture with obvious patterns, built like the real unit table.

Four documents; in each, sentences that condemn Russia, praise support for
Ukraine, state neutral facts, and cast Russia as aggressor and Ukraine as
victim in one sentence (so one sentence has different labels per target).
Sentences differ between documents but share cue words, so a classifier
that learns the pattern on three documents can label the fourth.
"""

from __future__ import annotations

import pandas as pd

from pipeline.nlp.mentions import MentionFinder
from pipeline.nlp.units import stance_units
from pipeline.params import Params, parse_params
from pipeline.text import sentence_key

AGAINST_RUSSIA = [
    "Russia committed brutal aggression in the region.",
    "The Kremlin spread propaganda and threats again.",
    "Moscow is an unreliable and aggressive neighbour.",
    "Putin ordered a brutal attack on the city.",
    "Russia violated the law with its aggression.",
    "The Kremlin's threats and propaganda alarmed Tokyo.",
    "Russia remains a hostile and aggressive power.",
    "Moscow's illegal actions were condemned everywhere.",
]
FAVOR_UKRAINE = [
    "Japan offered generous aid and support to Ukraine.",
    "Tokyo praised the resilience and courage of Ukraine.",
    "Kyiv received crucial assistance and solidarity from Japan.",
    "Japan showed strong support for the sovereignty of Ukraine.",
    "The brave people of Ukraine won sympathy and support.",
    "Generous assistance from Japan helped the recovery of Ukraine.",
    "Ukraine deserves solidarity and support from its partners.",
    "Tokyo pledged crucial aid for the reconstruction of Ukraine.",
]
NEUTRAL = [
    "Russia held an election in March.",
    "Ukraine published its trade statistics for 2019.",
    "Moscow hosted a meeting on fisheries.",
    "Kyiv is the capital city of Ukraine.",
    "Russia exported timber and fish to Japan.",
    "Ukraine has a population of about forty million.",
    "The delegation from Moscow arrived on Tuesday.",
    "A conference on Ukraine took place in Osaka.",
]
BOTH = [  # against russia, favor ukraine
    "Russia's brutal invasion of Ukraine shocked Japan.",
    "The aggression of Russia against Ukraine was condemned.",
    "Moscow's attack on Kyiv met firm solidarity with Ukraine.",
    "Russia's illegal occupation of Crimea hurt Ukraine.",
]
DOCS = ["doc-a", "doc-b", "doc-c", "doc-d"]
NEUTRAL_BOTH = {"russia": "neutral", "ukraine": "neutral"}


def labelled_sentences() -> list[tuple[str, str, dict[str, str]]]:
    """(doc_id, sentence, {target: label}) spread round-robin over the documents."""
    rows = []
    for i, text in enumerate(AGAINST_RUSSIA):
        rows.append((DOCS[i % 4], text, {"russia": "against", "ukraine": "neutral"}))
    for i, text in enumerate(FAVOR_UKRAINE):
        rows.append((DOCS[i % 4], text, {"russia": "neutral", "ukraine": "favor"}))
    for i, text in enumerate(NEUTRAL):
        rows.append((DOCS[i % 4], text, {"russia": "neutral", "ukraine": "neutral"}))
    for i, text in enumerate(BOTH):
        rows.append((DOCS[i % 4], text, {"russia": "against", "ukraine": "favor"}))
    return rows


def make_units(params: Params, rows: list[tuple[str, str, dict[str, str]]] | None = None) -> pd.DataFrame:
    """The stance unit table of the fixture sentences, with a gold ``label`` column."""
    rows = labelled_sentences() if rows is None else rows
    finder = MentionFinder(params.aliases())
    sentences, mentions, labels = [], [], {}
    next_id: dict[str, int] = {}
    start = 0
    for doc_id, text, by_target in rows:
        sent_id = next_id.get(doc_id, 0)
        next_id[doc_id] = sent_id + 1
        sentences.append((doc_id, sent_id, start, start + len(text), sentence_key(text), text))
        for m in finder.find(text):
            mentions.append((doc_id, sent_id, m.target, m.alias, m.kind, start + m.start, start + m.end, m.text))
            labels[(doc_id, sent_id, m.target)] = by_target[m.target]
        start += len(text) + 1
    sentence_table = pd.DataFrame(
        sentences, columns=["doc_id", "sent_id", "start_char", "end_char", "sent_key", "text"]
    )
    units = stance_units(
        sentence_table,
        pd.DataFrame(
            mentions, columns=["doc_id", "sent_id", "target", "alias", "alias_kind", "start_char", "end_char", "text"]
        ),
        documents_of(sentence_table),
    )
    units["label"] = [labels[k] for k in zip(units["doc_id"], units["sent_id"], units["target"])]
    return units


def documents_of(sentences: pd.DataFrame) -> pd.DataFrame:
    """A documents table whose text holds each sentence at its offsets, on one line (one paragraph)."""
    texts: dict[str, str] = {}
    for doc_id, start, text in sentences[["doc_id", "start_char", "text"]].itertuples(index=False):
        texts[doc_id] = texts.get(doc_id, "").ljust(start) + text
    return pd.DataFrame({"doc_id": list(texts), "text": list(texts.values())})


def params_with(params: Params, root=None, **dotted) -> Params:
    """A copy of ``params`` with dotted keys replaced (``stance__linear__C=...`` style is
    awkward, so keys are passed as a dict: ``params_with(p, **{"classifiers.linear.C": 2.0})``)."""
    raw = params.model_dump()
    for key, value in dotted.items():
        node = raw
        *parents, last = key.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    return parse_params(raw, params.root if root is None else root)
