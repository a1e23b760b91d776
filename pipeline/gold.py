"""Gold stance labels: assembling them from annotation passes, and joining them to units.

Gold rows are keyed by (doc_id, sent_key, target): ``sent_key`` hashes the
normalised sentence text, so labels survive re-segmentation and cleaning
changes that do not alter the sentence itself. ``sent_id`` is kept for
reading only.

Build ``corpus/annotations/stance_gold.csv`` after an annotation round with
``python -m pipeline.gold``: first-pass labels (pass1_*.csv), overridden by
adjudication.csv where the blind second pass disagreed.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.config import LABELS

GOLD = "corpus/annotations/stance_gold.csv"
GOLD_KEY = ["doc_id", "sent_key", "target"]
GOLD_COLUMNS = [*GOLD_KEY, "sent_id", "label", "source", "annotator", "note", "sentence"]


class GoldError(ValueError):
    """The gold file is inconsistent with itself or with the corpus."""


def build_gold(annotations: Path) -> pd.DataFrame:
    """First-pass labels with adjudicated labels applied, one row per gold key."""
    passes = []
    for path in sorted(annotations.glob("pass1_*.csv")):
        df = pd.read_csv(path, dtype={"note": str}, keep_default_na=False)
        df["annotator"] = path.stem.removeprefix("pass1_")
        passes.append(df)
    if not passes:
        raise GoldError(f"{annotations}: no pass1_*.csv files")
    gold = pd.concat(passes, ignore_index=True)
    gold["source"] = "pass1"
    adjudication = pd.read_csv(annotations / "adjudication.csv", keep_default_na=False)
    merged = gold.merge(adjudication[[*GOLD_KEY, "label", "rule"]], on=GOLD_KEY, how="left", suffixes=("", "_adj"))
    changed = merged["label_adj"].notna() & (merged["label_adj"] != "")
    merged.loc[changed, "source"] = "adjudicated"
    merged.loc[changed, "note"] = merged.loc[changed, "rule"]
    merged.loc[changed, "label"] = merged.loc[changed, "label_adj"]
    gold = merged[GOLD_COLUMNS].sort_values(["doc_id", "sent_id", "target"]).reset_index(drop=True)
    validate_gold(gold, annotations / "stance_gold.csv")
    return gold


def validate_gold(gold: pd.DataFrame, where: Path | str) -> None:
    bad = gold[~gold["label"].isin(LABELS)]
    if not bad.empty:
        r = bad.iloc[0]
        raise GoldError(
            f"{where}: row {bad.index[0] + 2}: unknown label '{r['label']}' for "
            f"({r['doc_id']}, sent {r['sent_id']}, {r['target']}); expected one of {list(LABELS)}"
        )
    dup = gold[gold.duplicated(GOLD_KEY, keep=False)]
    conflicting = dup.groupby(GOLD_KEY)["label"].nunique()
    if (conflicting > 1).any():
        key = conflicting[conflicting > 1].index[0]
        raise GoldError(f"{where}: conflicting labels for the same sentence and target {key}")


def load_gold(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise GoldError(f"{path}: gold file not found (build it with `python -m pipeline.gold`)")
    gold = pd.read_csv(path, keep_default_na=False)
    missing = [c for c in GOLD_COLUMNS if c not in gold.columns]
    if missing:
        raise GoldError(f"{path}: missing column(s) {missing}")
    validate_gold(gold, path)
    return gold.drop_duplicates(GOLD_KEY)


def attach_gold(units: pd.DataFrame, gold: pd.DataFrame, *, where: Path | str = GOLD,
                documents: list[str] | None = None) -> pd.DataFrame:
    """Units of the gold documents with their gold ``label``.

    Raises GoldError when a unit of a gold document has no gold label, or a
    gold row matches no unit: the gold set must stay complete as cleaning
    and segmentation change.
    """
    gold_docs = sorted(set(gold["doc_id"])) if documents is None else documents
    in_gold_docs = units[units["doc_id"].isin(gold_docs)]
    joined = in_gold_docs.merge(gold[[*GOLD_KEY, "label"]], on=GOLD_KEY, how="outer", indicator=True)
    unlabelled = joined[joined["_merge"] == "left_only"]
    if not unlabelled.empty:
        r = unlabelled.iloc[0]
        raise GoldError(
            f"{where}: {len(unlabelled)} mention pair(s) have no gold label, e.g. "
            f"({r['doc_id']}, sent {int(r['sent_id'])}, {r['target']}): {r['text'][:100]!r}"
        )
    orphans = joined[joined["_merge"] == "right_only"]
    if not orphans.empty:
        r = orphans.iloc[0]
        if r["doc_id"] not in set(units["doc_id"]):
            reason = f"doc_id '{r['doc_id']}' has no stance units (not in the corpus, or no target mentions)"
        elif r["target"] not in set(units["target"]):
            reason = f"target '{r['target']}' is not a configured target"
        else:
            reason = f"no sentence of '{r['doc_id']}' mentioning {r['target']} has this sent_key"
        raise GoldError(
            f"{where}: {len(orphans)} gold row(s) match no sentence of the cleaned corpus, e.g. "
            f"({r['doc_id']}, sent_key {r['sent_key']}, {r['target']}): {reason}"
        )
    return joined.drop(columns="_merge")


if __name__ == "__main__":
    import sys

    from pipeline.io import atomic_path

    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("corpus/annotations")
    out = build_gold(root)
    with atomic_path(root / "stance_gold.csv") as tmp:
        out.to_csv(tmp, index=False, lineterminator="\n")
    print(f"{root / 'stance_gold.csv'}: {len(out)} rows, {int((out['source'] == 'adjudicated').sum())} adjudicated")
