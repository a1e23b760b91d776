"""Tagging documents: sentences, gazetteer entities and target mentions, as rows.

Offsets (start_char, end_char) index the document's clean text in
documents.parquet, so every row can be traced back and re-sliced. The
columns and dtypes are pipeline.paths' row schemas.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline.imports import hidden
from pipeline.nlp.mentions import MentionFinder
from pipeline.params import Params
from pipeline.paths import ENTITY_DTYPES, MENTION_DTYPES, SENTENCE_DTYPES
from pipeline.text import sentence_key, word_count

if TYPE_CHECKING:
    from spacy.language import Language


class Tagger:
    """The spaCy pipeline and mention finder of one process, built on first use.

    Pickling drops the built pipeline, so a Dask worker that receives a
    Tagger builds its own once and reuses it for every partition it runs.
    """

    def __init__(self, params: Params):
        self.params = params
        self._nlp: Language | None = None
        self._finder: MentionFinder | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"params": self.params, "_nlp": None, "_finder": None}

    def tag(self, documents: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Run spaCy over the documents; returns (sentences, entities, mentions) in document order."""
        if self._nlp is None:
            # spaCy loads only where tagging runs, not in a process that merely unpickles a Tagger.
            # thinc, under spaCy, imports torch to offer PyTorch layers; the blank pipeline has
            # no thinc layer at all, so it imports spaCy without torch (pipeline.imports).
            with hidden("torch") if self.params.nlp.model == "blank" else nullcontext():
                from pipeline.nlp.spacy_pipeline import build_nlp

            self._nlp = build_nlp(self.params)
            self._finder = MentionFinder(self.params.aliases())
        finder, nlp = self._finder, self._nlp
        assert finder is not None and nlp is not None
        sentences, entities, mentions = [], [], []
        texts = documents["text"].tolist()
        docs = nlp.pipe(
            zip(texts, zip(documents["doc_id"], texts)),
            as_tuples=True,
            batch_size=self.params.nlp.batch_size,
        )
        # doc_text is the input text, which spaCy's tokenizer keeps exactly; Doc.text
        # would rebuild it from a Python object per token.
        for doc, (doc_id, doc_text) in docs:
            n_chars = max(len(doc_text), 1)
            sent_id = 0
            # Entities of each sentence by one walk over doc.ents: Span.ents
            # rebuilds every entity of the document per call, which made tag
            # quadratic in document length. Same rule as Span.ents: entities
            # wholly inside the sentence, in order.
            ents, next_ent = list(doc.ents), 0
            for sent in doc.sents:
                while next_ent < len(ents) and ents[next_ent].start < sent.start:
                    next_ent += 1
                raw = doc_text[sent.start_char : sent.end_char]  # == sent.text, without a Token per word
                text = raw.strip()
                if not text:
                    continue
                start = sent.start_char + (len(raw) - len(raw.lstrip()))
                end = start + len(text)
                sentences.append(
                    (doc_id, sent_id, start, end, start / n_chars, word_count(text), sentence_key(text), text)
                )
                in_sentence = next_ent
                while in_sentence < len(ents) and ents[in_sentence].end <= sent.end:
                    ent = ents[in_sentence]
                    entities.append(
                        (doc_id, sent_id, ent.start_char, ent.end_char, ent.label_, ent.ent_id_ or None, ent.text)
                    )
                    in_sentence += 1
                for m in finder.find(text):
                    mentions.append(
                        (doc_id, sent_id, m.target, m.alias, m.kind, start + m.start, start + m.end, m.text)
                    )
                sent_id += 1
        return (
            pd.DataFrame(sentences, columns=list(SENTENCE_DTYPES)).astype(SENTENCE_DTYPES),
            pd.DataFrame(entities, columns=list(ENTITY_DTYPES)).astype(ENTITY_DTYPES),
            pd.DataFrame(mentions, columns=list(MENTION_DTYPES)).astype(MENTION_DTYPES),
        )


def tag_partition(partition: dict[str, pd.DataFrame], tagger: Tagger) -> tuple[pd.DataFrame, ...]:
    """One partition of documents.parquet (the executor's unit of work)."""
    return tagger.tag(partition["primary"])


def tag_documents(documents: pd.DataFrame, params: Params) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """All documents of a frame in one go (tests, notebooks); the stage streams partitions instead."""
    return Tagger(params).tag(documents)
