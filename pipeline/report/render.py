"""Rendering the report: figure index, HTML and Markdown documents from the stage outputs.

Everything a reader sees is computed from the outputs of this run (corpus
counts, captions, tables, evaluation metrics, limits); nothing is typed in
by hand. Corpus text (titles, authors, sentences) is data, so both
templates escape every value they print: Jinja's HTML autoescape for the
HTML report, :func:`md_escape` for the Markdown one. A document containing
``<script>`` shows as text and never runs.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from pipeline import io
from pipeline.figures.registry import FigureContext, NotDrawn, Rendered

TEMPLATES = jinja2.PackageLoader("pipeline.report", "templates")
_MD_SPECIAL = re.compile(r"([\\`*\[\]|])")
_MIME = {"svg": "image/svg+xml", "png": "image/png"}


def md_escape(value: Any) -> str:
    """Markdown-safe text: HTML metacharacters as entities, Markdown syntax backslash-escaped.

    Values marked ``Markup`` (our own links and paths) pass through unchanged.
    """
    if value is None:
        return ""
    if isinstance(value, Markup):
        return str(value)
    text = " ".join(str(value).split())  # one line: a newline would break a table row
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _environment(kind: str) -> jinja2.Environment:
    if kind == "html":
        return jinja2.Environment(
            loader=TEMPLATES, autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
        )
    return jinja2.Environment(
        loader=TEMPLATES,
        autoescape=False,
        finalize=md_escape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class TableFile:
    """A table the stages wrote to outputs/tables: linked from the report, never dumped into it."""

    stage: str
    name: str
    summary: str
    """The caption's first sentence, at most SUMMARY_CHARS long."""
    caption: str
    n_rows: int
    files: list[Markup]
    """Links (relative to the report) to the CSV and its Markdown and LaTeX twins."""


def _caption_of(csv: Path) -> str:
    """The caption write_table put at the top of the table's Markdown twin (first paragraph)."""
    md = csv.with_suffix(".md")
    if not md.is_file():
        return ""
    return md.read_text(encoding="utf-8").split("\n\n", 1)[0].strip()


SUMMARY_CHARS = 160
"""A table's one-line summary in the table index; the whole caption is one click away."""


def _summary(caption: str) -> str:
    """The caption's first sentence, cut at a word boundary when longer than SUMMARY_CHARS."""
    match = re.match(r"(.+?\.)(\s|$)", caption, re.DOTALL)
    first = " ".join((match.group(1) if match else caption).split())
    if len(first) <= SUMMARY_CHARS:
        return first
    return first[:SUMMARY_CHARS].rsplit(" ", 1)[0].rstrip(",;:(") + " \u2026"


def table_index(tables_dir: Path, link_dir: str) -> list[TableFile]:
    """Every CSV table in the stage folders under ``tables_dir`` (stage, then name order), with its caption,
    row count and links ``link_dir/<stage>/<file>``."""
    out = []
    for csv in sorted(tables_dir.glob("*/*.csv"), key=lambda p: (p.parent.name, p.name)):
        caption = _caption_of(csv)
        with csv.open(encoding="utf-8") as handle:
            n_rows = max(sum(1 for _ in handle) - 1, 0)  # rows of a CSV without embedded newlines
        twins = [csv.with_suffix(ext) for ext in (".csv", ".md", ".tex")]
        files = [Markup(f"{link_dir}/{csv.parent.name}/{t.name}") for t in twins if t.is_file()]
        out.append(TableFile(csv.parent.name, csv.stem, _summary(caption), caption, n_rows, files))
    return out


