"""The compare tables' captions: what each table holds and what the design lets it show, in words.

Written from the run's own settings and counts, so a caption never
disagrees with its table (the report shows them under each table).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.analysis.estimates import Settings
from pipeline.analysis.vocabulary import selection_note
from pipeline.nlp.coverage import CoverageGaps
from pipeline.params import LogOdds

NO_LABELS = "Does not use stance labels (the same under model and gold labels)."


def design_note(doc_counts: dict[str, int]) -> str:
    """What five-odd documents support, in words, for every caption that reports group figures."""
    counts = ", ".join(f"{g} {n}" for g, n in sorted(doc_counts.items()))
    singles = sorted(g for g, n in doc_counts.items() if n == 1)
    note = (
        f"Documents per group: {counts}. The document is the unit of replication; group figures are "
        "means over documents, not pooled sentences."
    )
    if singles:
        note += (
            f" {' and '.join(singles)}: one document each (single_document = True), so their figures and "
            "intervals describe that one document (intervals from resampling its sentences), not authors "
            "of that origin in general."
        )
    return note


def coverage_note(gaps: CoverageGaps) -> str:
    """Caption sentence for origin groups that never mention a target, so an empty share reads as no data."""
    if not gaps.groups_without_target:
        return ""
    silent = "; ".join(
        f"origin group {origin} ({n_docs} document(s)) never mentions {target}"
        for origin, target, n_docs in gaps.groups_without_target
    )
    return (
        f" No data, not zero: {silent}. Its shares and net index toward that target are empty (n_units = 0; "
        "n_docs_mentioning = 0 in stance_by_group), and it enters no group difference for that target."
    )


@dataclass(frozen=True)
class CaptionFacts:
    """What the captions state besides the settings: label source, design and coverage notes, co-occurrence."""

    labels: str  # e.g. "model labels (classifier: lexicon)"
    design: str  # design_note(...)
    no_data: str  # coverage_note(...)
    window: int
    n_matrix_actors: int


def compare_captions(facts: CaptionFacts, settings: Settings, log_odds: LogOdds) -> dict[str, str]:
    """Caption of every compare table, by table name."""
    labels_phrase = f"Stance labels: {facts.labels}."
    design, no_data = facts.design, facts.no_data
    level = f"{round(100 * settings.level)}%"
    boot = f"{level} hierarchical bootstrap interval ({settings.n_resamples} resamples)"
    window_words = "the same sentence" if facts.window == 0 else f"a window of {facts.window} sentence(s) either side"
    return {
        "stance_by_document": f"Stance per document and target. {labels_phrase} Counts and shares are over (sentence, target) units "
        "(sentences mentioning the target); net_index = (favor - against) / units, from -1 to 1, with a "
        f"{level} interval from resampling the document's sentences. Salience: target mentions per 1,000 words. "
        f"included = at least {settings.min_mentions} unit(s), so the document enters its group's estimate. "
        f"Recompute every count from stance_evidence.{no_data}",
        "stance_by_group": f"Stance per origin group and target: document-weighted mean shares and net index with {boot}: "
        f"documents resampled within group, then sentences within document. {labels_phrase} {design}{no_data}",
        "stance_by_group_sources": "Stance per origin group and target from every label source available to it, one row each "
        "(label_source): gold = complete gold labels; ppi = prediction-powered (gold of a random sample plus the "
        "classifier's cross-fitted predictions, PPI++ per document x target cell, documents weighted equally; interval "
        "the hull of the sampling-design interval for these documents and a hierarchical prediction-powered bootstrap "
        "for authors of that origin; n_docs_model documents without gold enter with model labels); model = classifier "
        "labels for every unit, interval from resampling documents and sentences only, ignoring classification error. "
        f"reported marks the source stance_by_group shows (params stance.labels). {design}{no_data}",
        "stance_group_differences": "Pairwise differences between origin groups (group_a - group_b) of document-weighted stance measures, "
        f"with {boot} (groups resampled independently) and a two-sided permutation test that reassigns whole "
        "documents between the two groups (exact when all assignments are enumerable). min_attainable_p is the "
        "smallest p the design can give: with 3 vs 1 documents no difference can reach p < 0.25, with 1 vs 1 "
        f"none can go below 1. {labels_phrase} {design}{no_data}",
        "ppi_validation": "Proof by simulation that the prediction-powered intervals hold (docs/ppi.md): with the full gold as "
        "the truth, samples drawn as `annotate export` draws them (budget = share of units, at least the minimum per "
        "document x target cell) and cross-fitted (leave-one-document-out) predictions; for each method (ppi, "
        "classical = the gold sample alone, model = model labels for every unit), budget, level (document x target x "
        f"label share, or origin x target share and net index) and cell size (small: under 40 units), the share of "
        f"{level} intervals containing the full-gold value (coverage), their median and mean width, and "
        "width_vs_classical: the mean ratio of each interval's width to the gold-sample-only interval's for the same "
        "sample and statistic (below 1: ppi is narrower); n intervals scored.",
        "framing_terms": "Framing vocabulary: for each target, terms each origin group uses more than the other groups in "
        "sentences mentioning that target. Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi "
        f"& Quinn 2008; prior = term frequencies of the whole corpus scaled to {log_odds.prior_scale:g} "
        "pseudo-tokens) and its z-score; positive = used more by the group. Token counts are pooled over the "
        "group's sentences, so a long document weighs more: docs_using says in how many of the group's "
        "documents the term occurs; n_sentences_group and n_tokens_group: the group's sentences mentioning the "
        "target and the term tokens counted in them. "
        f"{selection_note(log_odds.english_stop_words, log_odds.min_count)} {NO_LABELS} {design}",
        "frame_rates_by_document": "Frame lexicon matches per document and category, per 1,000 words (categories and terms in params.yaml "
        f"frames.categories). Matched sentences: frame_matches. {NO_LABELS}",
        "frame_rates_by_group": f"Frame lexicon rates per origin group: document-weighted mean matches per 1,000 words with {boot}. "
        f"{NO_LABELS} {design}",
        "frame_matches": "Every frame lexicon match: document, sentence, category, matched term and its character offsets in "
        f"the sentence; frame_rates_by_document counts these rows. {NO_LABELS}",
        "actor_salience_by_document": "Actor salience per document: entity mentions of each canonical actor (gazetteer ids from params.yaml "
        f"targets and nlp.actors) per 1,000 words. {NO_LABELS}",
        "actor_salience_by_group": f"Actor salience per origin group: document-weighted mean mentions per 1,000 words with {boot}. "
        f"{NO_LABELS} {design}",
        "actor_cooccurrence": f"Actor co-occurrence per origin group; a window is {window_words}. windows_both/a/b are pooled counts "
        "of windows with both actors / each actor; jaccard = both / either, averaged over the group's documents "
        "in which either actor occurs; per_100_windows = windows with both per 100 windows, averaged over "
        f"documents. Pairs that never co-occur are omitted. {NO_LABELS} {design}",
        "actor_cooccurrence_matrix": f"Actor co-occurrence matrix per origin group (document-weighted Jaccard; {window_words}), for the "
        f"{facts.n_matrix_actors} most mentioned actors; blank diagonal. {NO_LABELS} {design}",
        "stance_evidence": "Evidence: every (sentence, target) unit with its stance label, the target words and frame terms it "
        f"contains, and the sentence. {labels_phrase} stance_by_document counts and stance_by_group shares "
        "recompute exactly from the rows with included = True.",
    }
