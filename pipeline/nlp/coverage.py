"""Coverage gaps: documents and origin groups that never mention a target.

Neither is an error: a document about Japan's economy may name no target,
and it still counts for salience (zero mentions). But a group that never
mentions a target has no stance share for it, and a reader of the tables
must not mistake "no data" for "zero", so the tag stage warns about both
(docs/errors.md), and later stages can use :func:`coverage_gaps` for notes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.diagnostics import warn


@dataclass(frozen=True)
class CoverageGaps:
    documents_without_mentions: list[str]
    """doc_ids that mention none of the targets."""
    groups_without_target: list[tuple[str, str, int]]
    """(author_origin, target, number of documents in the group) with no mention of that target."""


def coverage_gaps(documents: pd.DataFrame, mentions: pd.DataFrame, targets: list[str]) -> CoverageGaps:
    """Documents without any target mention, and (group, target) pairs without a mention, sorted."""
    mentioned = set(mentions["doc_id"])
    silent_docs = sorted(d for d in documents["doc_id"] if d not in mentioned)
    targets_by_doc = mentions.groupby("doc_id")["target"].agg(set)
    gaps: list[tuple[str, str, int]] = []
    for origin, group in documents.groupby("author_origin", sort=True):
        present = set().union(*(targets_by_doc.get(d, set()) for d in group["doc_id"]))
        gaps.extend((str(origin), t, len(group)) for t in targets if t not in present)
    return CoverageGaps(silent_docs, gaps)


def warn_coverage_gaps(documents: pd.DataFrame, mentions: pd.DataFrame, targets: list[str]) -> CoverageGaps:
    """Emit one InputWarning per gap (see module docstring) and return the gaps."""
    gaps = coverage_gaps(documents, mentions, targets)
    for doc_id in gaps.documents_without_mentions:
        warn(
            f"document '{doc_id}' mentions none of the targets {targets}; it yields no stance units "
            "and counts for salience with zero mentions"
        )
    for origin, target, n_docs in gaps.groups_without_target:
        warn(
            f"origin group '{origin}' ({n_docs} document(s)) never mentions target '{target}'; its stance "
            f"shares toward {target} are missing (no data), not zero"
        )
    return gaps
