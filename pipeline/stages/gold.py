"""gold: derive the gold labels from the annotation passes and the adjudication; measure agreement.

Every pass row must still match a unit of the cleaned corpus, every
disagreement between passes (label or basis) must be adjudicated with the
rule applied, and nothing else may be: then each labelled unit gets one gold
label and basis (pipeline.annotation.gold), written to
outputs/data/gold.parquet for the stages that learn from, score against or
report gold labels. A corpus without any pass gets an empty gold table: the
pipeline then runs on model labels. Agreement between the passes
(Krippendorff's alpha, Cohen's kappa, raw agreement, with intervals) is
given overall and per target, for the label, the sentence-local reading and
the basis, on all multiply-coded units and on those the guide does not quote.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from pipeline import io, paths
from pipeline.annotation.gold import derive_gold
from pipeline.annotation.guide_quotes import guide_quotes, quoted_in_guide
from pipeline.annotation.passes import read_adjudication, read_passes
from pipeline.annotation.reliability import agreement_table
from pipeline.annotation.summaries import adjudication_table, confusion_table, gold_counts
from pipeline.ingestion.manifest import load_manifest
from pipeline.nlp.units import unit_keys
from pipeline.params import Params
from pipeline.tables import write_table

STAGE = "gold"


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    return value


def annotators_phrase(passes: pd.DataFrame, adjudication: pd.DataFrame) -> str:
    """Who labelled, in words: model-based annotators are never called human coders."""
    kinds = passes.groupby("annotator")["annotator_kind"].first()
    parts = [
        f"{(kinds == kind).sum()} {'model-based (LLM sessions, not human coders)' if kind == 'model' else 'human'}"
        for kind in sorted(set(kinds))
    ]
    text = f"{' and '.join(parts)} annotator(s)" if parts else "no annotators"
    if not adjudication.empty:
        adjudicators = adjudication["adjudicator_kind"].unique()
        text += "; adjudication by a " + " and ".join(
            "model-based adjudicator" if k == "model" else "human adjudicator" for k in sorted(adjudicators)
        )
    return text


def headline(gold: pd.DataFrame, table: pd.DataFrame, who: str) -> dict[str, Any]:
    """A dozen numbers: how much gold, how it was made, and how far independent passes agree."""

    def pick(subset: str, field: str, column: str) -> Any:
        row = table[(table["subset"] == subset) & (table["scope"] == "all") & (table["field"] == field)]
        return _rounded(float(row[column].iloc[0])) if not row.empty else None

    return {
        "annotators": who,
        "n_gold_units": int(len(gold)),
        "n_adjudicated": int((gold["source"] == "adjudicated").sum()),
        "n_context_basis": int((gold["basis"] == "context").sum()),
        "n_multiply_coded": int(pick("all", "label", "n_units") or 0),
        "alpha_label": pick("all", "label", "alpha"),
        "alpha_label_low": pick("all", "label", "alpha_low"),
        "alpha_label_high": pick("all", "label", "alpha_high"),
        "kappa_label": pick("all", "label", "kappa"),
        "alpha_label_non_guide": pick("non_guide", "label", "alpha"),
        "alpha_label_text_reading": pick("all", "label_text", "alpha"),
        "alpha_basis": pick("all", "basis", "alpha"),
    }


def run(params: Params) -> None:
    root = params.root
    manifest = load_manifest(root / paths.MANIFEST, params.corpus.origins)
    passes = read_passes(root / paths.ANNOTATIONS)
    adjudication = read_adjudication(root / paths.ANNOTATIONS)

    quotes = guide_quotes((root / paths.GUIDE).read_text(encoding="utf-8")) if (root / paths.GUIDE).is_file() else []
    if len(passes):  # each sentence once: every pass repeats the sentences of the units it labels
        quoted_by_sentence = {s: quoted_in_guide(s, quotes) for s in passes["sentence"].unique()}
        quoted = passes["sentence"].map(quoted_by_sentence)
    else:
        quoted = pd.Series(dtype=bool)
    bootstrap = params.gold.bootstrap
    # Agreement first: its bootstrap arrays (replicates x units) are freed before the corpus's units are
    # read, and memory the allocators keep from that read does not add to their peak.
    table = agreement_table(passes, quoted, n_boot=bootstrap.n_resamples, level=bootstrap.level, seed=params.seed)
    units = unit_keys(
        io.read_parquet(root / paths.SENTENCES, columns=["doc_id", "sent_id", "sent_key"]),
        io.read_parquet(root / paths.MENTIONS, columns=["doc_id", "sent_id", "target"]),
    )
    gold = derive_gold(passes, adjudication, units, root / paths.ANNOTATIONS)
    who = annotators_phrase(passes, adjudication)
    pct = f"{bootstrap.level:.0%}"

    with io.StageOutputs(root) as out:
        io.write_parquet(gold, out.file(paths.GOLD))
        tables = out.folder(paths.tables(STAGE))
        write_table(
            table,
            tables / "agreement",
            f"Agreement between the annotation passes on the units two or more annotators labelled: raw agreement "
            f"(all annotators gave the same value) with a {pct} Wilson interval; Krippendorff's alpha and Cohen's "
            f"kappa (two annotators) with {pct} bootstrap intervals (units resampled within document × target). "
            "field 'label': the full reading; 'label_text': the sentence-local reading (context-basis labels as "
            "neutral); 'basis': text vs context. subset 'non_guide': units whose sentence the annotation guide "
            f"does not quote as an example. Annotators: {who}; agreement between model-based annotators that "
            "follow one guide overstates what independent human coders would reach.",
        )
        write_table(
            confusion_table(passes),
            tables / "agreement_confusion",
            f"Labels of each pair of annotators on the units both labelled (rows: annotator_a; columns: b_<label>), "
            f"overall and per target. Annotators: {who}.",
        )
        write_table(
            adjudication_table(passes, gold),
            tables / "adjudications",
            "Units where the passes disagreed (in label or basis): every annotator's label/basis, the adjudicated "
            f"decision and the spec or guide rule applied. {who[:1].upper() + who[1:]}.",
        )
        write_table(
            gold_counts(units, gold, manifest.set_index("doc_id")["author_origin"]),
            tables / "gold_counts",
            "Gold labels per document × target (rows 'all': totals per target): units, gold-labelled units, labels, "
            "how many have basis context and how many were adjudicated; design 'census' = every unit labelled, "
            "'sample' = a random sample of `annotate export`, 'partial' = some labelled but not at random, "
            f"'none' = no gold. Gold derived from the pass files and adjudication.csv. Annotators: {who}.",
        )
        io.write_json(out.file(paths.metrics(STAGE)), headline(gold, table, who))
