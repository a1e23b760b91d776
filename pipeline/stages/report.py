"""report: the figure set, its index, the HTML and Markdown reports, the sentence explorer, the plots page.

Draws every registered figure (pipeline.plugins.figures: the built-in
modules of pipeline/figures and the project's plugins) as PNG, SVG and PDF,
writes outputs/figures/README.md, and assembles outputs/report.html (self-
contained: figures embedded, no external resources) and outputs/report.md
from the same content (pipeline.report): question, corpus, method and
label source, findings, figures, evaluation, examples, table index, limits.
It also writes the sentence explorer (outputs/explorer.html: the units
behind every figure cell, from the compare outputs) and the offline page
template of `dvc plots show`. All outputs are committed together: a failed
draw leaves the old set intact, and no stale figure survives a renamed or
removed registry entry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import io, paths
from pipeline.analysis.headline import reported_rows
from pipeline.analysis.vocabulary import compare_vectorizer, term_names
from pipeline.figures import FigureContext, Palette, render_all, submit, worker_pool
from pipeline.figures.provenance import gold_version
from pipeline.imports import hidden
from pipeline.nlp.units import mention_units
from pipeline.params import Params
from pipeline.report.examples import examples, gold_labels
from pipeline.report.explorer_units import explorer_units
from pipeline.report.findings import findings, reading_note
from pipeline.report.provenance import Provenance, provenance
from pipeline.report.render import (
    figure_entries,
    not_drawn_entries,
    read_metrics,
    render,
    table_index,
    write_figure_index,
)
from pipeline.report.sections import corpus_overview, documents_by_origin, limits, method, question
from pipeline.report.vega import plots_template

BY_GROUP = paths.table("compare", "stance_by_group")
DIFFERENCES = paths.table("compare", "stance_group_differences")
EVIDENCE = paths.table("compare", "stance_evidence")
HERE = paths.REPORT_HTML.parent
LINKS = {
    "figures": paths.FIGURES.relative_to(HERE).as_posix(),
    "tables": paths.TABLES.relative_to(HERE).as_posix(),
    "explorer": paths.EXPLORER_HTML.relative_to(HERE).as_posix(),
    "markdown": paths.REPORT_MD.relative_to(HERE).as_posix(),
}
"""How the reports (in outputs/) link to the other outputs."""


def _read_optional_csv(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.is_file() else None


def _read_optional_json(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _stage_notes(labels: Provenance) -> dict[str, str]:
    """The label note over each stage's tables in the table index."""
    return {
        "compare": f"stance tables: {labels.findings}; frame, vocabulary and actor tables use no stance labels.",
        "evaluate": labels.evaluation,
        "gold": f"the annotation passes; {labels.gold}." if labels.gold else "the annotation passes.",
    }


def _gold_record(root: Path) -> dict[str, Any] | None:
    """The gold stage's headline with the gold version its guide versions give (guide 2.x: gold v2)."""
    record = _read_optional_json(root / paths.GOLD_METRICS)
    if record is None or not (root / paths.GOLD).is_file():
        return record
    return {**record, "gold_version": gold_version(io.read_parquet(root / paths.GOLD)["guide_version"])}


def _read_oof(root: Path) -> pd.DataFrame | None:
    return io.read_parquet(root / paths.OOF_STANCES) if (root / paths.OOF_STANCES).is_file() else None


def _explorer(params: Params, palette: Palette, labels_note: str) -> str:
    """The explorer page from the compare stage's evidence, in the figures' colours and compare's term counts.

    A task for the report's worker processes, so it reads its own inputs
    (cheaper than sending them), and Altair is imported only here: in the
    worker that builds the page, without jsonschema's optional URI grammars
    (pipeline.imports; the Vega-Lite schema has no such format).
    """
    with hidden("rfc3987_syntax"):
        from pipeline.report.explorer import explorer_html
    root = params.root
    sentences = io.read_parquet(root / paths.SENTENCES)
    units = mention_units(sentences, io.read_parquet(root / paths.MENTIONS))  # the explorer shows no context
    stances = io.read_parquet(root / paths.STANCES)
    rows = explorer_units(
        pd.read_csv(root / EVIDENCE), units, stances, gold_labels(_read_oof(root)), params.stance.labels
    )
    return explorer_html(
        rows,
        stance_colours=palette.stance,
        origin_colours=palette.origins(sorted(rows["author_origin"].unique())),
        vectorizer=compare_vectorizer(term_names(params), sentences["text"], params.compare.log_odds),
        labels_note=labels_note,
    )


