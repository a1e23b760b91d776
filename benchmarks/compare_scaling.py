"""The compare stage against corpus size, local vs Dask (issue #18: Dask where it pays).

    python -m benchmarks.compare_scaling --sizes 10 100

For each size a synthetic corpus (benchmarks.corpus) goes through ingest,
tag, gold and stance once (not timed here: ``make bench`` times those), then
compare runs in fresh processes on the local executor and on a 2-worker
Dask LocalCluster; its tables must be byte-identical. Prints one JSON
object (times, growth exponent between the two largest sizes, load average)
and writes it to benchmarks/results/compare_scaling.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from benchmarks.common import RESULTS, WORK, file_digest, run_stage, seed_project, write_params
from benchmarks.corpus import synthetic_project
from benchmarks.stages import corpus_size
from pipeline.params import load_params
from pipeline.paths import DOCUMENTS, SENTENCES, tables

SETUP_STAGES = ("ingest", "tag", "gold", "stance")
CLASSIFIER = "lexicon"
"""Synthetic documents have no gold to train on (and compare's statistics do not depend on the labeller)."""


def compare_digests(root: Path) -> dict[str, str]:
    folder = root / tables("compare")
    return {p.name: file_digest(p) for p in sorted(folder.iterdir())}


def project(scale: int, seed_documents: pd.DataFrame, seed_sentences: pd.DataFrame, seed: int) -> Path:
    """The ``scale``x project with its stance table, built once and reused by later runs."""
    dest = WORK / f"compare_{scale}x"
    params_path = dest / "params.yaml"
    if not (dest / "outputs" / "data" / "stances.parquet").exists():
        params_path = synthetic_project(dest, seed_documents, seed_sentences, scale, seed)
        raw = yaml.safe_load(params_path.read_text(encoding="utf-8"))
        raw["stance"]["classifier"] = CLASSIFIER
        params_path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
        for stage in SETUP_STAGES:
            run_stage(params_path, stage)
    return params_path


def one_size(params_path: Path, repeats: int) -> dict[str, Any]:
    root = load_params(params_path).root
    dask_params = write_params(root, "params.dask.yaml", {"kind": "dask", "workers": 2, "threads_per_worker": 1})
    runs: dict[str, Any] = {}
    digests = {}
    for kind, path in (("local", params_path), ("dask", dask_params)):
        measured = [run_stage(path, "compare") for _ in range(repeats)]
        runs[kind] = {
            "run_s": round(statistics.median(m.run_s for m in measured), 3),
            "cpu_s": round(statistics.median(m.cpu_s for m in measured), 3),
            "peak_rss_mib": round(max(m.peak_rss_mib for m in measured), 1),
            "load_average": round(statistics.median(m.load_average for m in measured), 2),
        }
        digests[kind] = compare_digests(root)
    return {"corpus": corpus_size(params_path), "runs": runs, "dask_identical": digests["local"] == digests["dask"]}


def exponent(small: dict[str, Any], large: dict[str, Any], kind: str) -> float:
    """Growth exponent of run time against documents (1 = linear)."""
    docs = large["corpus"]["documents"] / small["corpus"]["documents"]
    return round(math.log(large["runs"][kind]["run_s"] / small["runs"][kind]["run_s"]) / math.log(docs), 3)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare_scaling", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100], help="multiples of the seed corpus")
    parser.add_argument("--repeats", type=int, default=1, help="fresh processes per executor (median)")
    args = parser.parse_args(argv)
    seeds = WORK / "compare_seeds" / "params.yaml"
    if not (seeds.parent / SENTENCES).exists():
        seeds = seed_project(seeds.parent)
        for stage in ("ingest", "tag"):
            run_stage(seeds, stage)
    seed_documents = pd.read_parquet(seeds.parent / DOCUMENTS)
    seed_sentences = pd.read_parquet(seeds.parent / SENTENCES)
    seed = int(load_params(seeds).seed)
    results: dict[str, Any] = {"load_average_at_start": [round(x, 2) for x in os.getloadavg()], "sizes": {}}
    for scale in sorted(args.sizes):
        print(f"compare: {scale}x", file=sys.stderr, flush=True)
        results["sizes"][scale] = one_size(project(scale, seed_documents, seed_sentences, seed), args.repeats)
    if len(args.sizes) > 1:
        small, large = (results["sizes"][s] for s in sorted(args.sizes)[-2:])
        results["exponent"] = {kind: exponent(small, large, kind) for kind in ("local", "dask")}
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2)
    (RESULTS / "compare_scaling.json").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":  # guarded: Dask's spawned workers may import this module
    main(sys.argv[1:])
