"""Read and validate corpus/manifest.csv.

Errors name the manifest file, the row (as a spreadsheet shows it: header
is row 1) and the column, because researchers edit this file by hand.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

REQUIRED_COLUMNS: tuple[str, ...] = (
    "doc_id", "path", "title", "author", "affiliation", "outlet",
    "author_origin", "origin_basis", "published", "period", "notes",
)
NON_EMPTY: tuple[str, ...] = ("doc_id", "path", "author_origin")


class ManifestError(ValueError):
    """The manifest (or a file it points to) cannot be used as is."""


def _row_error(manifest: Path, row: int, column: str, message: str) -> ManifestError:
    return ManifestError(f"{manifest}: row {row}, column '{column}': {message}")


def load_manifest(manifest: Path, origins: list[str]) -> pd.DataFrame:
    """Validated manifest with an extra ``abs_path`` column (files inside the corpus folder)."""
    if not manifest.is_file():
        raise ManifestError(f"{manifest}: manifest not found")
    try:
        df = pd.read_csv(manifest, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ManifestError(f"{manifest}: not a readable UTF-8 CSV file: {exc}") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise ManifestError(f"{manifest}: missing column(s) {missing}; expected {list(REQUIRED_COLUMNS)}")
    extra = [c for c in df.columns if c not in REQUIRED_COLUMNS]
    if extra:
        raise ManifestError(
            f"{manifest}: unknown column(s) {extra}; expected exactly {list(REQUIRED_COLUMNS)}"
        )
    if df.empty:
        raise ManifestError(f"{manifest}: no documents listed")
    df = df.apply(lambda col: col.str.strip())

    corpus_root = manifest.parent.resolve()
    seen: dict[str, int] = {}
    abs_paths: list[str] = []
    for i, rec in enumerate(df.to_dict("records")):
        row = i + 2  # header is row 1
        for col in NON_EMPTY:
            if not rec[col]:
                raise _row_error(manifest, row, col, "is empty")
        doc_id = rec["doc_id"]
        if doc_id in seen:
            raise _row_error(manifest, row, "doc_id", f"duplicate doc_id '{doc_id}' (first at row {seen[doc_id]})")
        seen[doc_id] = row
        if rec["author_origin"] not in origins:
            raise _row_error(
                manifest, row, "author_origin",
                f"unknown origin '{rec['author_origin']}'; add it to corpus.origins in params.yaml "
                f"(known: {origins})",
            )
        rel = Path(rec["path"])
        resolved = (corpus_root / rel).resolve()
        if rel.is_absolute() or not resolved.is_relative_to(corpus_root):
            raise _row_error(manifest, row, "path", f"'{rec['path']}' is outside the corpus folder {corpus_root}")
        if not resolved.is_file():
            raise _row_error(manifest, row, "path", f"file not found: {resolved}")
        abs_paths.append(str(resolved))
    df["abs_path"] = abs_paths
    return df
