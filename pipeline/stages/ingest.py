"""ingest: validate the manifest, clean each raw document, audit the cleaning.

Writes outputs/data/documents.parquet (one row per document, clean text and
metadata) and outputs/data/clean/<doc_id>.txt with <doc_id>.cleaning.json
beside it recording every normalised character and removed line and fragment.

Every bad manifest row and document is found in one run: the stage goes on
past a problem, then refuses once, listing them all (up to
manifest.MAX_LISTED), and writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from pipeline import io, paths
from pipeline.ingestion.cleaning import Rule, clean, load_rules
from pipeline.ingestion.decoding import DocumentError, read_source
from pipeline.ingestion.manifest import read_manifest, summarise
from pipeline.params import CleaningInput, Params
from pipeline.text import word_count


class IngestError(ValueError):
    """A document cannot be ingested (empty, only boilerplate, unreadable)."""


def run(params: Params) -> None:
    manifest, problems = read_manifest(params.root / paths.MANIFEST, params.corpus.origins)
    rules = load_rules(params.root / paths.CLEANING_RULES)

    # Stream: clean texts go to a staging folder and documents.parquet to a temp file,
    # a row group at a time; both replace the old outputs only after every document
    # passed (the folder is swapped whole), so bad input leaves them intact. The folder
    # is committed first, so a kill in between never pairs new documents with old texts.
    with io.StageOutputs(params.root) as out:
        staging = out.folder(paths.CLEAN)
        with io.ParquetRowGroupWriter(out.file(paths.DOCUMENTS)) as writer:
            rows = ingested_documents(manifest, rules, staging, params.cleaning.input, problems)
            while batch := list(islice(rows, params.executor.partition_docs)):
                writer.write(pd.DataFrame.from_records(batch))
            if problems:  # raised inside both blocks: neither the file nor the folder is committed
                raise IngestError(summarise(problems))


def ingested_documents(
    manifest: pd.DataFrame, rules: list[Rule], staging: Path, input_options: CleaningInput, problems: list[str]
) -> Iterator[dict[str, Any]]:
    """Clean each document, write its text and audit into ``staging``, yield its documents.parquet row;
    a document that cannot be ingested adds its problem to ``problems`` and is skipped."""
    for rec in tqdm(manifest.to_dict("records"), desc="ingest", unit="doc"):
        try:
            yield ingested_document(rec, rules, staging, input_options)
        except (DocumentError, IngestError) as exc:
            problems.append(str(exc))


def ingested_document(
    rec: dict[str, Any], rules: list[Rule], staging: Path, input_options: CleaningInput
) -> dict[str, Any]:
    """One document's row, after writing its clean text and audit into ``staging``."""
    path = Path(rec.pop("abs_path"))
    raw, left_out = read_source(path, input_options)
    result = clean(raw, rules, author=rec["author"], left_out=left_out)
    if not result.text.strip():
        raise IngestError(
            f"{path} (doc_id '{rec['doc_id']}'): only boilerplate: the cleaning rules removed every line "
            f"({result.audit(rec['doc_id'])['counts']}); check the file, or the rules in "
            f"{paths.CLEANING_RULES}"
        )
    n_words = word_count(result.text)
    if n_words == 0:  # rates per 1,000 words (salience, frames) need a word to divide by
        raise IngestError(
            f"{path} (doc_id '{rec['doc_id']}'): no words after cleaning, only punctuation or symbols "
            f"({result.text.strip()[:60]!r}); remove its manifest row or restore its text"
        )
    io.write_text(staging / f"{rec['doc_id']}.txt", result.text + "\n")
    io.write_json(staging / f"{rec['doc_id']}.cleaning.json", result.audit(rec["doc_id"]))
    return {
        **rec,
        "raw_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "n_words": n_words,
        "n_chars": len(result.text),
        "text": result.text,
    }
