"""compare: stance shares and target salience per document and per origin group.

A document is the unit of replication: a group's share is the mean of its
documents' shares (document-weighted), so one long report does not speak
for its whole group.
"""
from __future__ import annotations

import pandas as pd

from pipeline import io
from pipeline.config import LABELS, Params
from pipeline.stages.ingest import DOCUMENTS
from pipeline.stages.stance import STANCES
from pipeline.stages.tag import MENTIONS

TABLES = "outputs/tables"
METRICS = "outputs/metrics/compare.json"


def document_shares(documents: pd.DataFrame, mentions: pd.DataFrame, stances: pd.DataFrame,
                    targets: list[str]) -> pd.DataFrame:
    """Per document × target: units, label shares, and mentions per 1,000 words."""
    grid = pd.MultiIndex.from_product([documents["doc_id"], targets], names=["doc_id", "target"])
    counts = stances.groupby(["doc_id", "target"])["label"].value_counts().unstack(fill_value=0)
    counts = counts.reindex(columns=list(LABELS), fill_value=0).reindex(grid, fill_value=0)
    n_units = counts.sum(axis=1)
    out = pd.DataFrame({"n_units": n_units})
    for label in LABELS:
        out[f"share_{label}"] = (counts[label] / n_units).where(n_units > 0)
    n_mentions = mentions.groupby(["doc_id", "target"]).size().reindex(grid, fill_value=0)
    out["n_mentions"] = n_mentions
    out = out.reset_index().merge(documents[["doc_id", "author_origin", "n_words"]], on="doc_id")
    out["mentions_per_1k_words"] = 1000 * out["n_mentions"] / out["n_words"]
    cols = ["author_origin", "doc_id", "target", "n_words", "n_mentions", "mentions_per_1k_words",
            "n_units", *[f"share_{l}" for l in LABELS]]
    return out[cols].sort_values(["author_origin", "doc_id", "target"]).reset_index(drop=True)


def group_shares(per_doc: pd.DataFrame) -> pd.DataFrame:
    """Per origin × target: document-weighted mean shares over documents that mention the target."""
    share_cols = [f"share_{l}" for l in LABELS]
    g = per_doc.groupby(["author_origin", "target"])
    out = g.agg(
        n_docs=("doc_id", "nunique"),
        n_docs_mentioning=("n_units", lambda s: int((s > 0).sum())),
        n_units=("n_units", "sum"),
        mentions_per_1k_words=("mentions_per_1k_words", "mean"),
    )
    out[share_cols] = g[share_cols].mean()  # NaN (no mention) rows are skipped
    return out.reset_index()


def labelled_units(params: Params) -> pd.DataFrame:
    """Stance rows compare runs on: the model's (stances.parquet)."""
    return io.read_parquet(params.root / STANCES)


def run(params: Params) -> None:
    documents = io.read_parquet(params.root / DOCUMENTS)
    mentions = io.read_parquet(params.root / MENTIONS)
    stances = labelled_units(params)
    per_doc = document_shares(documents, mentions, stances, params.targets)
    per_group = group_shares(per_doc)
    tables = params.root / TABLES
    source = f"labels: {params.get('stance.labels')} ({stances['classifier'].iloc[0] if len(stances) else 'none'})"
    io.write_table(
        per_doc, tables / "stance_by_document",
        f"Stance shares and salience per document and target ({source}). "
        "Shares are over (sentence, target) units; salience is target mentions per 1,000 words.",
    )
    io.write_table(
        per_group, tables / "stance_by_group",
        f"Document-weighted mean stance shares per origin group and target ({source}); "
        "n_docs documents per group, so groups of one document describe that document only.",
    )
    metrics = {
        f"{r.author_origin}/{r.target}/share_{l}": round(float(getattr(r, f"share_{l}")), 4)
        for r in per_group.itertuples() for l in LABELS if pd.notna(getattr(r, f"share_{l}"))
    }
    io.write_json(params.root / METRICS, metrics)
