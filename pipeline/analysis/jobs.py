"""Where compare's resampling runs: every bootstrap and permutation test is a job with its own generator.

Each job is one call ``func(*args)`` whose arguments include a fresh
generator seeded by params ``seed`` and names (pipeline.analysis.resampling
.stable_rng): its result depends on its arguments only, not on the process
that runs it, nor on the jobs run before it. A :class:`Runner` hands a list
of jobs to the stage's executor (pipeline.executor) in batches of similar
cost and returns the results in job order, so the local and the Dask
executor write byte-identical tables, whatever the batching; only where the
CPU time is spent changes. The functions a job calls are pickled by
reference, so they must live in an importable module of this package.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.executor import DaskExecutor, LocalExecutor

BATCH_COST = 2_000_000
"""Units drawn (resamples x units) per batch: about 0.3 s of multinomial draws, which dwarfs a Dask task's
overhead, while a 100x corpus's per-document intervals still make about a hundred batches."""


@dataclass(frozen=True)
class Job:
    """One call ``func(*args)``; ``cost`` (units drawn, or permutation draws x documents) sizes the batches."""

    func: Callable[..., Any]
    args: tuple[Any, ...]
    cost: int


def run_batch(batch: Sequence[Job], _shared: object = None) -> list[Any]:
    """Every job of a batch, in order (what an executor maps over the batches)."""
    return [job.func(*job.args) for job in batch]


def batches(jobs: Sequence[Job], max_cost: int) -> Iterator[list[Job]]:
    """Consecutive jobs in groups of at most ``max_cost`` (a costlier job travels alone)."""
    batch: list[Job] = []
    cost = 0
    for job in jobs:
        if batch and cost + job.cost > max_cost:
            yield batch
            batch, cost = [], 0
        batch.append(job)
        cost += job.cost
    if batch:
        yield batch


class Runner:
    """Runs lists of jobs on an executor (this process by default), results in job order."""

    def __init__(self, executor: LocalExecutor | DaskExecutor | None = None, batch_cost: int = BATCH_COST):
        self.executor = executor or LocalExecutor()
        self.batch_cost = batch_cost

    def run(self, jobs: Sequence[Job]) -> list[Any]:
        results: list[Any] = []
        for done in self.executor.map(run_batch, batches(jobs, self.batch_cost), None):
            results.extend(done)
        return results
