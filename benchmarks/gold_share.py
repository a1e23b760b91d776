"""Gold for a fixed share of a synthetic corpus's documents, copied from the seed passes by sentence key.

A synthetic document reshuffles the sentences of one seed document
(benchmarks.corpus), so each of its units (sentence, target) is a unit of
that seed document, found by ``sent_key``. For a fixed share of the
documents (drawn at random, at least two so that cross-validation has
folds) every unit is labelled, as a census (``sample_id`` = ``census``):
each seed pass file gets a synthetic twin that gives the unit the label
and basis its seed pass gave, and the seed adjudication is copied where
the passes disagree. So the gold stage reads the same kind of files a
user's two-pass annotation writes, with the seeds' agreement and
adjudication rate, and evaluate, train, stance and compare see gold for a
fixed share of every size (complete for those documents, none for the
rest: the label sources are gold where complete, else prediction-powered).

A unit whose sentence the sentencizer cut differently in the synthetic text
(so no seed unit has its key) is labelled neutral by every pass; the counts
are returned so the benchmark can say how many.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.corpus import template_index
from pipeline import io, paths
from pipeline.annotation.passes import ADJUDICATION_COLUMNS, PASS_COLUMNS, read_adjudication, read_passes
from pipeline.nlp.units import stance_units

KEY = ["doc_id", "sent_key", "target"]


def gold_documents(doc_ids: list[str], share: float, seed: int) -> list[str]:
    """A fixed share of the documents (at least two), drawn without replacement, in corpus order."""
    n = min(len(doc_ids), max(2, round(share * len(doc_ids))))
    chosen = set(np.random.default_rng(seed).choice(len(doc_ids), size=n, replace=False).tolist())
    return [d for i, d in enumerate(doc_ids) if i in chosen]


def write_gold_share(root: Path, seed_root: Path, seed_doc_ids: list[str], share: float, seed: int) -> dict:
    """Write pass files and an adjudication for ``share`` of the documents of the project at ``root``
    (after ingest and tag), copied from the seed project's annotations at ``seed_root``."""
    units = stance_units(
        io.read_parquet(root / paths.SENTENCES),
        io.read_parquet(root / paths.MENTIONS),
        io.read_parquet(root / paths.DOCUMENTS),
    )
    chosen = gold_documents(list(dict.fromkeys(units["doc_id"])), share, seed)
    units = units[units["doc_id"].isin(chosen)].drop_duplicates(KEY)
    units = units.assign(template=[seed_doc_ids[template_index(d, len(seed_doc_ids))] for d in units["doc_id"]])
    seed_passes = read_passes(seed_root / paths.ANNOTATIONS)
    seed_adjudication = read_adjudication(seed_root / paths.ANNOTATIONS)
    passes_dir = root / paths.PASSES
    passes_dir.mkdir(parents=True, exist_ok=True)
    unmatched = 0
    for pass_id, seed_pass in seed_passes.groupby("pass_id", sort=True):
        labels = seed_pass.drop(columns=["sent_id", "sentence", "sample_id"]).rename(columns={"doc_id": "template"})
        rows = units.merge(labels, on=["template", "sent_key", "target"], how="left")
        missing = rows["label"].isna()
        unmatched = int(missing.sum())
        first = seed_pass.iloc[0]
        rows.loc[missing, ["label", "basis", "note"]] = ["neutral", "text", "synthetic: no seed unit"]
        for column in ("annotator", "annotator_kind", "guide_version", "date"):
            rows.loc[missing, column] = first[column]
        rows = rows.assign(sentence=rows["text"], sample_id="census")
        rows[PASS_COLUMNS].to_csv(passes_dir / f"{pass_id}.csv", index=False, lineterminator="\n")
    adjudication = units.merge(
        seed_adjudication.rename(columns={"doc_id": "template"}), on=["template", "sent_key", "target"]
    )
    adjudication[ADJUDICATION_COLUMNS].to_csv(root / paths.ADJUDICATION, index=False, lineterminator="\n")
    return {
        "gold_documents": len(chosen),
        "gold_units": int(len(units)),
        "adjudicated": int(len(adjudication)),
        "units_without_seed_match": unmatched,
    }
