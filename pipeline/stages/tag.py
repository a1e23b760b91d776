"""tag: sentences, gazetteer entities and target mentions for every document.

Offsets (start_char, end_char) index the document's clean text in
documents.parquet, so every row can be traced back and re-sliced.
"""
from __future__ import annotations

import pandas as pd
from tqdm import tqdm

from pipeline import io
from pipeline.config import Params
from pipeline.coverage import warn_coverage_gaps
from pipeline.mentions import MentionFinder
from pipeline.nlp import build_nlp
from pipeline.stages.ingest import DOCUMENTS
from pipeline.text import sentence_key, word_count

SENTENCES = "outputs/data/sentences.parquet"
ENTITIES = "outputs/data/entities.parquet"
MENTIONS = "outputs/data/mentions.parquet"

SENTENCE_COLUMNS = ["doc_id", "sent_id", "start_char", "end_char", "position", "n_words", "sent_key", "text"]
ENTITY_COLUMNS = ["doc_id", "sent_id", "start_char", "end_char", "label", "actor_id", "text"]
MENTION_COLUMNS = ["doc_id", "sent_id", "target", "alias", "alias_kind", "start_char", "end_char", "text"]


def tag_documents(documents: pd.DataFrame, params: Params) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Run spaCy over the documents; returns (sentences, entities, mentions)."""
    nlp = build_nlp(params)
    finder = MentionFinder(params.aliases())
    sentences, entities, mentions = [], [], []
    docs = nlp.pipe(
        zip(documents["text"], documents["doc_id"]),
        as_tuples=True,
        batch_size=int(params.get("nlp.batch_size", 32)),
    )
    for doc, doc_id in tqdm(docs, total=len(documents), desc="tag", unit="doc"):
        n_chars = max(len(doc.text), 1)
        sent_id = 0
        for sent in doc.sents:
            text = sent.text.strip()
            if not text:
                continue
            start = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
            end = start + len(text)
            sentences.append(
                (doc_id, sent_id, start, end, start / n_chars, word_count(text), sentence_key(text), text)
            )
            for ent in sent.ents:
                entities.append(
                    (doc_id, sent_id, ent.start_char, ent.end_char, ent.label_, ent.ent_id_ or None, ent.text)
                )
            for m in finder.find(text):
                mentions.append(
                    (doc_id, sent_id, m.target, m.alias, m.kind, start + m.start, start + m.end, m.text)
                )
            sent_id += 1
    return (
        pd.DataFrame(sentences, columns=SENTENCE_COLUMNS),
        pd.DataFrame(entities, columns=ENTITY_COLUMNS),
        pd.DataFrame(mentions, columns=MENTION_COLUMNS),
    )


def run(params: Params) -> None:
    documents = io.read_parquet(params.root / DOCUMENTS)
    sentences, entities, mentions = tag_documents(documents, params)
    warn_coverage_gaps(documents, mentions, params.targets)
    io.write_parquet(sentences, params.root / SENTENCES)
    io.write_parquet(entities, params.root / ENTITIES)
    io.write_parquet(mentions, params.root / MENTIONS)
