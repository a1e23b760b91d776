"""Stance shares: per document, per origin group (document-weighted, with intervals), and group differences.

Every count can be recomputed from the evidence table (one row per labelled
unit); group differences reuse the bootstrap draws behind the group
intervals and add a document-level permutation test.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from pipeline.analysis.estimates import Settings, bootstrap_job, group_members, group_table
from pipeline.analysis.jobs import Job
from pipeline.analysis.resampling import (
    DocumentUnits,
    bootstrap_interval,
    percentile_interval,
    permutation_test,
    stable_rng,
)
from pipeline.paths import LABELS

STANCE_MEASURES = (*(f"share_{label}" for label in LABELS), "net_index")
SEP = "; "
DIFFERENCE_COLUMNS = [
    "target",
    "measure",
    "group_a",
    "group_b",
    "n_docs_a",
    "n_docs_b",
    "difference",
    "difference_lo",
    "difference_hi",
    "p_permutation",
    "min_attainable_p",
    "n_assignments",
    "exact",
    "single_document_group",
]


def _stance_rng(seed: int, target: str, group: str) -> np.random.Generator:
    return stable_rng(seed, "stance", group, target)


def stance_document_units(units: pd.DataFrame) -> dict[tuple[str, str], DocumentUnits]:
    """(doc_id, target) -> its units as one-hot labels plus the net score (+1 favor, -1 against)."""
    onehot = np.stack([(units["label"] == label).to_numpy(float) for label in LABELS], axis=1)
    net = onehot[:, LABELS.index("favor")] - onehot[:, LABELS.index("against")]
    values = np.column_stack([onehot, net])
    out = {}
    for (doc_id, target), idx in units.groupby(["doc_id", "target"]).indices.items():
        out[(doc_id, target)] = DocumentUnits(values[idx], np.ones(len(idx)))
    return out


def stance_by_document(
    documents: pd.DataFrame, mentions: pd.DataFrame, units: pd.DataFrame, targets: list[str], settings: Settings
) -> pd.DataFrame:
    """Per document × target: counts, shares, net index (with a within-document interval), salience."""
    grid = pd.MultiIndex.from_product([documents["doc_id"], targets], names=["doc_id", "target"])
    counts = units.groupby(["doc_id", "target"])["label"].value_counts().unstack(fill_value=0)
    counts = counts.reindex(columns=list(LABELS), fill_value=0).reindex(grid, fill_value=0)
    out = pd.DataFrame({"n_units": counts.sum(axis=1)})
    for label in LABELS:
        out[f"n_{label}"] = counts[label]
    for label in LABELS:
        out[f"share_{label}"] = (counts[label] / out["n_units"]).where(out["n_units"] > 0)
    out["net_index"] = ((counts["favor"] - counts["against"]) / out["n_units"]).where(out["n_units"] > 0)
    per_unit = stance_document_units(units)
    cells = [(row, key) for row, key in enumerate(out.index) if key in per_unit]
    jobs = [
        Job(
            bootstrap_interval,
            ([per_unit[key]], settings.n_resamples, stable_rng(settings.seed, "stance-document", *key), settings.level),
            settings.n_resamples * len(per_unit[key].denominators),
        )
        for _, key in cells
    ]
    net_interval = np.full((len(out), 2), np.nan)
    for (row, _), (lo, hi) in zip(cells, settings.runner.run(jobs)):
        net_interval[row] = lo[-1], hi[-1]
    out["net_index_lo"], out["net_index_hi"] = net_interval[:, 0], net_interval[:, 1]
    out["n_mentions"] = mentions.groupby(["doc_id", "target"]).size().reindex(grid, fill_value=0)
    out = out.reset_index().merge(documents[["doc_id", "author_origin", "n_words"]], on="doc_id")
    out["mentions_per_1k_words"] = 1000 * out["n_mentions"] / out["n_words"]
    out["included"] = out["n_units"] >= settings.min_mentions
    cols = [
        "author_origin",
        "doc_id",
        "target",
        "n_words",
        "n_mentions",
        "mentions_per_1k_words",
        "n_units",
        *[f"n_{label}" for label in LABELS],
        *[f"share_{label}" for label in LABELS],
        "net_index",
        "net_index_lo",
        "net_index_hi",
        "included",
    ]
    return out[cols].sort_values(["author_origin", "doc_id", "target"]).reset_index(drop=True)


def stance_by_group(
    per_doc: pd.DataFrame, units: pd.DataFrame, targets: list[str], settings: Settings
) -> tuple[pd.DataFrame, dict[tuple[str, str], np.ndarray]]:
    """Per origin × target: document-weighted shares and net index over included documents, with intervals."""
    per_unit = stance_document_units(units)
    doc_group = dict(zip(per_doc["doc_id"], per_doc["author_origin"]))
    members = {}
    for target in targets:
        included = per_doc[(per_doc["target"] == target) & per_doc["included"]]
        if len(included):
            members[target] = group_members({d: per_unit[(d, target)] for d in included["doc_id"]}, doc_group)
    # every target's groups in one list of jobs, so an executor runs them side by side
    jobs = [
        bootstrap_job(docs, settings.n_resamples, _stance_rng(settings.seed, target, group))
        for target, groups in members.items()
        for group, docs in groups.items()
    ]
    drawn = iter(settings.runner.run(jobs))
    tables, replicates = [], {}
    for target, groups in members.items():
        reps = {group: next(drawn) for group in groups}
        table = group_table(groups, reps, STANCE_MEASURES, settings.level)
        table.insert(1, "target", target)
        tables.append(table)
        replicates.update({(g, target): r for g, r in reps.items()})
    estimates = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=["author_origin", "target"])
    summary = (
        per_doc.groupby(["author_origin", "target"])
        .agg(
            n_docs=("doc_id", "nunique"),
            n_units=("n_units", "sum"),
            mentions_per_1k_words=("mentions_per_1k_words", "mean"),
        )
        .reset_index()
    )
    out = summary.merge(estimates, on=["author_origin", "target"], how="left")
    out = out.rename(columns={"n_docs_included": "n_docs_mentioning"})
    out["n_docs_mentioning"] = out["n_docs_mentioning"].fillna(0).astype(int)
    out["single_document"] = out["n_docs_mentioning"] == 1
    first = [
        "author_origin",
        "target",
        "n_docs",
        "n_docs_mentioning",
        "single_document",
        "n_units",
        "mentions_per_1k_words",
    ]
    rest = [c for c in out.columns if c not in first]
    return out[first + rest].sort_values(["author_origin", "target"]).reset_index(drop=True), replicates


def group_differences(
    per_doc: pd.DataFrame, replicates: dict[tuple[str, str], np.ndarray], targets: list[str], settings: Settings
) -> pd.DataFrame:
    """Every pair of origins × target × measure: difference of document-weighted means, its
    bootstrap interval (independent resamples of the two groups) and a document-level permutation test."""
    rows, jobs = [], []
    included = per_doc[per_doc["included"]]
    for target in targets:
        d = included[included["target"] == target]
        origins = sorted(set(d["author_origin"]))
        for a, b in itertools.combinations(origins, 2):
            da, db = d[d["author_origin"] == a], d[d["author_origin"] == b]
            diff_reps = replicates[(a, target)] - replicates[(b, target)]
            lo, hi = percentile_interval(diff_reps, settings.level)
            for j, measure in enumerate(STANCE_MEASURES):
                rng = stable_rng(settings.seed, "permutation", a, b, target, measure)
                values = (da[measure].to_numpy(), db[measure].to_numpy())
                jobs.append(
                    Job(permutation_test, (*values, settings.n_permutations, rng), _permutation_cost(values, settings))
                )
                rows.append(
                    {
                        "target": target,
                        "measure": measure,
                        "group_a": a,
                        "group_b": b,
                        "n_docs_a": len(da),
                        "n_docs_b": len(db),
                        "difference_lo": lo[j],
                        "difference_hi": hi[j],
                        "single_document_group": min(len(da), len(db)) == 1,
                    }
                )
    for row, test in zip(rows, settings.runner.run(jobs)):
        row.update(
            difference=test.statistic,
            p_permutation=test.p_value,
            min_attainable_p=test.min_attainable_p,
            n_assignments=test.n_assignments,
            exact=test.exact,
        )
    # With fewer than two origin groups there is nothing to compare: an empty table, same columns.
    return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)


def _permutation_cost(values: tuple[np.ndarray, np.ndarray], settings: Settings) -> int:
    """Assignments drawn (or enumerated) x documents: the size of a permutation test, for batching."""
    n = len(values[0]) + len(values[1])
    return min(settings.n_permutations, math.comb(n, len(values[0]))) * n


def stance_evidence(
    units: pd.DataFrame, sentences: pd.DataFrame, documents: pd.DataFrame, frames: pd.DataFrame, per_doc: pd.DataFrame
) -> pd.DataFrame:
    """One row per unit: the sentence, the label its group's reported source counts (``label_source``),
    the model's and the gold label, the target words and the frame terms matched.

    The sentence text is joined here, last: the units carry no text through compare's merges."""
    frame_terms = (
        frames.groupby(["doc_id", "sent_id"])
        .apply(lambda f: SEP.join(f"{c}: {t}" for c, t in zip(f["category"], f["term"])), include_groups=False)
        .rename("frame_terms")
    )
    ev = units.merge(documents[["doc_id", "author_origin"]], on="doc_id")
    ev = ev.merge(frame_terms.reset_index(), on=["doc_id", "sent_id"], how="left")
    ev = ev.merge(per_doc[["doc_id", "target", "included"]], on=["doc_id", "target"])
    ev = ev.merge(sentences[["doc_id", "sent_id", "text"]], on=["doc_id", "sent_id"], validate="many_to_one")
    ev["frame_terms"] = ev["frame_terms"].fillna("")
    ev["target_terms"] = [SEP.join(a) for a in ev["aliases"]]
    cols = [
        "author_origin",
        "doc_id",
        "sent_id",
        "target",
        "label",
        "label_source",
        "model_label",
        "gold",
        "included",
        "target_terms",
        "frame_terms",
        "text",
    ]
    return (
        ev[cols]
        .rename(columns={"text": "sentence", "gold": "gold_label"})
        .sort_values(["author_origin", "doc_id", "sent_id", "target"])
        .reset_index(drop=True)
    )
