"""ingest: validate the manifest, clean each raw document, audit the cleaning.

Writes outputs/data/documents.parquet (one row per document, clean text and
metadata) and outputs/data/clean/<doc_id>.txt with <doc_id>.cleaning.json
beside it recording every removed line and fragment.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from pipeline import io
from pipeline.cleaning import clean, load_rules
from pipeline.config import Params
from pipeline.manifest import load_manifest
from pipeline.text import InputOptions, read_document, word_count

DOCUMENTS = "outputs/data/documents.parquet"
CLEAN_DIR = "outputs/data/clean"


class IngestError(ValueError):
    """A document cannot be ingested (empty, only boilerplate, unreadable)."""


def run(params: Params) -> pd.DataFrame:
    manifest = load_manifest(params.path("corpus.manifest"), list(params.get("corpus.origins")))
    rules = load_rules(params.path("cleaning.rules"))
    input_options = InputOptions.from_params(params)

    records, audits = [], {}
    for rec in tqdm(manifest.to_dict("records"), desc="ingest", unit="doc"):
        path = Path(rec.pop("abs_path"))
        raw = read_document(path, input_options)
        result = clean(raw, rules, author=rec["author"])
        if not result.text.strip():
            raise IngestError(
                f"{path} (doc_id '{rec['doc_id']}'): only boilerplate: the cleaning rules removed every line "
                f"({result.audit(rec['doc_id'])['counts']}); check the file, or the rules in "
                f"{params.get('cleaning.rules')}"
            )
        n_words = word_count(result.text)
        if n_words == 0:  # rates per 1,000 words (salience, frames) need a word to divide by
            raise IngestError(
                f"{path} (doc_id '{rec['doc_id']}'): no words after cleaning, only punctuation or symbols "
                f"({result.text.strip()[:60]!r}); remove its manifest row or restore its text"
            )
        audits[rec["doc_id"]] = (result.text, result.audit(rec["doc_id"]))
        records.append(
            {
                **rec,
                "raw_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "n_words": n_words,
                "n_chars": len(result.text),
                "text": result.text,
            }
        )
    documents = pd.DataFrame.from_records(records)

    # Write only after every document passed, so bad input leaves old outputs intact.
    # The folder is swapped whole, so no clean text of a document since removed survives.
    with io.atomic_dir(params.root / CLEAN_DIR) as staging:
        for doc_id, (text, audit) in audits.items():
            io.write_text(staging / f"{doc_id}.txt", text + "\n")
            io.write_json(staging / f"{doc_id}.cleaning.json", audit)
    io.write_parquet(documents, params.root / DOCUMENTS)
    return documents