def run(params: Params) -> None:
    root, settings = params.root, params.report
    documents = io.read_parquet(root / paths.DOCUMENTS)
    sentences = io.read_parquet(root / paths.SENTENCES)
    stances = io.read_parquet(root / paths.STANCES)
    gold = gold_labels(_read_oof(root))
    ctx = FigureContext.from_params(params)
    formats: list[str] = list(settings.formats)
    per_group = pd.read_csv(root / BY_GROUP)
    differences = _read_optional_csv(root / DIFFERENCES)
    gold_metrics = _gold_record(root)
    evaluation = _read_optional_json(root / paths.EVALUATION)
    sources = sorted(set(reported_rows(per_group)["label_source"])) if "label_source" in per_group else []
    labels = provenance(params.stance.labels, sources, ctx.describe_labels("model"), gold_metrics, evaluation)

    labels_note = f"label used (figures and tables): {labels.findings}" + (
        f". Gold column: {labels.gold}" if labels.gold else ". No gold labels in this run"
    )

    with io.StageOutputs(root) as out, worker_pool(ctx) as pool:
        # the two longest tasks first (seconds each: Altair, Vega bundles), then the figures
        explorer = submit(pool, _explorer, params, ctx.palette, labels_note)
        plots_page = submit(pool, plots_template)
        staging = out.folder(paths.FIGURES)
        rendered, not_drawn = render_all(ctx, staging, formats, settings.dpi, pool)
        write_figure_index(rendered, staging / "README.md", ctx, formats, settings.dpi, not_drawn)

        overview = corpus_overview(documents, sentences, stances, params.target_names)
        groups = overview.groupby("author_origin")["doc_id"].nunique().to_dict()
        pooled = settings.max_document_rows if len(overview) > settings.max_document_rows else 0
        shown_examples, examples_source = examples(stances, sentences, documents, gold, settings.examples_per_label)
        model = {
            "title": settings.title,
            "question": question(groups, params.target_names),
            "links": LINKS,
            "n_documents": len(overview),
            "n_sentences": len(sentences),
            "n_units": len(stances),
            "n_words": int(overview["n_words"].sum()),
            "groups": groups,
            "targets": params.target_names,
            "method": method(params, ctx, differences),
            "provenance": labels,
            "level": ctx.interval,
            "bootstrap": ctx.bootstrap_phrase(),
            "findings": findings(per_group, differences, params.stance.labels),
            "reading_note": reading_note(differences, ctx.interval),
            "documents": (overview if pooled == 0 else documents_by_origin(overview)).to_dict("records"),
            "documents_pooled": pooled,
            "tables": table_index(root / paths.TABLES, LINKS["tables"]),
            "stage_notes": _stage_notes(labels),
            "metrics": [m for m in (read_metrics(root, p) for p in (paths.EVALUATION, paths.GOLD_METRICS)) if m],
            "examples": shown_examples,
            "examples_source": examples_source,
            "limits": limits(overview, stances, labels.findings, differences),
            "not_drawn": not_drawn_entries(not_drawn),
        }
        page = ctx.width("double")
        html_figures = figure_entries(rendered, settings.embed, LINKS["figures"], page)
        io.write_text(out.file(paths.REPORT_HTML), render("html", {**model, "figures": html_figures}))
        md_figures = figure_entries(rendered, "png", LINKS["figures"], page)
        io.write_text(out.file(paths.REPORT_MD), render("md", {**model, "figures": md_figures}))
        io.write_text(out.file(paths.EXPLORER_HTML), explorer.result())
        io.write_text(out.file(paths.PLOTS_TEMPLATE), plots_page.result())
