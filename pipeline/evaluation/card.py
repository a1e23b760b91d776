"""The model card's numbers, generated from the evaluate stage's committed outputs.

docs/model-card.md is prose written by people around tables that must not
drift from the measurements. Each table sits between
``<!-- generated: NAME -->`` and ``<!-- end generated: NAME -->`` markers;
``render_blocks`` writes them from outputs/tables/evaluate/eval_scores.json,
the eval_*.csv tables and the experiments' committed results
(pipeline.evaluation.card_experiments); ``python -m pipeline.evaluation.card`` refreshes
them in place after ``dvc repro``, and tests/test_model_card.py fails when
the committed card and the committed metrics disagree.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from pipeline import io, paths
from pipeline.evaluation.card_experiments import experiment_blocks
from pipeline.params import load_params
from pipeline.paths import EVALUATION_SCORES, LABELS

CARD = paths.MODEL_CARD
SHARES = paths.table("evaluate", "eval_shares")
ERRORS = paths.table("evaluate", "eval_errors")
SENSITIVITY = paths.table("evaluate", "sensitivity")
GOAL = 0.70
"""Issue #14: mean macro-F1 over targets, out of fold, on gold v2 (full reading)."""
_BLOCK = re.compile(r"(<!-- generated: (\w+) -->\n)(.*?)(<!-- end generated: \2 -->)", re.DOTALL)


class CardError(ValueError):
    """The model card's generated blocks cannot be matched with what the renderer makes."""


def _f(value: float) -> str:
    return f"{value:.3f}"


def by_score(metrics: dict) -> list[str]:
    """Classifier names, best mean macro-F1 first (ties by name)."""
    return sorted(
        metrics["classifiers"], key=lambda n: (-metrics["classifiers"][n]["macro_f1"]["mean_over_targets"], n)
    )


