"""Scores of one variant's out-of-fold probabilities, and the Markdown table of all of them."""

from __future__ import annotations

import platform
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.evaluation.metrics import macro_f1, per_class, predicted_labels
from pipeline.paths import LABELS


def score_rows(
    name: str,
    reading: str,
    units: pd.DataFrame,
    column: str,
    proba: np.ndarray,
    seconds: tuple[float, float],
    deterministic: str,
) -> list[dict]:
    """One row: mean macro-F1 over targets, per target, per target x class F1, accuracy, per-basis recall."""
    gold, pred = units[column].to_numpy(), predicted_labels(proba)
    row: dict = {"variant": name, "reading": reading}
    per_target = {}
    for t in sorted(units["target"].unique()):
        mask = units["target"].to_numpy() == t
        per_target[t] = macro_f1(gold[mask], pred[mask])
        table = per_class(gold[mask], pred[mask]).set_index("label")
        for label in LABELS:
            row[f"f1_{t}_{label}"] = round(float(table.loc[label, "f1"]), 3)
    row["macro_f1_mean"] = round(float(np.mean(list(per_target.values()))), 3)
    row.update({f"macro_f1_{t}": round(v, 3) for t, v in per_target.items()})
    row["accuracy"] = round(float((gold == pred).mean()), 3)
    if "basis" in units.columns and reading == "full":
        polar = gold != "neutral"
        for basis in ("text", "context"):
            mask = polar & (units["basis"].to_numpy() == basis)
            row[f"recall_{basis}_basis"] = round(float((pred[mask] == gold[mask]).mean()), 3) if mask.any() else None
            row[f"n_{basis}_basis"] = int(mask.sum())
    row["seconds_wall"], row["seconds_cpu"] = round(seconds[0], 1), round(seconds[1], 1)
    row["deterministic"] = deterministic
    return [row]


def results_markdown(table: pd.DataFrame, gold_path: Path, spec: str, units: pd.DataFrame) -> str:
    """The results table as Markdown, with the data it was computed on."""
    counts = units.groupby("target")["label"].value_counts().unstack(fill_value=0)
    lines = [
        f"# Nested leave-one-document-out results: `{gold_path}` (spec {spec})",
        "",
        f"{len(units)} units, {units['doc_id'].nunique()} documents; gold counts:",
        "",
        "| target | " + " | ".join(LABELS) + " |",
        "|---|" + "---:|" * len(LABELS),
        *[
            f"| {t} | "
            + " | ".join(str(int(counts.loc[t, label])) if label in counts.columns else "0" for label in LABELS)
            + " |"
            for t in counts.index
        ],
        "",
        (
            "Times: fit + predict over all outer folds (nested selection included), in seconds of wall-clock and of "
            f"CPU time of this process ({platform.machine()}, 2 cores shared with other jobs, BLAS 1 thread, torch 2 "
            "threads)."
        ),
        "",
    ]
    columns = [
        "variant",
        "reading",
        "macro_f1_mean",
        "macro_f1_russia",
        "macro_f1_ukraine",
        *[f"f1_{t}_{label}" for t in sorted(units["target"].unique()) for label in LABELS],
        "accuracy",
        *[c for c in ("recall_text_basis", "recall_context_basis") if c in table.columns],
        "seconds_wall",
        "seconds_cpu",
        "deterministic",
    ]
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "---|" * 2 + "---:|" * (len(columns) - 3) + "---|")
    for _, r in table.iterrows():
        lines.append("| " + " | ".join("" if pd.isna(r[c]) else str(r[c]) for c in columns) + " |")
    return "\n".join(lines) + "\n"
