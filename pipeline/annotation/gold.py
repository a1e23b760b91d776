"""Gold stance labels: assembling them from annotation passes, and joining them to units.

Gold rows are keyed by (doc_id, sent_key, target): ``sent_key`` hashes the
normalised sentence text, so labels survive re-segmentation and cleaning
changes that do not alter the sentence itself. ``sent_id`` is kept for
reading only.

Build ``corpus/annotations/stance_gold.csv`` after an annotation round with
``python -m pipeline.annotation build``: first-pass labels (pass1_*.csv), overridden by
adjudication.csv where an adjudicator decided (every disagreement with the
blind second pass, and any first-pass label re-adjudicated under a rule the
guide added later). corpus/annotations/README.md describes the files.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from pipeline.io import atomic_path
from pipeline.paths import GOLD, LABELS

ADJUDICATION = "adjudication.csv"
GOLD_KEY = ["doc_id", "sent_key", "target"]
PASS_COLUMNS = ["doc_id", "sent_id", "sent_key", "target", "sentence", "label", "note"]
ADJUDICATION_COLUMNS = [*GOLD_KEY, "sent_id", "label_pass1", "label_pass2", "label", "rule"]
GOLD_COLUMNS = [*GOLD_KEY, "sent_id", "label", "source", "annotator", "pass2_label", "note", "sentence"]


class GoldError(ValueError):
    """The gold file is inconsistent with itself or with the corpus."""


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise GoldError(f"{path}: not found")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise GoldError(f"{path}: missing column(s) {missing}; expected {columns}")
    return df


def _check_values(df: pd.DataFrame, column: str, allowed: Iterable[str], where: Path | str, what: str) -> None:
    """Raise naming the first row (spreadsheet numbering: header is row 1) whose value is not allowed."""
    allowed = list(allowed)
    bad = df[~df[column].isin(allowed)]
    if not bad.empty:
        r = bad.iloc[0]
        raise GoldError(
            f"{where}: row {bad.index[0] + 2}: unknown {what} '{r[column]}' "
            f"(doc_id '{r['doc_id']}', sent {r.get('sent_id', '?')}, {r.get('target', '?')}); "
            f"expected one of {allowed}"
        )


def read_pass(path: Path, doc_ids: Iterable[str] | None = None, targets: Iterable[str] | None = None) -> pd.DataFrame:
    """One annotator's pass file, validated; ``annotator`` is the file name's last part (pass1_A -> A)."""
    df = _read_csv(path, PASS_COLUMNS)
    _check_values(df, "label", LABELS, path, "label")
    if doc_ids is not None:
        _check_values(df, "doc_id", sorted(doc_ids), path, "doc_id")
    if targets is not None:
        _check_values(df, "target", sorted(targets), path, "target")
    dup = df[df.duplicated(GOLD_KEY, keep=False)]
    if not dup.empty:
        r = dup.iloc[0]
        raise GoldError(
            f"{path}: row {dup.index[0] + 2}: ({r['doc_id']}, sent {r['sent_id']}, {r['target']}) "
            "is labelled twice in one pass"
        )
    df["sent_id"] = df["sent_id"].astype(int)
    df["annotator"] = path.stem.split("_", 1)[-1]
    return df


def read_passes(
    annotations: Path, pattern: str, doc_ids: Iterable[str] | None = None, targets: Iterable[str] | None = None
) -> pd.DataFrame:
    """All pass files matching ``pattern`` (e.g. ``pass1_*.csv``), concatenated."""
    paths = sorted(annotations.glob(pattern))
    if not paths:
        raise GoldError(f"{annotations}: no {pattern} files")
    passes = pd.concat([read_pass(p, doc_ids, targets) for p in paths], ignore_index=True)
    dup = passes[passes.duplicated(GOLD_KEY, keep=False)]
    if not dup.empty:
        r = dup.iloc[0]
        clash = sorted(dup.loc[(dup[GOLD_KEY] == r[GOLD_KEY]).all(axis=1), "annotator"])
        raise GoldError(
            f"{annotations}: ({r['doc_id']}, sent {r['sent_id']}, {r['target']}) is in two "
            f"{pattern} files (annotators {clash}); a unit belongs to one pass file"
        )
    return passes


def read_adjudication(annotations: Path, first: pd.DataFrame) -> pd.DataFrame:
    """adjudication.csv, validated against the first pass it overrides."""
    path = annotations / ADJUDICATION
    adj = _read_csv(path, ADJUDICATION_COLUMNS)
    _check_values(adj, "label", LABELS, path, "label")
    no_rule = adj[adj["rule"].str.strip() == ""]
    if not no_rule.empty:
        raise GoldError(f"{path}: row {no_rule.index[0] + 2}: an adjudicated label needs the rule that decided it")
    if adj.duplicated(GOLD_KEY).any():
        raise GoldError(f"{path}: row {adj.index[adj.duplicated(GOLD_KEY)][0] + 2}: key adjudicated twice")
    joined = adj.merge(first[[*GOLD_KEY, "label"]], on=GOLD_KEY, how="left", suffixes=("", "_first"))
    orphan = joined[joined["label_first"].isna()]
    if not orphan.empty:
        r = orphan.iloc[0]
        raise GoldError(
            f"{path}: row {orphan.index[0] + 2}: ({r['doc_id']}, {r['sent_key']}, {r['target']}) "
            "matches no first-pass row"
        )
    stale = joined[joined["label_first"] != joined["label_pass1"]]
    if not stale.empty:
        r = stale.iloc[0]
        raise GoldError(
            f"{path}: row {stale.index[0] + 2}: label_pass1 '{r['label_pass1']}' but the first pass now "
            f"says '{r['label_first']}'; re-adjudicate this row"
        )
    return adj


def build_gold(
    annotations: Path, doc_ids: Iterable[str] | None = None, targets: Iterable[str] | None = None
) -> pd.DataFrame:
    """First-pass labels with adjudicated labels applied, one row per gold key.

    ``pass2_label`` records the blind second pass's label where the unit was
    double-coded, so the gold file itself shows which labels were checked.
    """
    first = read_passes(annotations, "pass1_*.csv", doc_ids, targets)
    adjudication = read_adjudication(annotations, first)
    gold = first.merge(
        adjudication[[*GOLD_KEY, "label", "rule"]],
        on=GOLD_KEY,
        how="left",
        suffixes=("", "_adj"),
        validate="one_to_one",
    )
    gold["source"] = "pass1"
    changed = gold["label_adj"].notna()
    gold.loc[changed, "source"] = "adjudicated"
    gold.loc[changed, "note"] = gold.loc[changed, "rule"]
    gold.loc[changed, "label"] = gold.loc[changed, "label_adj"]
    if list(annotations.glob("pass2_*.csv")):
        second = read_passes(annotations, "pass2_*.csv", doc_ids, targets)
        unmatched = second.merge(first[GOLD_KEY], on=GOLD_KEY, how="left", indicator=True)
        unmatched = unmatched[unmatched["_merge"] == "left_only"]
        if not unmatched.empty:
            r = unmatched.iloc[0]
            raise GoldError(
                f"{annotations}: second-pass row ({r['doc_id']}, sent {r['sent_id']}, {r['target']}) "
                "matches no first-pass row"
            )
        gold = gold.merge(
            second[[*GOLD_KEY, "label"]].rename(columns={"label": "pass2_label"}), on=GOLD_KEY, how="left"
        )
    else:
        gold["pass2_label"] = None
    gold["pass2_label"] = gold["pass2_label"].fillna("")
    gold = gold[GOLD_COLUMNS].sort_values(["doc_id", "sent_id", "target"]).reset_index(drop=True)
    validate_gold(gold, annotations / GOLD.name)
    return gold


def validate_gold(gold: pd.DataFrame, where: Path | str) -> None:
    _check_values(gold.reset_index(drop=True), "label", LABELS, where, "label")
    dup = gold[gold.duplicated(GOLD_KEY, keep=False)]
    conflicting = dup.groupby(GOLD_KEY)["label"].nunique()
    if (conflicting > 1).any():
        key = conflicting[conflicting > 1].index[0]
        raise GoldError(f"{where}: conflicting labels for the same sentence and target {key}")


def load_gold(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise GoldError(f"{path}: gold file not found (build it with `python -m pipeline.annotation build`)")
    gold = pd.read_csv(path, keep_default_na=False)
    missing = [c for c in GOLD_COLUMNS if c not in gold.columns]
    if missing:
        raise GoldError(f"{path}: missing column(s) {missing}")
    validate_gold(gold, path)
    return gold.drop_duplicates(GOLD_KEY)


def check_gold_current(
    annotations: Path, doc_ids: Iterable[str] | None = None, targets: Iterable[str] | None = None
) -> pd.DataFrame:
    """The committed stance_gold.csv, after checking it equals a fresh build from the pass files.

    A pass or adjudication edited without rebuilding would otherwise leave
    stale gold labels that look authoritative.
    """
    path = annotations / GOLD.name
    committed = load_gold(path)
    fresh = build_gold(annotations, doc_ids, targets)
    as_text = committed[GOLD_COLUMNS].astype(str).reset_index(drop=True)
    if not as_text.equals(fresh.astype(str).reset_index(drop=True)):
        raise GoldError(
            f"{path}: out of date with the pass and adjudication files; "
            "rebuild it with `python -m pipeline.annotation build`"
        )
    return committed


def attach_gold(
    units: pd.DataFrame, gold: pd.DataFrame, *, where: Path | str = GOLD, documents: list[str] | None = None
) -> pd.DataFrame:
    """Units of the gold documents with their gold ``label``.

    Raises GoldError when a unit of a gold document has no gold label, or a
    gold row matches no unit: the gold set must stay complete as cleaning
    and segmentation change.
    """
    gold_docs = sorted(set(gold["doc_id"])) if documents is None else documents
    in_gold_docs = units[units["doc_id"].isin(gold_docs)]
    joined = in_gold_docs.merge(gold[[*GOLD_KEY, "label"]], on=GOLD_KEY, how="outer", indicator=True)
    unlabelled = joined[joined["_merge"] == "left_only"]
    if not unlabelled.empty:
        r = unlabelled.iloc[0]
        raise GoldError(
            f"{where}: {len(unlabelled)} mention pair(s) have no gold label, e.g. "
            f"({r['doc_id']}, sent {int(r['sent_id'])}, {r['target']}): {r['text'][:100]!r}"
        )
    orphans = joined[joined["_merge"] == "right_only"]
    if not orphans.empty:
        r = orphans.iloc[0]
        if r["doc_id"] not in set(units["doc_id"]):
            reason = f"doc_id '{r['doc_id']}' has no stance units (not in the corpus, or no target mentions)"
        elif r["target"] not in set(units["target"]):
            reason = f"target '{r['target']}' is not a configured target"
        else:
            reason = f"no sentence of '{r['doc_id']}' mentioning {r['target']} has this sent_key"
        raise GoldError(
            f"{where}: {len(orphans)} gold row(s) match no sentence of the cleaned corpus, e.g. "
            f"({r['doc_id']}, sent_key {r['sent_key']}, {r['target']}): {reason}"
        )
    return joined.drop(columns="_merge")


def write_gold(
    annotations: Path, doc_ids: Iterable[str] | None = None, targets: Iterable[str] | None = None
) -> pd.DataFrame:
    """Rebuild stance_gold.csv from the pass and adjudication files (atomic write)."""
    gold = build_gold(annotations, doc_ids, targets)
    with atomic_path(annotations / GOLD.name) as tmp:
        gold.to_csv(tmp, index=False, lineterminator="\n")
    return gold


def annotation_template(units: pd.DataFrame, doc_ids: Iterable[str]) -> pd.DataFrame:
    """Blank pass file for the units of ``doc_ids``: annotators fill ``label`` (and ``note``) only."""
    doc_ids = list(doc_ids)
    unknown = sorted(set(doc_ids) - set(units["doc_id"]))
    if unknown:
        raise GoldError(f"no mention pairs for doc_id(s) {unknown}; add them to the manifest and run `dvc repro`")
    rows = units[units["doc_id"].isin(doc_ids)].rename(columns={"text": "sentence"})
    rows = rows.assign(label="", note="")[PASS_COLUMNS]
    return rows.sort_values(["doc_id", "sent_id", "target"]).reset_index(drop=True)
