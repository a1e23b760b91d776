"""Actors: entity counts per sentence, salience, and co-occurrence in sentence windows.

Actors are the gazetteer ids of the tag stage (params.yaml ``targets`` and
``nlp.actors``). Co-occurrence is counted per document and then averaged
over a group's documents (docs/method.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.params import ConfigError


def actor_counts_by_sentence(sentences: pd.DataFrame, entities: pd.DataFrame, actors: list[str]) -> np.ndarray:
    """(n_sentences × n_actors) entity counts, rows in ``sentences`` order."""
    known = entities[entities["actor_id"].isin(actors)]
    counts = known.groupby(["doc_id", "sent_id", "actor_id"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=actors, fill_value=0)
    index = pd.MultiIndex.from_arrays([sentences["doc_id"], sentences["sent_id"]])
    return counts.reindex(index, fill_value=0).to_numpy(dtype=float)


def cooccurrence(presence: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Actor co-occurrence in one document's sentence windows.

    ``presence`` is (n_sentences × n_actors) booleans in reading order; a
    window is sentence i with ``window`` sentences either side (0 = the
    sentence alone). Returns (windows with both a and b, windows with a,
    number of windows).
    """
    if window < 0:
        raise ConfigError(f"params.yaml: compare.cooccurrence.window must be >= 0, got {window}")
    p = np.asarray(presence, dtype=int)
    n = p.shape[0]
    cumulative = np.vstack([np.zeros((1, p.shape[1]), dtype=int), np.cumsum(p, axis=0)])
    lo = np.clip(np.arange(n) - window, 0, n)
    hi = np.clip(np.arange(n) + window + 1, 0, n)
    in_window = ((cumulative[hi] - cumulative[lo]) > 0).astype(int)
    return in_window.T @ in_window, in_window.sum(axis=0), n


def jaccard(both: np.ndarray, single: np.ndarray) -> np.ndarray:
    """Windows with both over windows with either; NaN where neither actor occurs."""
    either = single[:, None] + single[None, :] - both
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(either > 0, both / np.where(either > 0, either, 1), np.nan)


def actor_cooccurrence(
    documents: pd.DataFrame, sentences: pd.DataFrame, counts: np.ndarray, actors: list[str], window: int
) -> pd.DataFrame:
    """Per origin × actor pair: windows with both (pooled) and document-weighted Jaccard and rate per 100 windows."""
    doc_group = dict(zip(documents["doc_id"], documents["author_origin"]))
    per_doc = {}
    for doc_id, idx in sentences.groupby("doc_id").indices.items():
        order = idx[np.argsort(sentences["sent_id"].to_numpy()[idx])]
        per_doc[doc_id] = cooccurrence(counts[order] > 0, window)
    rows = []
    iu = np.triu_indices(len(actors), k=1)
    for group in sorted(set(doc_group.values())):
        docs = [per_doc[d] for d in sorted(per_doc) if doc_group[d] == group]
        both = np.sum([d[0] for d in docs], axis=0)
        single = np.sum([d[1] for d in docs], axis=0)
        per_doc_jaccard = np.stack([jaccard(d[0], d[1]) for d in docs])
        defined = ~np.isnan(per_doc_jaccard)
        jac = np.where(
            defined.any(axis=0), np.nansum(per_doc_jaccard, axis=0) / np.maximum(defined.sum(axis=0), 1), np.nan
        )
        rate = np.mean(np.stack([100 * d[0] / d[2] for d in docs]), axis=0)
        for a, b in zip(*iu):
            if both[a, b] == 0:
                continue
            rows.append(
                {
                    "author_origin": group,
                    "actor_a": actors[a],
                    "actor_b": actors[b],
                    "n_docs": len(docs),
                    "windows_both": int(both[a, b]),
                    "windows_a": int(single[a]),
                    "windows_b": int(single[b]),
                    "jaccard": jac[a, b],
                    "per_100_windows": rate[a, b],
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "author_origin",
            "actor_a",
            "actor_b",
            "n_docs",
            "windows_both",
            "windows_a",
            "windows_b",
            "jaccard",
            "per_100_windows",
        ],
    )


def cooccurrence_matrix(pairs: pd.DataFrame, actors: list[str]) -> pd.DataFrame:
    """The Jaccard column of ``pairs`` as one symmetric actor × actor matrix per group (rows stacked)."""
    blocks = []
    for group in sorted(set(pairs["author_origin"])):
        m = pd.DataFrame(np.nan, index=actors, columns=actors)
        for r in pairs[pairs["author_origin"] == group].itertuples():
            if r.actor_a in m.index and r.actor_b in m.index:
                m.loc[r.actor_a, r.actor_b] = m.loc[r.actor_b, r.actor_a] = r.jaccard
        m = m.fillna(0.0)
        for a in actors:
            m.loc[a, a] = np.nan
        blocks.append(m.rename_axis("actor").reset_index().assign(author_origin=group))
    out = pd.concat(blocks, ignore_index=True) if blocks else pd.DataFrame(columns=["author_origin", "actor", *actors])
    return out[["author_origin", "actor", *actors]]


def most_mentioned(actors: list[str], counts: np.ndarray, limit: int) -> list[str]:
    """The ``limit`` actors with most mentions (ties keep ``actors`` order); never-mentioned ones left out."""
    totals = {a: counts[:, actors.index(a)].sum() for a in actors}
    return sorted([a for a in actors if totals[a] > 0], key=lambda a: -totals[a])[:limit]
