"""Paired bootstrap over units of the difference in mean macro-F1 between two variants' out-of-fold predictions.

    python -m benchmarks.experiments.paired --runs benchmarks/experiments/results/gold_v2/runs \
        --a nested_choice_v2 --b lexicon --reading full

Resamples units with replacement (the same resample for both variants, so the interval is for the difference),
recomputes mean macro-F1 over targets on each resample, and reports the percentile interval. Units of one document
are not independent, so this interval is too narrow for a claim about new documents; a document-level bootstrap
would be the honest one, but with five documents it has at most a handful of distinct resamples and is not
informative. Writes ``paired_<a>_vs_<b>_<reading>.md`` next to ``runs/``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.evaluation.metrics import mean_macro_f1
from pipeline.paths import LABELS


def predictions(runs: Path, variant: str, reading: str) -> pd.DataFrame:
    frame = pd.read_parquet(runs / f"{reading}__{variant}.parquet")
    frame["pred"] = np.asarray(LABELS)[frame[[f"p_{label}" for label in LABELS]].to_numpy().argmax(axis=1)]
    return frame


def paired_bootstrap(
    gold: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray, targets: np.ndarray, resamples: int = 2000, seed: int = 0
) -> dict[str, float]:
    """Point difference (a - b), its 95% percentile interval, and the share of resamples where a does not win."""
    rng = np.random.default_rng(seed)
    n = len(gold)
    diffs = np.empty(resamples)
    for k in range(resamples):
        i = rng.integers(0, n, n)
        diffs[k] = mean_macro_f1(gold[i], pred_a[i], targets[i]) - mean_macro_f1(gold[i], pred_b[i], targets[i])
    return {
        "a": mean_macro_f1(gold, pred_a, targets),
        "b": mean_macro_f1(gold, pred_b, targets),
        "difference": mean_macro_f1(gold, pred_a, targets) - mean_macro_f1(gold, pred_b, targets),
        "low": float(np.quantile(diffs, 0.025)),
        "high": float(np.quantile(diffs, 0.975)),
        "share_not_better": float((diffs <= 0).mean()),
        "resamples": resamples,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=Path, required=True, help="the runs/ folder of a run_models result")
    parser.add_argument("--a", required=True, help="variant (e.g. the chosen default)")
    parser.add_argument("--b", default="lexicon", help="variant compared against (default lexicon)")
    parser.add_argument("--reading", default="full", choices=["full", "local"])
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    a, b = predictions(args.runs, args.a, args.reading), predictions(args.runs, args.b, args.reading)
    if not (a[["doc_id", "sent_key", "target"]].equals(b[["doc_id", "sent_key", "target"]])):
        raise ValueError("the two runs are not over the same units in the same order")
    result = paired_bootstrap(
        a["gold"].to_numpy(),
        a["pred"].to_numpy(),
        b["pred"].to_numpy(),
        a["target"].to_numpy(),
        args.resamples,
        args.seed,
    )
    text = (
        f"# Paired bootstrap over units: {args.a} vs {args.b} ({args.reading} reading)\n\n"
        f"{len(a)} units, {a['doc_id'].nunique()} documents, {result['resamples']} resamples, seed {args.seed}.\n\n"
        f"| mean macro-F1 {args.a} | mean macro-F1 {args.b} | difference | 95% interval | share of resamples "
        f"with no gain |\n|---:|---:|---:|---|---:|\n"
        f"| {result['a']:.3f} | {result['b']:.3f} | {result['difference']:+.3f} | "
        f"[{result['low']:+.3f}, {result['high']:+.3f}] | {result['share_not_better']:.4f} |\n\n"
        "Units of one document are not independent, so this interval is narrower than one for new documents; "
        "with 5 documents a document-level bootstrap has too few distinct resamples to be informative.\n"
    )
    out = args.runs.parent / f"paired_{args.a}_vs_{args.b}_{args.reading}.md"
    out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
