"""compare: how authors of each origin frame each target, with uncertainty and evidence.

A document is the unit of replication: every group figure is the mean of
its documents' figures (document-weighted), with a hierarchical bootstrap
interval (documents within group, then sentences within document), so one
long report does not speak for its whole group. Every table can be
recomputed from the evidence tables (stance_evidence, frame_matches).
Statistics: pipeline.stats; framing measures: pipeline.framing; the
method is written up in docs/method.md.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline import io
from pipeline.config import LABELS, ConfigError, Params
from pipeline.coverage import CoverageGaps, coverage_gaps
from pipeline.framing import (
    FrameCategory,
    actor_counts_by_sentence,
    contrast_terms,
    cooccurrence,
    frame_categories,
    jaccard,
    match_frames,
    stop_terms,
    term_vectorizer,
)
from pipeline.gold import GOLD, attach_gold, load_gold
from pipeline.stages.ingest import DOCUMENTS
from pipeline.stages.stance import STANCES
from pipeline.stages.tag import ENTITIES, MENTIONS, SENTENCES
from pipeline.stats import (
    DocumentUnits,
    hierarchical_bootstrap,
    percentile_interval,
    permutation_test,
    stable_rng,
)
from pipeline.units import KEY, stance_units

TABLES = "outputs/tables"
METRICS = "outputs/metrics/compare.json"
STANCE_MEASURES = (*(f"share_{label}" for label in LABELS), "net_index")
SEP = "; "
DIFFERENCE_COLUMNS = ["target", "measure", "group_a", "group_b", "n_docs_a", "n_docs_b", "difference",
                      "difference_lo", "difference_hi", "p_permutation", "min_attainable_p", "n_assignments",
                      "exact", "single_document_group"]


class CompareInputError(ValueError):
    """Labels or tables compare reads disagree with each other or with params.yaml."""


@dataclass(frozen=True)
class Settings:
    """The compare stage's knobs (params.yaml ``compare``), read once and validated."""

    seed: int
    min_mentions: int
    n_resamples: int
    level: float
    n_permutations: int

    @classmethod
    def from_params(cls, params: Params) -> Settings:
        settings = cls(
            seed=params.seed,
            min_mentions=int(params.get("compare.min_mentions")),
            n_resamples=int(params.get("compare.bootstrap.n_resamples")),
            level=float(params.get("compare.bootstrap.level")),
            n_permutations=int(params.get("compare.permutation.n_permutations")),
        )
        if settings.min_mentions < 1 or settings.n_resamples < 1 or settings.n_permutations < 1:
            raise ConfigError("params.yaml: compare.min_mentions, compare.bootstrap.n_resamples and "
                              "compare.permutation.n_permutations must be positive integers")
        if not 0 < settings.level < 1:
            raise ConfigError(f"params.yaml: compare.bootstrap.level must be in (0, 1), got {settings.level}")
        return settings


# --- which labels ------------------------------------------------------------------------

def labelled_units(params: Params, sentences: pd.DataFrame, mentions: pd.DataFrame,
                   doc_ids: list[str]) -> tuple[pd.DataFrame, str]:
    """The stance units with the labels ``stance.labels`` selects, and a caption phrase naming them.

    ``model``: outputs/data/stances.parquet (any corpus). ``gold``: the
    gold labels in corpus/annotations/stance_gold.csv, which must
    cover every unit of every document (the seed corpus).
    """
    units = stance_units(sentences, mentions)
    mode = params.get("stance.labels")
    if mode == "gold":
        gold = load_gold(params.root / GOLD)
        require_gold_for_every_document(units, gold)
        labelled = attach_gold(units, gold, where=GOLD, documents=doc_ids)
        source = f"gold labels from the annotation passes ({GOLD})"
    elif mode == "model":
        stances = io.read_parquet(params.root / STANCES)
        labelled = units.merge(stances[[*KEY, "label", "classifier"]], on=KEY, how="outer", indicator=True)
        if not (labelled["_merge"] == "both").all():
            stale = labelled[labelled["_merge"] != "both"].iloc[0]
            raise CompareInputError(
                f"{STANCES}: stance rows and mention units disagree, e.g. ({stale['doc_id']}, sent "
                f"{stale['sent_id']}, {stale['target']}); rerun the stance stage (`dvc repro stance`)"
            )
        source = f"model labels (classifier: {', '.join(sorted(set(stances['classifier'])))})"
        labelled = labelled.drop(columns=["_merge", "classifier"])
    else:
        raise ConfigError(f"params.yaml: stance.labels must be 'model' or 'gold', got {mode!r}")
    bad = labelled[~labelled["label"].isin(LABELS)]
    if not bad.empty:
        raise CompareInputError(f"stance labels ({mode}): unknown label {bad['label'].iloc[0]!r}")
    return labelled.sort_values(KEY).reset_index(drop=True), source


