"""Document-weighted estimates with intervals: per group, and rates per 1,000 words.

A document is the unit of replication: a group's statistic is the mean of
its documents' statistics, with a hierarchical bootstrap interval
(pipeline.analysis.resampling). The same functions serve stance shares,
frame rates and actor salience.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.analysis.jobs import Job, Runner
from pipeline.analysis.resampling import DocumentUnits, hierarchical_bootstrap, percentile_interval, stable_rng
from pipeline.params import Compare


@dataclass(frozen=True)
class Settings:
    """How intervals and tests are drawn (params.yaml ``seed`` and ``compare``), and where (``runner``:
    the stage's executor; every job has its own generator, so the numbers do not depend on it)."""

    seed: int
    min_mentions: int
    n_resamples: int
    level: float
    n_permutations: int
    runner: Runner = field(default_factory=Runner, compare=False, repr=False)

    @classmethod
    def from_params(cls, seed: int, compare: Compare, runner: Runner | None = None) -> Settings:
        return cls(
            seed=seed,
            min_mentions=compare.min_mentions,
            n_resamples=compare.bootstrap.n_resamples,
            level=compare.bootstrap.level,
            n_permutations=compare.permutation.n_permutations,
            runner=runner or Runner(),
        )


def bootstrap_job(documents: Sequence[DocumentUnits], n_resamples: int, rng: np.random.Generator) -> Job:
    """The hierarchical bootstrap of one group as a job (its cost: units drawn)."""
    n_units = sum(len(d.denominators) for d in documents)
    return Job(hierarchical_bootstrap, (list(documents), n_resamples, rng), n_resamples * n_units)


def group_members(units_by_doc: dict[str, DocumentUnits], doc_group: dict[str, str]) -> dict[str, list[DocumentUnits]]:
    """Each group's documents, groups and documents in sorted order (the order the draws follow)."""
    members: dict[str, list[DocumentUnits]] = {}
    for doc_id in sorted(units_by_doc):
        members.setdefault(doc_group[doc_id], []).append(units_by_doc[doc_id])
    return dict(sorted(members.items()))


def group_table(
    members: dict[str, list[DocumentUnits]], replicates: dict[str, np.ndarray], names: Sequence[str], level: float
) -> pd.DataFrame:
    """One row per group: the document-weighted estimate of each statistic and its percentile interval."""
    rows = []
    for group, docs in members.items():
        lo, hi = percentile_interval(replicates[group], level)
        estimate = np.mean([d.ratio() for d in docs], axis=0)
        row: dict[str, object] = {
            "author_origin": group,
            "n_docs_included": len(docs),
            "single_document": len(docs) == 1,
        }
        for j, name in enumerate(names):
            row[name], row[f"{name}_lo"], row[f"{name}_hi"] = estimate[j], lo[j], hi[j]
        row["interval_over"] = "sentences within one document" if len(docs) == 1 else "documents, then sentences"
        rows.append(row)
    return pd.DataFrame(rows)


def rates_by_document(
    documents: pd.DataFrame, sentences: pd.DataFrame, counts: np.ndarray, names: list[str], item: str
) -> pd.DataFrame:
    """Long table: per document × item (frame category or actor), count and rate per 1,000 words."""
    per_doc = pd.DataFrame(counts, columns=names).groupby(sentences["doc_id"].to_numpy()).sum()
    per_doc = per_doc.reindex(documents["doc_id"], fill_value=0)
    long = per_doc.rename_axis("doc_id").reset_index().melt("doc_id", var_name=item, value_name="n_matches")
    long = long.merge(documents[["doc_id", "author_origin", "n_words"]], on="doc_id")
    long["n_matches"] = long["n_matches"].astype(int)
    long["per_1k_words"] = 1000 * long["n_matches"] / long["n_words"]
    long[item] = pd.Categorical(long[item], categories=names, ordered=True)
    long = long.sort_values(["author_origin", "doc_id", item]).reset_index(drop=True)
    long[item] = long[item].astype(str)
    return long[["author_origin", "doc_id", item, "n_words", "n_matches", "per_1k_words"]]


def rates_by_group(
    documents: pd.DataFrame,
    sentences: pd.DataFrame,
    counts: dict[str, tuple[np.ndarray, list[str]]],
    settings: Settings,
) -> dict[str, pd.DataFrame]:
    """Per origin × item: document-weighted rate per 1,000 words with a hierarchical bootstrap interval.

    ``counts``: per kind of item (``category`` for frames, ``actor``), the matches per sentence
    (sentences × names) and the names; one table each. The bootstraps of every kind and group are
    one list of jobs, so an executor runs them side by side.
    """
    n_words = sentences["n_words"].to_numpy(float)
    rows_of = sentences.groupby("doc_id").indices
    doc_group = dict(zip(documents["doc_id"], documents["author_origin"]))
    members = {
        item: group_members({d: DocumentUnits(1000 * c[idx], n_words[idx]) for d, idx in rows_of.items()}, doc_group)
        for item, (c, _) in counts.items()
    }
    jobs = [
        bootstrap_job(docs, settings.n_resamples, stable_rng(settings.seed, item, group))
        for item, groups in members.items()
        for group, docs in groups.items()
    ]
    drawn = iter(settings.runner.run(jobs))
    tables = {}
    for item, groups in members.items():
        c, names = counts[item]
        table = group_table(groups, {group: next(drawn) for group in groups}, names, settings.level)
        n_matches = pd.DataFrame(c, columns=names).groupby(sentences["doc_id"].map(doc_group).to_numpy()).sum()
        tables[item] = _long_rates(table, n_matches, names, item)
    return tables


def _long_rates(table: pd.DataFrame, n_matches: pd.DataFrame, names: list[str], item: str) -> pd.DataFrame:
    """One row per origin × item name, from group_table's wide row per origin."""
    rows = []
    for r in table.to_dict("records"):
        for name in names:
            rows.append(
                {
                    "author_origin": r["author_origin"],
                    item: name,
                    "n_docs": r["n_docs_included"],
                    "single_document": r["single_document"],
                    "n_matches": int(n_matches.loc[r["author_origin"], name]),
                    "per_1k_words": r[name],
                    "per_1k_words_lo": r[f"{name}_lo"],
                    "per_1k_words_hi": r[f"{name}_hi"],
                    "interval_over": r["interval_over"],
                }
            )
    return pd.DataFrame(rows)
