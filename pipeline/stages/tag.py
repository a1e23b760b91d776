"""tag: sentences, gazetteer entities and target mentions for every document (pipeline.nlp.tagger).

Documents stream through in partitions (``executor.partition_docs``) on
the configured executor; each partition's rows are written as one Parquet
row group, so memory does not grow with the corpus.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

import pandas as pd
from tqdm import tqdm

from pipeline import io, paths
from pipeline.executor import count_rows, document_partitions, make_executor
from pipeline.nlp.coverage import warn_coverage_gaps
from pipeline.nlp.tagger import Tagger, tag_partition
from pipeline.params import Params

OUTPUTS = (
    (paths.SENTENCES, paths.SENTENCE_DTYPES),
    (paths.ENTITIES, paths.ENTITY_DTYPES),
    (paths.MENTIONS, paths.MENTION_DTYPES),
)


def run(params: Params) -> None:
    settings = params.executor
    source = params.root / paths.DOCUMENTS
    if not source.is_file():
        raise FileNotFoundError(f"{source}: not found; run the stage that writes it first")
    io.check_parquet(source)
    partitions = document_partitions(
        source, settings.partition_docs, columns=["doc_id", "text"], batch_rows=settings.partition_docs
    )
    sizes: deque[int] = deque()

    def counted(parts: Iterable[dict[str, pd.DataFrame]]) -> Iterator[dict[str, pd.DataFrame]]:
        for part in parts:
            sizes.append(len(part["primary"]))
            yield part

    with io.StageOutputs(params.root) as out:
        writers = [io.ParquetRowGroupWriter(out.file(path), io.parquet_schema(dtypes)) for path, dtypes in OUTPUTS]
        with (
            writers[0],
            writers[1],
            writers[2],
            make_executor(settings) as executor,
            tqdm(total=count_rows(source), desc="tag", unit="doc") as bar,
        ):
            for tables in executor.map(tag_partition, counted(partitions), Tagger(params)):
                for writer, table in zip(writers, tables, strict=True):
                    writer.write(table)
                bar.update(sizes.popleft())
    # coverage needs only ids and targets, small even for a large corpus
    warn_coverage_gaps(
        pd.read_parquet(source, columns=["doc_id", "author_origin"]),
        pd.read_parquet(params.root / paths.MENTIONS, columns=["doc_id", "target"]),
        params.target_names,
    )