def _flatten(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(data, Mapping):
        out: list[tuple[str, str]] = []
        for key in sorted(data):
            out += _flatten(data[key], f"{prefix}/{key}" if prefix else str(key))
        return out
    if isinstance(data, float):
        return [(prefix, f"{data:.3f}")]
    if isinstance(data, list) and all(isinstance(v, int | float) for v in data):
        return [(prefix, ", ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in data))]
    return [(prefix, json.dumps(data) if isinstance(data, list | dict) else str(data))]


def metric_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A metrics file as rows to display: key, value, and whether the value is a number (right-aligned,
    kept on one line) or text (wrapped, so a long value never pushes the column off the page)."""
    rows = []
    for key, value in _flatten(data):
        numeric = bool(re.fullmatch(r"-?[\d.]+(, -?[\d.]+)*", value)) and len(value) <= 24
        rows.append({"key": key, "value": value, "numeric": numeric})
    return rows


def read_metrics(root: Path, rel: Path) -> dict[str, Any] | None:
    """A metrics file's display rows, or None when this run has no such file (nothing is shown then)."""
    path = root / rel
    if not path.is_file():
        return None
    return {"path": rel.as_posix(), "rows": metric_rows(json.loads(path.read_text(encoding="utf-8")))}


def _data_uri(path: Path) -> str:
    mime = _MIME[path.suffix.lstrip(".")]
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


METHOD_SLOTS = ((30, 49), (95, 99))
"""Figure-set slots (pipeline/figures/registry.py) of figures about the method, not the findings: gold vs
model shares, classifier evaluation, annotator agreement, the ppi validation."""


def is_method_figure(order: int) -> bool:
    """Whether a figure documents the method (evaluation, annotation, validation) rather than a finding."""
    return any(low <= order <= high for low, high in METHOD_SLOTS)


def figure_entries(rendered: list[Rendered], embed: str, link_dir: str, page_width_in: float) -> list[dict[str, Any]]:
    """Per figure: number, words, source files, an embedded image and a link (``link_dir/<file name>``).

    The images are read from where they were drawn (a staging folder until
    the report stage commits); links point to the figure folder the reader
    sees. ``width_pct`` keeps figures in their print proportions on the page:
    a single-column figure takes half the width a double-column one does.
    """

    def link(path: Path) -> Markup:
        return Markup(f"{link_dir}/{path.name}" if link_dir else path.name)

    entries = []
    for r in rendered:
        by_format = {p.suffix.lstrip("."): p for p in r.files}
        image = by_format.get(embed) or by_format.get("png") or by_format.get("svg")
        entries.append(
            {
                "number": r.number,
                "stem": r.spec.stem,
                "title": r.spec.title,
                "caption": r.caption,
                "alt": r.alt,
                "labels": r.labels,
                "sources": list(r.spec.sources),
                "width_pct": round(min(100.0, 100 * r.size_in[0] / page_width_in), 1),
                "method": is_method_figure(r.spec.order),
                "data_uri": _data_uri(image) if image is not None else "",
                "image": link(image) if image is not None else "",
                "files": [link(p) for p in r.files],
            }
        )
    return entries


def not_drawn_entries(not_drawn: list[NotDrawn]) -> list[dict[str, Any]]:
    """Figures this run left out, with the reason."""
    return [{"stem": n.spec.stem, "title": n.spec.title, "reason": n.reason} for n in not_drawn]


def write_figure_index(
    rendered: list[Rendered],
    path: Path,
    ctx: FigureContext,
    formats: list[str],
    dpi: int,
    not_drawn: list[NotDrawn] | None = None,
) -> None:
    """outputs/figures/README.md: the figure set with captions, alt text, sources and labels."""
    text = (
        _environment("md")
        .get_template("figures_index.md.j2")
        .render(
            figures=figure_entries(rendered, "png", "", ctx.width("double")),
            not_drawn=not_drawn_entries(not_drawn or []),
            formats=formats,
            dpi=dpi,
            widths={k: ctx.width(k) for k in ("single", "double")},
            palette=ctx.palette,
        )
    )
    io.write_text(path, text)


def render(kind: str, model: dict[str, Any]) -> str:
    """The report as HTML (``kind='html'``) or Markdown (``'md'``) from the same model."""
    return _environment(kind).get_template(f"report.{kind}.j2").render(**model)
