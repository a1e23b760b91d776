"""Time and peak memory against corpus size, local vs Dask.

For each size a synthetic corpus (benchmarks.corpus) goes through ingest,
tag and stance in fresh processes on the local executor, then tag and
stance again on a 2-worker Dask LocalCluster, whose outputs must be
byte-identical to the local ones. Goal: time linear in size, peak memory
flat (100x within 1.5x of 1x).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.common import WORK, file_digest, run_stage, write_params
from benchmarks.corpus import synthetic_project
from benchmarks.stages import corpus_size
from pipeline.params import load_params
from pipeline.paths import ENTITIES, MENTIONS, SENTENCES, STANCES

OUTPUTS = (SENTENCES, ENTITIES, MENTIONS, STANCES)


def digests(root: Path) -> dict[str, str]:
    return {out: file_digest(root / out) for out in OUTPUTS}


def one_size(
    scale: int, seed_documents: pd.DataFrame, seed_sentences: pd.DataFrame, seed: int, dask: bool = True
) -> dict[str, Any]:
    dest = WORK / f"scale_{scale}x"
    params_path = synthetic_project(dest, seed_documents, seed_sentences, scale, seed)
    runs: dict[str, Any] = {}
    for stage in ("ingest", "tag", "gold", "stance"):
        runs[f"{stage}/local"] = run_stage(params_path, stage).as_dict()
    result: dict[str, Any] = {"scale": scale, "corpus": corpus_size(params_path), "runs": runs}
    result["partitions"] = -(
        -result["corpus"]["documents"] // int(load_params(params_path).get("executor.partition_docs"))
    )
    if dask:
        local = digests(dest)
        dask_params = write_params(dest, "params.dask.yaml", {"kind": "dask", "workers": 2, "threads_per_worker": 1})
        for stage in ("tag", "stance"):
            runs[f"{stage}/dask"] = run_stage(dask_params, stage).as_dict()
        result["dask_identical"] = digests(dest) == local
    return result
