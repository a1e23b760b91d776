"""The model card's tables of the research variants: benchmarks/experiments' nested leave-one-document-out results.

The evaluate stage scores only the classifiers the pipeline registers and lists (fast enough to rerun on every
``dvc repro``); every variant that was tried on the way lives in ``benchmarks/experiments/`` and its committed
``results/<gold>/results.csv``. These tables are generated from those files like the card's other tables, so the
card cannot drift from the runs (``pipeline.evaluation.card``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline import paths

GOLD_V1 = paths.EXPERIMENT_RESULTS / "stance_gold" / "results.csv"
GOLD_V2 = paths.EXPERIMENT_RESULTS / "gold_v2" / "results.csv"
REGISTERED = {"roles_nested_bias": "roles", "propagation_fixed": "propagation"}
"""Experiment variant -> the registered classifier that is the same model with the same settings."""


def _cell(value: object, digits: int = 3) -> str:
    if pd.isna(value):
        return ""
    return f"{float(value):.{digits}f}"  # type: ignore[arg-type]


def _name(variant: str) -> str:
    registered = REGISTERED.get(variant)
    return f"{variant} (= `{registered}`)" if registered else variant


def experiments_table(results: pd.DataFrame) -> str:
    """One row per variant in the harness's order: mean macro-F1 over targets (full reading, and the sentence-local
    reading where it was run), per target, accuracy, recall of polar units per gold basis, and CPU seconds."""
    full = results[results["reading"] == "full"].set_index("variant")
    local = results[results["reading"] == "local"].set_index("variant")["macro_f1_mean"]
    targets = sorted(
        c.removeprefix("macro_f1_") for c in full.columns if c.startswith("macro_f1_") and c != "macro_f1_mean"
    )
    basis = [b for b in ("text", "context") if f"recall_{b}_basis" in full.columns]
    head = ["variant", "mean (full)", *(["mean (local)"] if len(local) else []), *targets, "accuracy"]
    head += [f"recall {b}-basis" for b in basis] + ["CPU s"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for variant, row in full.iterrows():
        cells = [_name(str(variant)), _cell(row["macro_f1_mean"])]
        cells += [_cell(local.get(variant))] if len(local) else []
        cells += [_cell(row[f"macro_f1_{t}"]) for t in targets] + [_cell(row["accuracy"])]
        cells += [_cell(row[f"recall_{b}_basis"]) for b in basis] + [_cell(row["seconds_cpu"], 1)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def experiment_blocks(root: Path) -> dict[str, str]:
    return {
        "experiments_v2": experiments_table(pd.read_csv(root / GOLD_V2)),
        "experiments_v1": experiments_table(pd.read_csv(root / GOLD_V1)),
    }
