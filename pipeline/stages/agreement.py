"""agreement: check the gold set, and measure agreement between the first and the blind second pass.

Before measuring anything it checks that stance_gold.csv is current with
the pass and adjudication files, that every (sentence, target) unit of the
cleaned corpus has a gold label and every gold row a unit, and that every
disagreement between the passes was adjudicated. Then it writes kappa and
raw agreement with intervals (overall, per target, per document; all
double-coded units and those not quoted in the guide), the confusion
tables, the adjudications and the gold label counts per document × target.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from pipeline import io, paths
from pipeline.annotation.gold import attach_gold, check_gold_current, read_adjudication, read_passes
from pipeline.annotation.reliability import (
    adjudication_table,
    agreement_table,
    confusion_table,
    gold_counts,
    guide_quotes,
    pair_passes,
    quoted_in_guide,
)
from pipeline.ingestion.manifest import load_manifest
from pipeline.nlp.units import stance_units
from pipeline.params import Params

STAGE = "agreement"
ANNOTATORS = (
    "3 model-based annotators (LLM sessions A, B, C; not human coders); adjudication by a model-based adjudicator"
)
"""Who labelled the guide-v1 passes: the v1 pass files record no annotator kind (corpus/annotations/README.md)."""


def _clean(value: Any) -> Any:
    """JSON-safe, rounded metric value (NaN, e.g. kappa with a single label, becomes null)."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    return value


def metrics_json(table: pd.DataFrame, gold: pd.DataFrame) -> dict[str, Any]:
    """About a dozen headline numbers (`dvc metrics show`): how much gold, how it was made, how far the
    first and the blind second pass agree overall. Per target and per document: the agreement table."""

    def overall(subset: str, column: str) -> Any:
        row = table[(table["subset"] == subset) & (table["scope"] == "overall")]
        return _clean(float(row[column].iloc[0])) if not row.empty else None

    return {
        "gold_version": "v1",
        "annotators": ANNOTATORS,
        "n_gold_units": len(gold),
        "n_adjudicated": int((gold["source"] == "adjudicated").sum()),
        "n_multiply_coded": overall("all", "n_units"),
        "n_disagree": overall("all", "n_disagree"),
        "raw_agreement": overall("all", "raw_agreement"),
        "kappa_label": overall("all", "kappa"),
        "kappa_label_low": overall("all", "kappa_ci_low"),
        "kappa_label_high": overall("all", "kappa_ci_high"),
        "kappa_label_non_guide": overall("non_guide", "kappa"),
    }


def run(params: Params) -> None:
    manifest = load_manifest(params.root / paths.MANIFEST, params.corpus.origins)
    doc_ids, targets = manifest["doc_id"].tolist(), params.target_names
    annotations = params.root / paths.ANNOTATIONS

    gold = check_gold_current(annotations, doc_ids, targets)
    units = stance_units(io.read_parquet(params.root / paths.SENTENCES), io.read_parquet(params.root / paths.MENTIONS))
    attach_gold(units, gold, where=annotations / paths.GOLD.name)

    first = read_passes(annotations, "pass1_*.csv", doc_ids, targets)
    second = read_passes(annotations, "pass2_*.csv", doc_ids, targets)
    adjudication = read_adjudication(annotations, first)
    pairs = pair_passes(first, second)
    quotes = guide_quotes((params.root / paths.GUIDE).read_text(encoding="utf-8"))
    pairs["in_guide"] = [quoted_in_guide(s, quotes) for s in pairs["sentence"]]

    bootstrap = params.agreement.bootstrap
    table = agreement_table(pairs, n_boot=bootstrap.n_resamples, level=bootstrap.level, seed=params.seed)
    adjudications = adjudication_table(pairs, adjudication)
    counts = gold_counts(gold, manifest.set_index("doc_id")["author_origin"])

    pct = f"{bootstrap.level:.0%}"
    with io.StageOutputs(params.root) as out:
        tables = out.folder(paths.tables(STAGE))
        io.write_table(
            table,
            tables / "agreement",
            f"Agreement between the first pass and the blind second pass on the double-coded units: Cohen's kappa "
            f"with a {pct} bootstrap interval (units resampled within document × target strata) and raw agreement "
            f"with a {pct} Wilson interval. subset 'all': every double-coded unit; 'non_guide': units whose "
            f"sentence is not quoted in the annotation guide. Annotators: {ANNOTATORS}.",
        )
        io.write_table(
            confusion_table(pairs),
            tables / "agreement_confusion",
            "Confusion of first-pass (rows) and second-pass (columns) labels on the double-coded units, "
            "overall and per target.",
        )
        io.write_table(
            adjudications,
            tables / "adjudications",
            "Adjudicated gold labels: each disagreement between the passes, and first-pass labels re-adjudicated "
            "under a rule added to the guide after the agreement study, with the rule applied.",
        )
        io.write_table(
            counts,
            tables / "gold_counts",
            "Gold stance labels per document × target (rows 'all': totals per target); n_double_coded units "
            "were also labelled by the blind second pass, n_adjudicated were decided by adjudication.",
        )
        with io.atomic_path(tables / "agreement_units.csv") as tmp:
            pairs.to_csv(tmp, index=False, lineterminator="\n")
        io.write_json(out.file(paths.metrics(STAGE)), metrics_json(table, gold))
