"""Three label sources for one estimand: gold, prediction-powered (ppi) and model stance shares.

The estimand is the same for all three (docs/method.md): per document x
target the share of each label among its (sentence, target) units and the
net index, per origin group the mean over its documents.

- ``gold``: complete gold labels for every document of the group (a census);
- ``ppi``: gold where a document is complete, the gold of a random sample
  plus the model's cross-fitted predictions where a sample exists
  (pipeline.analysis.ppi_estimates), and the model's labels, flagged and
  counted in ``n_docs_model``, for documents without gold;
- ``model``: the classifier's labels for every unit; its intervals count
  document and sentence resampling only, not classification error.

Every source available for a group is estimated, one row each; ``reported``
marks the one ``stance.labels`` selects (``auto``: gold if complete, else
ppi if the group has any gold, else model).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.analysis import shares
from pipeline.analysis.estimates import Settings
from pipeline.analysis.ppi import STATISTICS
from pipeline.analysis.ppi_estimates import document_cells, document_estimates, group_estimates
from pipeline.analysis.resampling import stable_rng
from pipeline.paths import LABELS, PROBA

SOURCES = ("gold", "ppi", "model")
MEASURE_OF = dict(zip(STATISTICS, shares.STANCE_MEASURES))
"""ppi statistic name -> the stance table's measure column (against -> share_against, net -> net_index)."""
GROUP = ["author_origin", "target"]


class LabelSourceError(ValueError):
    """stance.labels asks for a label source the corpus cannot give."""


@dataclass(frozen=True)
class SourceTables:
    """One label source's stance tables and the bootstrap replicates behind its group intervals."""

    per_doc: pd.DataFrame
    per_group: pd.DataFrame
    replicates: dict[tuple[str, str], np.ndarray]


