"""Nested leave-one-document-out comparison of stance classifier variants on one gold file.

    python -m benchmarks.experiments.run_models --gold corpus/annotations/v1/stance_gold.csv

writes, under ``--out`` (default ``benchmarks/experiments/results/<gold file stem>``), per variant and reading
``runs/<reading>__<variant>.{csv,parquet}`` (scores; out-of-fold probabilities) and ``runs/..._choices.csv`` (what
each nested selection chose in each outer fold), then rebuilds ``results.csv`` and ``results.md`` from every run in
the folder (mean macro-F1 over targets, per target, per class F1, accuracy, seconds for fit + predict over the
folds, determinism), so a slow variant run later (``--variants cross_encoder``) joins the same table. A v2 gold (with ``basis``) adds the
per-basis recall and, with ``--reading both``, the sentence-local reading (context-basis labels set to neutral,
trained and scored on that reading).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.base import clone
from sklearn.model_selection import LeaveOneGroupOut
from threadpoolctl import threadpool_limits

from benchmarks.experiments.data import labelled_units, read_gold, spec_version
from benchmarks.experiments.report import results_markdown, score_rows
from benchmarks.experiments.variants import VARIANTS, Setting, variant
from pipeline.classifiers.propagation_evidence import forget_evidence
from pipeline.classifiers.roles import forget_signals
from pipeline.params import load_params
from pipeline.paths import LABELS


def out_of_fold(model, units: pd.DataFrame, labels: np.ndarray) -> tuple[np.ndarray, list[dict]]:
    """Outer leave-one-document-out probabilities and, per fold, what a nested selection chose."""
    proba = np.full((len(units), len(LABELS)), np.nan)
    choices = []
    for train, test in LeaveOneGroupOut().split(units, labels, units["doc_id"]):
        fitted = clone(model).fit(units.iloc[train].reset_index(drop=True), labels[train])
        proba[test] = fitted.predict_proba(units.iloc[test].reset_index(drop=True))
        held_out = units["doc_id"].iloc[test[0]]
        choices.append(
            {
                "held_out": held_out,
                "chosen": getattr(fitted, "chosen_", ""),
                "inner_scores": getattr(fitted, "scores_", {}),
            }
        )
    return proba, choices


def cold_caches() -> None:
    """Forget what earlier variants memoised (role signals, propagation evidence), so each variant's time includes
    computing its own features, as a fresh process would."""
    forget_signals()
    forget_evidence()


def run_variant(
    name: str, setting: Setting, units: pd.DataFrame, label_column: str, check_determinism: bool
) -> tuple[np.ndarray, tuple[float, float], str, list[dict]]:
    cold_caches()
    model = variant(name).build(setting)
    labels = units[label_column].to_numpy()
    start, cpu_start = time.perf_counter(), time.process_time()
    proba, choices = out_of_fold(model, units, labels)
    seconds = (time.perf_counter() - start, time.process_time() - cpu_start)
    deterministic = "not checked"
    if check_determinism:
        again, _ = out_of_fold(variant(name).build(setting), units, labels)
        deterministic = (
            "yes" if np.array_equal(proba, again) else ("to 1e-9" if np.allclose(proba, again, atol=1e-9) else "no")
        )
    return proba, seconds, deterministic, choices


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, required=True, help="gold CSV (doc_id, sent_key, target, label[, basis])")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("outputs/data"),
        help="folder with sentences / mentions / documents.parquet (default outputs/data)",
    )
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--variants", nargs="*", default=None, help="variant names (default: every variant not marked slow)"
    )
    parser.add_argument("--all", action="store_true", help="also the slow variants (minutes each on 2 cores)")
    parser.add_argument(
        "--reading",
        choices=["full", "local", "both"],
        default="full",
        help="v2 gold: full labels, sentence-local reading (context basis -> neutral), or both",
    )
    parser.add_argument(
        "--spec",
        choices=["auto", "v1", "v2"],
        default="auto",
        help="label definition of the gold (auto: v2 when it has a basis column)",
    )
    parser.add_argument("--no-determinism", action="store_true", help="skip the second run that checks determinism")
    args = parser.parse_args(argv)

    torch.set_num_threads(int(os.environ.get("STANCE_TORCH_THREADS", "2")))
    # two BLAS threads on two cores made each small regression ~15x slower (contention); one is fastest
    threadpool_limits(1, user_api="blas")
    gold = read_gold(args.gold)
    spec = spec_version(gold) if args.spec == "auto" else args.spec
    units = labelled_units(args.data, gold)
    readings = (
        ["full"]
        if spec == "v1" or args.reading == "full"
        else (["local"] if args.reading == "local" else ["full", "local"])
    )
    names = args.variants or [v.name for v in VARIANTS if args.all or not v.slow]
    out = args.out or Path("benchmarks/experiments/results") / args.gold.stem
    out.mkdir(parents=True, exist_ok=True)
    setting = Setting(load_params("params.yaml"), spec)

    runs = out / "runs"
    runs.mkdir(exist_ok=True)
    for reading in readings:
        column = "label" if reading == "full" else "local_label"
        for name in names:
            proba, seconds, deterministic, choices = run_variant(
                name, setting, units, column, not args.no_determinism and not variant(name).slow
            )
            stem = runs / f"{reading}__{name}"
            row = score_rows(name, reading, units, column, proba, seconds, deterministic)
            pd.DataFrame(row).to_csv(f"{stem}.csv", index=False)
            frame = units[["doc_id", "sent_id", "sent_key", "target", column]].rename(columns={column: "gold"})
            for j, label in enumerate(LABELS):
                frame[f"p_{label}"] = proba[:, j]
            frame.to_parquet(f"{stem}.parquet", index=False)
            pd.DataFrame([{**c, "inner_scores": str(c["inner_scores"])} for c in choices]).to_csv(
                f"{stem}_choices.csv", index=False
            )
            print(
                f"{reading:5s} {name:24s} mean macro-F1 {row[0]['macro_f1_mean']:.3f}  {seconds[0]:7.1f} s wall "
                f"{seconds[1]:7.1f} s cpu  deterministic: {deterministic}",
                flush=True,
            )
    order = {v.name: k for k, v in enumerate(VARIANTS)}
    table = pd.concat([pd.read_csv(p) for p in sorted(runs.glob("*__*.csv")) if not p.stem.endswith("_choices")])
    table = table.sort_values(["reading", "variant"], key=lambda c: c.map(order) if c.name == "variant" else c)
    table.to_csv(out / "results.csv", index=False)
    (out / "results.md").write_text(results_markdown(table, args.gold, spec, units), encoding="utf-8")
    print(f"wrote {out}/results.csv and results.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
