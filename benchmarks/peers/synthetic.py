"""A large corpus at the sentence level for timing the log-odds: copies of the seed sentences, perturbed.

benchmarks/corpus.py writes raw documents, which would need ingest and tag
(spaCy) at 100x before any log-odds could run; the vocabulary contrast only
reads sentences, their documents' origins and which targets they mention,
so this builds those three tables directly. Copy ``k`` of seed document
``d`` keeps each of ``d``'s sentences with probability ``keep`` (so groups'
sizes vary a little between copies) and gives a share ``new_word_rate`` of
its longer words a copy-specific suffix, so the vocabulary grows with the
corpus as real text does instead of staying the seeds' (rates are
per word, drawn from numpy's default_rng([seed, k, d])).
"""

from __future__ import annotations

import re
import string

import numpy as np
import pandas as pd

WORD = re.compile(r"[^\W\d_]{4,}")
LETTERS = np.array(list(string.ascii_lowercase))


def perturb(text: str, rng: np.random.Generator, new_word_rate: float) -> str:
    """``text`` with some words (4+ letters) turned into new ones by a three-letter suffix."""
    return WORD.sub(
        lambda m: m.group(0) + "".join(rng.choice(LETTERS, 3)) if rng.random() < new_word_rate else m.group(0), text
    )


def synthetic_corpus(
    documents: pd.DataFrame,
    sentences: pd.DataFrame,
    mentions: pd.DataFrame,
    copies: int,
    seed: int,
    keep: float = 0.9,
    new_word_rate: float = 0.002,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(documents, sentences, mentions) of ``copies`` perturbed copies of the seed corpus."""
    targets = mentions[["doc_id", "sent_id", "target"]].drop_duplicates()
    doc_rows, sent_rows, mention_rows = [], [], []
    for k in range(copies):
        for d, doc in enumerate(documents.itertuples(index=False)):
            rng = np.random.default_rng([seed, k, d])
            new_id = f"syn{k:04d}-{doc.doc_id}"
            doc_rows.append({"doc_id": new_id, "author_origin": doc.author_origin})
            own = sentences[sentences["doc_id"] == doc.doc_id]
            kept = own[rng.random(len(own)) < keep]
            sent_rows += [
                {"doc_id": new_id, "sent_id": int(s), "text": perturb(t, rng, new_word_rate)}
                for s, t in zip(kept["sent_id"], kept["text"])
            ]
            found = targets[(targets["doc_id"] == doc.doc_id) & targets["sent_id"].isin(kept["sent_id"])]
            mention_rows += [
                {"doc_id": new_id, "sent_id": int(s), "target": t} for s, t in zip(found["sent_id"], found["target"])
            ]
    return pd.DataFrame(doc_rows), pd.DataFrame(sent_rows), pd.DataFrame(mention_rows)
