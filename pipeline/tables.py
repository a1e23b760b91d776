"""Tables for people and papers: one frame written as CSV (data), Markdown and LaTeX, with its caption."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.io import atomic_path, write_text

MAX_TYPESET_ROWS = 1000
"""Longer tables are data, not pages: written as CSV only, like the row-level evidence tables.

A per-document table of a 5,000-document corpus would be 80,000 rows of
Markdown and LaTeX, and formatting it was the compare stage's peak memory."""


def write_table(
    df: pd.DataFrame,
    stem: str | Path,
    caption: str,
    float_format: str = "{:.3f}",
    formats: tuple[str, ...] = ("csv", "md", "tex"),
) -> None:
    """Write one table as CSV (data), Markdown and LaTeX (people and papers), with its caption.

    Row-level evidence tables pass ``formats=("csv",)``: nobody reads thousands of rows in a paper,
    so their Markdown file holds only the caption and a pointer to the CSV. A table longer than
    ``MAX_TYPESET_ROWS`` is written the same way, whatever ``formats`` asks.
    """
    stem = Path(stem)
    if len(df) > MAX_TYPESET_ROWS:
        formats = ("csv",)
    if "csv" in formats:
        with atomic_path(stem.with_suffix(".csv")) as tmp:
            df.to_csv(tmp, index=False, float_format="%.6g", lineterminator="\n")
    if "md" not in formats:  # the caption still gets a readable home beside the data
        write_text(stem.with_suffix(".md"), f"{caption}\n\n{len(df)} rows: see {stem.name}.csv\n")
    if "md" not in formats and "tex" not in formats:
        return  # no formatted copy of a row-level table (on a large corpus, a copy of its every float as text)
    shown = df.copy()
    for col in shown.select_dtypes("float").columns:
        shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else float_format.format(v))
    if "md" in formats:
        write_text(stem.with_suffix(".md"), f"{caption}\n\n{shown.to_markdown(index=False)}\n")
    if "tex" in formats:
        latex = shown.to_latex(index=False, caption=latex_escape(caption), label=f"tab:{stem.name}", escape=True)
        write_text(stem.with_suffix(".tex"), latex)


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    """Escape LaTeX's special characters (pandas escapes cells, not the caption)."""
    return "".join(_LATEX_SPECIAL.get(c, c) for c in text)
