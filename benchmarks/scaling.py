"""Every stage against corpus size: time, CPU time and peak memory, local vs Dask.

For each size a synthetic corpus (benchmarks.corpus: five origin groups)
goes through ingest and tag; then gold for a fixed share of its documents
is written as two annotation passes and an adjudication
(benchmarks.gold_share), and gold, evaluate, train, stance, compare and
report run, each in a fresh process on the local executor, in the order
``dvc repro`` runs them. Tag and stance run again on a 2-worker Dask
LocalCluster, whose outputs must be byte-identical to the local ones.
Goals: time linear in size (exponent <= 1.15 between the two largest
sizes), peak memory flat (100x within 1.5x of 1x).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.common import WORK, file_digest, run_stage, write_params
from benchmarks.corpus import synthetic_project
from benchmarks.gold_share import write_gold_share
from benchmarks.stages import STAGE_ORDER, corpus_size
from pipeline.params import load_params
from pipeline.paths import ENTITIES, MENTIONS, SENTENCES, STANCES

OUTPUTS = (SENTENCES, ENTITIES, MENTIONS, STANCES)
GOLD_SHARE = 0.1
"""Share of the documents with complete (census) gold at every size (at least two documents)."""


INCOMPLETE = {"incomplete": True}
"""Marks a size whose later stages have not run (yet): benchmarks.report_scaling names them."""


def digests(root: Path) -> dict[str, str]:
    return {out: file_digest(root / out) for out in OUTPUTS}


def one_size(
    scale: int,
    seed_documents: pd.DataFrame,
    seed_sentences: pd.DataFrame,
    seed_root: Path,
    seed: int,
    dask: bool = True,
    after_stage: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Every stage at ``scale`` x the seeds; ``after_stage`` gets the partial result after each local stage
    (marked ``"incomplete": True`` until the last), so a long size can be saved as it goes."""
    dest = WORK / f"scale_{scale}x"
    params_path = synthetic_project(dest, seed_documents, seed_sentences, scale, seed)
    runs: dict[str, Any] = {}
    gold: dict[str, Any] = {}
    for stage in STAGE_ORDER:
        if stage == "gold":
            gold = write_gold_share(dest, seed_root, seed_documents["doc_id"].tolist(), GOLD_SHARE, seed)
        print(f"  {scale}x {stage}", flush=True)
        runs[f"{stage}/local"] = run_stage(params_path, stage).as_dict()
        if after_stage is not None and stage != STAGE_ORDER[-1] and "tag/local" in runs:
            after_stage({"scale": scale, "corpus": corpus_size(params_path), "gold": gold, "runs": runs} | INCOMPLETE)
    result: dict[str, Any] = {"scale": scale, "corpus": corpus_size(params_path), "gold": gold, "runs": runs}
    result["partitions"] = -(-result["corpus"]["documents"] // load_params(params_path).executor.partition_docs)
    if dask:
        local = digests(dest)
        dask_params = write_params(dest, "params.dask.yaml", {"kind": "dask", "workers": 2, "threads_per_worker": 1})
        for stage in ("tag", "stance"):
            runs[f"{stage}/dask"] = run_stage(dask_params, stage).as_dict()
        result["dask_identical"] = digests(dest) == local
    return result