def results_table(metrics: dict, targets: list[str]) -> str:
    bases = list(metrics["gold_basis"])
    head = [
        "classifier",
        "macro-F1 mean",
        *targets,
        "overall",
        "accuracy",
        "ECE",
        "Brier",
        "log loss",
        "mean abs. share gap (pp)",
        *(f"recall {b}-basis" for b in bases),
        "net-index signs unlike gold",
    ]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for name in by_score(metrics):
        s = metrics["classifiers"][name]
        label = f"**{name}** (default)" if name == metrics["selected"] else name
        f1 = s["macro_f1"]
        cells = [
            label,
            _f(f1["mean_over_targets"]),
            *(_f(f1[t]) for t in targets),
            _f(f1["overall"]),
            _f(s["accuracy"]),
            _f(s["ece"]),
            _f(s["brier"]),
            _f(s["log_loss"]),
            f"{s['shares']['mean_abs_diff_pp']:.1f}",
            *(_f(s["recall_by_basis"][b]["recall"]) for b in bases),
            f"{s['sensitivity']['sign_differs']} of {s['sensitivity']['cells']}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def per_class_table(metrics: dict, targets: list[str]) -> str:
    head = ["classifier", *(f"{t} {label}" for t in targets for label in LABELS)]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for name in by_score(metrics):
        s = metrics["classifiers"][name]
        cells = [f"{s['per_class'][t][label]['f1']:.2f}" for t in targets for label in LABELS]
        lines.append("| " + " | ".join([name, *cells]) + " |")
    return "\n".join(lines)


def gold_counts_table(metrics: dict, targets: list[str]) -> str:
    """Gold units per target and label (the support of any classifier's per-class scores)."""
    first = next(iter(metrics["classifiers"].values()))["per_class"]
    lines = ["| target | " + " | ".join(LABELS) + " | units |", "|---|" + "---:|" * (len(LABELS) + 1)]
    for t in targets:
        support = [first[t][label]["support"] for label in LABELS]
        lines.append(f"| {t} | " + " | ".join(str(n) for n in support) + f" | {sum(support)} |")
    return "\n".join(lines)


def selection_text(metrics: dict, targets: list[str]) -> str:
    scores = {n: s["macro_f1"]["mean_over_targets"] for n, s in metrics["classifiers"].items()}
    chosen = metrics["selected"]
    others = [n for n in by_score(metrics) if n != chosen]
    s = metrics["classifiers"][chosen]
    pr = "; ".join(
        f"{t} "
        + ", ".join(
            f"{label} {s['per_class'][t][label]['precision']:.2f} / {s['per_class'][t][label]['recall']:.2f}"
            for label in LABELS
        )
        for t in targets
    )
    gold = "gold v2 (" + ", ".join(f"{n} {b}-basis" for b, n in metrics["gold_basis"].items()) + ")"
    short = "met" if scores[chosen] >= GOAL else f"not met, {_f(GOAL - scores[chosen])} short"
    return (
        f"Selected: **{chosen}**, out-of-fold mean macro-F1 {_f(scores[chosen])} "
        f"({metrics['n_units']} units of {gold}, {metrics['n_documents']} documents, "
        f"{metrics['reading']} reading; rule: {metrics['criterion']}); the others: "
        + ", ".join(f"{n} {_f(scores[n])}" for n in others)
        + f". Goal {GOAL:.2f} (issue #14, on gold v2): {short}.\n"
        f"Precision / recall of {chosen}: {pr}."
    )


def shares_table(metrics: dict, shares: pd.DataFrame) -> str:
    chosen = metrics["selected"]
    mine = shares[shares["classifier"] == chosen]
    head = ["origin (docs)", "target", *(f"{label} gold / model (pp)" for label in LABELS)]
    lines = ["| " + " | ".join(head) + " |", "|---|---|" + "---|" * len(LABELS)]
    for (origin, target), g in mine.groupby(["author_origin", "target"], sort=True):
        by_label = g.set_index("label")
        cells = [
            f"{100 * by_label.loc[label, 'gold_share']:.1f} / {100 * by_label.loc[label, 'model_share']:.1f} "
            f"({by_label.loc[label, 'diff_pp']:+.1f})"
            for label in LABELS
        ]
        lines.append(f"| {origin} ({int(g['n_docs'].iloc[0])}) | {target} | " + " | ".join(cells) + " |")
    s = metrics["classifiers"][chosen]["shares"]
    within = round(s["share_within_tolerance"] * len(mine))
    others = ", ".join(
        f"{n} {metrics['classifiers'][n]['shares']['mean_abs_diff_pp']:.1f}" for n in by_score(metrics) if n != chosen
    )
    lines += [
        "",
        (
            f"Shares in %, difference in percentage points. The {metrics['share_tolerance_pp']:g} pp goal "
            f"holds in {within} of {len(mine)} cells (mean absolute difference "
            f"{s['mean_abs_diff_pp']:.1f} pp, largest {s['max_abs_diff_pp']:.1f} pp). Mean absolute "
            f"difference of the other classifiers (pp): {others}."
        ),
    ]
    return "\n".join(lines)


def errors_table(errors: pd.DataFrame) -> str:
    counts = errors.groupby(["target", "gold", "predicted"]).size().rename("n").reset_index()
    counts = counts.sort_values(["n", "target", "gold", "predicted"], ascending=[False, True, True, True])
    lines = [
        f"{len(errors)} out-of-fold errors of the default, by kind:",
        "",
        "| target | gold | predicted | units |",
        "|---|---|---|---:|",
    ]
    lines += [f"| {r.target} | {r.gold} | {r.predicted} | {r.n} |" for r in counts.itertuples()]
    return "\n".join(lines)


def sensitivity_block(table: pd.DataFrame) -> str:
    """The sensitivity table (net index per origin x target, gold and every classifier) as Markdown."""
    fixed = {"author_origin", "target", "n_docs", "n_units", "sign_differs", "max_abs_diff"}
    sources = [c for c in table.columns if c not in fixed]
    head = ["origin (docs)", "target", "units", *sources, "sign unlike gold"]
    lines = ["| " + " | ".join(head) + " |", "|---|---|" + "---:|" * (len(sources) + 1) + "---|"]
    for r in table.itertuples(index=False):
        row = r._asdict()
        cells = [f"{row['author_origin']} ({row['n_docs']})", row["target"], str(row["n_units"])]
        cells += [f"{row[s]:+.2f}" for s in sources] + [
            row["sign_differs"] if isinstance(row["sign_differs"], str) else ""
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_blocks(root: Path, targets: list[str]) -> dict[str, str]:
    """Every generated block of the card, from the committed evaluation outputs under ``root``."""
    metrics = json.loads((root / EVALUATION_SCORES).read_text(encoding="utf-8"))
    shares = pd.read_csv(root / SHARES)
    errors = pd.read_csv(root / ERRORS)
    return {
        "gold_counts": gold_counts_table(metrics, targets),
        "results": results_table(metrics, targets),
        "per_class": per_class_table(metrics, targets),
        "selection": selection_text(metrics, targets),
        "shares": shares_table(metrics, shares),
        "errors": errors_table(errors),
        "sensitivity": sensitivity_block(pd.read_csv(root / SENSITIVITY, keep_default_na=False)),
        **experiment_blocks(root),
    }


def blocks_in(card: str) -> dict[str, str]:
    return {m.group(2): m.group(3).strip("\n") for m in _BLOCK.finditer(card)}


def refreshed(card: str, blocks: dict[str, str]) -> str:
    """``card`` with each generated block replaced; CardError if the two sets of names differ."""
    found = set(blocks_in(card))
    if found != set(blocks):
        raise CardError(f"{CARD}: generated blocks {sorted(found)} differ from the renderer's {sorted(blocks)}")
    return _BLOCK.sub(lambda m: f"{m.group(1)}{blocks[m.group(2)]}\n{m.group(4)}", card)


def main() -> None:
    params = load_params(paths.PARAMS)
    path = params.root / CARD
    io.write_text(path, refreshed(path.read_text(encoding="utf-8"), render_blocks(params.root, params.target_names)))


if __name__ == "__main__":
    main()
