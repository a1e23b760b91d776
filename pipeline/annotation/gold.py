"""Gold stance labels, derived from the annotation passes and the adjudication; never hand-edited.

A unit's gold label (and basis) is the one every pass that labelled it
agrees on; where passes disagree (in label or basis), the adjudicated one;
a disagreement nobody adjudicated is an error, and so is an adjudication of
a unit the passes agree on (it would silently overrule them). Every pass
row must still match a unit of the cleaned corpus: a sentence that changed
since it was labelled is named, with the pass file and row, before any
stage uses the gold labels. The gold stage writes the result to
``outputs/data/gold.parquet``; evaluate, train, stance and compare read it
from there, so what they use is always what the passes say.

Units are keyed by (doc_id, sent_key, target); ``sent_key`` hashes the
normalised sentence, so labels survive re-segmentation elsewhere in the
document. The ``basis`` of a label (STANCE-SPEC v2) gives two readings:
``full`` (the label as given) and ``text`` (a label whose basis is
``context`` counts as ``neutral``: the strictly sentence-local reading).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline import io
from pipeline.annotation.passes import read_adjudication, read_passes
from pipeline.paths import ANNOTATIONS, GOLD, GOLD_DTYPES, LABELS

UNIT_KEY = ["doc_id", "sent_key", "target"]
READINGS = ("full", "text")
CENSUS = "census"


class GoldError(ValueError):
    """The passes, the adjudication and the corpus do not give one gold label per labelled unit."""


def apply_reading(labels: pd.Series, basis: pd.Series, reading: str) -> pd.Series:
    """Labels under a reading: ``full`` as given; ``text``: context-basis labels become ``neutral``."""
    if reading not in READINGS:
        raise GoldError(f"unknown reading {reading!r}; expected one of {READINGS}")
    if reading == "full":
        return labels
    return labels.where(basis.to_numpy() != "context", "neutral")


def _check_units(passes: pd.DataFrame, units: pd.DataFrame, annotations: Path) -> None:
    """Every pass row names a unit of the corpus as it is now (else the sentence changed or left)."""
    known = units[UNIT_KEY].drop_duplicates().assign(_unit=True)
    joined = passes.merge(known, on=UNIT_KEY, how="left")
    orphan = joined[joined["_unit"].isna()]
    if orphan.empty:
        return
    r = orphan.iloc[0]
    if r["doc_id"] not in set(units["doc_id"]):
        reason = f"document '{r['doc_id']}' has no stance units (not in the manifest, or no target mention)"
    elif r["target"] not in set(units["target"]):
        reason = f"'{r['target']}' is not a configured target"
    else:
        reason = "no sentence of the cleaned document has this text any more (cleaning or segmentation changed)"
    same_file = passes.index[passes["pass_id"] == r["pass_id"]]
    row = int((same_file < orphan.index[0]).sum()) + 2  # as a spreadsheet numbers it: the header is row 1
    raise GoldError(
        f"{annotations / 'passes' / (r['pass_id'] + '.csv')}: row {row}: ({r['doc_id']}, sent {r['sent_id']}, "
        f"{r['target']}): {reason}; {len(orphan)} pass row(s) in all match no unit"
    )


def _check_adjudication(votes: pd.DataFrame, adjudication: pd.DataFrame, annotations: Path) -> None:
    """Every disagreement adjudicated (with its rule); no adjudication of a unit the passes agree on."""
    where = annotations / "adjudication.csv"
    decided = adjudication.set_index(UNIT_KEY)
    disputed = votes[votes["disagree"]]
    missing = disputed[~disputed.index.isin(decided.index)]
    if not missing.empty:
        key, r = missing.index[0], missing.iloc[0]
        raise GoldError(
            f"{where}: {len(missing)} disagreement(s) between passes are not adjudicated, e.g. {key}: "
            f"{r['votes']}; add a row with label, basis and the rule applied"
        )
    stray = decided[~decided.index.isin(disputed.index)]
    if not stray.empty:
        raise GoldError(
            f"{where}: {stray.index[0]} is adjudicated, but the passes "
            f"{'agree on it' if stray.index[0] in votes.index else 'do not label it'}; remove the row"
        )
    no_rule = adjudication[adjudication["rule"].str.strip() == ""]
    if not no_rule.empty:
        raise GoldError(f"{where}: row {no_rule.index[0] + 2}: an adjudicated label needs the rule that decided it")
    neutral_context = adjudication[(adjudication["label"] == "neutral") & (adjudication["basis"] == "context")]
    if not neutral_context.empty:
        raise GoldError(f"{where}: row {neutral_context.index[0] + 2}: neutral takes basis text")


def unit_gold(passes: pd.DataFrame, adjudication: pd.DataFrame, annotations: Path) -> pd.DataFrame:
    """Gold per labelled unit, indexed by ``UNIT_KEY`` (the columns of ``paths.GOLD_DTYPES`` but ``sent_id``).

    What the passes agree on, else what the adjudication decided; refuses a
    disagreement nobody adjudicated and an adjudication of agreed units.
    """
    coded = passes.reset_index(drop=True).assign(vote=passes["label"] + "/" + passes["basis"])
    votes = coded.groupby(UNIT_KEY, sort=True).agg(
        n_annotators=("annotator", "nunique"),
        distinct=("vote", "nunique"),
        label=("label", "first"),
        basis=("basis", "first"),
        annotators=("annotator", lambda s: ";".join(sorted(s))),
        annotator_kinds=("annotator_kind", lambda s: ";".join(sorted(set(s)))),
        sample_id=("sample_id", lambda s: ";".join(sorted(set(s)))),
        guide_version=("guide_version", lambda s: ";".join(sorted(set(s)))),
        votes=("vote", lambda s: ", ".join(sorted(s))),
    )
    votes["disagree"] = votes["distinct"] > 1
    _check_adjudication(votes, adjudication, annotations)
    gold = votes.copy()
    gold["source"] = "agreed"
    gold.loc[gold["n_annotators"] == 1, "source"] = "single"
    gold["rule"] = ""
    decided = adjudication.set_index(UNIT_KEY)
    if not decided.empty:
        gold.loc[decided.index, ["label", "basis", "rule"]] = decided[["label", "basis", "rule"]].to_numpy()
        gold.loc[decided.index, "source"] = "adjudicated"
    return gold[[c for c in GOLD_DTYPES if c not in (*UNIT_KEY, "sent_id")]]


def derive_gold(
    passes: pd.DataFrame, adjudication: pd.DataFrame, units: pd.DataFrame, annotations: Path
) -> pd.DataFrame:
    """One gold row per labelled unit (``paths.GOLD_DTYPES``), from the long pass table and the adjudication.

    ``passes``: ``pipeline.annotation.passes.read_passes`` (one row per unit and
    annotator, with ``pass_id``); ``units``: the keys (``UNIT_KEY`` and ``sent_id``) of the corpus's units
    as they are now (pipeline.nlp.units.unit_keys; the unit table serves as well).
    """
    if passes.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in GOLD_DTYPES.items()})
    passes = passes.reset_index(drop=True)
    _check_units(passes, units, annotations)
    gold = unit_gold(passes, adjudication, annotations)
    gold = gold.reset_index().merge(units[[*UNIT_KEY, "sent_id"]].drop_duplicates(UNIT_KEY), on=UNIT_KEY)
    gold = gold.sort_values(["doc_id", "sent_id", "target"]).reset_index(drop=True)
    return gold[list(GOLD_DTYPES)].astype(GOLD_DTYPES)


def read_gold(root: Path) -> pd.DataFrame:
    """``outputs/data/gold.parquet`` as the gold stage wrote it, checked against the passes and adjudication
    now on disk: a table edited by hand, or left stale by a pass added since, never reaches a stage."""
    path = Path(root) / GOLD
    if not path.is_file():
        raise GoldError(f"{GOLD}: not found; run the gold stage first (`dvc repro gold`)")
    gold = io.read_parquet(path)
    annotations = Path(root) / ANNOTATIONS
    passes = read_passes(annotations)
    expected = (
        unit_gold(passes, read_adjudication(annotations), annotations)
        if len(passes)
        else pd.DataFrame(columns=[*UNIT_KEY, *COMPARED]).set_index(UNIT_KEY)
    )
    problem = drift(gold, expected)
    if problem:
        raise GoldError(
            f"{GOLD}: {problem}; gold is derived from {annotations / 'passes'} and adjudication.csv, never "
            "edited: rerun the gold stage (`dvc repro gold`)"
        )
    return gold


COMPARED = ["label", "basis", "source", "rule"]
"""The gold columns a stage uses, compared with what the passes and adjudication give."""


def drift(gold: pd.DataFrame, expected: pd.DataFrame) -> str | None:
    """The first row of ``gold`` (1-based, as stored) that the passes and adjudication do not give, if any."""
    table = gold.reset_index(drop=True)
    # a dict, not a .loc lookup per row: those cost each stage that reads gold a second or more
    expected_rows = dict(zip(expected.index, expected[COMPARED].itertuples(index=False, name=None), strict=True))
    for row, rec in enumerate(table.to_dict("records"), start=1):
        key = tuple(rec[c] for c in UNIT_KEY)
        unit = f"row {row} ({rec['doc_id']}, sent {rec['sent_id']}, {rec['target']})"
        if key not in expected_rows:
            return f"{unit}: no pass labels this unit"
        for column, want in zip(COMPARED, expected_rows[key], strict=True):
            if rec[column] != want:
                return f"{unit}: {column} {rec[column]!r}, but the passes and adjudication give {want!r}"
    keys = set(zip(*(table[c] for c in UNIT_KEY)))
    missing = [key for key in expected.index if key not in keys]
    if missing:
        return f"{len(missing)} unit(s) the passes label have no row, e.g. {missing[0]}"
    return None


def attach_gold(units: pd.DataFrame, gold: pd.DataFrame, *, reading: str = "full") -> pd.DataFrame:
    """The units that have a gold label, with ``label`` (under ``reading``), ``basis`` and ``gold_source``.

    Labelled units only: a document labelled by a random sample keeps its
    unlabelled units out of this table (coverage says which documents are
    complete).
    """
    joined = units.merge(gold[[*UNIT_KEY, "label", "basis", "source"]], on=UNIT_KEY, how="inner")
    joined["label"] = apply_reading(joined["label"], joined["basis"], reading)
    bad = joined[~joined["label"].isin(LABELS)]
    if not bad.empty:
        raise GoldError(f"{GOLD}: unknown label {bad['label'].iloc[0]!r}; rerun the gold stage")
    return joined.rename(columns={"source": "gold_source"})


def coverage(units: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Per document x target: units, gold-labelled units, and the design (``census``, ``sample`` or ``none``).

    ``census``: every unit of the cell has a gold label (the document's gold
    is complete for that target); ``sample``: some have, and every labelled
    unit came from a random draw of ``annotate export`` (sequential simple
    random samples within a cell add up to one); ``partial``: some have, but
    not all by random draws (e.g. a census labelled before the document
    grew), so they cannot stand for the rest; ``none``: no gold label.
    """
    n_units = units.groupby(["doc_id", "target"]).size().rename("n_units")
    labelled = units[UNIT_KEY].merge(gold[[*UNIT_KEY, "sample_id"]], on=UNIT_KEY)
    labelled["drawn"] = ~labelled["sample_id"].str.split(";").map(lambda ids: CENSUS in ids)
    per_cell = labelled.groupby(["doc_id", "target"]).agg(n_gold=("drawn", "size"), n_drawn=("drawn", "sum"))
    table = pd.concat([n_units, per_cell], axis=1).fillna(0).astype(int).reset_index()
    table["design"] = "none"
    table.loc[table["n_gold"] > 0, "design"] = "partial"
    table.loc[(table["n_gold"] > 0) & (table["n_drawn"] == table["n_gold"]), "design"] = "sample"
    table.loc[table["n_gold"] == table["n_units"], "design"] = CENSUS
    return table.drop(columns="n_drawn")
