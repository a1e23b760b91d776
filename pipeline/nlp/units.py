"""The unit of stance analysis: one row per (sentence, target) with a mention.

Classifiers, gold labels and evaluation all work on this table, so they
agree on what a row is (columns: ``paths.UNIT_COLUMNS``). Besides the
sentence and its mentions, a unit carries where the sentence sits in its
article: STANCE-SPEC v2 rule 6 lets a factual sentence take the stance of
the author's argument around it, and classifiers that read context (the
``propagation`` classifier, the ``llm`` prompt) take it from these columns.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from pipeline.paths import KEY, UNIT_COLUMNS, UNIT_CONTEXT_COLUMNS

MENTION_UNIT_COLUMNS = [c for c in UNIT_COLUMNS if c not in UNIT_CONTEXT_COLUMNS]
"""The columns of :func:`mention_units`."""

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def stance_units(sentences: pd.DataFrame, mentions: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """The units of :func:`mention_units` with the context columns of :func:`sentence_context`
    (``documents``: doc_id and the cleaned ``text`` the sentences' offsets index)."""
    if mentions.empty:
        return pd.DataFrame(columns=UNIT_COLUMNS)
    units = mention_units(sentences, mentions)
    units = units.merge(sentence_context(sentences, documents), on=["doc_id", "sent_id"], validate="many_to_one")
    return units[UNIT_COLUMNS]


def mention_units(sentences: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """Join mentions to their sentences; mention offsets become sentence-relative.

    ``other_targets`` lists the other targets mentioned in the same sentence,
    which matters for "Russia's war against Ukraine"-type sentences. The
    unit table without ``UNIT_CONTEXT_COLUMNS``, for readers that show or
    count units and read no context: the context (paragraph and neighbours,
    per unit) is most of the table's memory.
    """
    if mentions.empty:
        return pd.DataFrame(columns=MENTION_UNIT_COLUMNS)
    sent = sentences[["doc_id", "sent_id", "start_char", "sent_key", "text"]]
    m = mentions.merge(sent, on=["doc_id", "sent_id"], suffixes=("", "_sent"), validate="many_to_one")
    m["rel_start"] = m["start_char"] - m["start_char_sent"]
    m["rel_end"] = m["end_char"] - m["start_char_sent"]
    m = m.sort_values([*KEY, "rel_start"], kind="stable").reset_index(drop=True)
    # Rows are sorted, so each unit (and each sentence) is one run of rows: cut
    # the columns at the run boundaries instead of a Python aggregation per group.
    unit_starts = _run_starts(m[KEY])
    cuts = unit_starts[1:]
    units = m.loc[unit_starts, [*KEY, "sent_key", "text_sent"]].rename(columns={"text_sent": "text"})
    units = units.reset_index(drop=True)
    units["mention_starts"] = [a.tolist() for a in np.split(m["rel_start"].to_numpy(), cuts)]
    units["mention_ends"] = [a.tolist() for a in np.split(m["rel_end"].to_numpy(), cuts)]
    units["aliases"] = [a.tolist() for a in np.split(m["alias"].to_numpy(dtype=object), cuts)]
    units["alias_kinds"] = [sorted(set(a)) for a in np.split(m["alias_kind"].to_numpy(dtype=object), cuts)]
    sentence_cuts = _run_starts(units[["doc_id", "sent_id"]])[1:]
    units["other_targets"] = [
        [other for other in same if other != target]
        for same in np.split(units["target"].to_numpy(dtype=object), sentence_cuts)
        for target in same
    ]
    return units


def unit_keys(sentences: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """The units' ``KEY`` and ``sent_key`` (the rows and order of :func:`stance_units`) without their text.

    Deriving and counting gold needs to know which units exist, not what
    they say: this reads two narrow columns per row where the unit table
    holds each sentence, its paragraph and its neighbours per unit.
    ``sentences``: doc_id, sent_id, sent_key; ``mentions``: doc_id, sent_id, target.
    """
    keys = mentions[KEY].drop_duplicates()
    keys = keys.merge(sentences[["doc_id", "sent_id", "sent_key"]], on=["doc_id", "sent_id"], validate="many_to_one")
    return keys.sort_values(KEY).reset_index(drop=True)


def sentence_context(sentences: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Per sentence (doc_id, sent_id): ``paragraph`` (index of the blank-line block of the document text it
    starts in), ``paragraph_text`` (the paragraph's sentences, its own included, joined by newlines: rule 6
    reads the author's evaluation there, also in sentences that name no target), and ``context_before`` /
    ``context_after`` (the neighbouring sentences' text; "" at the edges of the document)."""
    out = sentences[["doc_id", "sent_id", "text"]].copy()
    out["paragraph"] = paragraph_of_sentences(sentences, documents)
    out = out.sort_values(["doc_id", "sent_id"], kind="stable")
    by_document = out.groupby("doc_id", sort=False)["text"]
    out["context_before"] = by_document.shift(1).fillna("")
    out["context_after"] = by_document.shift(-1).fillna("")
    # joined in plain Python: a groupby transform with a Python function builds a Series per paragraph
    paragraphs = list(zip(out["doc_id"], out["paragraph"]))
    texts: dict[tuple, list[str]] = {}
    for paragraph, text in zip(paragraphs, out["text"]):
        texts.setdefault(paragraph, []).append(text)
    joined = {paragraph: "\n".join(parts) for paragraph, parts in texts.items()}
    out["paragraph_text"] = pd.Series([joined[p] for p in paragraphs], index=out.index, dtype=out["text"].dtype)
    return out.drop(columns="text")


def paragraph_of_sentences(sentences: pd.DataFrame, documents: pd.DataFrame) -> pd.Series:
    """Paragraph index (blank-line blocks of the cleaned document text) of each sentence, indexed like
    ``sentences``; sentences' ``start_char`` are offsets into ``documents.text``."""
    breaks = {
        doc: np.array([m.end() for m in _PARAGRAPH_BREAK.finditer(text)], dtype=int)
        for doc, text in zip(documents["doc_id"], documents["text"])
    }
    empty = np.empty(0, dtype=int)
    return pd.Series(
        [
            int(np.searchsorted(breaks.get(doc, empty), start, side="right"))
            for doc, start in zip(sentences["doc_id"], sentences["start_char"])
        ],
        index=sentences.index,
        name="paragraph",
        dtype="int64",
    )


def _run_starts(keys: pd.DataFrame) -> np.ndarray:
    """Row positions where the key columns differ from the previous row."""
    values = keys.to_numpy(dtype=object)
    changed = np.ones(len(values), dtype=bool)
    changed[1:] = (values[1:] != values[:-1]).any(axis=1)
    return np.flatnonzero(changed)
