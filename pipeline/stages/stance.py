"""stance: one label and class probabilities per (sentence, target) unit (pipeline.classifiers.labelling).

The corpus is labelled in partitions of whole documents through the
configured executor (local or Dask) and written as Parquet row groups, so
memory stays flat however large the corpus is.
"""

from __future__ import annotations

from tqdm import tqdm

from pipeline import io, paths
from pipeline.classifiers.labelling import build_labeller, label_partition
from pipeline.classifiers.training import DOCUMENT_COLUMNS, SENTENCE_COLUMNS
from pipeline.executor import document_partitions, make_executor
from pipeline.params import Params


def run(params: Params) -> None:
    for path in (paths.DOCUMENTS, paths.SENTENCES, paths.MENTIONS):
        if not (params.root / path).is_file():
            raise FileNotFoundError(f"{params.root / path}: not found; run the stage that writes it first")
        io.check_parquet(params.root / path)
    labeller = build_labeller(params)
    partitions = document_partitions(
        params.root / paths.SENTENCES,
        params.executor.partition_docs,
        columns=SENTENCE_COLUMNS,
        secondary={
            "mentions": (params.root / paths.MENTIONS, list(paths.MENTION_DTYPES)),
            "documents": (params.root / paths.DOCUMENTS, DOCUMENT_COLUMNS),
        },
    )
    with (
        io.StageOutputs(params.root) as out,
        io.ParquetRowGroupWriter(out.file(paths.STANCES), io.parquet_schema(paths.STANCE_DTYPES)) as writer,
        make_executor(params.executor) as executor,
        tqdm(desc="stance", unit="unit") as bar,
    ):
        for labelled in executor.map(label_partition, partitions, labeller):
            writer.write(labelled)
            bar.update(len(labelled))
