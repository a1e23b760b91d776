"""All benchmarks in one run: ``make bench`` (``python -m benchmarks.run_all``).

Writes benchmarks/results/latest.json, the results block of
docs/performance.md and docs/figures/benchmarks_scaling.{png,svg}.
Scratch projects go to benchmarks/results/tmp/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks import ceilings, report, repro, scaling, stages
from benchmarks.common import RESULTS, ROOT, WORK, commit, machine, run_stage, seed_project
from pipeline.params import load_params


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run_all", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[1, 10, 100, 1000],
        help="corpus sizes in multiples of the seed corpus (default: 1 10 100 1000)",
    )
    parser.add_argument("--dask-max-size", type=int, default=100, help="largest size also run on Dask (default: 100)")
    parser.add_argument(
        "--budget-minutes",
        type=float,
        default=20.0,
        help="skip a size above 100x whose time, projected linearly from the previous size, exceeds this (default: 20)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per stage on the seeds (default: 3)")
    parser.add_argument(
        "--extend",
        action="store_true",
        help="run only the scaling of --sizes and add them to benchmarks/results/latest.json (replacing those sizes), "
        "keeping its other measurements: a long size can run apart from the rest, e.g. --extend --sizes 1000",
    )
    return parser.parse_args(argv)


def save(results: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def seed_inputs(seeds: Path) -> tuple[Path, pd.DataFrame, pd.DataFrame, int]:
    """What the synthetic corpora are cut from: the tagged seed project's root, documents, sentences and seed."""
    params = load_params(seeds)
    root = params.root
    documents = pd.read_parquet(root / "outputs/data/documents.parquet")
    return root, documents, pd.read_parquet(root / "outputs/data/sentences.parquet"), int(params.seed)


def extend(args: argparse.Namespace) -> None:
    """Measure more sizes into the existing results; each added size records its own commit and load."""
    results = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
    seeds = seed_project(WORK / "seeds")
    for stage in ("ingest", "tag"):  # the synthetic corpora are cut from the seeds' documents and sentences
        run_stage(seeds, stage)
    root, seed_documents, seed_sentences, seed = seed_inputs(seeds)
    for scale in sorted(args.sizes):
        print(f"scaling: {scale}x", flush=True)
        started = {"commit": commit(), "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}

        def record(entry: dict[str, Any], scale: int = scale, started: dict[str, Any] = started) -> None:
            entry["measured"] = started | {"load_average_at_end": [round(x, 2) for x in os.getloadavg()]}
            results["scaling"] = sorted(
                [r for r in results["scaling"] if r["scale"] != scale] + [entry], key=lambda r: r["scale"]
            )
            done = {r["scale"] for r in results["scaling"]}
            results["scaling_skipped"] = "; ".join(
                s for s in results.get("scaling_skipped", "").split("; ") if s and int(s.split("x")[0]) not in done
            )
            save(results)

        dask = scale <= args.dask_max_size
        record(scaling.one_size(scale, seed_documents, seed_sentences, root, seed, dask=dask, after_stage=record))
    report.write_markdown(results, ROOT / "docs" / "performance.md")
    report.plot_scaling(results, ROOT / "docs" / "figures" / "benchmarks_scaling")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.extend:
        extend(args)
        return
    results: dict[str, Any] = {
        "command": "make bench  # python -m benchmarks.run_all " + " ".join(argv or sys.argv[1:]),
        "commit": commit(),
        "machine": machine(),
        "repeats": args.repeats,
    }
    WORK.mkdir(parents=True, exist_ok=True)

    print("seed corpus: every stage", flush=True)
    seeds = seed_project(WORK / "seeds")
    results["seed_stages"] = stages.per_stage(seeds, repeats=args.repeats)
    print("ceilings: tag vs bare spaCy, encoder", flush=True)
    results["ceilings"] = {"tag": {"seeds": ceilings.tag_vs_spacy(seeds)}, "encoder": ceilings.encoder_vs_paths(seeds)}

    root, seed_documents, seed_sentences, seed = seed_inputs(seeds)
    results["scaling"], skipped = [], []
    for scale in sorted(args.sizes):
        if results["scaling"] and scale > 100:
            previous = results["scaling"][-1]
            projected = sum(r["wall_s"] for k, r in previous["runs"].items() if k.endswith("local"))
            projected *= scale / previous["scale"]
            if projected > 60 * args.budget_minutes:
                skipped.append(
                    f"{scale}x (projected {projected / 60:.0f} min > --budget-minutes {args.budget_minutes:g})"
                )
                continue
        print(f"scaling: {scale}x", flush=True)
        save(results)  # what was measured so far survives a later failure
        results["scaling"].append(
            scaling.one_size(scale, seed_documents, seed_sentences, root, seed, dask=scale <= args.dask_max_size)
        )
        if scale == 10:
            results["ceilings"]["tag"]["10x"] = ceilings.tag_vs_spacy(WORK / "scale_10x" / "params.yaml")
    results["scaling_skipped"] = "; ".join(skipped)

    save(results)
    print("dvc repro: cold and no-op", flush=True)
    results["repro"] = repro.repro_times()
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]

    save(results)
    report.write_markdown(results, ROOT / "docs" / "performance.md")
    report.plot_scaling(results, ROOT / "docs" / "figures" / "benchmarks_scaling")
    print("wrote benchmarks/results/latest.json, docs/performance.md, docs/figures/benchmarks_scaling.{png,svg}")


if __name__ == "__main__":  # guarded: Dask's spawned workers may import this module
    main(sys.argv[1:])
