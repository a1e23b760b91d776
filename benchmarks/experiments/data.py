"""The labelled unit table of an experiment: units of the tagged corpus joined to any gold file.

A gold file is a CSV (gold v1: corpus/annotations/v1/stance_gold.csv) or the gold stage's outputs/data/gold.parquet,
with ``doc_id, sent_key, target, label`` and, from spec v2 on, ``basis`` (text | context).
Units of the gold's documents without a gold row are left out (a sampled gold scores what it labels); gold rows
that match no unit are an error, since the corpus and the gold would disagree.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.nlp.units import stance_units
from pipeline.paths import LABELS

GOLD_KEY = ["doc_id", "sent_key", "target"]
BASES = ("text", "context")


class GoldFileError(ValueError):
    """The gold file cannot be scored against the corpus."""


def read_gold(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        gold = pd.read_parquet(path).astype(str)
    else:
        gold = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in [*GOLD_KEY, "label"] if c not in gold.columns]
    if missing:
        raise GoldFileError(f"{path}: missing column(s) {missing}")
    bad = sorted(set(gold["label"]) - set(LABELS))
    if bad:
        raise GoldFileError(f"{path}: unknown label(s) {bad}")
    if "basis" in gold.columns:
        unknown = sorted(set(gold["basis"]) - set(BASES))
        if unknown:
            raise GoldFileError(f"{path}: unknown basis value(s) {unknown}; expected {list(BASES)}")
    duplicated = gold[gold.duplicated(GOLD_KEY, keep=False)]
    if not duplicated.empty and (duplicated.groupby(GOLD_KEY)["label"].nunique() > 1).any():
        raise GoldFileError(f"{path}: a unit has two different gold labels")
    return gold.drop_duplicates(GOLD_KEY)


def spec_version(gold: pd.DataFrame) -> str:
    """ "v2" when the gold carries ``basis`` (spec v2 made it required), else "v1"."""
    return "v2" if "basis" in gold.columns else "v1"


def labelled_units(data_dir: Path, gold: pd.DataFrame) -> pd.DataFrame:
    """Units (with their paragraph and neighbour context) and ``label``; for v2 also ``basis`` and ``local_label``."""
    units = stance_units(
        pd.read_parquet(data_dir / "sentences.parquet"),
        pd.read_parquet(data_dir / "mentions.parquet"),
        pd.read_parquet(data_dir / "documents.parquet"),
    )
    columns = [*GOLD_KEY, "label", *(["basis"] if "basis" in gold.columns else [])]
    joined = units.merge(gold[columns], on=GOLD_KEY, how="right", indicator=True)
    orphans = joined[joined["_merge"] == "right_only"]
    if not orphans.empty:
        r = orphans.iloc[0]
        raise GoldFileError(
            f"{len(orphans)} gold row(s) match no unit of the corpus, e.g. "
            f"({r['doc_id']}, {r['sent_key']}, {r['target']})"
        )
    labelled = joined.drop(columns="_merge")
    if "basis" in labelled.columns:
        labelled["local_label"] = labelled["label"].where(labelled["basis"] != "context", "neutral")
    return labelled.sort_values(["doc_id", "sent_id", "target"]).reset_index(drop=True)
