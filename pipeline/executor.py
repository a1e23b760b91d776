"""Where a stage's work runs: in this process, or on a Dask cluster.

A stage cuts its input into partitions of whole documents and maps one
function over them. The local executor runs the partitions here, one after
another; the Dask executor ships them to the workers of a
``dask.distributed`` cluster (a ``LocalCluster`` on this machine when no
scheduler address is given) and hands the results back in partition order.
The partitions are the same whichever executor runs them and results come
back in order, so the stage's outputs are byte-identical; only where the
CPU time is spent changes.

Memory stays flat in the corpus size: partitions are read lazily from
Parquet (:func:`document_partitions`), at most a few are in flight, and the
stage writes each result as a Parquet row group before it asks for more.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from pipeline.io import empty_table
from pipeline.params import Executor

P = TypeVar("P")
R = TypeVar("R")
S = TypeVar("S")


class PartitionError(ValueError):
    """Input files a stage reads together do not list their documents in the same order."""


class LocalExecutor:
    """Runs every partition in this process, in order (the default; no cluster to start)."""

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(self, func: Callable[[P, S], R], partitions: Iterable[P], shared: S) -> Iterator[R]:
        """``func(partition, shared)`` for each partition, lazily and in order."""
        for partition in partitions:
            yield func(partition, shared)


class DaskExecutor:
    """Runs partitions on a dask.distributed cluster and yields results in partition order.

    ``shared`` (a model, a classifier) is scattered once to every worker, so
    it is deserialised once per worker instead of once per task. At most
    ``2 x worker threads`` partitions are in flight: the cluster stays busy
    while memory on the client stays bounded.
    """

    def __init__(self, scheduler: str | None = None, workers: int = 2, threads_per_worker: int = 1):
        self.scheduler = scheduler
        self.workers = workers
        self.threads_per_worker = threads_per_worker
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskExecutor:
        from distributed import Client, LocalCluster

        if self.scheduler:
            self._client = Client(self.scheduler)
        else:
            self._cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=self.threads_per_worker,
                processes=True,
                dashboard_address=":0",  # a free port: never collides with another cluster
                silence_logs=logging.WARNING,
            )
            self._client = Client(self._cluster)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    def map(self, func: Callable[[P, S], R], partitions: Iterable[P], shared: S) -> Iterator[R]:
        if self._client is None:
            raise RuntimeError("DaskExecutor.map called outside its 'with' block")
        client = self._client
        max_in_flight = max(2, 2 * sum(client.nthreads().values()))
        [shared_ref] = client.scatter([shared], broadcast=True, hash=False)
        window: deque[Any] = deque()
        for partition in partitions:
            window.append(client.submit(func, partition, shared_ref, pure=False))
            if len(window) >= max_in_flight:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def make_executor(settings: Executor) -> LocalExecutor | DaskExecutor:
    """The executor params.yaml asks for (use it as a context manager)."""
    if settings.kind == "dask":
        return DaskExecutor(settings.scheduler, settings.workers, settings.threads_per_worker)
    return LocalExecutor()


def _rows_by_document(path: Path, columns: list[str] | None, batch_rows: int) -> Iterator[tuple[str, pd.DataFrame]]:
    """(doc_id, that document's rows) in file order, reading ``batch_rows`` rows at a time.

    A document's rows must be consecutive (every stage writes them so); a
    document that reappears later is an error, not a silent second document.
    """
    seen: set[str] = set()
    pending: pd.DataFrame | None = None
    for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows, columns=columns):
        frame = batch.to_pandas()
        if pending is not None:
            frame = pd.concat([pending, frame], ignore_index=True)
        ids = frame["doc_id"].to_numpy()
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.array([], dtype=int)
        # the last document may continue in the next batch: hold it back
        for begin, end in pairwise(starts):
            yield _checked(path, seen, ids[begin]), frame.iloc[begin:end]
        pending = frame.iloc[starts[-1] :] if len(starts) else None
    if pending is not None:
        yield _checked(path, seen, pending["doc_id"].iloc[0]), pending


def _checked(path: Path, seen: set[str], doc_id: str) -> str:
    if doc_id in seen:
        raise PartitionError(f"{path}: rows of document '{doc_id}' are not consecutive; rerun the stage that writes it")
    seen.add(doc_id)
    return doc_id


def document_partitions(
    primary: Path,
    partition_docs: int,
    columns: list[str] | None = None,
    secondary: dict[str, tuple[Path, list[str] | None]] | None = None,
    batch_rows: int = 8192,
) -> Iterator[dict[str, pd.DataFrame]]:
    """Consecutive runs of ``partition_docs`` documents from Parquet files, read lazily.

    ``primary`` (e.g. sentences.parquet) fixes the documents and their order;
    each ``secondary`` file (e.g. mentions.parquet) contributes its rows for
    the same documents, under its own name. Every partition maps
    ``"primary"`` and each secondary name to a DataFrame (empty, with the
    file's columns, when a document has no rows there). Only one partition
    and one read batch per file are in memory at a time.
    """
    secondary = secondary or {}
    streams = {name: _rows_by_document(path, cols, batch_rows) for name, (path, cols) in secondary.items()}
    heads: dict[str, tuple[str, pd.DataFrame] | None] = {name: next(s, None) for name, s in streams.items()}
    empty = {name: empty_table(path, cols) for name, (path, cols) in secondary.items()}
    empty["primary"] = empty_table(primary, columns)
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in ["primary", *secondary]}
    n_docs = 0
    for doc_id, rows in _rows_by_document(primary, columns, batch_rows):
        parts["primary"].append(rows)
        for name, stream in streams.items():
            head = heads[name]
            if head is not None and head[0] == doc_id:
                parts[name].append(head[1])
                heads[name] = next(stream, None)
        n_docs += 1
        if n_docs == partition_docs:
            yield {name: _concat(frames, empty[name]) for name, frames in parts.items()}
            parts = {name: [] for name in parts}
            n_docs = 0
    if n_docs:
        yield {name: _concat(frames, empty[name]) for name, frames in parts.items()}
    for name, head in heads.items():
        if head is not None:
            raise PartitionError(
                f"{secondary[name][0]}: document '{head[0]}' is missing from {primary} or listed in a "
                "different order; rerun the stage that writes both"
            )


def _concat(frames: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else empty


def count_rows(path: Path) -> int:
    """Rows in a Parquet file, from its footer (for progress bars; reads no data)."""
    return pq.ParquetFile(path).metadata.num_rows
