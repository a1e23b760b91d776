"""compare: how authors of each origin frame each target, with uncertainty and evidence.

Reads the row data, runs the four analyses of pipeline.analysis (stance
shares, frames, vocabulary, actors) and writes their tables with captions
(pipeline.analysis.captions) and the headline metrics. A document is the
unit of replication: every group figure is the mean of its documents'
figures, with a hierarchical bootstrap interval; every table can be
recomputed from the evidence tables (stance_evidence, frame_matches). The
method is written up in docs/method.md.
"""

from __future__ import annotations

from pipeline import io, paths
from pipeline.analysis import actors as actor_analysis
from pipeline.analysis import frames as frame_analysis
from pipeline.analysis import shares
from pipeline.analysis.captions import CaptionFacts, compare_captions, coverage_note, design_note
from pipeline.analysis.estimates import Settings, rates_by_document, rates_by_group
from pipeline.analysis.headline import headline_metrics
from pipeline.analysis.jobs import Runner
from pipeline.analysis.label_sources import compare_sources, source_phrase
from pipeline.analysis.labels import CompareInputError, source_units
from pipeline.analysis.ppi_validation import validation_if_census
from pipeline.analysis.vocabulary import term_names, vocabulary_table
from pipeline.executor import make_executor
from pipeline.nlp.coverage import coverage_gaps
from pipeline.params import Params
from pipeline.tables import write_table

STAGE = "compare"
EVIDENCE_ONLY = ("csv",)
"""Row-level evidence tables: nobody reads thousands of rows in a paper, so CSV only."""
DOCUMENT_COLUMNS = ["doc_id", "author_origin", "n_words"]
"""What the analyses read of documents.parquet: not the texts, which the sentences hold again."""
ENTITY_COLUMNS = ["doc_id", "sent_id", "actor_id"]
"""What actor salience and co-occurrence read of entities.parquet: which actor, in which sentence."""


def run(params: Params) -> None:
    with make_executor(params.executor) as executor:
        settings = Settings.from_params(params.seed, params.compare, Runner(executor))
        documents = io.read_parquet(params.root / paths.DOCUMENTS, columns=DOCUMENT_COLUMNS)
        sentences = io.read_parquet(params.root / paths.SENTENCES).sort_values(["doc_id", "sent_id"])
        sentences = sentences.reset_index(drop=True)
        mentions = io.read_parquet(params.root / paths.MENTIONS)
        targets = params.target_names
        units, classifier, cells = source_units(params, sentences, mentions)
        if units.empty:
            raise CompareInputError(
                f"no document mentions any of the targets {targets}, so there is no stance to "
                "compare; check the aliases under targets in params.yaml (tag warned per document)"
            )
        doc_counts = {str(g): int(n) for g, n in documents.groupby("author_origin")["doc_id"].nunique().items()}

        comparison = compare_sources(documents, mentions, units, cells, targets, settings, params.stance.labels)
        per_doc, per_group = comparison.per_doc, comparison.per_group
        differences = shares.group_differences(per_doc, comparison.replicates, targets, settings)
        validation = validation_if_census(units, documents, cells, settings, params.annotate.min_per_cell)

        categories = frame_analysis.frame_categories(params.frames.categories)
        names = [c.name for c in categories]
        matches = frame_analysis.match_frames(sentences, mentions, categories)
        frame_counts = frame_analysis.frame_counts(matches, sentences, names)

        vocabulary = vocabulary_table(units, sentences, documents, term_names(params), targets, params.compare.log_odds)

        actors = [*targets, *[a for a in params.nlp.actors if a not in targets]]
        entities = io.read_parquet(params.root / paths.ENTITIES, columns=ENTITY_COLUMNS)
        actor_counts = actor_analysis.actor_counts_by_sentence(sentences, entities, actors)
        window = params.compare.cooccurrence.window
        pairs = actor_analysis.actor_cooccurrence(documents, sentences, actor_counts, actors, window)
        shown = actor_analysis.most_mentioned(actors, actor_counts, params.compare.cooccurrence.max_actors)
        rates = rates_by_group(
            documents, sentences, {"category": (frame_counts, names), "actor": (actor_counts, actors)}, settings
        )

        tables = {
            "stance_by_document": per_doc,
            "stance_by_group": per_group,
            "stance_by_group_sources": comparison.by_source,
            "stance_group_differences": differences,
            "framing_terms": vocabulary,
            "frame_rates_by_document": rates_by_document(documents, sentences, frame_counts, names, "category"),
            "frame_rates_by_group": rates["category"],
            "actor_salience_by_document": rates_by_document(documents, sentences, actor_counts, actors, "actor"),
            "actor_salience_by_group": rates["actor"],
            "actor_cooccurrence": pairs,
            "actor_cooccurrence_matrix": actor_analysis.cooccurrence_matrix(pairs, shown),
        }
        if validation is not None:
            tables["ppi_validation"] = validation
    facts = CaptionFacts(
        labels=source_phrase(comparison.by_source, classifier, params.stance.basis),
        design=design_note(doc_counts),
        # stance tables only: a salience of 0 is a real 0
        no_data=coverage_note(coverage_gaps(documents, mentions, targets)),
        window=window,
        n_matrix_actors=len(shown),
    )
    captions = compare_captions(facts, settings, params.compare.log_odds)
    metrics = headline_metrics(params.stance.labels, per_group, differences, doc_counts, len(units))

    # The row-level evidence, built one table at a time as it is written: at corpus scale each holds a
    # sentence text per row, the largest tables of the stage (docs/performance.md).
    evidence = {
        "frame_matches": lambda: frame_analysis.frame_evidence(matches, sentences, documents),
        "stance_evidence": lambda: shares.stance_evidence(comparison.units, sentences, documents, matches, per_doc),
    }
    with io.StageOutputs(params.root) as out:
        folder = out.folder(paths.tables(STAGE))
        for name, table in tables.items():
            write_table(table, folder / name, captions[name], formats=("csv", "md", "tex"))
        for name, build in evidence.items():
            write_table(build(), folder / name, captions[name], formats=EVIDENCE_ONLY)
        io.write_json(out.file(paths.metrics(STAGE)), metrics)
