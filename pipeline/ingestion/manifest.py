"""Read and validate corpus/manifest.csv.

Errors name the manifest file, the row (as a spreadsheet shows it: header
is row 1) and the column, because researchers edit this file by hand. Row
problems are collected, not raised one at a time, so a user fixing a new
corpus sees them all in one run (``summarise``).
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import re
from pathlib import Path

import pandas as pd

from pipeline.diagnostics import warn

REQUIRED_COLUMNS: tuple[str, ...] = (
    "doc_id",
    "path",
    "title",
    "author",
    "affiliation",
    "outlet",
    "author_origin",
    "origin_basis",
    "published",
    "period",
    "notes",
)
NON_EMPTY: tuple[str, ...] = ("doc_id", "path", "author_origin")


class ManifestError(ValueError):
    """The manifest (or a file it points to) cannot be used as is."""


DOC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
"""A doc_id names files under outputs/data/clean, so it must be a safe file name."""
MAX_DOC_ID_LENGTH = 100
"""Longest doc_id: ``<doc_id>.cleaning.json`` and the hidden temporary names written beside it
(``.<name>.<random>.tmp``) stay far below the 255-byte file-name limit of common file systems."""
MAX_LISTED = 50
"""At most this many problems are listed in one error (the count is always given)."""


def summarise(problems: list[str]) -> str:
    """One problem as it is; several as a count and one line each (at most MAX_LISTED, then how many more)."""
    if len(problems) == 1:
        return problems[0]
    shown = "\n  ".join(problems[:MAX_LISTED])
    more = f"\n  ... and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
    return f"{len(problems)} problems (fix them all, then rerun):\n  {shown}{more}"


def _read_header(manifest: Path) -> list[str]:
    with manifest.open(encoding="utf-8-sig", newline="") as fh:
        return [c.strip() for c in next(csv.reader(fh), [])]


def load_manifest(manifest: Path, origins: list[str]) -> pd.DataFrame:
    """Validated manifest with an extra ``abs_path`` column; ManifestError listing every problem."""
    df, problems = read_manifest(manifest, origins)
    if problems:
        raise ManifestError(summarise(problems))
    return df


def read_manifest(manifest: Path, origins: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The manifest's valid rows (with an ``abs_path`` column: files inside the corpus folder) and a
    problem per bad cell, each as ``<manifest>: row N, column 'c': what is wrong``.

    A file that cannot be read as a manifest at all (missing, not CSV, wrong
    columns) is a ManifestError at once: there are no rows to check.
    """
    if not manifest.is_file():
        raise ManifestError(f"{manifest}: manifest not found")
    try:
        header = _read_header(manifest)
        df = pd.read_csv(manifest, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise ManifestError(f"{manifest}: empty file; expected a header row {list(REQUIRED_COLUMNS)}") from None
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ManifestError(f"{manifest}: not a readable UTF-8 CSV file: {exc}") from exc
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise ManifestError(f"{manifest}: column(s) {repeated} appear more than once in the header")
    df.columns = header
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise ManifestError(f"{manifest}: missing column(s) {missing}; expected {list(REQUIRED_COLUMNS)}")
    extra = [c for c in df.columns if c not in REQUIRED_COLUMNS]
    if extra:
        raise ManifestError(f"{manifest}: unknown column(s) {extra}; expected exactly {list(REQUIRED_COLUMNS)}")
    if df.empty:
        raise ManifestError(f"{manifest}: no documents listed")
    df = df.apply(lambda col: col.str.strip())

    corpus_root = manifest.parent.resolve()
    problems: list[str] = []
    seen_ids: dict[str, tuple[int, str]] = {}
    seen_paths: dict[Path, int] = {}
    valid: list[bool] = []
    for i, rec in enumerate(df.to_dict("records")):
        row = i + 2  # header is row 1
        found = _row_problems(rec, row, origins, corpus_root, seen_ids, seen_paths)
        problems.extend(f"{manifest}: {p}" for p in found)
        valid.append(not found)
    rows = [i + 2 for i, ok in enumerate(valid) if ok]
    df = df[valid].reset_index(drop=True)
    df["abs_path"] = [str((corpus_root / p).resolve()) for p in df["path"]]
    _warn_identical_files(manifest, df, rows)
    return df, problems


def _row_problems(
    rec: dict[str, str],
    row: int,
    origins: list[str],
    corpus_root: Path,
    seen_ids: dict[str, tuple[int, str]],
    seen_paths: dict[Path, int],
) -> list[str]:
    def problem(column: str, message: str) -> str:
        return f"row {row}, column '{column}': {message}"

    empty = [col for col in NON_EMPTY if not rec[col]]
    out = [problem(col, "is empty") for col in empty]
    doc_id = rec["doc_id"]
    first_row, first_id = seen_ids.get(doc_id.casefold(), (0, ""))
    if len(doc_id) > MAX_DOC_ID_LENGTH:
        out.append(
            problem(
                "doc_id",
                f"'{doc_id[:20]}...' has {len(doc_id)} characters, more than {MAX_DOC_ID_LENGTH} (it names files "
                "under outputs/data/clean); shorten it",
            )
        )
    elif doc_id and not DOC_ID.match(doc_id):
        out.append(
            problem(
                "doc_id",
                f"'{doc_id}' is not a safe file name (use letters, digits, '.', '_' and '-', "
                "starting with a letter or digit)",
            )
        )
    elif first_id == doc_id and doc_id:
        out.append(problem("doc_id", f"duplicate doc_id '{doc_id}' (first at row {first_row})"))
    elif first_id:
        out.append(
            problem(
                "doc_id",
                f"'{doc_id}' differs from '{first_id}' (row {first_row}) only in case; doc_ids name files, which "
                "collide on case-insensitive file systems (macOS, Windows); rename one",
            )
        )
    elif doc_id:
        seen_ids[doc_id.casefold()] = (row, doc_id)
    origin = rec["author_origin"]
    if origin and origin not in origins:
        close = difflib.get_close_matches(origin, origins, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        out.append(
            problem(
                "author_origin",
                f"unknown origin '{origin}'; {hint}add new groups to corpus.origins in params.yaml (known: {origins})",
            )
        )
    if rec["path"]:
        rel = Path(rec["path"])
        resolved = (corpus_root / rel).resolve()
        if rel.is_absolute() or not resolved.is_relative_to(corpus_root):
            out.append(problem("path", f"'{rec['path']}' is outside the corpus folder {corpus_root}"))
        elif not resolved.exists():
            out.append(problem("path", f"file not found: {resolved}"))
        elif not resolved.is_file():
            out.append(problem("path", f"not a file: {resolved}"))
        elif resolved in seen_paths:
            out.append(problem("path", f"same file as row {seen_paths[resolved]} ({rec['path']})"))
        else:
            seen_paths[resolved] = row
    return out


def _warn_identical_files(manifest: Path, df: pd.DataFrame, rows: list[int]) -> None:
    """Two rows with byte-identical files count one text twice; warn, since it may be a deliberate reprint."""
    first_row: dict[str, int] = {}
    for row, doc_id, path in zip(rows, df["doc_id"], df["abs_path"]):
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        if digest in first_row:
            warn(
                f"{manifest}: row {row} ('{doc_id}') has the same text as row {first_row[digest]}; "
                "the text is counted twice in group comparisons"
            )
        else:
            first_row[digest] = row
