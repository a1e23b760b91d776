"""tag: sentences, gazetteer entities and target mentions for every document.

Offsets (start_char, end_char) index the document's clean text in
documents.parquet, so every row can be traced back and re-sliced.

Documents stream through in partitions (``executor.partition_docs``) on
the configured executor; each partition's rows are written as one Parquet
row group, so memory does not grow with the corpus.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import pandas as pd
from tqdm import tqdm

from pipeline import io
from pipeline.config import Params
from pipeline.coverage import warn_coverage_gaps
from pipeline.executor import ExecutorSettings, count_rows, document_partitions, make_executor
from pipeline.mentions import MentionFinder
from pipeline.stages.ingest import DOCUMENTS
from pipeline.text import sentence_key, word_count

if TYPE_CHECKING:
    from spacy.language import Language

SENTENCES = "outputs/data/sentences.parquet"
ENTITIES = "outputs/data/entities.parquet"
MENTIONS = "outputs/data/mentions.parquet"

# Column dtypes of the three outputs: one schema for every row group, so a
# partition without entities (or without actor ids) writes the same types.
SENTENCE_DTYPES = {"doc_id": "str", "sent_id": "int64", "start_char": "int64", "end_char": "int64",
                   "position": "float64", "n_words": "int64", "sent_key": "str", "text": "str"}
ENTITY_DTYPES = {"doc_id": "str", "sent_id": "int64", "start_char": "int64", "end_char": "int64",
                 "label": "str", "actor_id": "str", "text": "str"}
MENTION_DTYPES = {"doc_id": "str", "sent_id": "int64", "target": "str", "alias": "str", "alias_kind": "str",
                  "start_char": "int64", "end_char": "int64", "text": "str"}
SENTENCE_COLUMNS = list(SENTENCE_DTYPES)
ENTITY_COLUMNS = list(ENTITY_DTYPES)
MENTION_COLUMNS = list(MENTION_DTYPES)
OUTPUTS = ((SENTENCES, SENTENCE_DTYPES), (ENTITIES, ENTITY_DTYPES), (MENTIONS, MENTION_DTYPES))


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
            # spaCy (and torch, which thinc imports) loads only where tagging runs:
            # stance, compare and report import this module just for its paths.
            from pipeline.nlp import build_nlp

            self._nlp = build_nlp(self.params)
            self._finder = MentionFinder(self.params.aliases())
        finder = self._finder
        sentences, entities, mentions = [], [], []
        texts = documents["text"].tolist()
        docs = self._nlp.pipe(
            zip(texts, zip(documents["doc_id"], texts)),
            as_tuples=True,
            batch_size=int(self.params.get("nlp.batch_size", 32)),
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
                raw = doc_text[sent.start_char:sent.end_char]  # == sent.text, without a Token per word
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
            pd.DataFrame(sentences, columns=SENTENCE_COLUMNS).astype(SENTENCE_DTYPES),
            pd.DataFrame(entities, columns=ENTITY_COLUMNS).astype(ENTITY_DTYPES),
            pd.DataFrame(mentions, columns=MENTION_COLUMNS).astype(MENTION_DTYPES),
        )


def tag_partition(partition: dict[str, pd.DataFrame], tagger: Tagger) -> tuple[pd.DataFrame, ...]:
    """One partition of documents.parquet (the executor's unit of work)."""
    return tagger.tag(partition["primary"])


def tag_documents(documents: pd.DataFrame, params: Params) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """All documents of a frame in one go (tests, notebooks); the stage streams partitions instead."""
    return Tagger(params).tag(documents)


def run(params: Params) -> None:
    settings = ExecutorSettings.from_params(params)
    source = params.root / DOCUMENTS
    if not source.is_file():
        raise FileNotFoundError(f"{source}: not found; run the stage that writes it first")
    partitions = document_partitions(
        source, settings.partition_docs, columns=["doc_id", "text"], batch_rows=settings.partition_docs
    )
    sizes: deque[int] = deque()

    def counted(parts: Iterable[dict[str, pd.DataFrame]]) -> Iterator[dict[str, pd.DataFrame]]:
        for part in parts:
            sizes.append(len(part["primary"]))
            yield part

    with ExitStack() as stack:
        # entered last-first, so they close (and rename) in OUTPUTS order
        writers = [
            stack.enter_context(io.ParquetRowGroupWriter(params.root / path, io.parquet_schema(dtypes)))
            for path, dtypes in reversed(OUTPUTS)
        ][::-1]
        executor = stack.enter_context(make_executor(settings))
        bar = stack.enter_context(tqdm(total=count_rows(source), desc="tag", unit="doc"))
        for tables in executor.map(tag_partition, counted(partitions), Tagger(params)):
            for writer, table in zip(writers, tables):
                writer.write(table)
            bar.update(sizes.popleft())
    # coverage needs only ids and targets, small even for a large corpus
    warn_coverage_gaps(pd.read_parquet(source, columns=["doc_id", "author_origin"]),
                       pd.read_parquet(params.root / MENTIONS, columns=["doc_id", "target"]), params.targets)
