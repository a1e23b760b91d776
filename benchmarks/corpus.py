"""Synthetic corpora of any size built from the seed corpus's own sentences.

Document ``k`` of an ``s``-times corpus holds the sentences of seed
document ``k mod 5`` (its template) in a random order (numpy Generator
seeded from params ``seed`` and ``k``), in paragraphs of three to six
sentences. So ``s``x has exactly ``s`` times the seed words, sentences and
target mentions, with the seeds' mix of long and short documents and the
seeds' vocabulary: the work per word stays the same, and time and memory
can be read against size.

Origin groups: documents come in blocks of five (one per template); of
every five blocks, three keep their templates' seed origins (Ukrainian,
Indian, Russian) and the fourth and fifth belong to two synthetic origins
(``SYNTHETIC_ORIGINS``) that mix all templates. A corpus of ``s``x thus has
five origin groups, each with about ``s`` documents or more, and the
project's ``corpus.origins`` lists all five.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.common import make_project

SYNTHETIC_ORIGINS = ("Japanese", "Korean")
MANIFEST_COLUMNS = [
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
]


def synthetic_project(
    dest: Path, seed_documents: pd.DataFrame, seed_sentences: pd.DataFrame, scale: int, seed: int
) -> Path:
    """Write a project with ``scale`` x the seed documents into ``dest``; returns its params.yaml."""
    origins = [*dict.fromkeys(seed_documents["author_origin"]), *SYNTHETIC_ORIGINS]
    params = make_project(dest, overrides={"corpus": {"origins": origins}})
    raw = dest / "corpus" / "raw"
    raw.mkdir()
    by_doc = {doc_id: group["text"].tolist() for doc_id, group in seed_sentences.groupby("doc_id", sort=False)}
    templates = seed_documents.to_dict("records")
    rows = []
    for k in range(scale * len(templates)):
        template = templates[k % len(templates)]
        rng = np.random.default_rng([seed, k])
        sentences = [by_doc[template["doc_id"]][i] for i in rng.permutation(len(by_doc[template["doc_id"]]))]
        paragraphs, start = [], 0
        while start < len(sentences):
            size = int(rng.integers(3, 7))
            paragraphs.append(" ".join(sentences[start : start + size]))
            start += size
        doc_id = synthetic_doc_id(scale, k)
        (raw / f"{doc_id}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        rows.append(
            {
                **{c: "" for c in MANIFEST_COLUMNS},
                "doc_id": doc_id,
                "path": f"raw/{doc_id}.txt",
                "author_origin": origin_of(k, template["author_origin"]),
                "origin_basis": "synthetic",
                "notes": f"synthetic: sentences of {template['doc_id']} reshuffled",
            }
        )
    with (dest / "corpus" / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return params


def synthetic_doc_id(scale: int, k: int) -> str:
    return f"syn{scale}-{k:06d}"


def template_index(doc_id: str, n_templates: int) -> int:
    """Which seed document (position in the seed documents table) a synthetic document reshuffles."""
    return int(doc_id.rsplit("-", 1)[1]) % n_templates


def origin_of(k: int, template_origin: str) -> str:
    """Blocks of five documents: three of every five blocks keep the seed origin, two are synthetic origins."""
    block = (k // 5) % 5
    return template_origin if block < 3 else SYNTHETIC_ORIGINS[block - 3]
