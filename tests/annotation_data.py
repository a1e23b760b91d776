"""A small made-up corpus for the annotation loop: sentences and mentions shaped like the tag stage's output.

Three documents of 60 sentences; sentence i mentions Russia when i is even
and Ukraine when i is a multiple of 3, so cells differ in size and some
sentences carry both targets. Deterministic, so an export with a fixed seed
and date always draws the same sample (tests/data/labelstudio_export.json
relies on it).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.nlp.units import stance_units
from pipeline.text import sentence_key

DOCS = ("doc-a", "doc-b", "doc-c")
N_SENTENCES = 60
ALIASES = {"russia": ("Russia", "state"), "ukraine": ("Kyiv", "capital")}
SEED, DATE, GUIDE = 7, "2026-11-29", "2.0"
LS_EXPORT = Path(__file__).parent / "data" / "labelstudio_export.json"


def sentence_text(doc: str, i: int) -> str:
    words = [f"In {doc}, paragraph {i} says"]
    if i % 2 == 0:
        words.append("that Russia acted")
    if i % 3 == 0:
        words.append("and that Kyiv answered")
    return " ".join(words) + " (“quoted”)."


def corpus_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(sentences, mentions, documents) with the columns stance_units reads; a document's text is its sentences
    joined by spaces (one paragraph)."""
    sentences, mentions = [], []
    for doc in DOCS:
        offset = 0
        for i in range(N_SENTENCES):
            text = sentence_text(doc, i)
            sentences.append(
                {
                    "doc_id": doc,
                    "sent_id": i,
                    "start_char": offset,
                    "end_char": offset + len(text),
                    "position": i / N_SENTENCES,
                    "n_words": len(text.split()),
                    "sent_key": sentence_key(text),
                    "text": text,
                }
            )
            for target, (alias, kind) in ALIASES.items():
                at = text.find(alias)
                if at >= 0:
                    mentions.append(
                        {
                            "doc_id": doc,
                            "sent_id": i,
                            "target": target,
                            "alias": alias,
                            "alias_kind": kind,
                            "start_char": offset + at,
                            "end_char": offset + at + len(alias),
                            "text": alias,
                        }
                    )
            offset += len(text) + 1
    sentences_table = pd.DataFrame(sentences)
    documents = sentences_table.groupby("doc_id", sort=False)["text"].agg(" ".join).reset_index()
    documents.insert(1, "author_origin", "Ukrainian")
    documents.insert(2, "n_words", documents["text"].str.split().str.len().astype("int64"))
    documents.insert(3, "n_chars", documents["text"].str.len().astype("int64"))
    return sentences_table, pd.DataFrame(mentions), documents


def corpus_units() -> pd.DataFrame:
    """The unit table (with context) of the made-up corpus."""
    return stance_units(*corpus_tables())


def answer(doc_id: str, sent_id: int, target: str) -> tuple[str, str]:
    """A fixed (label, basis) per unit, standing in for an annotator's judgement."""
    label = ("favor", "against", "neutral")[(int(sent_id) + len(target)) % 3]
    basis = "context" if label != "neutral" and int(sent_id) % 4 == 0 else "text"
    return label, basis
