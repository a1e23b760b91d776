"""Annotation passes (v2 layout): the pass and adjudication files, read back and checked.

One file per pass under ``passes/`` and one ``adjudication.csv``
(corpus/annotations/README.md); ``pipeline.annotation.importing`` writes
passes from filled task files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.annotation.tasks import UNIT_KEY
from pipeline.paths import LABELS

PASS_COLUMNS = [
    "doc_id",
    "sent_key",
    "target",
    "sent_id",
    "sentence",
    "label",
    "basis",
    "note",
    "annotator",
    "annotator_kind",
    "guide_version",
    "sample_id",
    "date",
]
ADJUDICATION_COLUMNS = [
    "doc_id",
    "sent_key",
    "target",
    "label",
    "basis",
    "rule",
    "note",
    "adjudicator",
    "adjudicator_kind",
    "guide_version",
]
PASSES_DIR = "passes"
ADJUDICATION = "adjudication.csv"
BASES = ("text", "context")
ANNOTATOR_KINDS = ("human", "model")


class AnnotationError(ValueError):
    """An annotation file cannot be accepted; the message names file, row and column."""


def _check_values(table: pd.DataFrame, column: str, allowed: tuple[str, ...], path: Path) -> None:
    bad = ~table[column].isin(allowed)
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise AnnotationError(
            f"{path}: row {row + 2}, column {column}: '{table[column].iloc[row]}'; expected {', '.join(allowed)}"
        )


def _read_table(path: Path, columns: list[str]) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise AnnotationError(f"{path}: row 1: missing column(s) {', '.join(missing)}")
    return table[columns]


def read_passes(annotations: Path) -> pd.DataFrame:
    """Every pass file under ``passes/``, validated, in one long table with a ``pass_id`` column.

    One row per (unit, annotator): agreement and gold take any number of
    annotators from it. An annotator labelling a unit in two passes is refused.
    """
    tables = []
    for path in sorted((Path(annotations) / PASSES_DIR).glob("*.csv")):
        table = _read_table(path, PASS_COLUMNS)
        for column, allowed in (("label", LABELS), ("basis", BASES), ("annotator_kind", ANNOTATOR_KINDS)):
            _check_values(table, column, allowed, path)
        neutral_context = (table["label"] == "neutral") & (table["basis"] == "context")
        if neutral_context.any():
            row = int(neutral_context.to_numpy().argmax()) + 2
            raise AnnotationError(f"{path}: row {row}, column basis: neutral takes basis text")
        tables.append(table.assign(pass_id=path.stem, sent_id=table["sent_id"].astype(int)))
    if not tables:
        return pd.DataFrame(columns=[*PASS_COLUMNS, "pass_id"])
    passes = pd.concat(tables, ignore_index=True)
    twice = passes[passes.duplicated([*UNIT_KEY, "annotator"], keep=False)]
    if not twice.empty:
        first = twice.iloc[0]
        clash = twice[(twice[[*UNIT_KEY, "annotator"]] == first[[*UNIT_KEY, "annotator"]]).all(axis=1)]
        raise AnnotationError(
            f"{Path(annotations) / PASSES_DIR}: {first['annotator']} labelled "
            f"({first['doc_id']}, sentence {first['sent_id']}, {first['target']}) in passes "
            f"{', '.join(sorted(clash['pass_id']))}; keep one"
        )
    return passes


def labelled_keys(annotations: Path) -> set[tuple[str, str, str]]:
    """(doc_id, sent_key, target) of every unit some pass labelled: ``annotate export`` draws none of them."""
    return set(read_passes(annotations)[UNIT_KEY].itertuples(index=False, name=None))


def read_adjudication(annotations: Path) -> pd.DataFrame:
    """``adjudication.csv`` validated (empty when there is none yet)."""
    path = Path(annotations) / ADJUDICATION
    if not path.is_file():
        return pd.DataFrame(columns=ADJUDICATION_COLUMNS)
    table = _read_table(path, ADJUDICATION_COLUMNS)
    for column, allowed in (("label", LABELS), ("basis", BASES), ("adjudicator_kind", ANNOTATOR_KINDS)):
        _check_values(table, column, allowed, path)
    return table


def disagreements(passes: pd.DataFrame, adjudication: pd.DataFrame) -> pd.DataFrame:
    """Units whose passes differ in label or basis, one row each, with ``adjudicated`` (bool).

    A unit labelled by one annotator only is no disagreement; the gold
    builder must stop on any row here that is not adjudicated.
    """
    counts = passes.groupby(UNIT_KEY).agg(
        labels=("label", "nunique"), bases=("basis", "nunique"), annotators=("annotator", "nunique")
    )
    differing = counts[(counts["labels"] > 1) | (counts["bases"] > 1)].reset_index()
    decided = set(adjudication[UNIT_KEY].itertuples(index=False, name=None))
    differing["adjudicated"] = [key in decided for key in differing[UNIT_KEY].itertuples(index=False, name=None)]
    return differing[[*UNIT_KEY, "annotators", "adjudicated"]]