def require_gold_for_every_document(units: pd.DataFrame, gold: pd.DataFrame) -> None:
    """Refuse gold mode when a document with stance units has no gold label at all.

    A document added to the manifest after the annotation round has units
    but no gold rows; comparing groups on the gold documents only would
    silently drop it, so the stage stops and names every such document.
    (Documents without target mentions have no units and need no labels.)
    """
    unlabelled = sorted(set(units["doc_id"]) - set(gold["doc_id"]))
    if unlabelled:
        n_units = int(units["doc_id"].isin(unlabelled).sum())
        raise CompareInputError(
            f"{GOLD}: stance.labels is 'gold', but {len(unlabelled)} document(s) have no gold labels: "
            f"{', '.join(unlabelled)} ({n_units} (sentence, target) unit(s) to label); label them "
            f"(`python -m pipeline.gold template {' '.join(unlabelled)} --out "
            "corpus/annotations/pass1_<annotator>.csv`, see corpus/annotations/README.md), remove them from the "
            "manifest, or set stance.labels: model in params.yaml"
        )


# --- document-weighted estimates with intervals ------------------------------------------

def group_estimates(units_by_doc: dict[str, DocumentUnits], doc_group: dict[str, str],
                    names: Sequence[str], settings: Settings, rng_key: Callable[[str], np.random.Generator],
                    ) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Per group: document-weighted mean of each statistic with its hierarchical bootstrap interval.

    Returns the table (one row per group) and each group's replicates, so
    group differences reuse the very draws behind the group intervals.
    """
    rows, replicates = [], {}
    for group in sorted(set(doc_group[d] for d in units_by_doc)):
        docs = [units_by_doc[d] for d in sorted(units_by_doc) if doc_group[d] == group]
        reps = hierarchical_bootstrap(docs, settings.n_resamples, rng_key(group))
        lo, hi = percentile_interval(reps, settings.level)
        estimate = np.mean([d.ratio() for d in docs], axis=0)
        row: dict[str, object] = {"author_origin": group, "n_docs_included": len(docs),
                                  "single_document": len(docs) == 1}
        for j, name in enumerate(names):
            row[name], row[f"{name}_lo"], row[f"{name}_hi"] = estimate[j], lo[j], hi[j]
        row["interval_over"] = "sentences within one document" if len(docs) == 1 else "documents, then sentences"
        rows.append(row)
        replicates[group] = reps
    return pd.DataFrame(rows), replicates


def stance_document_units(units: pd.DataFrame) -> dict[tuple[str, str], DocumentUnits]:
    """(doc_id, target) -> its units as one-hot labels plus the net score (+1 favor, -1 against)."""
    onehot = np.stack([(units["label"] == label).to_numpy(float) for label in LABELS], axis=1)
    net = onehot[:, LABELS.index("favor")] - onehot[:, LABELS.index("against")]
    values = np.column_stack([onehot, net])
    out = {}
    for (doc_id, target), idx in units.groupby(["doc_id", "target"]).indices.items():
        out[(doc_id, target)] = DocumentUnits(values[idx], np.ones(len(idx)))
    return out


def stance_by_document(documents: pd.DataFrame, mentions: pd.DataFrame, units: pd.DataFrame,
                       targets: list[str], settings: Settings) -> pd.DataFrame:
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
    net_interval = np.full((len(out), 2), np.nan)
    for row, (doc_id, target) in enumerate(out.index):
        if (doc_id, target) in per_unit:
            reps = hierarchical_bootstrap([per_unit[(doc_id, target)]], settings.n_resamples,
                                          stable_rng(settings.seed, "stance-document", doc_id, target))
            lo, hi = percentile_interval(reps, settings.level)
            net_interval[row] = lo[-1], hi[-1]
    out["net_index_lo"], out["net_index_hi"] = net_interval[:, 0], net_interval[:, 1]
    out["n_mentions"] = mentions.groupby(["doc_id", "target"]).size().reindex(grid, fill_value=0)
    out = out.reset_index().merge(documents[["doc_id", "author_origin", "n_words"]], on="doc_id")
    out["mentions_per_1k_words"] = 1000 * out["n_mentions"] / out["n_words"]
    out["included"] = out["n_units"] >= settings.min_mentions
    cols = ["author_origin", "doc_id", "target", "n_words", "n_mentions", "mentions_per_1k_words", "n_units",
            *[f"n_{label}" for label in LABELS], *[f"share_{label}" for label in LABELS],
            "net_index", "net_index_lo", "net_index_hi", "included"]
    return out[cols].sort_values(["author_origin", "doc_id", "target"]).reset_index(drop=True)


def stance_by_group(per_doc: pd.DataFrame, units: pd.DataFrame, targets: list[str],
                    settings: Settings) -> tuple[pd.DataFrame, dict[tuple[str, str], np.ndarray]]:
    """Per origin × target: document-weighted shares and net index over included documents, with intervals."""
    per_unit = stance_document_units(units)
    doc_group = dict(zip(per_doc["doc_id"], per_doc["author_origin"]))
    tables, replicates = [], {}
    for target in targets:
        included = per_doc[(per_doc["target"] == target) & per_doc["included"]]
        docs = {d: per_unit[(d, target)] for d in included["doc_id"]}
        if not docs:
            continue
        table, reps = group_estimates(docs, doc_group, STANCE_MEASURES, settings,
                                      lambda g, t=target: stable_rng(settings.seed, "stance", g, t))
        table.insert(1, "target", target)
        tables.append(table)
        replicates.update({(g, target): r for g, r in reps.items()})
    estimates = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=["author_origin", "target"])
    summary = per_doc.groupby(["author_origin", "target"]).agg(
        n_docs=("doc_id", "nunique"),
        n_units=("n_units", "sum"),
        mentions_per_1k_words=("mentions_per_1k_words", "mean"),
    ).reset_index()
    out = summary.merge(estimates, on=["author_origin", "target"], how="left")
    out = out.rename(columns={"n_docs_included": "n_docs_mentioning"})
    out["n_docs_mentioning"] = out["n_docs_mentioning"].fillna(0).astype(int)
    out["single_document"] = out["n_docs_mentioning"] == 1
    first = ["author_origin", "target", "n_docs", "n_docs_mentioning", "single_document", "n_units",
             "mentions_per_1k_words"]
    rest = [c for c in out.columns if c not in first]
    return out[first + rest].sort_values(["author_origin", "target"]).reset_index(drop=True), replicates


def group_differences(per_doc: pd.DataFrame, replicates: dict[tuple[str, str], np.ndarray],
                      targets: list[str], settings: Settings) -> pd.DataFrame:
    """Every pair of origins × target × measure: difference of document-weighted means, its
    bootstrap interval (independent resamples of the two groups) and a document-level permutation test."""
    rows = []
    included = per_doc[per_doc["included"]]
    for target in targets:
        d = included[included["target"] == target]
        origins = sorted(set(d["author_origin"]))
        for a, b in itertools.combinations(origins, 2):
            da, db = d[d["author_origin"] == a], d[d["author_origin"] == b]
            diff_reps = replicates[(a, target)] - replicates[(b, target)]
            lo, hi = percentile_interval(diff_reps, settings.level)
            for j, measure in enumerate(STANCE_MEASURES):
                test = permutation_test(da[measure].to_numpy(), db[measure].to_numpy(), settings.n_permutations,
                                        stable_rng(settings.seed, "permutation", a, b, target, measure))
                rows.append({
                    "target": target, "measure": measure, "group_a": a, "group_b": b,
                    "n_docs_a": len(da), "n_docs_b": len(db), "difference": test.statistic,
                    "difference_lo": lo[j], "difference_hi": hi[j], "p_permutation": test.p_value,
                    "min_attainable_p": test.min_attainable_p, "n_assignments": test.n_assignments,
                    "exact": test.exact, "single_document_group": min(len(da), len(db)) == 1,
                })
    # With fewer than two origin groups there is nothing to compare: an empty table, same columns.
    return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)


# --- frames and actors -----------------------------------------------------------------

def rates_by_document(documents: pd.DataFrame, sentences: pd.DataFrame, counts: np.ndarray,
                      names: list[str], item: str) -> pd.DataFrame:
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


def rates_by_group(documents: pd.DataFrame, sentences: pd.DataFrame, counts: np.ndarray, names: list[str],
                   item: str, settings: Settings) -> pd.DataFrame:
    """Per origin × item: document-weighted rate per 1,000 words with a hierarchical bootstrap interval."""
    n_words = sentences["n_words"].to_numpy(float)
    units = {doc_id: DocumentUnits(1000 * counts[idx], n_words[idx])
             for doc_id, idx in sentences.groupby("doc_id").indices.items()}
    doc_group = dict(zip(documents["doc_id"], documents["author_origin"]))
    table, _ = group_estimates(units, doc_group, names, settings,
                               lambda g: stable_rng(settings.seed, item, g))
    n_matches = pd.DataFrame(counts, columns=names).groupby(
        sentences["doc_id"].map(doc_group).to_numpy()).sum()
    rows = []
    for r in table.to_dict("records"):
        for name in names:
            rows.append({"author_origin": r["author_origin"], item: name, "n_docs": r["n_docs_included"],
                         "single_document": r["single_document"],
                         "n_matches": int(n_matches.loc[r["author_origin"], name]),
                         "per_1k_words": r[name], "per_1k_words_lo": r[f"{name}_lo"],
                         "per_1k_words_hi": r[f"{name}_hi"], "interval_over": r["interval_over"]})
    return pd.DataFrame(rows)


def actor_cooccurrence(documents: pd.DataFrame, sentences: pd.DataFrame, counts: np.ndarray,
                       actors: list[str], window: int) -> pd.DataFrame:
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
        both = sum(d[0] for d in docs)
        single = sum(d[1] for d in docs)
        per_doc_jaccard = np.stack([jaccard(d[0], d[1]) for d in docs])
        defined = ~np.isnan(per_doc_jaccard)
        jac = np.where(defined.any(axis=0),
                       np.nansum(per_doc_jaccard, axis=0) / np.maximum(defined.sum(axis=0), 1), np.nan)
        rate = np.mean(np.stack([100 * d[0] / d[2] for d in docs]), axis=0)
        for a, b in zip(*iu):
            if both[a, b] == 0:
                continue
            rows.append({"author_origin": group, "actor_a": actors[a], "actor_b": actors[b], "n_docs": len(docs),
                         "windows_both": int(both[a, b]), "windows_a": int(single[a]), "windows_b": int(single[b]),
                         "jaccard": jac[a, b], "per_100_windows": rate[a, b]})
    return pd.DataFrame(rows, columns=["author_origin", "actor_a", "actor_b", "n_docs", "windows_both",
                                       "windows_a", "windows_b", "jaccard", "per_100_windows"])


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


# --- evidence ----------------------------------------------------------------------------

def stance_evidence(units: pd.DataFrame, documents: pd.DataFrame, frames: pd.DataFrame,
                    per_doc: pd.DataFrame, source: str) -> pd.DataFrame:
    """One row per labelled unit: the sentence, its label, the target words and the frame terms matched."""
    frame_terms = frames.groupby(["doc_id", "sent_id"]).apply(
        lambda f: SEP.join(f"{c}: {t}" for c, t in zip(f["category"], f["term"])), include_groups=False
    ).rename("frame_terms")
    ev = units.merge(documents[["doc_id", "author_origin"]], on="doc_id")
    ev = ev.merge(frame_terms.reset_index(), on=["doc_id", "sent_id"], how="left")
    ev = ev.merge(per_doc[["doc_id", "target", "included"]], on=["doc_id", "target"])
    ev["frame_terms"] = ev["frame_terms"].fillna("")
    ev["target_terms"] = [SEP.join(a) for a in ev["aliases"]]
    ev["label_source"] = source
    cols = ["author_origin", "doc_id", "sent_id", "target", "label", "included", "target_terms", "frame_terms",
            "text"]
    return ev[cols].rename(columns={"text": "sentence"}).sort_values(["author_origin", "doc_id", "sent_id",
                                                                      "target"]).reset_index(drop=True)


# --- captions and metrics ----------------------------------------------------------------

def design_note(doc_counts: dict[str, int]) -> str:
    """What five-odd documents support, in words, for every caption that reports group figures."""
    counts = ", ".join(f"{g} {n}" for g, n in sorted(doc_counts.items()))
    singles = sorted(g for g, n in doc_counts.items() if n == 1)
    note = (f"Documents per group: {counts}. The document is the unit of replication; group figures are "
            "means over documents, not pooled sentences.")
    if singles:
        note += (f" {' and '.join(singles)}: one document each (single_document = True), so their figures and "
                 "intervals describe that one document (intervals from resampling its sentences), not authors "
                 "of that origin in general.")
    return note


def coverage_note(gaps: CoverageGaps) -> str:
    """Caption sentence for origin groups that never mention a target, so an empty share reads as no data."""
    if not gaps.groups_without_target:
        return ""
    silent = "; ".join(f"origin group {origin} ({n_docs} document(s)) never mentions {target}"
                       for origin, target, n_docs in gaps.groups_without_target)
    return (f" No data, not zero: {silent}. Its shares and net index toward that target are empty (n_units = 0; "
            "n_docs_mentioning = 0 in stance_by_group), and it enters no group difference for that target.")


def rounded(value: float) -> float | None:
    return None if pd.isna(value) else round(float(value), 4)


def headline_metrics(mode: str, per_group: pd.DataFrame, differences: pd.DataFrame,
                     frames_by_group: pd.DataFrame, doc_counts: dict[str, int], n_units: int) -> dict:
    """The numbers people quote, with the design they rest on (documents per group, attainable p)."""
    stance: dict = {}
    for r in per_group.to_dict("records"):
        entry = {"n_docs": int(r["n_docs_mentioning"]), "n_units": int(r["n_units"]),
                 "net_index_lo": rounded(r.get("net_index_lo")), "net_index_hi": rounded(r.get("net_index_hi"))}
        entry.update({m: rounded(r.get(m)) for m in STANCE_MEASURES})
        stance.setdefault(r["author_origin"], {})[r["target"]] = entry
    diffs: dict = {}
    for r in differences[differences["measure"] == "net_index"].to_dict("records"):
        diffs.setdefault(r["target"], {})[f"{r['group_a']} - {r['group_b']}"] = {
            "net_index_difference": rounded(r["difference"]), "lo": rounded(r["difference_lo"]),
            "hi": rounded(r["difference_hi"]), "p_permutation": rounded(r["p_permutation"]),
            "min_attainable_p": rounded(r["min_attainable_p"]),
        }
    frames: dict = {}
    for r in frames_by_group.to_dict("records"):
        frames.setdefault(r["author_origin"], {})[r["category"]] = rounded(r["per_1k_words"])
    singles = sorted(g for g, n in doc_counts.items() if n == 1)
    return {
        "stance_labels": mode, "unit_of_replication": "document",
        "single_document_groups": ", ".join(singles) or "none",
        "n_documents": int(sum(doc_counts.values())), "documents_per_group": doc_counts, "n_units": n_units,
        "stance": stance, "net_index_differences": diffs, "frames_per_1k_words": frames,
    }


# --- the stage ---------------------------------------------------------------------------

def run(params: Params) -> None:
    settings = Settings.from_params(params)
    documents = io.read_parquet(params.root / DOCUMENTS)
    sentences = io.read_parquet(params.root / SENTENCES).sort_values(["doc_id", "sent_id"]).reset_index(drop=True)
    mentions = io.read_parquet(params.root / MENTIONS)
    entities = io.read_parquet(params.root / ENTITIES)
    targets = params.targets
    units, source = labelled_units(params, sentences, mentions, list(documents["doc_id"]))
    if units.empty:
        raise CompareInputError(f"no document mentions any of the targets {targets}, so there is no stance to "
                                "compare; check the aliases under targets in params.yaml (tag warned per document)")
    mode = str(params.get("stance.labels"))
    doc_counts = {str(g): int(n) for g, n in documents.groupby("author_origin")["doc_id"].nunique().items()}
    design = design_note(doc_counts)
    no_data = coverage_note(coverage_gaps(documents, mentions, targets))  # stance tables only: salience 0 is 0
    labels_phrase = f"Stance labels: {source}."
    no_labels = "Does not use stance labels (the same under model and gold labels)."
    level = f"{round(100 * settings.level)}%"
    boot = f"{level} hierarchical bootstrap interval ({settings.n_resamples} resamples)"

    # stance
    per_doc = stance_by_document(documents, mentions, units, targets, settings)
    per_group, replicates = stance_by_group(per_doc, units, targets, settings)
    differences = group_differences(per_doc, replicates, targets, settings)

    # frames
    categories: list[FrameCategory] = frame_categories(params.get("frames.categories"), targets)
    cat_names = [c.name for c in categories]
    matches = match_frames(sentences, mentions, categories)
    sent_index = pd.MultiIndex.from_arrays([sentences["doc_id"], sentences["sent_id"]])
    frame_counts = (matches.groupby(["doc_id", "sent_id", "category"]).size().unstack(fill_value=0)
                    .reindex(columns=cat_names, fill_value=0).reindex(sent_index, fill_value=0).to_numpy(float))
    frames_doc = rates_by_document(documents, sentences, frame_counts, cat_names, "category")
    frames_group = rates_by_group(documents, sentences, frame_counts, cat_names, "category", settings)
    frame_evidence = matches.merge(sentences[["doc_id", "sent_id", "text"]], on=["doc_id", "sent_id"])
    frame_evidence = frame_evidence.merge(documents[["doc_id", "author_origin"]], on="doc_id")
    frame_evidence = frame_evidence.rename(columns={"text": "sentence"})[
        ["author_origin", "doc_id", "sent_id", "category", "term", "start", "end", "sentence"]]

    # vocabulary
    lo_cfg = params.get("compare.log_odds")
    stop = stop_terms([a.text for a in params.aliases()], bool(lo_cfg["english_stop_words"]))
    background = sentences.merge(documents[["doc_id", "author_origin"]], on="doc_id")
    vocab_tables = []
    for target in targets:
        in_target = units.loc[units["target"] == target, ["doc_id", "sent_id"]].drop_duplicates()
        target_sentences = background.merge(in_target, on=["doc_id", "sent_id"])
        terms = contrast_terms(target_sentences, background, term_vectorizer(stop, int(lo_cfg["ngram_max"])),
                               float(lo_cfg["prior_scale"]), int(lo_cfg["top_n"]), int(lo_cfg["min_count"]))
        vocab_tables.append(terms.assign(target=target))
    vocabulary = pd.concat(vocab_tables, ignore_index=True)
    vocabulary = vocabulary[["target", *[c for c in vocabulary.columns if c != "target"]]]

    # actors
    actors = [*targets, *[a for a in (params.get("nlp.actors", {}) or {}) if a not in targets]]
    actor_counts = actor_counts_by_sentence(sentences, entities, actors)
    salience_doc = rates_by_document(documents, sentences, actor_counts, actors, "actor")
    salience_group = rates_by_group(documents, sentences, actor_counts, actors, "actor", settings)
    window = int(params.get("compare.cooccurrence.window"))
    pairs = actor_cooccurrence(documents, sentences, actor_counts, actors, window)
    shown = [a for a in actors if actor_counts[:, actors.index(a)].sum() > 0]
    shown = sorted(shown, key=lambda a: -actor_counts[:, actors.index(a)].sum())[
        : int(params.get("compare.cooccurrence.max_actors"))]
    matrix = cooccurrence_matrix(pairs, shown)

    evidence = stance_evidence(units, documents, matches, per_doc, mode)
    metrics = headline_metrics(mode, per_group, differences, frames_group, doc_counts, len(units))

    window_words = "the same sentence" if window == 0 else f"a window of {window} sentence(s) either side"
    tables = params.root / TABLES
    write = io.write_table
    write(per_doc, tables / "stance_by_document",
          f"Stance per document and target. {labels_phrase} Counts and shares are over (sentence, target) units "
          "(sentences mentioning the target); net_index = (favor - against) / units, from -1 to 1, with a "
          f"{level} interval from resampling the document's sentences. Salience: target mentions per 1,000 words. "
          f"included = at least {settings.min_mentions} unit(s), so the document enters its group's estimate. "
          f"Recompute every count from stance_evidence.{no_data}")
    write(per_group, tables / "stance_by_group",
          f"Stance per origin group and target: document-weighted mean shares and net index with {boot}: "
          f"documents resampled within group, then sentences within document. {labels_phrase} {design}{no_data}")
    write(differences, tables / "stance_group_differences",
          f"Pairwise differences between origin groups (group_a - group_b) of document-weighted stance measures, "
          f"with {boot} (groups resampled independently) and a two-sided permutation test that reassigns whole "
          "documents between the two groups (exact when all assignments are enumerable). min_attainable_p is the "
          "smallest p the design can give: with 3 vs 1 documents no difference can reach p < 0.25, with 1 vs 1 "
          f"none can go below 1. {labels_phrase} {design}{no_data}")
    write(vocabulary, tables / "framing_terms",
          "Framing vocabulary: for each target, terms each origin group uses more than the other groups in "
          "sentences mentioning that target. Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi "
          f"& Quinn 2008; prior = term frequencies of the whole corpus scaled to {lo_cfg['prior_scale']} "
          "pseudo-tokens) and its z-score; positive = used more by the group. Token counts are pooled over the "
          "group's sentences, so a long document weighs more: docs_using says in how many of the group's "
          "documents the term occurs. z ranks terms; with thousands of terms it is no significance test. "
          f"English stop words {'and ' if lo_cfg['english_stop_words'] else ''}target aliases excluded; "
          f"terms shown have count_group >= {lo_cfg['min_count']}. {no_labels} {design}")
    write(frames_doc, tables / "frame_rates_by_document",
          "Frame lexicon matches per document and category, per 1,000 words (categories and terms in params.yaml "
          f"frames.categories). Matched sentences: frame_matches. {no_labels}")
    write(frames_group, tables / "frame_rates_by_group",
          f"Frame lexicon rates per origin group: document-weighted mean matches per 1,000 words with {boot}. "
          f"{no_labels} {design}")
    write(frame_evidence, tables / "frame_matches",
          "Every frame lexicon match: document, sentence, category, matched term and its character offsets in "
          f"the sentence; frame_rates_by_document counts these rows. {no_labels}", formats=("csv",))
    write(salience_doc, tables / "actor_salience_by_document",
          "Actor salience per document: entity mentions of each canonical actor (gazetteer ids from params.yaml "
          f"targets and nlp.actors) per 1,000 words. {no_labels}")
    write(salience_group, tables / "actor_salience_by_group",
          f"Actor salience per origin group: document-weighted mean mentions per 1,000 words with {boot}. "
          f"{no_labels} {design}")
    write(pairs, tables / "actor_cooccurrence",
          f"Actor co-occurrence per origin group; a window is {window_words}. windows_both/a/b are pooled counts "
          "of windows with both actors / each actor; jaccard = both / either, averaged over the group's documents "
          "in which either actor occurs; per_100_windows = windows with both per 100 windows, averaged over "
          f"documents. Pairs that never co-occur are omitted. {no_labels} {design}")
    write(matrix, tables / "actor_cooccurrence_matrix",
          f"Actor co-occurrence matrix per origin group (document-weighted Jaccard; {window_words}), for the "
          f"{len(shown)} most mentioned actors; blank diagonal. {no_labels} {design}")
    write(evidence, tables / "stance_evidence",
          f"Evidence: every (sentence, target) unit with its stance label, the target words and frame terms it "
          f"contains, and the sentence. {labels_phrase} stance_by_document counts and stance_by_group shares "
          "recompute exactly from the rows with included = True.", formats=("csv",))
    io.write_json(params.root / METRICS, metrics)
