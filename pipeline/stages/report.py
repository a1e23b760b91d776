"""report: the figure set, its index, and the HTML and Markdown reports.

Draws every registered figure (pipeline.plugins.figures: the built-in
modules of pipeline/figures and the project's plugins) as PNG, SVG and PDF,
writes outputs/figures/README.md, and assembles outputs/report.html (self-
contained: figures embedded, no external resources) and outputs/report.md
from the same content (pipeline.report). The figure folder and both
reports are committed together: a failed draw leaves the old set intact,
and no stale figure survives a renamed or removed registry entry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import io, paths
from pipeline.figures import FigureContext, render_all
from pipeline.params import Params
from pipeline.report.render import (
    figure_entries,
    not_drawn_entries,
    read_evaluation,
    read_tables,
    render,
    write_figure_index,
)
from pipeline.report.sections import corpus_overview, examples, limits, method

DIFFERENCES = paths.table("compare", "stance_group_differences")
FIGURE_LINKS = paths.FIGURES.relative_to(paths.REPORT_HTML.parent).as_posix()
"""How the reports (in outputs/) link to the figure files."""


def _read_optional_csv(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.is_file() else None


def _read_optional_json(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def run(params: Params) -> None:
    root, settings = params.root, params.report
    documents = io.read_parquet(root / paths.DOCUMENTS)
    sentences = io.read_parquet(root / paths.SENTENCES)
    stances = io.read_parquet(root / paths.STANCES)
    ctx = FigureContext.from_params(params)
    formats: list[str] = list(settings.formats)

    with io.StageOutputs(root) as out:
        staging = out.folder(paths.FIGURES)
        rendered, not_drawn = render_all(ctx, staging, formats, settings.dpi)
        write_figure_index(rendered, staging / "README.md", ctx, formats, settings.dpi, not_drawn)

        overview = corpus_overview(documents, sentences, stances, params.target_names)
        evaluation = read_evaluation(root, [paths.EVALUATION])
        differences = _read_optional_csv(root / DIFFERENCES)
        model = {
            "title": settings.title,
            "labels": ctx.describe_labels(),
            "n_documents": len(overview),
            "n_sentences": len(sentences),
            "n_units": len(stances),
            "n_words": int(overview["n_words"].sum()),
            "groups": overview.groupby("author_origin")["doc_id"].nunique().to_dict(),
            "targets": params.target_names,
            "method": method(params, ctx, differences, _read_optional_json(root / paths.GOLD_METRICS)),
            "documents": overview.to_dict("records"),
            "tables": read_tables(root / paths.TABLES, root, settings.table_max_rows),
            "evaluation": evaluation,
            "examples": examples(stances, sentences, documents, settings.examples_per_label),
            "limits": limits(overview, stances, evaluation, ctx, differences),
            "not_drawn": not_drawn_entries(not_drawn),
        }
        page = ctx.width("double")
        html_figures = figure_entries(rendered, settings.embed, FIGURE_LINKS, page)
        io.write_text(out.file(paths.REPORT_HTML), render("html", {**model, "figures": html_figures}))
        md_figures = figure_entries(rendered, "png", FIGURE_LINKS, page)
        io.write_text(out.file(paths.REPORT_MD), render("md", {**model, "figures": md_figures}))