def group_designs(per_group: pd.DataFrame, per_doc: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Per origin x target of the model table: which sources exist, from the gold designs of its included documents.

    ``cells``: pipeline.annotation.gold.coverage (doc_id, target, design). Gold
    needs every included document complete; ppi needs gold in at least one
    document, and is not estimated when all are complete (it would equal gold).
    A group with no included document has the model's (empty) row only.
    """
    included = per_doc[per_doc["included"]].merge(cells[["doc_id", "target", "design"]], on=["doc_id", "target"])
    by_group = {key: set(g["design"]) for key, g in included.groupby(GROUP, sort=True)}
    counts = {key: g["design"].value_counts() for key, g in included.groupby(GROUP, sort=True)}
    incomplete = {
        key: ", ".join(sorted(g.loc[g["design"] != "census", "doc_id"]))
        for key, g in included.groupby(GROUP, sort=True)
    }
    rows = []
    for origin, target in per_group[GROUP].itertuples(index=False):
        designs = by_group.get((origin, target), set())
        complete = designs == {"census"}
        n = counts.get((origin, target), pd.Series(dtype=int))
        rows.append(
            {
                "author_origin": origin,
                "target": target,
                "gold": complete,
                "ppi": not complete and bool(designs & {"census", "sample"}),
                "model": True,
                "n_docs_census": int(n.get("census", 0)),
                "n_docs_sample": int(n.get("sample", 0)),
                "incomplete_docs": incomplete.get((origin, target), ""),
            }
        )
    return pd.DataFrame(rows, columns=[*GROUP, *SOURCES, "n_docs_census", "n_docs_sample", "incomplete_docs"])


def reported_source(available: pd.Series, mode: str) -> str:
    """The source ``stance.labels`` reports for one group (a row of group_designs)."""
    if mode == "auto":
        return next(s for s in SOURCES if available[s])
    if not available[mode]:
        raise LabelSourceError(
            f"stance.labels is '{mode}', but {available['author_origin']} x {available['target']} has no "
            f"{mode} estimate: document(s) {available['incomplete_docs'] or 'none'} lack complete gold labels; "
            "label them (`python -m pipeline annotate export`, corpus/annotations/README.md), remove them from "
            "the manifest, or set stance.labels: auto"
        )
    return mode


def model_tables(
    documents: pd.DataFrame, mentions: pd.DataFrame, units: pd.DataFrame, targets: list[str], settings: Settings
) -> SourceTables:
    """The stance tables from one hard label per unit (``label``): the model's, or complete gold."""
    per_doc = shares.stance_by_document(documents, mentions, units, targets, settings)
    per_group, replicates = shares.stance_by_group(per_doc, units, targets, settings)
    return SourceTables(per_doc, per_group, replicates)


def ppi_tables(units: pd.DataFrame, model: SourceTables, settings: Settings) -> SourceTables:
    """Prediction-powered tables in the model tables' shape (counts and salience columns kept from the model's).

    ``units``: every unit with ``p_*`` (cross-fitted predictions) and ``gold``
    (the gold label where the unit's document has a census or a random sample;
    missing elsewhere). Only included documents enter a group.
    """
    doc_group = dict(zip(model.per_doc["doc_id"], model.per_doc["author_origin"]))
    included = set(map(tuple, model.per_doc.loc[model.per_doc["included"], ["doc_id", "target"]].to_numpy()))
    labelled = units.drop(columns="label").rename(columns={"gold": "label"})
    cells = document_cells(labelled[["doc_id", "target", "label", *PROBA]])
    cells = {key: cell for key, cell in cells.items() if key in included}
    rng_for = functools.partial(stable_rng, settings.seed, "stance-ppi")
    per_cell = document_estimates(cells, settings.level)
    groups, replicates = group_estimates(
        cells, doc_group, settings.level, settings.n_resamples, rng_for, settings.runner
    )
    per_doc = _with_estimates(model.per_doc, _wide(per_cell, ["doc_id", "target"]), ["doc_id", "target"])
    per_doc = per_doc.drop(columns=[f"n_{label}" for label in LABELS])
    per_group = _with_estimates(model.per_group, _wide(groups, GROUP), GROUP)
    return SourceTables(per_doc, per_group, replicates)


def _wide(long: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per key with ``<measure>, <measure>_lo, <measure>_hi`` columns, plus labelled-unit counts."""
    out = long.assign(measure=long["statistic"].map(MEASURE_OF)).pivot(
        index=keys, columns="measure", values=["estimate", "lo", "hi"]
    )
    wide = pd.DataFrame(index=out.index)
    for measure in shares.STANCE_MEASURES:
        wide[measure] = out[("estimate", measure)]
        wide[f"{measure}_lo"] = out[("lo", measure)]
        wide[f"{measure}_hi"] = out[("hi", measure)]
    extra = [c for c in ("n_labelled", "n_docs_model", "source") if c in long.columns]
    firsts = long.groupby(keys)[extra].first()
    return wide.join(firsts.rename(columns={"source": "ppi_cells"})).reset_index()


def _with_estimates(base: pd.DataFrame, estimates: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``base`` with its estimate columns replaced by ``estimates`` (rows without one keep none)."""
    replaced = [c for c in estimates.columns if c not in keys and c in base.columns]
    return base.drop(columns=replaced).merge(estimates, on=keys, how="left")[
        [*base.columns, *[c for c in estimates.columns if c not in base.columns]]
    ]


def stacked(tables: dict[str, SourceTables], designs: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Every available source's group rows, one per origin x target x source, with ``reported``."""
    rows = []
    for _, available in designs.iterrows():
        chosen = reported_source(available, mode)
        for source in SOURCES:
            if not available[source]:
                continue
            t = tables[source].per_group
            row = t[(t["author_origin"] == available["author_origin"]) & (t["target"] == available["target"])]
            rows.append(row.assign(label_source=source, reported=source == chosen))
    if not rows:
        return pd.DataFrame(columns=[*GROUP, "label_source", "reported"])
    out = pd.concat(rows, ignore_index=True)
    first = [*GROUP, "label_source", "reported"]
    return out[first + [c for c in out.columns if c not in first]]


@dataclass(frozen=True)
class Comparison:
    """What compare reports: the reported source's tables, all sources' group rows, and the unit labels shown."""

    per_doc: pd.DataFrame
    per_group: pd.DataFrame
    replicates: dict[tuple[str, str], np.ndarray]
    by_source: pd.DataFrame
    units: pd.DataFrame


def compare_sources(
    documents: pd.DataFrame,
    mentions: pd.DataFrame,
    units: pd.DataFrame,
    cells: pd.DataFrame,
    targets: list[str],
    settings: Settings,
    mode: str,
) -> Comparison:
    """Estimate every available source and assemble the reported one per origin x target.

    ``units``: pipeline.analysis.labels.source_units (model ``label``, ``p_*``, ``gold``).
    """
    tables = {"model": model_tables(documents, mentions, units, targets, settings)}
    designs = group_designs(tables["model"].per_group, tables["model"].per_doc, cells)
    if designs["gold"].any():
        census = units.merge(cells[cells["design"] == "census"][["doc_id", "target"]], on=["doc_id", "target"])
        tables["gold"] = model_tables(documents, mentions, census.assign(label=census["gold"]), targets, settings)
    if designs["ppi"].any():
        tables["ppi"] = ppi_tables(units, tables["model"], settings)
    by_source = stacked(tables, designs, mode)
    reported = by_source[by_source["reported"]]
    chosen = dict(zip(zip(reported["author_origin"], reported["target"]), reported["label_source"]))
    per_group = reported.reset_index(drop=True)
    model_doc = tables["model"].per_doc
    doc_source = [chosen.get((o, t), "model") for o, t in zip(model_doc["author_origin"], model_doc["target"])]
    per_doc = pd.concat(
        [
            tables[source].per_doc.merge(model_doc.loc[[s == source for s in doc_source], ["doc_id", "target"]])
            for source in SOURCES
            if source in doc_source
        ],
        ignore_index=True,
    )
    per_doc = per_doc.assign(
        label_source=[chosen.get((o, t), "model") for o, t in zip(per_doc["author_origin"], per_doc["target"])]
    )
    per_doc = per_doc.sort_values(["author_origin", "doc_id", "target"]).reset_index(drop=True)
    replicates = {
        key: tables[source].replicates[key] for key, source in chosen.items() if key in tables[source].replicates
    }
    group_of = dict(zip(documents["doc_id"], documents["author_origin"]))
    unit_source = [chosen.get((group_of[d], t), "model") for d, t in zip(units["doc_id"], units["target"])]
    shown = units.assign(
        model_label=units["label"],
        label=np.where(np.array(unit_source) == "gold", units["gold"], units["label"]),
        label_source=unit_source,
    )
    return Comparison(per_doc, per_group, replicates, by_source, shown)


def source_phrase(by_source: pd.DataFrame, classifier: str, basis: str) -> str:
    """Caption words naming the reported source of every group estimate, with the warning model labels need."""
    reported = by_source[by_source["reported"]]
    reading = "full reading" if basis == "full" else "sentence-local reading: context-basis labels as neutral"
    names = {
        "gold": f"gold labels ({reading}) from the annotation passes",
        "ppi": f"prediction-powered estimates (gold of a random sample, {reading}, plus cross-fitted "
        f"predictions of {classifier})",
        "model": f"model labels (classifier: {classifier})",
    }
    parts = []
    for source in SOURCES:
        rows = reported[reported["label_source"] == source]
        if not rows.empty:
            groups = ", ".join(f"{o} x {t}" for o, t in zip(rows["author_origin"], rows["target"]))
            parts.append(f"{names[source]} for {groups}")
    phrase = "; ".join(parts) if parts else names["model"]
    if (reported["label_source"] == "model").any() or reported.get("n_docs_model", pd.Series(dtype=float)).fillna(0).gt(
        0
    ).any():
        phrase += (
            ". WARNING: some estimates rest on unvalidated model labels, whose intervals ignore classification "
            "error; annotate a random sample (`python -m pipeline annotate export`) to validate them"
        )
    return phrase + ". Other sources, where available, are in stance_by_group_sources"
