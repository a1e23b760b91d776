"""ingest: validate the manifest, clean each raw document, audit the cleaning.

Writes outputs/data/documents.parquet (one row per document, clean text and
metadata) and outputs/data/clean/<doc_id>.txt with <doc_id>.cleaning.json
beside it recording every removed line and fragment.
"""
from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from pipeline import io
from pipeline.cleaning import Rule, clean, load_rules
from pipeline.config import Params
from pipeline.executor import ExecutorSettings
from pipeline.manifest import load_manifest
from pipeline.text import read_document, word_count

DOCUMENTS = "outputs/data/documents.parquet"
CLEAN_DIR = "outputs/data/clean"


class IngestError(ValueError):
    """A document cannot be ingested (empty, only boilerplate, unreadable)."""


def run(params: Params) -> None:
    manifest = load_manifest(params.path("corpus.manifest"), list(params.get("corpus.origins")))
    rules = load_rules(params.path("cleaning.rules"))
    row_group_docs = ExecutorSettings.from_params(params).partition_docs

    # Stream: clean texts go to a staging folder and documents.parquet to a temp
    # file, a row group at a time; both replace the old outputs only after every
    # document passed, so bad input leaves them intact.
    clean_dir = params.root / CLEAN_DIR
    staging = clean_dir.with_name(clean_dir.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        with io.ParquetRowGroupWriter(params.root / DOCUMENTS) as writer:
            rows = ingested_documents(manifest, rules, params, staging)
            while batch := list(islice(rows, row_group_docs)):
                writer.write(pd.DataFrame.from_records(batch))
            shutil.rmtree(clean_dir, ignore_errors=True)
            staging.rename(clean_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def ingested_documents(manifest: pd.DataFrame, rules: list[Rule], params: Params,
                       staging: Path) -> Iterator[dict[str, Any]]:
    """Clean each document, write its text and audit into ``staging``, yield its documents.parquet row."""
    for rec in tqdm(manifest.to_dict("records"), desc="ingest", unit="doc"):
        path = Path(rec.pop("abs_path"))
        raw = read_document(path)
        result = clean(raw, rules, author=rec["author"])
        if not result.text.strip():
            raise IngestError(
                f"{path} (doc_id '{rec['doc_id']}'): no text left after cleaning "
                f"(empty file or only boilerplate; see {params.get('cleaning.rules')})"
            )
        io.write_text(staging / f"{rec['doc_id']}.txt", result.text + "\n")
        io.write_json(staging / f"{rec['doc_id']}.cleaning.json", result.audit(rec["doc_id"]))
        yield {
            **rec,
            "raw_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "n_words": word_count(result.text),
            "n_chars": len(result.text),
            "text": result.text,
        }
