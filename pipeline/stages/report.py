"""report: the figure set, its index, and the HTML and Markdown reports.

Draws every figure in the registry (pipeline.figures) as PNG, SVG and PDF,
writes outputs/figures/README.md, and assembles outputs/report.html (self-
contained: figures embedded, no external resources) and outputs/report.md
from the same content.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd

from pipeline import io
from pipeline.config import Params
from pipeline.figures import FigureContext, render_all
from pipeline.reporting import (
    corpus_overview,
    examples,
    figure_entries,
    limits,
    method,
    not_drawn_entries,
    read_evaluation,
    read_tables,
    render,
    write_figure_index,
)

# The row data the report reads, as the ingest, tag and stance stages write it. Named here
# rather than imported from those stage modules, which would load spaCy and the classifiers
# (seconds) into a stage that draws figures; a test keeps the paths equal.
DOCUMENTS = "outputs/data/documents.parquet"
SENTENCES = "outputs/data/sentences.parquet"
STANCES = "outputs/data/stances.parquet"
FIGURES = "outputs/figures"
TABLES = "outputs/tables"
REPORT_HTML = "outputs/report.html"
REPORT_MD = "outputs/report.md"
DIFFERENCES = "outputs/tables/stance_group_differences.csv"
AGREEMENT = "outputs/metrics/agreement.json"


def _read_optional_csv(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.is_file() else None


def _read_optional_json(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def run(params: Params) -> None:
    root = params.root
    documents = io.read_parquet(root / DOCUMENTS)
    sentences = io.read_parquet(root / SENTENCES)
    stances = io.read_parquet(root / STANCES)
    ctx = FigureContext.from_params(params)
    formats, dpi = [str(f) for f in params.get("report.formats")], int(params.get("report.dpi"))
    embed = str(params.get("report.embed"))
    if embed not in formats:
        raise ValueError(f"params.yaml: report.embed '{embed}' must be one of report.formats {formats}")

    # Draw into a fresh staging folder, then swap it in: no stale figure survives a
    # renamed or removed registry entry, and a failed draw leaves the old set intact.
    out = root / FIGURES
    with io.atomic_dir(out) as staging:
        rendered, not_drawn = render_all(ctx, staging, formats, dpi)
        write_figure_index(rendered, staging / "README.md", ctx, formats, dpi, not_drawn)
    rendered = [replace(r, files=tuple(out / p.name for p in r.files)) for r in rendered]

    overview = corpus_overview(documents, sentences, stances, params.targets)
    evaluation = read_evaluation(root, [str(p) for p in params.get("report.evaluation_metrics")])
    differences = _read_optional_csv(root / DIFFERENCES)
    model = {
        "title": str(params.get("report.title")),
        "labels": ctx.describe_labels(),
        "n_documents": len(overview),
        "n_sentences": len(sentences),
        "n_units": len(stances),
        "n_words": int(overview["n_words"].sum()),
        "groups": overview.groupby("author_origin")["doc_id"].nunique().to_dict(),
        "targets": params.targets,
        "method": method(params, ctx, differences, _read_optional_json(root / AGREEMENT)),
        "documents": overview.to_dict("records"),
        "tables": read_tables(root / TABLES, root, int(params.get("report.table_max_rows"))),
        "evaluation": evaluation,
        "examples": examples(stances, sentences, documents, int(params.get("report.examples_per_label"))),
        "limits": limits(overview, stances, evaluation, ctx, differences),
        "not_drawn": not_drawn_entries(not_drawn),
    }
    page = ctx.width("double")
    html_figures = figure_entries(rendered, embed, root / "outputs", page)
    io.write_text(root / REPORT_HTML, render("html", {**model, "figures": html_figures}))
    md_figures = figure_entries(rendered, "png", root / "outputs", page)
    io.write_text(root / REPORT_MD, render("md", {**model, "figures": md_figures}))
